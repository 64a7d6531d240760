package pipeline

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"hubreach/config"
	"hubreach/internal/store"
)

// accessFixtureDB is an empty database with the core tables the access stage reads.
func accessFixtureDB(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{"core.lsoa", "core.site", "core.road_segment", "core.iod", "core.population", "core.ward", "core.locality"} {
		if _, err := db.Exec(ctx, mustSQL(q)); err != nil {
			t.Fatal(q, err)
		}
	}
	return db
}

// accessFixture is a hand-made area: one straight east-west residential road along y = 0 from
// x = 0 to x = 4000 (nodes every 1000 m), a Plus hub P at (0, 0) on the road, a satellite S at
// (4000, 50) 50 m off its end, and three LSOAs whose demand points are
//
//	A (1000, 100): 100 m north of the road
//	B (3000, 0):   on the road
//	C (2000, 2000): 2 km from the road, beyond the 500 m snapping limit
//
// with IDACI scores 0.5, 0.2, 0.1 and children 100, 200, 300 (income-deprived children 50, 40, 30).
func accessFixture(t *testing.T, modes []string) *Env {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.Area.Name = "fixture"
	cfg.Access.Modes = modes
	cfg.Access.Standards = append(cfg.Access.Standards, config.Standard{Name: "plus or satellite within 10 minutes' walk",
		Tiers: []string{"satellite", "plus"}, Mode: "walk", Minutes: 10})
	db := accessFixtureDB(t)
	square := func(x, y float64) []byte {
		b, err := wkb.Marshal(orb.MultiPolygon{{{{x - 400, y - 400}, {x + 400, y - 400}, {x + 400, y + 400}, {x - 400, y + 400}, {x - 400, y - 400}}}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, l := range []struct {
		code        string
		x, y, score float64
		children    float64
	}{{"E01000001", 1000, 100, 0.5, 100}, {"E01000002", 3000, 0, 0.2, 200}, {"E01000003", 2000, 2000, 0.1, 300}} {
		if _, err := db.Exec(ctx, `INSERT INTO core.lsoa (lsoa_code, lsoa_name, la_code, area_role, geom, demand_x, demand_y, demand_source, ward_code)
			VALUES (?, ?, 'E06000001', 'area', ?, ?, ?, 'interior point', 'E05000001')`, l.code, l.code, square(l.x, l.y), l.x, l.y); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO core.iod (lsoa_code, edition, idaci_score, idaci_rank, idaci_decile, children_0_15) VALUES (?, 2019, ?, 1, 1, ?)`,
			l.code, l.score, l.children); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(ctx, `INSERT INTO core.site (site_id, name, role, tier, x, y, location_from) VALUES
		('P', 'Plus hub', 'hub', 'plus', 0, 0, 'easting/northing'), ('S', 'Satellite', 'hub', 'satellite', 4000, 50, 'easting/northing')`); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if _, err := db.Exec(ctx, `INSERT INTO core.road_segment VALUES (1, ?, ?, ?, 0, ?, 0, 1000, 'residential', 0, NULL, TRUE, TRUE)`,
			i, i+1, float64(i*1000), float64((i+1)*1000)); err != nil {
			t.Fatal(err)
		}
	}
	env := &Env{Config: cfg, DB: db, Dir: t.TempDir(), Progress: Quiet{}}
	if err := sqlStage("need", "analysis.lsoa_need").Run(ctx, env); err != nil {
		t.Fatal(err)
	}
	if err := Access().Run(ctx, env); err != nil {
		t.Fatal(err)
	}
	return env
}

func approx(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.IsNaN(want) != math.IsNaN(got) || (!math.IsNaN(want) && math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want))) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// Distances worked by hand: walking at 4 km/h is 66.667 m a minute; driving the residential road
// at 32 km/h is 533.33 m a minute, and the legs between a point and the road are driven at the
// 16 km/h service-road speed (266.67 m a minute).
func TestAccessDistancesByHand(t *testing.T) {
	env := accessFixture(t, []string{"crow", "walk", "drive"})
	ctx := context.Background()
	nan := math.NaN()
	walk, drive := 4000.0/60, 32000.0/60
	for _, c := range []struct {
		lsoa, mode, group, site, status string
		metres, minutes                 float64
	}{
		// A: 1000 m along the road from P, plus the 100 m leg.
		{"E01000001", "walk", "plus", "P", "ok", 1100, 1100 / walk},
		{"E01000001", "walk", "main", "P", "ok", 1100, 1100 / walk},
		// A to S: 3000 m of road, legs 100 m and 50 m.
		{"E01000001", "walk", "satellite", "S", "ok", 3150, 3150 / walk},
		{"E01000001", "walk", "any", "P", "ok", 1100, 1100 / walk},
		// B to S: 1000 m of road and S's 50 m leg; nearer than P (3000 m).
		{"E01000002", "walk", "any", "S", "ok", 1050, 1050 / walk},
		{"E01000002", "walk", "plus", "P", "ok", 3000, 3000 / walk},
		{"E01000001", "drive", "plus", "P", "ok", 1100, 1000/drive + 100/(16000.0/60)},
		{"E01000002", "drive", "main", "P", "ok", 3000, 3000 / drive},
		// C is 2 km from the road: flagged, not joined.
		{"E01000003", "walk", "any", "", "too far from the network", nan, nan},
		{"E01000003", "drive", "any", "", "too far from the network", nan, nan},
		{"E01000001", "walk", "extra", "", "no site of this tier", nan, nan},
		// Crow-fly: straight lines, minutes at the walking speed.
		{"E01000001", "crow", "any", "P", "ok", math.Hypot(1000, 100), math.Hypot(1000, 100) / walk},
		{"E01000003", "crow", "any", "S", "ok", math.Hypot(2000, 1950), math.Hypot(2000, 1950) / walk},
		// The standard naming plus and satellite gets its own group.
		{"E01000002", "walk", "plus+satellite", "S", "ok", 1050, 1050 / walk},
	} {
		var site, status string
		var metres, minutes *float64
		err := env.DB.QueryRow(ctx, `SELECT coalesce(site_id, ''), status, metres, minutes FROM analysis.lsoa_distance
			WHERE lsoa_code = ? AND mode = ? AND tier_group = ?`, c.lsoa, c.mode, c.group).Scan(&site, &status, &metres, &minutes)
		if err != nil {
			t.Fatalf("%s %s %s: %v", c.lsoa, c.mode, c.group, err)
		}
		what := c.lsoa + " " + c.mode + " " + c.group
		if site != c.site || status != c.status {
			t.Errorf("%s: site %q status %q, want %q %q", what, site, status, c.site, c.status)
		}
		val := func(p *float64) float64 {
			if p == nil {
				return nan
			}
			return *p
		}
		approx(t, what+" metres", val(metres), c.metres)
		approx(t, what+" minutes", val(minutes), c.minutes)
	}
	// Every LSOA to every hub: B to P by walking is 3000 m.
	var m float64
	if err := env.DB.QueryRow(ctx, `SELECT metres FROM analysis.lsoa_site_time WHERE lsoa_code = 'E01000002' AND site_id = 'P' AND mode = 'walk'`).Scan(&m); err != nil {
		t.Fatal(err)
	}
	approx(t, "B to P walking", m, 3000)
}

// The standards, and the area totals: A (100 children, 50 income-deprived) is within 20 minutes'
// walk of a main hub (16.5 min), B (200, 40) is beyond (45 min), C (300, 30) is unknown: its
// demand point is 2 km from the road, beyond the 500 m snapping limit, so it has no walk or drive
// time.
//
// The rule (queries/analysis/area_access.sql): an unknown LSOA is counted in the *_unknown columns,
// never as within or beyond, so within + beyond + unknown = total; the shares within are of ALL
// the children (120 income-deprived, 600 in all), so C counts as not within and each share is a
// lower bound. Worked by hand (the old rule divided by the known children only: 50/90 = 55.6%
// for standard 1 and 90/90 = 100% for standards 2 and 3):
//
//	standard                                 LSOAs w/b/u  children w/b/u   % within  deprived w/b/u  % within
//	1 main hub within 20 min walk (A 16.5)   1 / 1 / 1    100/200/300      16.7      50/40/30        41.7 (50/120)
//	2 main hub within 15 min drive (A, B)    2 / 0 / 1    300/  0/300      50.0      90/ 0/30        75.0 (90/120)
//	3 any site within 1.6 km (1100, 1050 m)  2 / 0 / 1    300/  0/300      50.0      90/ 0/30        75.0
//	4 plus or satellite within 10 min walk   0 / 2 / 1      0/300/300       0.0       0/90/30         0.0
func TestAccessStandardsAndTotals(t *testing.T) {
	env := accessFixture(t, []string{"crow", "walk", "drive"})
	ctx := context.Background()
	type row struct {
		lsoasWithin, lsoasBeyond, lsoasUnknown int
		within, beyond, unknown, pct           float64 // income-deprived children
		cWithin, cBeyond, cUnknown, cPct       float64 // children 0-15
	}
	for _, c := range []struct {
		id   int
		want row
	}{
		{1, row{1, 1, 1, 50, 40, 30, 41.7, 100, 200, 300, 16.7}},
		{2, row{2, 0, 1, 90, 0, 30, 75, 300, 0, 300, 50}},
		{3, row{2, 0, 1, 90, 0, 30, 75, 300, 0, 300, 50}},
		{4, row{0, 2, 1, 0, 90, 30, 0, 0, 300, 300, 0}},
	} {
		// The area, and the fixture's one ward, hold the same three LSOAs: the same row by the same rule.
		for _, table := range []string{"analysis.area_access", "analysis.ward_access"} {
			var r row
			if err := env.DB.QueryRow(ctx, `SELECT lsoas_within, lsoas_beyond, lsoas_unknown,
				deprived_within, deprived_beyond, deprived_unknown, pct_deprived_within,
				children_within, children_beyond, children_unknown, pct_children_within
				FROM `+table+` WHERE standard_id = ?`, c.id).Scan(&r.lsoasWithin, &r.lsoasBeyond, &r.lsoasUnknown,
				&r.within, &r.beyond, &r.unknown, &r.pct, &r.cWithin, &r.cBeyond, &r.cUnknown, &r.cPct); err != nil {
				t.Fatal(table, err)
			}
			if r != c.want {
				t.Errorf("%s standard %d: %+v, want %+v", table, c.id, r, c.want)
			}
		}
	}
	// gap_lsoas lists every LSOA not counted as within: the beyond ones ranked by income-deprived
	// children, then the unknown one (C), ranked after them.
	type gapRow struct {
		lsoa, gap string
		rank      int
	}
	for _, c := range []struct {
		id   int
		want []gapRow
	}{
		{1, []gapRow{{"E01000002", "beyond", 1}, {"E01000003", "not measured", 2}}},
		{2, []gapRow{{"E01000003", "not measured", 1}}},
		{3, []gapRow{{"E01000003", "not measured", 1}}},
		{4, []gapRow{{"E01000001", "beyond", 1}, {"E01000002", "beyond", 2}, {"E01000003", "not measured", 3}}},
	} {
		rows, err := env.DB.Query(ctx, `SELECT lsoa_code, gap, gap_rank FROM analysis.gap_lsoas WHERE standard_id = ? ORDER BY gap_rank`, c.id)
		if err != nil {
			t.Fatal(err)
		}
		var got []gapRow
		for rows.Next() {
			var g gapRow
			if err := rows.Scan(&g.lsoa, &g.gap, &g.rank); err != nil {
				t.Fatal(err)
			}
			got = append(got, g)
		}
		rows.Close()
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("gap_lsoas standard %d: %v, want %v", c.id, got, c.want)
		}
	}
}

// Without a road network, walk and drive standards are evaluated crow-fly and say so: at 4 km/h
// for walking and access.crow_drive_kph (25 km/h) for driving.
func TestAccessCrowFallback(t *testing.T) {
	env := accessFixture(t, []string{"crow"})
	ctx := context.Background()
	var mode string
	var kph float64
	if err := env.DB.QueryRow(ctx, `SELECT mode, crow_kph FROM analysis.access_standard WHERE standard_id = 2`).Scan(&mode, &kph); err != nil {
		t.Fatal(err)
	}
	if mode != "crow" || kph != 25 {
		t.Errorf("drive standard evaluated as %s at %g km/h, want crow at 25", mode, kph)
	}
	var minutes float64
	if err := env.DB.QueryRow(ctx, `SELECT minutes FROM analysis.lsoa_access WHERE standard_id = 2 AND lsoa_code = 'E01000003'`).Scan(&minutes); err != nil {
		t.Fatal(err)
	}
	approx(t, "C crow-fly drive minutes to P", minutes, math.Hypot(2000, 2000)/(25000.0/60))
	var within, beyond, unknown float64
	if err := env.DB.QueryRow(ctx, `SELECT deprived_within, deprived_beyond, deprived_unknown FROM analysis.area_access WHERE standard_id = 1`).Scan(&within, &beyond, &unknown); err != nil {
		t.Fatal(err)
	}
	// A is 1005 m from P (15.1 min), B 3000 m (45 min), C 2828 m (42.4 min).
	if within != 50 || beyond != 70 || unknown != 0 {
		t.Errorf("crow-fly main hub within 20 minutes: within %g beyond %g unknown %g, want 50 70 0", within, beyond, unknown)
	}
	found := false
	for _, n := range env.Notes {
		if n == `access: standard "main hub within 20 minutes' walk" asks for walk but there is no walk network: it is evaluated crow-fly at 4 km/h` {
			found = true
		}
	}
	if !found {
		t.Errorf("no note saying the walk standard was evaluated crow-fly; notes: %q", env.Notes)
	}
}

// The one-way loop: a square of residential streets 500 m a side, one-way all the way round
// A (0, 0) → B (500, 0) → C (500, 500) → D (0, 500) → A, with a 30 km/h limit (under the 32 km/h
// class speed), so a side takes exactly one minute by car. A Plus hub H1 stands on A→B at
// x = 100 and a satellite H2 on B→C at y = 250. Two LSOAs:
//
//	P (300, 520): 20 m north of C→D, 40 % of the way from C to D
//	Q (350, 0):   on A→B, 250 m beyond H1
//
// Worked by hand, as the family drives (LSOA → hub), 500 m a minute on the loop and the 20 m
// leg at the 16 km/h service-road speed (266.67 m a minute, 0.075 min):
//
//	P → H1: P→D→A→H1 = 300 + 500 + 100 = 900 m: 1.8 min + 0.075 = 1.875 min, 920 m
//	P → H2: P→D→A→B→H2 = 300 + 500 + 500 + 250 = 1550 m: 3.1 + 0.075 = 3.175 min, 1570 m
//	Q → H1: Q→B→C→D→A→H1 = 150 + 1500 + 100 = 1750 m: 3.5 min (Q is 250 m past H1)
//	Q → H2: Q→B→H2 = 150 + 250 = 400 m: 0.8 min
//
// From the hubs outwards (the old direction) P would be 450 m from H2 (0.975 min) and Q 250 m
// from H1 (0.5 min). Walking at 4 km/h (66.67 m a minute) ignores the one-way: P→C→H2 = 470 m
// with the leg; P→D→A→H1 = 920 m; Q→A→H1 = 250 m.
func oneWayLoopFixture(t *testing.T) *Env {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.Area.Name = "loop"
	cfg.Access.Modes = []string{"crow", "walk", "drive"}
	db := accessFixtureDB(t)
	must := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []struct {
		code string
		x, y float64
	}{{"E01000011", 300, 520}, {"E01000012", 350, 0}} {
		b, err := wkb.Marshal(orb.MultiPolygon{{{{l.x - 100, l.y - 100}, {l.x + 100, l.y - 100}, {l.x + 100, l.y + 100}, {l.x - 100, l.y + 100}, {l.x - 100, l.y - 100}}}})
		if err != nil {
			t.Fatal(err)
		}
		must(`INSERT INTO core.lsoa (lsoa_code, lsoa_name, la_code, area_role, geom, demand_x, demand_y, demand_source, ward_code)
			VALUES (?, ?, 'E06000001', 'area', ?, ?, ?, 'interior point', 'E05000001')`, l.code, l.code, b, l.x, l.y)
		must(`INSERT INTO core.iod (lsoa_code, edition, idaci_score, idaci_rank, idaci_decile, children_0_15) VALUES (?, 2019, 0.5, 1, 1, 100)`, l.code)
	}
	must(`INSERT INTO core.site (site_id, name, role, tier, x, y, location_from) VALUES
		('H1', 'Plus hub', 'hub', 'plus', 100, 0, 'easting/northing'), ('H2', 'Satellite', 'hub', 'satellite', 500, 250, 'easting/northing')`)
	corner := [][2]float64{{0, 0}, {500, 0}, {500, 500}, {0, 500}}
	for i := range corner {
		j := (i + 1) % 4
		must(`INSERT INTO core.road_segment VALUES (?, ?, ?, ?, ?, ?, ?, 500, 'residential', 1, 30, TRUE, TRUE)`,
			i+1, i+1, j+1, corner[i][0], corner[i][1], corner[j][0], corner[j][1])
	}
	env := &Env{Config: cfg, DB: db, Dir: t.TempDir(), Progress: Quiet{}}
	if err := sqlStage("need", "analysis.lsoa_need").Run(ctx, env); err != nil {
		t.Fatal(err)
	}
	if err := Access().Run(ctx, env); err != nil {
		t.Fatal(err)
	}
	return env
}

// TestAccessOneWayLoop: drive minutes are the family's, LSOA → hub, on one-way streets; walking
// is the same either way. The values are worked by hand above oneWayLoopFixture.
func TestAccessOneWayLoop(t *testing.T) {
	env := oneWayLoopFixture(t)
	ctx := context.Background()
	walk, leg := 4000.0/60, 16000.0/60
	const P, Q = "E01000011", "E01000012"
	for _, c := range []struct {
		lsoa, mode, group, site string
		metres, minutes         float64
	}{
		{P, "drive", "any", "H1", 920, 1.8 + 20/leg}, // outwards it was H2, 470 m, 0.975 min
		{P, "drive", "plus", "H1", 920, 1.8 + 20/leg},
		{P, "drive", "satellite", "H2", 1570, 3.1 + 20/leg},
		{Q, "drive", "any", "H2", 400, 0.8},   // outwards it was H1, 250 m, 0.5 min
		{Q, "drive", "plus", "H1", 1750, 3.5}, // outwards 250 m, 0.5 min
		{P, "walk", "any", "H2", 470, 470 / walk},
		{P, "walk", "plus", "H1", 920, 920 / walk},
		{Q, "walk", "any", "H1", 250, 250 / walk},
	} {
		var site string
		var metres, minutes float64
		if err := env.DB.QueryRow(ctx, `SELECT site_id, metres, minutes FROM analysis.lsoa_distance
			WHERE lsoa_code = ? AND mode = ? AND tier_group = ? AND status = 'ok'`, c.lsoa, c.mode, c.group).Scan(&site, &metres, &minutes); err != nil {
			t.Fatalf("%s %s %s: %v", c.lsoa, c.mode, c.group, err)
		}
		what := c.lsoa + " " + c.mode + " " + c.group
		if site != c.site {
			t.Errorf("%s: nearest site %s, want %s", what, site, c.site)
		}
		approx(t, what+" metres", metres, c.metres)
		approx(t, what+" minutes", minutes, c.minutes)
	}
	// Every LSOA to every hub, by car.
	for _, c := range []struct {
		lsoa, site      string
		metres, minutes float64
	}{{P, "H1", 920, 1.8 + 20/leg}, {P, "H2", 1570, 3.1 + 20/leg}, {Q, "H1", 1750, 3.5}, {Q, "H2", 400, 0.8}} {
		var metres, minutes float64
		if err := env.DB.QueryRow(ctx, `SELECT metres, minutes FROM analysis.lsoa_site_time WHERE lsoa_code = ? AND site_id = ? AND mode = 'drive'`,
			c.lsoa, c.site).Scan(&metres, &minutes); err != nil {
			t.Fatal(err)
		}
		approx(t, c.lsoa+" to "+c.site+" by car, metres", metres, c.metres)
		approx(t, c.lsoa+" to "+c.site+" by car, minutes", minutes, c.minutes)
	}
}
