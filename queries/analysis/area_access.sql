-- The whole area against each access standard: children 0-15 and income-deprived children within,
-- beyond and unknown, with the standard's threshold and the reason given for it.
CREATE OR REPLACE TABLE analysis.area_access AS
SELECT
    a.standard_id,
    any_value(a.standard) AS standard,
    any_value(s.requested_mode) AS requested_mode,
    any_value(a.mode) AS mode,
    any_value(s.minutes) AS threshold_minutes,
    any_value(s.metres) AS threshold_metres,
    count(*) AS lsoas,
    count(*) FILTER (WHERE NOT a.within) AS lsoas_beyond,
    count(*) FILTER (WHERE a.within IS NULL) AS lsoas_unknown,
    sum(a.children_0_15) AS children_0_15,
    coalesce(sum(a.children_0_15) FILTER (WHERE a.within), 0) AS children_within,
    coalesce(sum(a.children_0_15) FILTER (WHERE NOT a.within), 0) AS children_beyond,
    round(sum(a.deprived_children), 1) AS deprived_children,
    round(coalesce(sum(a.deprived_children) FILTER (WHERE a.within), 0), 1) AS deprived_within,
    round(coalesce(sum(a.deprived_children) FILTER (WHERE NOT a.within), 0), 1) AS deprived_beyond,
    round(coalesce(sum(a.deprived_children) FILTER (WHERE a.within IS NULL), 0), 1) AS deprived_unknown,
    round(100.0 * coalesce(sum(a.deprived_children) FILTER (WHERE a.within), 0)
          / nullif(sum(a.deprived_children) FILTER (WHERE a.within IS NOT NULL), 0), 1) AS pct_deprived_within,
    any_value(s.reason) AS reason
FROM analysis.lsoa_access a
JOIN analysis.access_standard s USING (standard_id)
WHERE a.area_role = 'area'
GROUP BY a.standard_id
ORDER BY a.standard_id;
