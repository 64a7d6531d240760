-- private.reach_lsoa_counts: unsuppressed counts per area LSOA (every area LSOA, zeros
-- included): children reached, children seen more than once, counted contacts. The reach stage
-- applies disclosure control to these before anything reaches analysis.*.
CREATE OR REPLACE TABLE private.reach_lsoa_counts AS
SELECT
    n.lsoa_code,
    count(c.person_id) AS children,
    count(c.person_id) FILTER (WHERE c.contacts > 1) AS repeat_children,
    coalesce(sum(c.contacts), 0)::BIGINT AS contacts
FROM analysis.lsoa_need n
LEFT JOIN private.reach_child c USING (lsoa_code)
WHERE n.area_role = 'area'
GROUP BY n.lsoa_code;
