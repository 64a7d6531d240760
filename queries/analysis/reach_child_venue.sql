-- private.reach_child_venue: counted contacts by child, venue and the home LSOA given at the
-- contact (a child who moved has a row for each home). Venue '(venue not recorded)' or
-- '(not a known site)' when the venue is missing or not in core.site. Personal data: private schema.
CREATE OR REPLACE TABLE private.reach_child_venue AS
SELECT
    person_id,
    CASE venue_problem WHEN 'no_venue' THEN '(venue not recorded)'
                       WHEN 'unknown_venue' THEN '(not a known site)'
                       ELSE venue_id END AS venue_id,
    home_lsoa AS lsoa_code,
    venue_problem IS NULL AS known_venue,
    count(*) AS contacts
FROM private.reach_contact
WHERE excluded IS NULL
GROUP BY ALL;
