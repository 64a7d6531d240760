-- Postcode centroids (OS Code-Point Open), normalised to upper case without spaces.
CREATE OR REPLACE TABLE core.postcode (
    postcode   VARCHAR NOT NULL,
    x          DOUBLE NOT NULL,
    y          DOUBLE NOT NULL,
    quality    SMALLINT,
    la_code    VARCHAR
);
