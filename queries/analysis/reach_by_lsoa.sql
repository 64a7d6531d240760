-- Reach by LSOA: unique children (pseudonymised person_id) with at least one counted contact in
-- the period, living in the LSOA at their last counted contact, against the children of the
-- age band (service_use.age_band) living there. Disclosure-controlled (pipeline/disclosure):
-- counts from 1 to disclosure.threshold - 1 and the cells that would give them away are NULL,
-- with children_reached_text '<5' (small) or '[c]' (withheld to protect another cell) and
-- suppressed = true; published counts are rounded to disclosure.round_to when set, and rates are
-- worked out from the published (rounded) counts. Written by the reach stage (pipeline/reach.go).
CREATE OR REPLACE TABLE analysis.reach_by_lsoa (
    lsoa_code             VARCHAR NOT NULL,
    lsoa_name             VARCHAR,
    ward_code             VARCHAR,
    ward_name             VARCHAR,
    locality              VARCHAR,
    idaci_decile          INTEGER,    -- national IDACI decile, 1 = most deprived 10%
    age_band              VARCHAR,    -- 0-4, 0-15 or 0-19
    children_in_band      DOUBLE,     -- denominator: population of the age band (see denominator)
    denominator           VARCHAR,    -- which population and its year
    children_reached      BIGINT,     -- NULL when suppressed
    children_reached_text VARCHAR,    -- the published count, '<5' or '[c]'
    reach_pct             DOUBLE,     -- 100 x children_reached / children_in_band; NULL when suppressed
    suppressed            BOOLEAN NOT NULL
);
