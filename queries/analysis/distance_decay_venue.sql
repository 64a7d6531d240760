-- Distance decay to the venue used: for every LSOA and hub pair with a travel time
-- (analysis.lsoa_site_time), the children from the LSOA seen at that hub against the LSOA's
-- children in the band, binned by travel time, with the fitted r(t) = a * exp(-b * t) per mode.
-- Units are LSOA x hub pairs. Bin counts are small-count suppressed (each pair-bin on its own);
-- rates come from published counts; the fit uses the exact counts. The siting stage reads
-- analysis.distance_decay (nearest hub), not this table.
CREATE OR REPLACE TABLE analysis.distance_decay_venue (
    measure               VARCHAR NOT NULL,  -- 'venue used'
    mode                  VARCHAR NOT NULL,  -- crow, walk or drive
    row_type              VARCHAR NOT NULL,  -- 'bin' or 'fit'
    minutes_from          DOUBLE,            -- bin: from (inclusive)
    minutes_to            DOUBLE,            -- bin: to (exclusive; NULL = no upper limit)
    mean_minutes          DOUBLE,            -- bin: children-weighted mean travel time
    units                 INTEGER,           -- bin: LSOA x hub pairs; fit: pairs fitted
    age_band              VARCHAR,
    children_in_band      DOUBLE,
    children_reached      BIGINT,
    children_reached_text VARCHAR,
    reach_pct             DOUBLE,
    fitted_pct            DOUBLE,            -- bin: 100 x r(mean_minutes)
    a                     DOUBLE,            -- fit: r at 0 minutes (share)
    b                     DOUBLE,            -- fit: decay per minute
    r2                    DOUBLE,            -- fit: weighted R squared on the pairs
    rmse                  DOUBLE,            -- fit: weighted root mean square error (share)
    suppressed            BOOLEAN NOT NULL
);
