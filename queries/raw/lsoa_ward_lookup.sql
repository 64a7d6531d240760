-- The LSOA -> ward lookup file as read (datasets.AssignWards), one row per valid line.
CREATE OR REPLACE TABLE raw.lsoa_ward_lookup (
    source_file VARCHAR NOT NULL,
    line        BIGINT NOT NULL,
    lsoa_code   VARCHAR NOT NULL,
    ward_code   VARCHAR NOT NULL
);
