-- Every ward boundary feature read (datasets/boundaries.go), with what became of it: one row per
-- feature of every file given, including those rejected or outside the area and its buffer.
CREATE OR REPLACE TABLE raw.ward_boundary (
    source_file   VARCHAR NOT NULL,
    feature       INTEGER NOT NULL,  -- 1-based position in the file's features
    code          VARCHAR,
    name          VARCHAR,
    la_code       VARCHAR,
    status        VARCHAR NOT NULL,  -- 'area', 'buffer', 'outside' or 'rejected' (reason in raw.rejects)
    geometry_type VARCHAR,
    geom          BLOB,              -- WKB MultiPolygon, EPSG:27700, after repairs; NULL when rejected
    properties    VARCHAR            -- the feature's properties, as JSON
);
