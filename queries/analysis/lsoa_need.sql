-- Need by LSOA, for the area and its neighbour buffer (area_role says which).
--
-- Children: children_0_15 and children_0_4 from the ONS population file (core.population, its year
-- in population_year) when given, else the IoD children 0-15 denominator (mid-2015 for IoD2019).
-- Income-deprived children (deprived_children), in order of preference:
--   'score x IoD denominator'  IDACI score x the IoD children 0-15 denominator (exact where scores exist)
--   'File 8 numerator'         the published IDACI numerator: approximate (MHCLG rounds it to 5)
--   'File 8 suppressed'        numerator suppressed by MHCLG (fewer than 10): counted as 5, the
--                              midpoint of 0-9, and flagged
--   NULL                       no score and no numerator
-- iod_children_0_15 is the IoD's own children 0-15 denominator: shares of income-deprived children
-- divide by it, so that numerator and denominator refer to the same year.
-- area_rank ranks the area's own LSOAs by national IDACI rank (1 = most deprived in the area).
CREATE OR REPLACE TABLE analysis.lsoa_need AS
WITH pop AS (
    SELECT lsoa_code, year, age_0_4, age_0_15, age_0_19
    FROM core.population
    QUALIFY row_number() OVER (PARTITION BY lsoa_code ORDER BY year DESC) = 1
)
SELECT
    l.lsoa_code,
    l.lsoa_name,
    l.la_code,
    l.area_role,
    l.ward_code,
    w.ward_name,
    loc.locality,
    i.idaci_rank,
    i.idaci_decile,
    i.idaci_score,
    i.imd_rank,
    i.imd_decile,
    coalesce(p.age_0_15::DOUBLE, i.children_0_15)                 AS children_0_15,
    p.age_0_4::DOUBLE                                             AS children_0_4,
    p.age_0_19::DOUBLE                                            AS children_0_19,
    CASE WHEN p.age_0_15 IS NOT NULL THEN 'ONS mid-' || p.year
         WHEN i.children_0_15 IS NOT NULL THEN 'IoD denominator (mid-2015)' END AS children_source,
    CASE WHEN i.idaci_score IS NOT NULL AND i.children_0_15 IS NOT NULL THEN i.idaci_score * i.children_0_15
         WHEN i.idaci_numerator IS NOT NULL THEN i.idaci_numerator::DOUBLE
         WHEN i.idaci_numerator_suppressed THEN 5.0 END            AS deprived_children,
    CASE WHEN i.idaci_score IS NOT NULL AND i.children_0_15 IS NOT NULL THEN 'score x IoD denominator'
         WHEN i.idaci_numerator IS NOT NULL THEN 'File 8 numerator'
         WHEN i.idaci_numerator_suppressed THEN 'File 8 suppressed' END AS deprived_children_method,
    l.area_ha,
    CASE WHEN l.area_role = 'area'
         THEN rank() OVER (PARTITION BY l.area_role ORDER BY i.idaci_rank ASC NULLS LAST) END AS area_rank,
    l.demand_x,
    l.demand_y,
    i.children_0_15                                               AS iod_children_0_15  -- the IDACI denominator (mid-2015 for IoD2019)
FROM core.lsoa l
LEFT JOIN core.iod i USING (lsoa_code)
LEFT JOIN pop p USING (lsoa_code)
LEFT JOIN core.ward w ON w.ward_code = l.ward_code
LEFT JOIN core.locality loc ON loc.lsoa_code = l.lsoa_code
ORDER BY l.area_role, l.lsoa_code;
