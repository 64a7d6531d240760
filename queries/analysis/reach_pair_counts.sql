-- private.reach_pair_counts: unsuppressed children by home LSOA and venue used, for the distance
-- decay to the venue used: the home is the one given at the contacts at that venue (a child who
-- moved counts from each home they came from). Contacts at venues that are not known sites are
-- left out (counted in analysis.reach_exclusions).
CREATE OR REPLACE TABLE private.reach_pair_counts AS
SELECT lsoa_code, venue_id, count(*) AS children
FROM private.reach_child_venue
WHERE known_venue
GROUP BY ALL;
