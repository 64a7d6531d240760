-- Service-use contacts left out, and why: rows rejected when the extract was loaded (stage
-- 'load', the loader's reason; details with line numbers in rejects.csv) and loaded contacts the
-- reach stage did not count (stage 'reach': future dates, outside the period, missing or unknown
-- home LSOA, home outside the area, age missing or outside the band), plus counted contacts
-- with a missing or unknown venue (still counted in reach, left out of the decay to the venue
-- used). Contacts are counts from personal data: disclosure-controlled like every reach table;
-- the exact counts are in private.reach_exclusion_counts in hubreach.duckdb.
CREATE OR REPLACE TABLE analysis.reach_exclusions (
    stage         VARCHAR NOT NULL,   -- 'load' or 'reach'
    reason        VARCHAR NOT NULL,
    applies_to    VARCHAR NOT NULL,   -- what the contacts are left out of
    contacts      BIGINT,             -- NULL when suppressed
    contacts_text VARCHAR
);
