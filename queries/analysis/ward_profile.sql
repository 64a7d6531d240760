-- Need by ward (the area's LSOAs only, assigned to wards in core.lsoa.ward_code), with the
-- ward league table ranks. Population-weighted IDACI score = sum(score x children 0-15) /
-- sum(children 0-15) over the ward's LSOAs that have a score (NULL where none has), and
-- deprived_share = income-deprived children / children 0-15, both with the IoD's own children
-- denominator (iod_children_0_15), as the IoD technical report weights them: the ONS mid-year
-- children (children_0_15) are of another year and would mix years in one ratio.
CREATE OR REPLACE TABLE analysis.ward_profile AS
WITH agg AS (
    SELECT
        n.ward_code,
        any_value(n.ward_name)                                       AS ward_name,
        count(*)                                                     AS lsoas,
        sum(n.children_0_15)                                         AS children_0_15,
        sum(n.children_0_4)                                          AS children_0_4,
        sum(n.iod_children_0_15)                                     AS iod_children_0_15,
        sum(n.deprived_children)                                     AS deprived_children,
        count(*) FILTER (WHERE n.deprived_children_method <> 'score x IoD denominator') AS lsoas_deprived_approximate,
        sum(n.idaci_score * n.iod_children_0_15) FILTER (WHERE n.idaci_score IS NOT NULL)
          / nullif(sum(n.iod_children_0_15) FILTER (WHERE n.idaci_score IS NOT NULL), 0) AS idaci_score_weighted,
        count(*) FILTER (WHERE n.idaci_decile = 1)                   AS lsoas_idaci_most_deprived_10,
        count(*) FILTER (WHERE n.idaci_decile <= 3)                  AS lsoas_idaci_most_deprived_30,
        sum(n.children_0_15) FILTER (WHERE n.idaci_decile <= 3)      AS children_in_most_deprived_30,
        min(n.idaci_rank)                                            AS most_deprived_lsoa_rank
    FROM analysis.lsoa_need n
    WHERE n.area_role = 'area' AND n.ward_code IS NOT NULL
    GROUP BY n.ward_code
)
SELECT
    a.*,
    a.deprived_children / nullif(a.iod_children_0_15, 0)            AS deprived_share,
    a.children_in_most_deprived_30 / nullif(a.children_0_15, 0)      AS share_children_in_most_deprived_30,
    rank() OVER (ORDER BY a.deprived_children DESC NULLS LAST)       AS league_rank_deprived_children,
    rank() OVER (ORDER BY a.deprived_children / nullif(a.iod_children_0_15, 0) DESC NULLS LAST) AS league_rank_deprived_share
FROM agg a
ORDER BY league_rank_deprived_children, a.ward_code;
