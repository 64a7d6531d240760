-- Each area LSOA under each siting scenario (written by the siting stage): its weight, whether an
-- existing hub reaches it within the scenario's threshold (covered_before), whether it is reached
-- once the chosen sites open (covered_after), and the first chosen site (in order of selection)
-- that newly reaches it. minutes_before / minutes_after: to the nearest existing hub / existing
-- hub or chosen site, NULL when none is within the searches' reach.
CREATE OR REPLACE TABLE analysis.siting_lsoa (
    scenario       VARCHAR NOT NULL,
    lsoa_code      VARCHAR NOT NULL,
    ward_code      VARCHAR,
    ward_name      VARCHAR,
    locality       VARCHAR,
    weight         DOUBLE NOT NULL,
    covered_before BOOLEAN NOT NULL,
    covered_after  BOOLEAN NOT NULL,
    newly_by       VARCHAR,
    minutes_before DOUBLE,
    minutes_after  DOUBLE
);
