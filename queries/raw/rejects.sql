-- Every rejected input row or feature, with where it was and why. Also written to rejects.csv.
CREATE OR REPLACE TABLE raw.rejects (
    input       VARCHAR NOT NULL,  -- kind of input: iod, lsoa_boundaries, hubs, service_use, ...
    file        VARCHAR NOT NULL,  -- path as given in the config
    line        BIGINT,            -- 1-based line of a text file (header = 1), or feature index for GeoJSON/OSM
    column_name VARCHAR,           -- column or property at fault ('' when the row as a whole is at fault)
    value       VARCHAR,           -- the offending value as read (truncated to 200 characters)
    reason      VARCHAR NOT NULL   -- what was wrong and what was expected
);
