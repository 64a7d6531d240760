-- Whether each LSOA (area and buffer) meets each access standard.
-- within: minutes <= the standard's minutes (or metres <= its metres); NULL when the distance is
-- unknown (demand point too far from the network, or not connected): such LSOAs are counted as
-- "unknown", never silently as within or beyond; the shares within of the access tables count
-- them as not within (lower bounds; see analysis.area_access). An LSOA with no site of the
-- standard's tiers at all is beyond it.
CREATE OR REPLACE TABLE analysis.lsoa_access AS
SELECT
    n.lsoa_code,
    n.lsoa_name,
    n.area_role,
    n.ward_code,
    n.ward_name,
    n.locality,
    s.standard_id,
    s.name AS standard,
    s.mode,
    d.site_id,
    d.status,
    d.metres,
    d.demand_snap_m,
    CASE WHEN s.mode = 'crow' THEN d.metres / (s.crow_kph * 1000.0 / 60.0) ELSE d.minutes END AS minutes,
    CASE WHEN d.status = 'no site of this tier' THEN FALSE
         WHEN d.status <> 'ok' THEN NULL
         WHEN s.minutes IS NOT NULL
              THEN (CASE WHEN s.mode = 'crow' THEN d.metres / (s.crow_kph * 1000.0 / 60.0) ELSE d.minutes END) <= s.minutes
         ELSE d.metres <= s.metres END AS within,
    n.idaci_decile,
    n.children_0_15,
    n.deprived_children
FROM analysis.access_standard s
JOIN analysis.lsoa_distance d ON d.mode = s.mode AND d.tier_group = s.tier_group
JOIN analysis.lsoa_need n ON n.lsoa_code = d.lsoa_code
ORDER BY s.standard_id, n.area_role, n.lsoa_code;
