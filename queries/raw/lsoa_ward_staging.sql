-- Working table of datasets.AssignWards: each LSOA's ward and how it was found, copied into
-- core.lsoa (ward_code, ward_source) and dropped in the same transaction.
CREATE OR REPLACE TABLE raw.lsoa_ward_staging (
    lsoa_code   VARCHAR,
    ward_code   VARCHAR,
    ward_source VARCHAR
);
