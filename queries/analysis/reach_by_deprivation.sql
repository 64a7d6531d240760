-- Reach of the 30% most deprived LSOAs (national IDACI deciles 1-3) against the rest, and the
-- whole area (the children's-centre measure commissioners know), with repeat engagement: are
-- children from the most deprived neighbourhoods reached as often as others, and do they come
-- back? children_seen_more_than_once counts children with two or more counted contacts in the
-- period. Disclosure-controlled with the LSOA, ward, locality and area tables; a share is NULL
-- when either the children seen once or those seen more than once are withheld.
CREATE OR REPLACE TABLE analysis.reach_by_deprivation (
    lsoa_group                    VARCHAR,   -- 'most deprived 30%', 'other LSOAs' (incl. no decile), 'whole area'
    lsoas                         INTEGER,
    age_band                      VARCHAR,
    children_in_band              DOUBLE,
    denominator                   VARCHAR,
    children_reached              BIGINT,
    children_reached_text         VARCHAR,
    reach_pct                     DOUBLE,
    contacts                      BIGINT,
    contacts_text                 VARCHAR,
    contacts_per_child            DOUBLE,
    children_seen_more_than_once  BIGINT,
    seen_more_than_once_text      VARCHAR,
    pct_seen_more_than_once       DOUBLE,
    suppressed                    BOOLEAN NOT NULL
);
