-- Coverage before and after each siting scenario by locality (core.locality; 'not in a locality'
-- when the area has none or the LSOA is not listed). As analysis.siting_by_ward.
CREATE OR REPLACE TABLE analysis.siting_by_locality AS
SELECT
    scenario,
    coalesce(nullif(locality, ''), 'not in a locality')   AS locality,
    count(*)::INTEGER                                     AS lsoas,
    sum(weight)                                           AS weight_total,
    sum(weight) FILTER (WHERE covered_before)             AS covered_before,
    sum(weight) FILTER (WHERE covered_after)              AS covered_after,
    sum(weight) FILTER (WHERE covered_after AND NOT covered_before) AS newly_covered,
    sum(weight) FILTER (WHERE NOT covered_after AND measured) AS beyond_after,
    sum(weight) FILTER (WHERE NOT measured)               AS unmeasured,
    100 * coalesce(sum(weight) FILTER (WHERE covered_before), 0) / nullif(sum(weight), 0) AS pct_before,
    100 * coalesce(sum(weight) FILTER (WHERE covered_after), 0) / nullif(sum(weight), 0)  AS pct_after
FROM analysis.siting_lsoa
GROUP BY scenario, coalesce(nullif(locality, ''), 'not in a locality')
ORDER BY scenario, locality;
