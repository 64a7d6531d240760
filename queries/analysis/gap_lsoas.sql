-- The area's LSOAs beyond each access standard, ranked by the income-deprived children beyond
-- reach (1 = the most), with where the nearest qualifying site is and how far.
CREATE OR REPLACE TABLE analysis.gap_lsoas AS
SELECT
    standard_id,
    standard,
    rank() OVER (PARTITION BY standard_id ORDER BY deprived_children DESC NULLS LAST) AS gap_rank,
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
    status
FROM analysis.lsoa_access
WHERE area_role = 'area' AND within = FALSE
ORDER BY standard_id, gap_rank, lsoa_code;
