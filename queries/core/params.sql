-- Run parameters from the configuration, for SQL to read (thresholds, disclosure limits, ...).
CREATE OR REPLACE TABLE core.params (
    name  VARCHAR NOT NULL,
    value DOUBLE,
    text  VARCHAR
);
