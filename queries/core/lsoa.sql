-- LSOAs of the area and of its neighbour buffer, with geometry in British National Grid.
CREATE OR REPLACE TABLE core.lsoa (
    lsoa_code     VARCHAR NOT NULL,
    lsoa_name     VARCHAR,
    la_code       VARCHAR,
    area_role     VARCHAR NOT NULL,  -- 'area' or 'buffer' (a neighbour kept for edges and distances)
    geom          BLOB NOT NULL,     -- WKB MultiPolygon, EPSG:27700
    min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
    area_ha       DOUBLE,
    demand_x      DOUBLE NOT NULL,   -- demand point, BNG metres
    demand_y      DOUBLE NOT NULL,
    demand_source VARCHAR NOT NULL,  -- 'population-weighted centroid' or 'interior point'
    ward_code     VARCHAR,
    ward_source   VARCHAR,           -- 'lookup' or 'best fit: ward containing the demand point'
    source_file   VARCHAR,
    feature       INTEGER            -- feature index in the source file
);
