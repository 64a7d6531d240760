-- private.reach_exclusion_counts: unsuppressed counts of contacts left out of the reach figures
-- (stage 'reach', reason codes of private.reach_contact), of counted contacts with a venue
-- problem (reason no_venue or unknown_venue). The reach stage adds the service-use rows
-- rejected when the extract was loaded (stage 'load', from raw.rejects) in Go.
CREATE OR REPLACE TABLE private.reach_exclusion_counts AS
SELECT 'reach' AS stage, excluded AS reason, count(*) AS contacts
FROM private.reach_contact WHERE excluded IS NOT NULL GROUP BY ALL
UNION ALL
SELECT 'reach', venue_problem, count(*)
FROM private.reach_contact WHERE excluded IS NULL AND venue_problem IS NOT NULL GROUP BY ALL;
