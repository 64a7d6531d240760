-- Row accounting per input file: rows_read = rows_loaded + rows_rejected. The area filter is
-- reported separately: of the rows loaded, how many belong to the area, to its neighbour buffer,
-- or lie outside both (kept in core for national measures, or dropped where the note says so).
CREATE OR REPLACE TABLE raw.load_report (
    input         VARCHAR NOT NULL,
    file          VARCHAR NOT NULL,
    sha256        VARCHAR,
    rows_read     BIGINT NOT NULL,
    rows_loaded   BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    in_area       BIGINT,
    in_buffer     BIGINT,
    outside_area  BIGINT,
    notes         VARCHAR
);
