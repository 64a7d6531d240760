-- private.reach_child: one row per child (pseudonymised person_id) with at least one counted
-- contact: the home LSOA at the child's last counted contact (a child who moved is counted once,
-- where they lived last, so LSOA counts add up to ward, decile and area counts; on a tie the
-- LSOA code that sorts last wins) and the number of counted contacts. Personal data: private schema.
CREATE OR REPLACE TABLE private.reach_child AS
WITH c AS (
    SELECT person_id, max(last_key) % 1000000 AS lsoa_id, count(*) AS contacts
    FROM private.reach_contact
    WHERE excluded IS NULL
    GROUP BY person_id
)
SELECT c.person_id, n.lsoa_code, c.contacts
FROM c
JOIN (SELECT lsoa_code, row_number() OVER (ORDER BY lsoa_code) AS lsoa_id FROM analysis.lsoa_need) n USING (lsoa_id);
