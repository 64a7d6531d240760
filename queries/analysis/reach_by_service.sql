-- Reach by service: unique children who used each service in the period (a child counts under
-- every service they used, so rows do not add up to the area), and counted contacts (these do
-- add up). reach_pct is against all the area's children in the age band. Disclosure-controlled.
CREATE OR REPLACE TABLE analysis.reach_by_service (
    service               VARCHAR,
    age_band              VARCHAR,
    children_in_band      DOUBLE,
    children_reached      BIGINT,
    children_reached_text VARCHAR,
    reach_pct             DOUBLE,
    contacts              BIGINT,
    contacts_text         VARCHAR,
    suppressed            BOOLEAN NOT NULL
);
