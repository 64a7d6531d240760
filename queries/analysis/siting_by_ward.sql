-- Coverage before and after each siting scenario by ward: the weight (income-deprived children or
-- the scenario's weight) within the threshold of an existing hub, then of an existing hub or a
-- chosen site, the weight still beyond reach, and the weight whose travel time cannot be measured
-- (unmeasured: demand point off the network; never counted as beyond). Built from
-- analysis.siting_lsoa.
CREATE OR REPLACE TABLE analysis.siting_by_ward AS
SELECT
    scenario,
    ward_code,
    any_value(ward_name)                                  AS ward_name,
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
GROUP BY scenario, ward_code
ORDER BY scenario, ward_code;
