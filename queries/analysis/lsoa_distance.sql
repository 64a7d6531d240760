-- Nearest hub site to each LSOA's demand point, by mode and tier group, written by the access
-- stage (pipeline/access.go) from one multi-source Dijkstra search per mode and tier group.
--
-- tier_group: a single tier (plus, extra, satellite, network-point), 'main' (plus or extra),
-- 'any' (every hub site), or a '+'-joined set named by a standard.
-- metres: crow-fly, or along the quickest network route plus the two legs between the points
-- and the network (demand_snap_m and the site's snap distance). minutes: crow-fly metres at the
-- walking speed; on the network, route time plus the two legs at the walking speed (walk) or the
-- service-road speed (drive). Every time is from the LSOA to the site (the family's direction;
-- one-way streets respected).
-- status: 'ok', 'no site of this tier', 'too far from the network' (the demand point is farther
-- than access.snap_limit_m from any usable edge: flagged, not joined), or 'not connected' (no
-- route between the point's edge and any site of the group).
CREATE OR REPLACE TABLE analysis.lsoa_distance (
    lsoa_code     VARCHAR NOT NULL,
    area_role     VARCHAR NOT NULL,
    mode          VARCHAR NOT NULL,
    tier_group    VARCHAR NOT NULL,
    site_id       VARCHAR,
    metres        DOUBLE,
    minutes       DOUBLE,
    demand_snap_m DOUBLE,
    status        VARCHAR NOT NULL
);
