-- Lower-tier authorities (districts, unitaries, metropolitan and London boroughs): see la_summary.sql.
CREATE OR REPLACE TABLE analysis.la_summary_ltla AS
SELECT * EXCLUDE (level) FROM analysis.la_summary WHERE level = 'ltla' ORDER BY idaci_avg_rank_rank NULLS LAST, la_code;
