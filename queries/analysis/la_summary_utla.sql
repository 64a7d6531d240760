-- Upper-tier authorities (counties and unitaries), aggregated from their LSOAs: see la_summary.sql.
CREATE OR REPLACE TABLE analysis.la_summary_utla AS
SELECT * EXCLUDE (level) FROM analysis.la_summary WHERE level = 'utla' ORDER BY idaci_avg_rank_rank NULLS LAST, la_code;
