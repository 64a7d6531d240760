-- The area's LSOAs not known to meet each access standard: those beyond it (gap = 'beyond'),
-- ranked by the income-deprived children beyond reach (1 = the most), then those whose distance
-- is unknown (gap = 'not measured': the demand point is too far from the network, or not
-- connected; status says which), ranked after them. These are the LSOAs that the access tables
-- count as beyond or unknown, never as within (the rule of analysis.area_access), with where the
-- nearest qualifying site is and how far (NULL when not measured).
CREATE OR REPLACE TABLE analysis.gap_lsoas AS
SELECT
    standard_id,
    standard,
    rank() OVER (PARTITION BY standard_id ORDER BY within IS NULL, deprived_children DESC NULLS LAST) AS gap_rank,
    lsoa_code,
    lsoa_name,
    ward_code,
    ward_name,
    locality,
    idaci_decile,
    children_0_15,
    deprived_children,
    mode,
    site_id AS nearest_site_id,
    round(minutes, 1) AS minutes,
    round(metres) AS metres,
    status,
    CASE WHEN within IS NULL THEN 'not measured' ELSE 'beyond' END AS gap
FROM analysis.lsoa_access
WHERE area_role = 'area' AND (within = FALSE OR within IS NULL)
ORDER BY standard_id, gap_rank, lsoa_code;
