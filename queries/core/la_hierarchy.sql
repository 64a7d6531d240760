-- Lower-tier local authority (district, unitary, metropolitan/London borough) -> upper-tier
-- authority (county, or the unitary itself), as data (e.g. ONS LTLA19_UTLA19 lookup).
CREATE OR REPLACE TABLE core.la_hierarchy (
    ltla_code VARCHAR NOT NULL,
    ltla_name VARCHAR,
    utla_code VARCHAR NOT NULL,
    utla_name VARCHAR
);
