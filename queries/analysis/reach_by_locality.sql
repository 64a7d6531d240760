-- Reach by locality: as analysis.reach_by_lsoa, summed over the locality's LSOAs (a child counts in one
-- LSOA, so the sums are exact), with the counted contacts of those children. Disclosure-controlled
-- together with the LSOA, locality, decile and area tables (secondary suppression across them).
CREATE OR REPLACE TABLE analysis.reach_by_locality (
    locality              VARCHAR,    -- NULL: LSOAs with no locality
    lsoas                 INTEGER,
    age_band              VARCHAR,
    children_in_band      DOUBLE,
    denominator           VARCHAR,
    children_reached      BIGINT,
    children_reached_text VARCHAR,
    reach_pct             DOUBLE,
    contacts              BIGINT,     -- counted contacts of those children; NULL when suppressed
    contacts_text         VARCHAR,
    contacts_per_child    DOUBLE,     -- from the published counts
    suppressed            BOOLEAN NOT NULL  -- any count in the row withheld
);
