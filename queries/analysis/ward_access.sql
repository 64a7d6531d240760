-- Children 0-15 and income-deprived children within, beyond and unknown for each access standard,
-- by ward (the area's LSOAs, by their ward). Unknown = distance unknown (see analysis.lsoa_access),
-- counted neither as within nor as beyond: within + beyond + unknown = the total in every row.
-- pct_children_within and pct_deprived_within are of ALL the ward's children (unknown counts as
-- not within), so they are lower bounds; the rule of analysis.area_access.
CREATE OR REPLACE TABLE analysis.ward_access AS
SELECT
    ward_code,
    any_value(ward_name) AS ward_name,
    standard_id,
    any_value(standard) AS standard,
    any_value(mode) AS mode,
    count(*) AS lsoas,
    count(*) FILTER (WHERE within) AS lsoas_within,
    count(*) FILTER (WHERE NOT within) AS lsoas_beyond,
    count(*) FILTER (WHERE within IS NULL) AS lsoas_unknown,
    sum(children_0_15) AS children_0_15,
    coalesce(sum(children_0_15) FILTER (WHERE within), 0) AS children_within,
    coalesce(sum(children_0_15) FILTER (WHERE NOT within), 0) AS children_beyond,
    coalesce(sum(children_0_15) FILTER (WHERE within IS NULL), 0) AS children_unknown,
    round(sum(deprived_children), 1) AS deprived_children,
    round(coalesce(sum(deprived_children) FILTER (WHERE within), 0), 1) AS deprived_within,
    round(coalesce(sum(deprived_children) FILTER (WHERE NOT within), 0), 1) AS deprived_beyond,
    round(coalesce(sum(deprived_children) FILTER (WHERE within IS NULL), 0), 1) AS deprived_unknown,
    round(100.0 * coalesce(sum(children_0_15) FILTER (WHERE within), 0)
          / nullif(sum(children_0_15), 0), 1) AS pct_children_within,
    round(100.0 * coalesce(sum(deprived_children) FILTER (WHERE within), 0)
          / nullif(sum(deprived_children), 0), 1) AS pct_deprived_within
FROM analysis.lsoa_access
WHERE area_role = 'area'
GROUP BY ward_code, standard_id
ORDER BY standard_id, deprived_beyond DESC, ward_code;
