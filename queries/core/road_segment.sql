-- OpenStreetMap highway ways split into segments between consecutive nodes, BNG metres.
CREATE OR REPLACE TABLE core.road_segment (
    way_id       BIGINT NOT NULL,
    from_node    BIGINT NOT NULL,
    to_node      BIGINT NOT NULL,
    a_x DOUBLE NOT NULL, a_y DOUBLE NOT NULL,  -- from_node, BNG metres
    b_x DOUBLE NOT NULL, b_y DOUBLE NOT NULL,  -- to_node
    length_m     DOUBLE NOT NULL,
    highway      VARCHAR NOT NULL,
    oneway       TINYINT NOT NULL,   -- 1 forward only, -1 reverse only, 0 both ways (driving)
    maxspeed_kph DOUBLE,             -- NULL when untagged
    walk_ok      BOOLEAN NOT NULL,
    drive_ok     BOOLEAN NOT NULL
);
