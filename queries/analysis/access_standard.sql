-- The "reasonable distance" standards of the run (config access.standards), as evaluated.
-- Written by the access stage (pipeline/access.go). mode is the mode the standard was evaluated
-- by: a walk or drive standard is evaluated crow-fly when the area has no road network for that
-- mode (requested_mode keeps what the configuration asked for), turning metres into minutes at
-- crow_kph (access.walk_speed_kph for walking, access.crow_drive_kph for driving).
CREATE OR REPLACE TABLE analysis.access_standard (
    standard_id    INTEGER NOT NULL,  -- position in access.standards, from 1
    name           VARCHAR NOT NULL,
    tiers          VARCHAR NOT NULL,  -- comma list of hub tiers that satisfy the standard
    tier_group     VARCHAR NOT NULL,  -- the lsoa_distance tier_group holding the nearest such site
    requested_mode VARCHAR NOT NULL,
    mode           VARCHAR NOT NULL,  -- crow, walk or drive, as evaluated
    crow_kph       DOUBLE,            -- speed turning crow-fly metres into minutes (crow only)
    minutes        DOUBLE,            -- threshold in minutes, or
    metres         DOUBLE,            -- threshold in metres
    reason         VARCHAR
);
