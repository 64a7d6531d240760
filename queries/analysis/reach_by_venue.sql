-- Reach by venue: unique children seen at each venue in the period (a child counts at every
-- venue they used) and counted contacts there. Contacts with no venue or an unknown venue id are
-- the rows '(venue not recorded)' and '(not a known site)'. Disclosure-controlled.
CREATE OR REPLACE TABLE analysis.reach_by_venue (
    venue_id              VARCHAR,
    venue_name            VARCHAR,
    tier                  VARCHAR,
    children_reached      BIGINT,
    children_reached_text VARCHAR,
    contacts              BIGINT,
    contacts_text         VARCHAR,
    suppressed            BOOLEAN NOT NULL
);
