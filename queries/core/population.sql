-- ONS mid-year population estimates by LSOA and age band (the reach denominators).
CREATE OR REPLACE TABLE core.population (
    lsoa_code VARCHAR NOT NULL,
    year      SMALLINT NOT NULL,  -- mid-year of the estimate
    all_ages  INTEGER,
    age_0_4   INTEGER,
    age_0_15  INTEGER,
    age_0_19  INTEGER,
    age_5_15  INTEGER
);
