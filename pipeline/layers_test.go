package pipeline

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"hubreach/internal/store"
)

func layerSquare(x, y float64) []byte {
	b, _ := wkb.Marshal(orb.MultiPolygon{{{{x, y}, {x + 500, y}, {x + 500, y + 500}, {x, y + 500}, {x, y}}}})
	return b
}

// layersFixture writes a hand-made area: three area LSOAs and one buffer LSOA, one ward, a hub
// and a candidate site, a person-level contact table, and (full) the optional analysis tables.
func layersFixture(full bool) Stage {
	return StageFunc{N: "fixture", F: func(ctx context.Context, env *Env) error {
		stmts := []string{
			`CREATE TABLE core.lsoa (lsoa_code VARCHAR, lsoa_name VARCHAR, area_role VARCHAR, geom BLOB)`,
			`CREATE TABLE core.ward (ward_code VARCHAR, ward_name VARCHAR, area_role VARCHAR, geom BLOB)`,
			`CREATE TABLE core.site (site_id VARCHAR, name VARCHAR, role VARCHAR, tier VARCHAR, site_type VARCHAR, capacity INTEGER, x DOUBLE, y DOUBLE, postcode VARCHAR, locality VARCHAR, source_file VARCHAR)`,
			`INSERT INTO core.site VALUES ('H1', 'Hub One', 'hub', 'plus', 'centre', 40, 440250, 392250, 'S60 1AA', 'North', 'hubs.csv'),
				('C1', 'Library', 'candidate', NULL, 'library', NULL, 441250, 392250, NULL, 'South', 'cands.csv')`,
			`CREATE TABLE core.contact (person_id VARCHAR, home_lsoa VARCHAR, child_age_months INTEGER)`,
			`INSERT INTO core.contact VALUES ('PERSON-0001', 'E01000001', 14), ('PERSON-0002', 'E01000002', 30)`,
			`CREATE TABLE analysis.lsoa_need AS SELECT * FROM (VALUES
				('E01000001', 'Alpha 001A', 'area', 'W1', 'Ward One', 'North', 120::INTEGER, 1::INTEGER, 0.41, 300.0, 90.0, 123.0),
				('E01000002', 'Alpha 001B', 'area', 'W1', 'Ward One', 'North', 15000::INTEGER, 5::INTEGER, 0.12, 250.0, 80.0, 30.0),
				('E01000003', 'Alpha 001C', 'area', 'W1', 'Ward One', 'South', NULL::INTEGER, NULL::INTEGER, NULL, 200.0, 60.0, NULL),
				('E01000009', 'Beta 009A', 'buffer', NULL, NULL, NULL, 9000::INTEGER, 3::INTEGER, 0.2, 100.0, 30.0, 20.0))
				t(lsoa_code, lsoa_name, area_role, ward_code, ward_name, locality, idaci_rank, idaci_decile, idaci_score, children_0_15, children_0_4, deprived_children)`,
			`CREATE TABLE analysis.ward_profile AS SELECT 'W1' AS ward_code, 'Ward One' AS ward_name, 3 AS lsoas, 750.0 AS children_0_15`,
		}
		if full {
			stmts = append(stmts,
				`CREATE TABLE analysis.lsoa_hotspots AS SELECT * FROM (VALUES ('E01000001', 'hot-95', 2.2, 0.03, 'idaci_score'), ('E01000002', 'not-significant', 0.4, 0.7, 'idaci_score'),
					('E01000009', 'cold-90', -1.8, 0.08, 'idaci_score')) t(lsoa_code, class, gi_star_z, p_fdr, variable)`,
				`CREATE TABLE analysis.lsoa_distance AS SELECT * FROM (VALUES
					('E01000001', 'crow', 'any', 'H1', 375.0, 5.0, 'ok'), ('E01000001', 'crow', 'main', 'H1', 375.0, 5.0, 'ok'),
					('E01000001', 'walk', 'any', 'H1', 600.0, 7.5, 'ok'), ('E01000001', 'walk', 'main', 'H1', 960.0, 12.0, 'ok'),
					('E01000001', 'walk', 'plus', 'H1', 960.0, 12.0, 'ok'),
					('E01000002', 'crow', 'any', 'H1', 750.0, 10.0, 'ok'), ('E01000002', 'crow', 'main', 'H1', 750.0, 10.0, 'ok'),
					('E01000002', 'walk', 'any', NULL, NULL, NULL, 'not connected'), ('E01000002', 'walk', 'main', NULL, NULL, NULL, 'not connected'),
					('E01000003', 'crow', 'any', 'H1', 1500.0, 20.0, 'ok'), ('E01000003', 'walk', 'any', 'H1', 2000.0, 25.0, 'ok'))
					t(lsoa_code, mode, tier_group, site_id, metres, minutes, status)`,
				`CREATE TABLE analysis.lsoa_access AS SELECT * FROM (VALUES
					('E01000001', 1, 'main hub within 20 minutes'' walk', TRUE), ('E01000002', 1, 'main hub within 20 minutes'' walk', NULL),
					('E01000003', 1, 'main hub within 20 minutes'' walk', FALSE), ('E01000001', 2, 'any site within 1.6 km', TRUE))
					t(lsoa_code, standard_id, standard, within)`,
				// reach: E01000002's count is suppressed (NULL); a stray person_id column must never be written.
				`CREATE TABLE analysis.reach_by_lsoa AS SELECT * FROM (VALUES ('E01000001', 120::INTEGER, 0.4, 'x'), ('E01000002', NULL::INTEGER, NULL, 'y'))
					t(lsoa_code, families_reached, reach_rate, person_id)`,
				`CREATE TABLE analysis.siting_choice AS SELECT * FROM (VALUES ('mclp-2', 1, 'C1', 'Library', 441250.0, 392250.0, 55.0)) t(scenario, selection_order, site_id, name, x, y, marginal_gain)`,
			)
		}
		for _, s := range stmts {
			if _, err := env.DB.Exec(ctx, s); err != nil {
				return err
			}
		}
		for i, code := range []string{"E01000001", "E01000002", "E01000003", "E01000009"} {
			role := "area"
			if i == 3 {
				role = "buffer"
			}
			if _, err := env.DB.Exec(ctx, `INSERT INTO core.lsoa VALUES (?, ?, ?, ?)`, code, "n", role, layerSquare(440000+float64(i)*500, 392000)); err != nil {
				return err
			}
		}
		_, err := env.DB.Exec(ctx, `INSERT INTO core.ward VALUES ('W1', 'Ward One', 'area', ?)`, layerSquare(440000, 392000))
		return err
	}}
}

