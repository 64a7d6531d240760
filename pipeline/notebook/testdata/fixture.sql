-- A hand-made area: four LSOAs in two wards. Totals worked by hand:
--   children 0-15: 1000 + 1500 + 800 + 700 = 4000; deprived: 300 + 150 + 400 + 70 = 920 (23.0%)
--   ward North (A, B): children 2500, deprived 450; ward South (C, D): children 1500, deprived 470
CREATE SCHEMA IF NOT EXISTS analysis;
CREATE SCHEMA IF NOT EXISTS core;
CREATE TABLE analysis.lsoa_need (lsoa_code VARCHAR, area_role VARCHAR, ward_name VARCHAR, idaci_decile SMALLINT,
    children_0_15 DOUBLE, deprived_children DOUBLE);
INSERT INTO analysis.lsoa_need VALUES
    ('E01000001', 'area', 'North', 1, 1000, 300),
    ('E01000002', 'area', 'North', 5, 1500, 150),
    ('E01000003', 'area', 'South', 1, 800, 400),
    ('E01000004', 'area', 'South', 9, 700, 70),
    ('E01000009', 'buffer', 'Elsewhere', 1, 5000, 2000);
CREATE TABLE core.contact (person_id VARCHAR, contact_date DATE, service VARCHAR, home_lsoa VARCHAR);
-- Stay and play: 7 contacts by 6 children; Parenting: 3 contacts by 3 children (suppressed below 5)
INSERT INTO core.contact VALUES
    ('p1', DATE '2026-11-24', 'Stay and play', 'E01000001'), ('p1', DATE '2026-11-25', 'Stay and play', 'E01000001'),
    ('p2', DATE '2026-01-05', 'Stay and play', 'E01000001'), ('p3', DATE '2026-02-05', 'Stay and play', 'E01000002'),
    ('p4', DATE '2026-03-05', 'Stay and play', 'E01000003'), ('p5', DATE '2026-04-05', 'Stay and play', 'E01000003'),
    ('p6', DATE '2026-05-05', 'Stay and play', 'E01000004'),
    ('p7', DATE '2025-06-05', 'Parenting', 'E01000001'), ('p8', DATE '2026-07-05', 'Parenting', 'E01000002'),
    ('p9', DATE '2026-08-05', 'Parenting', 'E01000003');
CREATE TABLE core.params (name VARCHAR, value DOUBLE, text VARCHAR);
INSERT INTO core.params VALUES ('disclosure_threshold', 5, NULL);
