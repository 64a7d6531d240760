-- Hotspots by LSOA, written by the hotspots stage (pipeline/hotspots.go) from pipeline/hotspot:
-- Getis-Ord Gi* (focal LSOA included, binary weights), p-values two-sided from the normal,
-- p_fdr Benjamini-Hochberg adjusted (equal to p_value when hotspot.fdr is off), class from z and
-- p_fdr at 90/95/99%, local Moran's I on row-standardised weights with its conditional
-- permutation pseudo p-value. Islands (no neighbours) have NULL statistics and class 'island'.
CREATE OR REPLACE TABLE analysis.lsoa_hotspots (
    lsoa_code     VARCHAR NOT NULL,
    area_role     VARCHAR NOT NULL,
    variable      VARCHAR NOT NULL,  -- idaci_score, idaci_rank_reversed or deprived_children_per_ha
    value         DOUBLE NOT NULL,
    gi_star_z     DOUBLE,
    p_value       DOUBLE,
    p_fdr         DOUBLE,
    class         VARCHAR NOT NULL,  -- hot-99 ... cold-99, not-significant, island
    lisa_i        DOUBLE,
    lisa_p        DOUBLE,
    lisa_quadrant VARCHAR,           -- HH, LL, HL, LH, island
    neighbours    INTEGER NOT NULL,
    island        BOOLEAN NOT NULL
);