func layersRun(t *testing.T, full bool) (string, *store.DB) {
	t.Helper()
	ctx := context.Background()
	cfg := testConfig(t)
	cfg.Area.Title = "Alpha"
	if _, err := Run(ctx, cfg, []Stage{layersFixture(full), Layers()}, Options{FromScratch: true}); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "read.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return cfg.AreaDir(), db
}

func parquetColumns(t *testing.T, db *store.DB, path string) []string {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet(?))`, path)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		out = append(out, c)
	}
	return out
}

func TestLayersFull(t *testing.T) {
	ctx := context.Background()
	dir, db := layersRun(t, true)
	lsoa := filepath.Join(dir, "layers", "lsoa.parquet")
	cols := parquetColumns(t, db, lsoa)
	for _, want := range []string{"lsoa_code", "idaci_decile", "hotspot_class", "crow_any_minutes", "walk_main_minutes", "walk_any_status", "std1_within", "std2_within", "reach_families_reached", "reach_rate", "geometry"} {
		if !slices.Contains(cols, want) {
			t.Errorf("lsoa.parquet has no column %s (has %v)", want, cols)
		}
	}
	for _, c := range cols {
		if strings.Contains(c, "person") || strings.HasPrefix(c, "walk_plus") || strings.HasPrefix(c, "drive_") {
			t.Errorf("lsoa.parquet has column %s", c)
		}
	}
	type row struct {
		code                       string
		decile                     *int64
		hot                        *string
		crowAny, walkAny, walkMain *float64
		walkStatus                 *string
		std1                       *bool
		reached                    *int64
		rate                       *float64
	}
	rows, err := db.Query(ctx, `SELECT lsoa_code, idaci_decile, hotspot_class, crow_any_minutes, walk_any_minutes, walk_main_minutes, walk_any_status,
		std1_within, reach_families_reached, reach_rate FROM read_parquet(?) ORDER BY lsoa_code`, lsoa)
	if err != nil {
		t.Fatal(err)
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.code, &r.decile, &r.hot, &r.crowAny, &r.walkAny, &r.walkMain, &r.walkStatus, &r.std1, &r.reached, &r.rate); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	rows.Close()
	if len(got) != 3 {
		t.Fatalf("%d LSOAs, want the 3 area ones (not the buffer)", len(got))
	}
	e1, e2, e3 := got[0], got[1], got[2]
	if *e1.decile != 1 || *e1.hot != "hot-95" || *e1.crowAny != 5 || *e1.walkAny != 7.5 || *e1.walkMain != 12 || !*e1.std1 || *e1.reached != 120 || *e1.rate != 0.4 {
		t.Errorf("E01000001: %+v", e1)
	}
	if e2.walkAny != nil || *e2.walkStatus != "not connected" || e2.std1 != nil || e2.reached != nil || e2.rate != nil {
		t.Errorf("E01000002 (not connected, unknown standard, suppressed reach): walk %v status %v std1 %v reached %v rate %v", e2.walkAny, e2.walkStatus, e2.std1, e2.reached, e2.rate)
	}
	if e3.decile != nil || e3.hot != nil || e3.walkMain != nil || *e3.std1 || e3.reached != nil {
		t.Errorf("E01000003: %+v", e3)
	}
	// Geometry back in BNG.
	var g []byte
	if err := db.QueryRow(ctx, `SELECT geometry FROM read_parquet(?) WHERE site_id = 'H1'`, filepath.Join(dir, "layers", "hub_sites.parquet")).Scan(&g); err != nil {
		t.Fatal(err)
	}
	if p, err := wkb.Unmarshal(g); err != nil || p != (orb.Point{440250, 392250}) {
		t.Errorf("hub H1 geometry %v, %v", p, err)
	}
	var n int
	db.QueryRow(ctx, `SELECT count(*) FROM read_parquet(?)`, filepath.Join(dir, "layers", "siting_choice.parquet")).Scan(&n)
	if n != 1 {
		t.Errorf("siting_choice layer has %d rows, want 1", n)
	}
	db.QueryRow(ctx, `SELECT lsoas FROM read_parquet(?)`, filepath.Join(dir, "layers", "ward.parquet")).Scan(&n)
	if n != 3 {
		t.Errorf("ward layer lsoas %d, want 3 from ward_profile", n)
	}
	// GeoJSON: the same LSOAs, WGS84 near Rotherham, no person-level data in any file.
	b, err := os.ReadFile(filepath.Join(dir, "layers", "lsoa.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Geometry   struct{ Coordinates [][][][2]float64 }
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != 3 || fc.Features[0].Properties["walk_any_minutes"] != 7.5 {
		t.Errorf("GeoJSON: %d features, first walk_any_minutes %v", len(fc.Features), fc.Features[0].Properties["walk_any_minutes"])
	}
	if p := fc.Features[0].Geometry.Coordinates[0][0][0]; p[0] < -1.43 || p[0] > -1.38 || p[1] < 53.40 || p[1] > 53.44 {
		t.Errorf("first corner %v, want near -1.40, 53.42 (lon, lat)", p)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".duckdb") || strings.HasSuffix(p, ".json") && filepath.Base(p) == "run.json" {
			return err
		}
		data, _ := os.ReadFile(p)
		if strings.Contains(string(data), "PERSON-000") || strings.Contains(string(data), "person_id") {
			t.Errorf("%s contains person-level data", p)
		}
		return nil
	})
	page, err := os.ReadFile(filepath.Join(dir, "web", "map.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{`"id":"idaci"`, `"id":"travel-crow"`, `"id":"travel-walk"`, `"id":"hotspot"`, `"id":"std1"`, `"id":"reach"`} {
		if !strings.Contains(string(page), id) {
			t.Errorf("web map has no layer %s", id)
		}
	}
	frag, err := os.ReadFile(filepath.Join(dir, "web", "map-fragment.html"))
	if err != nil || strings.Contains(string(frag), "<html") {
		t.Errorf("fragment: %v, has <html>: %v", err, strings.Contains(string(frag), "<html"))
	}
}

// Without the access, hotspot, reach and siting tables the layers are still written, with the
// need columns only, and the web map has the IDACI layer only.
func TestLayersWithoutOptionalTables(t *testing.T) {
	dir, db := layersRun(t, false)
	cols := parquetColumns(t, db, filepath.Join(dir, "layers", "lsoa.parquet"))
	want := []string{"lsoa_code", "lsoa_name", "ward_code", "ward_name", "locality", "idaci_rank", "idaci_decile", "idaci_score",
		"children_0_15", "children_0_4", "deprived_children", "geometry"}
	if !slices.Equal(cols, want) {
		t.Errorf("columns %v, want %v", cols, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "layers", "siting_choice.parquet")); err == nil {
		t.Error("siting_choice layer written without a siting_choice table")
	}
	page, err := os.ReadFile(filepath.Join(dir, "web", "map.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `"id":"idaci"`) || strings.Contains(string(page), `"id":"travel-`) || strings.Contains(string(page), `"id":"hotspot"`) {
		t.Error("web map layers do not match the tables present")
	}
}
