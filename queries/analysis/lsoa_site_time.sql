-- Travel from each LSOA's demand point to every hub site, by mode (for the time to the venue a
-- family actually used). Same measures as analysis.lsoa_distance; metres and minutes are NULL
-- when there is no route (status says why).
CREATE OR REPLACE TABLE analysis.lsoa_site_time (
    lsoa_code VARCHAR NOT NULL,
    site_id   VARCHAR NOT NULL,
    mode      VARCHAR NOT NULL,
    metres    DOUBLE,
    minutes   DOUBLE,
    status    VARCHAR NOT NULL
);
