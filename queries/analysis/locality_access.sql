-- The same split as analysis.ward_access by the area's localities (core.locality, e.g. north,
-- south, central; rural/urban), so the "north-south divide" question is answered with numbers.
-- Unknown distances are counted apart (within + beyond + unknown = total) and shares within are of
-- all the locality's children, lower bounds: the rule of analysis.area_access.
-- Empty when the configuration names no localities.
CREATE OR REPLACE TABLE analysis.locality_access AS
SELECT
    locality,
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
WHERE area_role = 'area' AND locality IS NOT NULL
GROUP BY locality, standard_id
ORDER BY standard_id, locality;
