-- Service-use contacts, one row per contact. Personal data: nothing here leaves the pipeline
-- except through disclosure-controlled aggregates.
CREATE OR REPLACE TABLE core.contact (
    person_id        VARCHAR NOT NULL,  -- pseudonymised
    contact_date     DATE NOT NULL,
    service          VARCHAR,
    venue_id         VARCHAR,
    home_lsoa        VARCHAR,           -- from the extract, or resolved from the home postcode
    child_age_months INTEGER,
    source_file      VARCHAR,
    line             BIGINT
);
