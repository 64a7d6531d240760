-- The whole area against each access standard: children 0-15 and income-deprived children within,
-- beyond and unknown, with the standard's threshold and the reason given for it.
--
-- One rule in every access table (area_access, ward_access, locality_access, gap_lsoas): an LSOA
-- whose distance is unknown (analysis.lsoa_access.within IS NULL: its demand point is too far from
-- the network to join it, or not connected) is counted in the *_unknown columns, never as within or
-- beyond, so within + beyond + unknown = the total in every row (LSOAs, children, income-deprived
-- children). Shares within (pct_children_within, pct_deprived_within) are of ALL the children, so
-- the unknown ones count as not within: each share within is a lower bound.
CREATE OR REPLACE TABLE analysis.area_access AS
SELECT
    a.standard_id,
    any_value(a.standard) AS standard,
    any_value(s.requested_mode) AS requested_mode,
    any_value(a.mode) AS mode,
    any_value(s.minutes) AS threshold_minutes,
    any_value(s.metres) AS threshold_metres,
    count(*) AS lsoas,
    count(*) FILTER (WHERE a.within) AS lsoas_within,
    count(*) FILTER (WHERE NOT a.within) AS lsoas_beyond,
    count(*) FILTER (WHERE a.within IS NULL) AS lsoas_unknown,
    sum(a.children_0_15) AS children_0_15,
    coalesce(sum(a.children_0_15) FILTER (WHERE a.within), 0) AS children_within,
    coalesce(sum(a.children_0_15) FILTER (WHERE NOT a.within), 0) AS children_beyond,
    coalesce(sum(a.children_0_15) FILTER (WHERE a.within IS NULL), 0) AS children_unknown,
    round(sum(a.deprived_children), 1) AS deprived_children,
    round(coalesce(sum(a.deprived_children) FILTER (WHERE a.within), 0), 1) AS deprived_within,
    round(coalesce(sum(a.deprived_children) FILTER (WHERE NOT a.within), 0), 1) AS deprived_beyond,
    round(coalesce(sum(a.deprived_children) FILTER (WHERE a.within IS NULL), 0), 1) AS deprived_unknown,
    round(100.0 * coalesce(sum(a.children_0_15) FILTER (WHERE a.within), 0)
          / nullif(sum(a.children_0_15), 0), 1) AS pct_children_within,
    round(100.0 * coalesce(sum(a.deprived_children) FILTER (WHERE a.within), 0)
          / nullif(sum(a.deprived_children), 0), 1) AS pct_deprived_within,
    any_value(s.reason) AS reason
FROM analysis.lsoa_access a
JOIN analysis.access_standard s USING (standard_id)
WHERE a.area_role = 'area'
GROUP BY a.standard_id
ORDER BY a.standard_id;
