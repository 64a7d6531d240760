-- Electoral wards of the area (and buffer), geometry in British National Grid.
CREATE OR REPLACE TABLE core.ward (
    ward_code   VARCHAR NOT NULL,
    ward_name   VARCHAR,
    la_code     VARCHAR,
    area_role   VARCHAR NOT NULL,   -- 'area' or 'buffer'
    geom        BLOB NOT NULL,      -- WKB MultiPolygon, EPSG:27700
    min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
    area_ha     DOUBLE,
    source_file VARCHAR,
    feature     INTEGER
);
