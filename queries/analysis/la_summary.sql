-- Local authority summary measures for every authority in England, from the LSOA file alone,
-- following the Indices of Deprivation 2019 technical report (local authority summaries):
--
--   avg_rank   population-weighted average of the LSOA ranks, the ranks first reversed so that the
--              most deprived LSOA has the highest rank (rank' = N + 1 - rank); higher = more deprived
--   avg_score  population-weighted average of the LSOA scores (NULL unless every LSOA has a score)
--   prop_most_deprived_10  share of the authority's LSOAs in the most deprived 10% nationally (decile 1)
--   extent     share of the population living in the most deprived 30% of LSOAs nationally, those in
--              the most deprived 10% counted in full and those in percentiles 11 to 30 with a weight
--              sliding linearly from 0.95 (11th) to 0.05 (30th): 0.95 - (0.90 / 19) x (percentile - 11).
--              The percentile is ceil(100 x rank / N), which is consistent with MHCLG's deciles
--              (decile d = ranks up to floor(N x d / 10)); note R's dplyr::ntile splits differently.
--   local_concentration  population-weighted average of the reversed ranks of the authority's most
--              deprived LSOAs that together contain exactly 10% of its population: LSOAs are taken
--              most deprived first and the one that crosses the 10% line counts only for the part of
--              its population needed to reach it.
--
-- Weights: IDACI by the IoD children aged 0-15 denominator, IMD by the IoD total population.
-- Each measure is ranked among authorities of the same level (1 = most deprived; ties share the
-- lower rank). level 'ltla' uses the LSOA file's own district codes; 'utla' aggregates districts to
-- counties through core.la_hierarchy (authorities absent from it are their own upper tier).
CREATE OR REPLACE TABLE analysis.la_summary AS
WITH n AS (
    SELECT edition, count(*) AS n_lsoa FROM core.iod GROUP BY edition
),
lsoa AS (
    SELECT i.*, n.n_lsoa,
           coalesce(h.utla_code, i.lad_code) AS utla_code,
           coalesce(h.utla_name, i.lad_name) AS utla_name
    FROM core.iod i
    JOIN n USING (edition)
    LEFT JOIN core.la_hierarchy h ON h.ltla_code = i.lad_code
),
geo AS (
    SELECT 'ltla' AS level, lad_code AS la_code, lad_name AS la_name, * FROM lsoa
    UNION ALL
    SELECT 'utla' AS level, utla_code AS la_code, utla_name AS la_name, * FROM lsoa
),
long AS (
    SELECT level, la_code, la_name, lsoa_code, n_lsoa, 'idaci' AS idx,
           idaci_rank AS rnk, idaci_decile AS decile, idaci_score AS score, children_0_15 AS w FROM geo
    UNION ALL
    SELECT level, la_code, la_name, lsoa_code, n_lsoa, 'imd' AS idx,
           imd_rank, imd_decile, imd_score, pop_total FROM geo
),
prep AS (
    SELECT *,
           n_lsoa + 1 - rnk AS rrank,
           ceil(100.0 * rnk / n_lsoa) AS pct,
           sum(w) OVER (PARTITION BY level, la_code, idx) AS w_total,
           sum(w) OVER (PARTITION BY level, la_code, idx ORDER BY rnk, lsoa_code
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS w_cum
    FROM long
    WHERE rnk IS NOT NULL
),
weighted AS (
    SELECT *,
           CASE WHEN pct <= 10 THEN 1.0
                WHEN pct <= 30 THEN 0.95 - (0.90 / 19) * (pct - 11)
                ELSE 0.0 END AS extent_weight,
           greatest(0.0, least(w, 0.1 * w_total - (w_cum - w))) AS lc_weight
    FROM prep
),
agg AS (
    SELECT level, la_code, any_value(la_name) AS la_name, idx,
           count(*) AS lsoas,
           sum(w) AS weight_total,
           sum(rrank * w) / nullif(sum(w), 0) AS avg_rank,
           CASE WHEN count(score) = count(*) THEN sum(score * w) / nullif(sum(w), 0) END AS avg_score,
           avg(CASE WHEN decile IS NOT NULL THEN (decile = 1)::INTEGER
                    ELSE (rnk <= floor(n_lsoa / 10.0))::INTEGER END) AS prop_most_deprived_10,
           sum(w * extent_weight) / nullif(sum(w), 0) AS extent,
           sum(rrank * lc_weight) / nullif(0.1 * any_value(w_total), 0) AS local_concentration
    FROM weighted
    GROUP BY level, la_code, idx
),
ranked AS (
    SELECT *,
           CASE WHEN avg_rank IS NOT NULL THEN rank() OVER (PARTITION BY level, idx ORDER BY avg_rank DESC NULLS LAST) END AS avg_rank_rank,
           CASE WHEN avg_score IS NOT NULL THEN rank() OVER (PARTITION BY level, idx ORDER BY avg_score DESC NULLS LAST) END AS avg_score_rank,
           rank() OVER (PARTITION BY level, idx ORDER BY prop_most_deprived_10 DESC) AS prop_most_deprived_10_rank,
           CASE WHEN extent IS NOT NULL THEN rank() OVER (PARTITION BY level, idx ORDER BY extent DESC NULLS LAST) END AS extent_rank,
           CASE WHEN local_concentration IS NOT NULL THEN rank() OVER (PARTITION BY level, idx ORDER BY local_concentration DESC NULLS LAST) END AS local_concentration_rank
    FROM agg
)
SELECT
    c.level, c.la_code, c.la_name, c.lsoas,
    c.weight_total                 AS children_0_15,
    m.weight_total                 AS population,
    c.avg_rank                     AS idaci_avg_rank,
    c.avg_rank_rank                AS idaci_avg_rank_rank,
    c.avg_score                    AS idaci_avg_score,
    c.avg_score_rank               AS idaci_avg_score_rank,
    c.prop_most_deprived_10        AS idaci_prop_most_deprived_10,
    c.prop_most_deprived_10_rank   AS idaci_prop_most_deprived_10_rank,
    c.extent                       AS idaci_extent,
    c.extent_rank                  AS idaci_extent_rank,
    c.local_concentration          AS idaci_local_concentration,
    c.local_concentration_rank     AS idaci_local_concentration_rank,
    m.avg_rank                     AS imd_avg_rank,
    m.avg_rank_rank                AS imd_avg_rank_rank,
    m.avg_score                    AS imd_avg_score,
    m.avg_score_rank               AS imd_avg_score_rank,
    m.prop_most_deprived_10        AS imd_prop_most_deprived_10,
    m.prop_most_deprived_10_rank   AS imd_prop_most_deprived_10_rank,
    m.extent                       AS imd_extent,
    m.extent_rank                  AS imd_extent_rank,
    m.local_concentration          AS imd_local_concentration,
    m.local_concentration_rank     AS imd_local_concentration_rank
FROM ranked c
LEFT JOIN ranked m ON m.level = c.level AND m.la_code = c.la_code AND m.idx = 'imd'
WHERE c.idx = 'idaci'
ORDER BY c.level, c.avg_rank_rank NULLS LAST, c.la_code;
