-- Optional split of the area into named localities (north/south, rural/urban), by LSOA.
CREATE OR REPLACE TABLE core.locality (
    lsoa_code VARCHAR NOT NULL,
    locality  VARCHAR NOT NULL
);
