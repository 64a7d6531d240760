-- Each area LSOA under each siting scenario (written by the siting stage): its weight, whether an
-- existing hub reaches it within the scenario's threshold (covered_before), whether it is reached
-- once the chosen sites open (covered_after), and the first chosen site (in order of selection)
-- that newly reaches it. minutes_before / minutes_after: to the nearest existing hub / existing
-- hub or chosen site, NULL when none is within the searches' reach.
-- measured: FALSE when the scenario's travel time cannot be measured at all (its mode is walk or
-- drive and the LSOA's demand point is farther than access.snap_limit_m from that network: status
-- 'too far from the network' in analysis.lsoa_distance). Such an LSOA is never covered, before or
-- after, but it is "not measured", not beyond reach: the rule of analysis.area_access.
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
    minutes_after  DOUBLE,
    measured       BOOLEAN NOT NULL
);
