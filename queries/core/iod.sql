-- Indices of Deprivation at LSOA level, national (every LSOA in England), one row per LSOA,
-- joined on the LSOA code from whichever MHCLG files were given (File 1, 3, 5, 6, 7, 8).
-- Rank 1 = most deprived; decile 1 = most deprived 10%. NULL where no given file has the value.
CREATE OR REPLACE TABLE core.iod (
    lsoa_code        VARCHAR NOT NULL,
    lsoa_name        VARCHAR,
    lad_code         VARCHAR,
    lad_name         VARCHAR,
    edition          SMALLINT NOT NULL,  -- 2019 (LSOA 2011) or 2025 (LSOA 2021)
    imd_score        DOUBLE,
    imd_rank         INTEGER,
    imd_decile       SMALLINT,
    idaci_score      DOUBLE,             -- share of children 0-15 in income-deprived families
    idaci_rank       INTEGER,
    idaci_decile     SMALLINT,
    idaopi_score     DOUBLE,
    idaopi_rank      INTEGER,
    idaopi_decile    SMALLINT,
    idaci_numerator  INTEGER,            -- File 8: rounded to 5 by MHCLG; NULL when suppressed (<10) or absent
    idaci_numerator_suppressed BOOLEAN,  -- true when File 8 was given and the cell was empty
    pop_total        DOUBLE,             -- File 6/7 denominators (mid-2015 for 2019, excluding prisoners)
    children_0_15    DOUBLE,
    pop_16_59        DOUBLE,
    pop_60_plus      DOUBLE,
    pop_working_age  DOUBLE,
    sources          VARCHAR             -- files that contributed, e.g. 'File 3; File 6'
);
