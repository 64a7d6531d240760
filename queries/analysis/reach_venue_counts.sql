-- private.reach_venue_counts: unsuppressed children and contacts by venue (counted contacts
-- only). Contacts with no venue, or a venue that is not a site in core.site, are grouped under
-- '(venue not recorded)' and '(not a known site)'; the unknown ids are not repeated. Built from
-- private.reach_pair_counts (children by venue and home LSOA at the contact).
CREATE OR REPLACE TABLE private.reach_venue_counts AS
WITH per_child AS (
    SELECT venue_id, person_id, sum(contacts) AS contacts
    FROM private.reach_child_venue
    GROUP BY ALL
)
SELECT venue_id, count(*) AS children, sum(contacts)::BIGINT AS contacts
FROM per_child
GROUP BY venue_id;
