-- Family hub sites (role 'hub', with tier) and candidate buildings for satellites (role 'candidate').
CREATE OR REPLACE TABLE core.site (
    site_id       VARCHAR NOT NULL,
    name          VARCHAR,
    role          VARCHAR NOT NULL,  -- 'hub' or 'candidate'
    tier          VARCHAR,           -- hubs: 'plus', 'extra', 'satellite', 'network-point'
    site_type     VARCHAR,           -- candidates: 'library', 'school', 'community', 'vcs', 'other'
    capacity      INTEGER,
    x             DOUBLE NOT NULL,   -- BNG easting
    y             DOUBLE NOT NULL,   -- BNG northing
    lon           DOUBLE,
    lat           DOUBLE,
    location_from VARCHAR NOT NULL,  -- 'lon/lat', 'easting/northing' or 'postcode'
    postcode      VARCHAR,
    locality      VARCHAR,
    location_note VARCHAR,           -- free text from the file, e.g. "APPROXIMATE: placed at a ward label point"
    source_file   VARCHAR,
    line          INTEGER
);
