-- private.reach_service_counts: unsuppressed children and contacts by service (counted contacts
-- only; a child is counted under every service they used).
CREATE OR REPLACE TABLE private.reach_service_counts AS
WITH per_child AS (
    SELECT coalesce(nullif(trim(service), ''), '(service not recorded)') AS service, person_id, count(*) AS contacts
    FROM private.reach_contact
    WHERE excluded IS NULL
    GROUP BY ALL
)
SELECT service, count(*) AS children, sum(contacts)::BIGINT AS contacts
FROM per_child
GROUP BY service;
