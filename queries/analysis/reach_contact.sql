-- private.reach_contact: every service-use contact with the reason it is left out of the reach
-- figures (excluded; NULL = counted) and any problem with its venue (venue_problem; such
-- contacts still count, but not in the distance decay to the venue used). A view over
-- core.contact in the private schema: personal data, never exported (pipeline/export.go exports
-- analysis.* only). The first reason that applies wins, so each contact is counted once:
--   future        contact date after the run date
--   period        outside service_use.period_start .. period_end
--   no_lsoa       home LSOA missing
--   unknown_lsoa  home LSOA not one of the area's or its buffer's LSOAs
--   buffer        home LSOA in the neighbour buffer: outside the area, not in its denominators
--   no_age        child's age in months missing
--   age           child's age at the contact outside service_use.age_band
-- Parameters come from private.reach_params (one row, written by the reach stage).
CREATE OR REPLACE VIEW private.reach_contact AS
SELECT
    c.person_id,
    c.contact_date,
    c.service,
    c.venue_id,
    c.home_lsoa,
    c.child_age_months,
    n.lsoa_id,
    -- last-contact key: the latest date wins, then the highest lsoa_id (so ties are settled the same way every run)
    date_diff('day', DATE '1900-01-01', c.contact_date)::BIGINT * 1000000 + n.lsoa_id AS last_key,
    CASE
        WHEN c.contact_date > p.run_date THEN 'future'
        WHEN c.contact_date < p.period_start OR c.contact_date > p.period_end THEN 'period'
        WHEN c.home_lsoa IS NULL OR trim(c.home_lsoa) = '' THEN 'no_lsoa'
        WHEN n.lsoa_code IS NULL THEN 'unknown_lsoa'
        WHEN n.area_role <> 'area' THEN 'buffer'
        WHEN c.child_age_months IS NULL THEN 'no_age'
        WHEN c.child_age_months < 0 OR c.child_age_months >= p.age_limit_months THEN 'age'
    END AS excluded,
    CASE
        WHEN c.venue_id IS NULL OR trim(c.venue_id) = '' THEN 'no_venue'
        WHEN s.site_id IS NULL THEN 'unknown_venue'
    END AS venue_problem
FROM core.contact c
CROSS JOIN private.reach_params p
LEFT JOIN (SELECT lsoa_code, area_role, row_number() OVER (ORDER BY lsoa_code) AS lsoa_id FROM analysis.lsoa_need) n
    ON n.lsoa_code = c.home_lsoa
LEFT JOIN (SELECT DISTINCT site_id FROM core.site) s ON s.site_id = c.venue_id;
