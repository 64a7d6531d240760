-- Distance decay: reach by travel time from the home LSOA to the nearest hub (any tier,
-- analysis.lsoa_distance tier_group 'any'), per mode, in time bands (row_type 'bin'), and the
-- negative exponential r(t) = a * exp(-b * t) (r a share 0-1, t in minutes) fitted to the LSOAs
-- by weighted least squares (weights: children in the band), one row_type 'fit' row per mode
-- with a, b, r2 and rmse (weighted, on the LSOAs). a and b are NULL on bin rows, so
-- `SELECT a, b FROM analysis.distance_decay WHERE mode = ? AND a IS NOT NULL` is the curve
-- (pipeline.ReadDecayCurve). Bin counts are disclosure-controlled with the LSOA table (a bin
-- is a sum of LSOAs); rates come from published counts; the fit uses the exact counts.
CREATE OR REPLACE TABLE analysis.distance_decay (
    measure               VARCHAR NOT NULL,  -- 'nearest hub'
    mode                  VARCHAR NOT NULL,  -- crow, walk or drive
    row_type              VARCHAR NOT NULL,  -- 'bin' or 'fit'
    minutes_from          DOUBLE,            -- bin: from (inclusive)
    minutes_to            DOUBLE,            -- bin: to (exclusive; NULL = no upper limit)
    mean_minutes          DOUBLE,            -- bin: children-weighted mean travel time
    units                 INTEGER,           -- bin: LSOAs; fit: LSOAs fitted
    age_band              VARCHAR,
    children_in_band      DOUBLE,
    children_reached      BIGINT,
    children_reached_text VARCHAR,
    reach_pct             DOUBLE,
    fitted_pct            DOUBLE,            -- bin: 100 x r(mean_minutes)
    a                     DOUBLE,            -- fit: r at 0 minutes (share)
    b                     DOUBLE,            -- fit: decay per minute
    r2                    DOUBLE,            -- fit: weighted R squared on the LSOAs
    rmse                  DOUBLE,            -- fit: weighted root mean square error (share)
    suppressed            BOOLEAN NOT NULL
);
