package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"hubreach/config"
	"hubreach/datasets"
	"hubreach/internal/store"
	"hubreach/pipeline/network"
	"hubreach/pipeline/siting"
	"hubreach/queries"
)

// The hand-worked siting fixture: six LSOAs on a line (y = 0), walking at 6 km/h (100 m a
// minute), threshold 10 minutes = 1,000 m. One existing hub H at x = 6000 reaches L6.
//
//	LSOA  x     deprived  ward    candidates within 1,000 m
//	L1    0     4         W1      B
//	L2    900   3         W1      A, B
//	L3    1800  3         W1      A
//	L4    2700  3         W2      A, C
//	L5    3600  4         W2      C
//	L6    6000  5         W2      E (and the hub H)
//
// Candidates: A x = 1800 (covers L2, L3, L4: 9), B x = 450 (L1, L2: 7), C x = 3150 (L4, L5: 7),
// E x = 6300 (L6 only, already covered: 0), D x = 20000 (nothing).
// Enumerating the ten pairs: A+B = A+C = 13, B+C = 14 (the optimum), any pair with D or E at
// most 9. Greedy takes A first (9) and then reaches only 13: the swap phase must find B+C.
// k = 1: A (9); k = 3: A+B+C = 17, all the uncovered weight.
//
// p-median (k = 1, travel capped at 3 x 10 = 30 minutes, current minutes to H crow-fly):
// base cost 4·30 + 3·30 + 3·30 + 3·30 + 4·24 + 5·0 = 486; opening A: L1 18, L2 9, L3 0, L4 9,
// L5 18 → 72 + 27 + 0 + 27 + 72 = 198; B: 235.5; C: 259.5; D, E: 486. Optimum A, 198.
type fixSite struct {
	id   string
	x    float64
	role string
}

var fixLSOAs = []struct {
	code, ward string
	x, w       float64
}{
	{"L1", "W1", 0, 4}, {"L2", "W1", 900, 3}, {"L3", "W1", 1800, 3},
	{"L4", "W2", 2700, 3}, {"L5", "W2", 3600, 4}, {"L6", "W2", 6000, 5},
}

var fixSites = []fixSite{{"H", 6000, "hub"}, {"A", 1800, "candidate"}, {"B", 450, "candidate"},
	{"C", 3150, "candidate"}, {"D", 20000, "candidate"}, {"E", 6300, "candidate"}}

func square(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// sitingFixture builds the database for the fixture: core tables from their DDL, lsoa_need by
// hand, analysis.lsoa_distance for crow and walk (tier_group 'any', to H), and a straight road
// along y = 0 from x = -500 to x = 7000 (so D, at x = 20000, is off the network).
func sitingFixture(t *testing.T, extraSites ...fixSite) (*Env, context.Context) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, table := range queries.Tables("core") {
		if _, err := db.Exec(ctx, queries.MustSQL(table)); err != nil {
			t.Fatal(table, err)
		}
	}
	must := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	must(`CREATE SCHEMA IF NOT EXISTS analysis`)
	must(`CREATE TABLE analysis.lsoa_need (lsoa_code VARCHAR, area_role VARCHAR, ward_code VARCHAR, ward_name VARCHAR, locality VARCHAR,
		demand_x DOUBLE, demand_y DOUBLE, deprived_children DOUBLE, children_0_4 DOUBLE, children_0_15 DOUBLE, children_0_19 DOUBLE)`)
	must(queries.MustSQL("analysis.lsoa_distance"))
	for _, l := range fixLSOAs {
		must(`INSERT INTO core.lsoa (lsoa_code, area_role, geom, demand_x, demand_y, demand_source, ward_code) VALUES (?, 'area', ?, ?, 0, 'x', ?)`,
			l.code, datasets.EncodeWKB(square(l.x-450, -450, l.x+450, 450)), l.x, l.ward)
		must(`INSERT INTO analysis.lsoa_need VALUES (?, 'area', ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
			l.code, l.ward, map[string]string{"W1": "West", "W2": "East"}[l.ward], map[string]string{"W1": "Town", "W2": "Country"}[l.ward], l.x, l.w, 1.0, 2*l.w, 2*l.w)
		m := math.Abs(l.x-6000) / 100
		for _, mode := range []string{"crow", "walk"} {
			must(`INSERT INTO analysis.lsoa_distance VALUES (?, 'area', ?, 'any', 'H', ?, ?, 0, 'ok')`, l.code, mode, m*100, m)
		}
	}
	must(`INSERT INTO core.ward (ward_code, ward_name, area_role, geom) VALUES ('W1', 'West', 'area', ?), ('W2', 'East', 'area', ?)`,
		datasets.EncodeWKB(square(-450, -450, 2250, 450)), datasets.EncodeWKB(square(2250, -450, 6450, 450)))
	for n, s := range append(append([]fixSite(nil), fixSites...), extraSites...) {
		tier := any(nil)
		if s.role == "hub" {
			tier = "plus"
		}
		must(`INSERT INTO core.site (site_id, name, role, tier, site_type, x, y, location_from, source_file, line) VALUES (?, ?, ?, ?, 'library', ?, 0, 'easting/northing', 'sites.csv', ?)`,
			s.id, "Site "+s.id, s.role, tier, s.x, n+2)
	}
	for n := 0; n < 15; n++ {
		x0 := -500 + float64(n)*500
		must(`INSERT INTO core.road_segment VALUES (1, ?, ?, ?, 0, ?, 0, 500, 'residential', 0, NULL, true, true)`, n+1, n+2, x0, x0+500)
	}
	cfg := config.Default()
	cfg.Area.Name, cfg.Area.Title = "fixture", "Fixture"
	cfg.Access.WalkSpeedKPH = 6
	cfg.Access.Modes = []string{"crow", "walk"}
	env := &Env{Config: cfg, DB: db, Dir: t.TempDir(), Progress: Quiet{}}
	return env, ctx
}

// coverRef is the fixture's coverage of a set of candidate ids, worked from the coordinates
// directly: the weight of LSOAs not reached by H and within 1,000 m of one of the sites.
func coverRef(ids ...string) float64 {
	pos := map[string]float64{}
	for _, s := range fixSites {
		pos[s.id] = s.x
	}
	v := 0.0
	for _, l := range fixLSOAs {
		if math.Abs(l.x-6000) <= 1000 {
			continue
		}
		for _, id := range ids {
			if math.Abs(l.x-pos[id]) <= 1000 {
				v += l.w
				break
			}
		}
	}
	return v
}

type choiceRow struct {
	order            int
	id               string
	gain, cum        float64
	catchment, newly int
	method           string
	optimal          bool
	bound, gap       float64
	mode             string
}

func readChoice(t *testing.T, env *Env, scenario string) []choiceRow {
	t.Helper()
	rows, err := env.DB.Query(context.Background(), `SELECT selection_order, site_id, marginal_gain, cumulative_coverage, catchment_lsoas,
		newly_covered_lsoas, method, optimal, bound, gap, mode FROM analysis.siting_choice WHERE scenario = ? ORDER BY selection_order`, scenario)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []choiceRow
	for rows.Next() {
		var r choiceRow
		if err := rows.Scan(&r.order, &r.id, &r.gain, &r.cum, &r.catchment, &r.newly, &r.method, &r.optimal, &r.bound, &r.gap, &r.mode); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func TestSitingStageKnownOptimum(t *testing.T) {
	// Enumeration from the coordinates: the best pair is B+C.
	best, bestSet := 0.0, ""
	ids := []string{"A", "B", "C", "D", "E"}
	for a := range ids {
		for b := a + 1; b < len(ids); b++ {
			if v := coverRef(ids[a], ids[b]); v > best {
				best, bestSet = v, ids[a]+ids[b]
			}
		}
	}
	if best != 14 || bestSet != "BC" {
		t.Fatalf("enumeration: best %g by %s, the hand working says 14 by BC", best, bestSet)
	}
	for _, mode := range []string{"crow", "walk"} {
		t.Run(mode, func(t *testing.T) {
			env, ctx := sitingFixture(t)
			env.Config.Siting.Scenarios = []config.Scenario{
				{Name: "two", K: 2, Objective: "mclp", Mode: mode, Minutes: 10, Weight: "deprived_children"},
				{Name: "pm", K: 1, Objective: "pmedian", Mode: mode, Minutes: 10, Weight: "deprived_children"},
			}
			if err := Siting().Run(ctx, env); err != nil {
				t.Fatal(err)
			}
			ch := readChoice(t, env, "two")
			if len(ch) != 2 {
				t.Fatalf("chose %d sites, want 2: %+v", len(ch), ch)
			}
			got := map[string]bool{ch[0].id: true, ch[1].id: true}
			if !got["B"] || !got["C"] {
				t.Errorf("chose %s and %s, want B and C (the enumerated optimum)", ch[0].id, ch[1].id)
			}
			sum := 0.0
			for n, r := range ch {
				sum += r.gain
				if r.order != n+1 || r.mode != mode || !r.optimal || r.gap != 0 || r.bound != 14 {
					t.Errorf("row %d: %+v, want order %d, mode %s, optimal with bound 14 and gap 0", n, r, n+1, mode)
				}
				if r.catchment != 2 || r.newly != 2 {
					t.Errorf("%s: catchment %d, newly %d LSOAs, want 2 and 2", r.id, r.catchment, r.newly)
				}
				if r.gain != 7 {
					t.Errorf("%s: marginal gain %g, want 7", r.id, r.gain)
				}
			}
			if sum != 14 || ch[1].cum != 14 {
				t.Errorf("marginal gains sum to %g, cumulative %g; want the coverage 14", sum, ch[1].cum)
			}
			var before, after, beyond, value, hv float64
			var method string
			var optimal bool
			if err := env.DB.QueryRow(ctx, `SELECT covered_before, covered_after, beyond_after, value, method, optimal, heuristic_value
				FROM analysis.siting_scenarios WHERE scenario = 'two'`).Scan(&before, &after, &beyond, &value, &method, &optimal, &hv); err != nil {
				t.Fatal(err)
			}
			if before != 5 || after != 19 || beyond != 3 || value != 14 || !optimal || hv != 14 {
				t.Errorf("scenario: before %g after %g beyond %g value %g optimal %v heuristic %g; want 5, 19, 3, 14, true, 14", before, after, beyond, value, optimal, hv)
			}
			if method == "" {
				t.Error("no method")
			}
			// Curve: k = 1 → 9 (A), 2 → 14, 3 → 17, then nothing more to add.
			rows, err := env.DB.Query(ctx, `SELECT k, coverage, bound FROM analysis.siting_curve WHERE scenario = 'two' ORDER BY k`)
			if err != nil {
				t.Fatal(err)
			}
			var curve []string
			for rows.Next() {
				var k int
				var cov, bound float64
				rows.Scan(&k, &cov, &bound)
				curve = append(curve, fmt.Sprintf("%d:%g", k, cov))
				if bound+1e-9 < cov {
					t.Errorf("k = %d: bound %g below coverage %g", k, bound, cov)
				}
			}
			rows.Close()
			if strings.Join(curve, " ") != "1:9 2:14 3:17" {
				t.Errorf("curve %v, want 1:9 2:14 3:17", curve)
			}
			// By ward: W1 (L1-L3) 10, none before, 7 after; W2 (L4-L6) 12, 5 before, 12 after.
			for ward, want := range map[string][3]float64{"W1": {10, 0, 7}, "W2": {12, 5, 12}} {
				var tot, b, a float64
				if err := env.DB.QueryRow(ctx, `SELECT weight_total, coalesce(covered_before, 0), covered_after FROM analysis.siting_by_ward WHERE scenario = 'two' AND ward_code = ?`, ward).Scan(&tot, &b, &a); err != nil {
					t.Fatal(err)
				}
				if tot != want[0] || b != want[1] || a != want[2] {
					t.Errorf("ward %s: total %g before %g after %g, want %v", ward, tot, b, a, want)
				}
			}
			var loc float64
			if err := env.DB.QueryRow(ctx, `SELECT covered_after FROM analysis.siting_by_locality WHERE scenario = 'two' AND locality = 'Town'`).Scan(&loc); err != nil || loc != 7 {
				t.Errorf("locality Town covered after = %g (%v), want 7", loc, err)
			}
			// p-median: A, cost 198 from a base of 486.
			pm := readChoice(t, env, "pm")
			var cost, base float64
			if err := env.DB.QueryRow(ctx, `SELECT value, mean_minutes_before * weight_total FROM analysis.siting_scenarios WHERE scenario = 'pm'`).Scan(&cost, &base); err != nil {
				t.Fatal(err)
			}
			if len(pm) != 1 || pm[0].id != "A" || math.Abs(cost-198) > 1e-9 || math.Abs(base-486) > 1e-9 || math.Abs(pm[0].gain-288) > 1e-9 {
				t.Errorf("p-median: %+v, cost %g, base %g; want A saving 288, cost 198 from 486", pm, cost, base)
			}
			if err := drawSitingOutputs(ctx, env); err != nil {
				t.Fatalf("siting maps: %v", err)
			}
			for _, f := range []string{"maps/siting_two.png", "maps/siting_two.svg", "charts/siting_curve_two.png", "maps/siting_pm.png"} {
				if _, err := os.Stat(filepath.Join(env.Dir, f)); err != nil {
					t.Error(err)
				}
			}
			if mode == "walk" {
				notes := strings.Join(env.Notes, "\n")
				if !strings.Contains(notes, `candidate "D" (Site D) is off the walk network`) {
					t.Errorf("notes do not report the off-network candidate D:\n%s", notes)
				}
			}
		})
	}
}

func TestSitingStageCrowFallback(t *testing.T) {
	env, ctx := sitingFixture(t)
	if _, err := env.DB.Exec(ctx, `DELETE FROM core.road_segment`); err != nil {
		t.Fatal(err)
	}
	env.Config.Siting.Scenarios = []config.Scenario{{Name: "w", K: 2, Objective: "mclp", Mode: "walk", Minutes: 10, Weight: "deprived_children"}}
	if err := Siting().Run(ctx, env); err != nil {
		t.Fatal(err)
	}
	var mode, note string
	var value float64
	if err := env.DB.QueryRow(ctx, `SELECT mode, mode_note, value FROM analysis.siting_scenarios`).Scan(&mode, &note, &value); err != nil {
		t.Fatal(err)
	}
	if mode != "crow" || !strings.Contains(note, "no walk network") || value != 14 {
		t.Errorf("mode %q note %q value %g, want crow, a note, 14", mode, note, value)
	}
	if !strings.Contains(strings.Join(env.Notes, "\n"), "no walk network") {
		t.Errorf("env notes do not say crow-fly was used: %v", env.Notes)
	}
}

func TestSitingStageBadInput(t *testing.T) {
	cases := []struct {
		name  string
		sc    config.Scenario
		extra []fixSite
		drop  string
		want  string
	}{
		{"k larger than the candidates", config.Scenario{Name: "big", K: 6, Objective: "mclp", Mode: "crow", Minutes: 10, Weight: "deprived_children"}, nil, "",
			"siting.scenarios[0].k: k = 6 but only 5 candidate sites"},
		{"duplicate candidate ids", config.Scenario{Name: "dup", K: 2, Objective: "mclp", Mode: "crow", Minutes: 10, Weight: "deprived_children"}, []fixSite{{"B", 9000, "candidate"}}, "",
			`duplicate candidate id "B": rows 2 ("Site B") and 6 ("Site B")`},
		{"must-open not a candidate", config.Scenario{Name: "m", K: 2, Objective: "mclp", Mode: "crow", Minutes: 10, Weight: "deprived_children", MustOpen: []string{"Z"}}, nil, "",
			`must-open site "Z" is not a candidate`},
		{"expected uptake without the decay table", config.Scenario{Name: "u", K: 2, Objective: "mclp", Mode: "crow", Minutes: 10, Weight: "expected_uptake"}, nil, "",
			"siting.scenarios[0].weight: expected_uptake needs the reach stage's fitted distance decay for crow"},
		{"no access stage", config.Scenario{Name: "a", K: 2, Objective: "mclp", Mode: "crow", Minutes: 10, Weight: "deprived_children"}, nil, "analysis.lsoa_distance",
			"siting needs analysis.lsoa_distance"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, ctx := sitingFixture(t, c.extra...)
			if c.drop != "" {
				env.DB.Exec(ctx, "DROP TABLE "+c.drop)
			}
			env.Config.Siting.Scenarios = []config.Scenario{c.sc}
			err := Siting().Run(ctx, env)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

// Expected uptake: r(t) = 0.5·exp(-0.1·t). Weight = children 0-4 (1 per LSOA in the fixture) ×
// max(0, r(10) - r(t_now)), t_now the crow minutes to H: L1..L5 are 60, 51, 42, 33, 24 minutes away.
func TestSitingStageExpectedUptake(t *testing.T) {
	env, ctx := sitingFixture(t)
	// The reach stage's table: bin rows (no parameters) and one fit row per mode.
	for _, q := range []string{queries.MustSQL("analysis.distance_decay"),
		`INSERT INTO analysis.distance_decay (measure, mode, row_type, minutes_from, minutes_to, reach_pct, suppressed) VALUES
			('nearest hub', 'crow', 'bin', 0, 10, 48, false), ('nearest hub', 'crow', 'bin', 10, 20, 19, false)`,
		`INSERT INTO analysis.distance_decay (measure, mode, row_type, a, b, suppressed) VALUES
			('nearest hub', 'walk', 'fit', 0.9, 0.3, false), ('nearest hub', 'crow', 'fit', 0.5, 0.1, false)`} {
		if _, err := env.DB.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	env.Config.Siting.Scenarios = []config.Scenario{{Name: "u", K: 1, Objective: "mclp", Mode: "crow", Minutes: 10, Weight: "expected_uptake"}}
	if err := Siting().Run(ctx, env); err != nil {
		t.Fatal(err)
	}
	r := func(t float64) float64 { return 0.5 * math.Exp(-0.1*t) }
	w := map[string]float64{}
	for _, l := range fixLSOAs[:5] {
		w[l.code] = r(10) - r(math.Abs(l.x-6000)/100)
	}
	// k = 1: A covers L2, L3, L4; B L1, L2; C L4, L5.
	best := map[string]float64{"A": w["L2"] + w["L3"] + w["L4"], "B": w["L1"] + w["L2"], "C": w["L4"] + w["L5"]}
	wantID, wantV := "", 0.0
	for id, v := range best {
		if v > wantV {
			wantID, wantV = id, v
		}
	}
	ch := readChoice(t, env, "u")
	if len(ch) != 1 || ch[0].id != wantID || math.Abs(ch[0].gain-wantV) > 1e-9 {
		t.Errorf("chose %+v, want %s adding %g", ch, wantID, wantV)
	}
}

// Rutland with the real OSM network and the real facility list as candidates: every scenario of
// config/rutland.yaml runs, the answers carry a bound, and the map and curve are drawn. Set
// HUBREACH_SITING_OUT to keep the outputs (to look at the maps).
func TestSitingRutland(t *testing.T) {
	data := sharedData(t)
	root := filepath.Dir(filepath.Dir(data))
	wd, _ := os.Getwd()
	repo := filepath.Dir(wd)
	cfg, err := config.LoadFile(filepath.Join(repo, "config", "rutland.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = root
	cfg.DataDir = data
	cfg.Inputs.Hubs = filepath.Join(repo, "config", "rutland_hubs.csv")
	cfg.Inputs.Localities = filepath.Join(repo, "config", "rutland_localities.csv")
	cfg.Output = t.TempDir()
	if out := os.Getenv("HUBREACH_SITING_OUT"); out != "" {
		cfg.Output = out
	}
	ctx := context.Background()
	stages := []Stage{Ingest(), sqlStage("need", "analysis.lsoa_need", "analysis.ward_profile"), Access(), Siting(),
		StageFunc{N: "siting maps", F: drawSitingOutputs}}
	info, err := Run(ctx, cfg, stages, Options{FromScratch: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range info.Notes {
		t.Log("note:", n)
	}
	db := openPublished(t, cfg)
	// The access stage on the real network: a route plus the legs to and from the road is never
	// shorter than the straight line between the same two points (triangle inequality), for
	// every LSOA and hub, walking and driving.
	var pairs, shorter int
	if err := db.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE n.metres < c.metres - 1e-6)
		FROM analysis.lsoa_site_time n JOIN analysis.lsoa_site_time c USING (lsoa_code, site_id)
		WHERE c.mode = 'crow' AND n.mode IN ('walk', 'drive') AND n.metres IS NOT NULL`).Scan(&pairs, &shorter); err != nil {
		t.Fatal(err)
	}
	if pairs < 100 || shorter > 0 {
		t.Errorf("%d network LSOA-hub distances, %d shorter than crow-fly; want many and none", pairs, shorter)
	}
	var localities int
	if err := db.QueryRow(ctx, `SELECT count(DISTINCT locality) FROM analysis.locality_access`).Scan(&localities); err != nil {
		t.Fatal(err)
	}
	if localities != 3 {
		t.Errorf("%d localities in locality_access, want Oakham, Uppingham and Villages", localities)
	}
	rows, err := db.Query(ctx, `SELECT scenario, mode, k, chosen, covered_before, covered_after, weight_total, value, bound, gap, optimal, method, candidates, candidates_reaching
		FROM analysis.siting_scenarios ORDER BY scenario_order`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var sc, mode, method string
		var k, chosen, cands, reach int
		var before, after, total, value, bound, gap float64
		var optimal bool
		if err := rows.Scan(&sc, &mode, &k, &chosen, &before, &after, &total, &value, &bound, &gap, &optimal, &method, &cands, &reach); err != nil {
			t.Fatal(err)
		}
		n++
		t.Logf("%s: %s, %d of %d chosen from %d candidates (%d reach new demand); covered %.0f -> %.0f of %.0f; value %.1f bound %.1f gap %.4f optimal %v (%s)",
			sc, mode, chosen, k, cands, reach, before, after, total, value, bound, gap, optimal, method)
		if mode == "crow" {
			t.Errorf("%s: evaluated crow-fly, but Rutland has a road network", sc)
		}
		if after < before || bound+1e-6 < value || gap < 0 || gap > 0.05 || math.Abs(after-before-value) > 1e-6*total {
			t.Errorf("%s: inconsistent answer", sc)
		}
	}
	rows.Close()
	if n != len(cfg.Siting.Scenarios) {
		t.Errorf("%d scenario rows, want %d", n, len(cfg.Siting.Scenarios))
	}
	for _, sc := range cfg.Siting.Scenarios {
		files := []string{"maps/siting_" + sitingSlug(sc.Name) + ".png"}
		var chosen int
		db.QueryRow(ctx, `SELECT chosen FROM analysis.siting_scenarios WHERE scenario = ?`, sc.Name).Scan(&chosen)
		if chosen > 0 {
			files = append(files, "charts/siting_curve_"+sitingSlug(sc.Name)+".png")
		}
		for _, f := range files {
			if _, err := os.Stat(filepath.Join(cfg.AreaDir(), f)); err != nil {
				t.Error(err)
			}
		}
	}
}

// siting.scenarios[].max_per_ward caps the chosen sites in one ward. A and B are both in W1
// (West), C in W2: uncapped, k = 3 takes A+B+C = 17; with at most one site per ward the best
// is B (W1) + C (W2) = 14 (D and E, in W2, add nothing and the cap stops a second W2 site too).
func TestSitingStageMaxPerWard(t *testing.T) {
	for _, c := range []struct {
		cap  int
		want float64
	}{{0, 17}, {1, 14}} {
		env, ctx := sitingFixture(t)
		env.Config.Siting.Scenarios = []config.Scenario{{Name: "capped", K: 3, Objective: "mclp", Mode: "crow", Minutes: 10, Weight: "deprived_children", MaxPerWard: c.cap}}
		if err := Siting().Run(ctx, env); err != nil {
			t.Fatal(err)
		}
		var value float64
		if err := env.DB.QueryRow(ctx, `SELECT value FROM analysis.siting_scenarios`).Scan(&value); err != nil {
			t.Fatal(err)
		}
		if value != c.want {
			t.Errorf("max_per_ward %d: coverage %g, want %g", c.cap, value, c.want)
		}
		if c.cap == 1 {
			perWard := map[string]int{}
			for _, r := range readChoice(t, env, "capped") {
				perWard[map[string]string{"A": "W1", "B": "W1", "C": "W2", "D": "W2", "E": "W2"}[r.id]]++
			}
			for w, n := range perWard {
				if n > 1 {
					t.Errorf("ward %s got %d sites with max_per_ward 1", w, n)
				}
			}
		}
	}
}

// TestSitingDriveToCandidate: drive minutes for siting are the family's, from the LSOA to the
// candidate, on one-way streets. The one-way loop of oneWayLoopFixture (500 m a side, A→B→C→D→A,
// a minute a side) with a candidate K 10 m south of A→B at x = 100 and three LSOAs:
//
//	P (300, 520) 20 m north of C→D at 40 %: P→D→A→K = 300 + 500 + 100 = 900 m = 1.8 min
//	Q (350, 0) on A→B, 250 m past K: Q→B→C→D→A→K = 150 + 1500 + 100 = 1750 m = 3.5 min
//	R (50, 0) on A→B, 50 m before K: straight on, 0.1 min
//
// plus the legs at the 16 km/h service-road speed: K's 10 m (0.0375 min) and P's 20 m
// (0.075 min). Within 2 minutes: P (1.9125) and R (0.1375); Q (3.5375) only within 4. From the
// candidate outwards it would have been Q alone (0.5375 min) within 2 minutes: K→Q is 250 m,
// K→B→C→P 1,100 m (2.3125 min) and K→R round the loop 1,950 m.
func TestSitingDriveToCandidate(t *testing.T) {
	var segs []network.Segment
	corner := []orb.Point{{0, 0}, {500, 0}, {500, 500}, {0, 500}}
	for i := range corner {
		j := (i + 1) % 4
		segs = append(segs, network.Segment{WayID: int64(i + 1), FromNode: int64(i + 1), ToNode: int64(j + 1), A: corner[i], B: corner[j],
			Highway: "residential", Oneway: 1, MaxSpeedKPH: 30, WalkOK: true, DriveOK: true})
	}
	cfg := config.Default()
	g, err := network.Build(segs, network.Drive, Profile(cfg.Access))
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{Config: cfg, Dir: t.TempDir(), Progress: Quiet{}}
	leg := 16000.0 / 60
	k := 10 / leg
	for _, c := range []struct {
		limit float64
		want  map[int32]float64
	}{
		{2, map[int32]float64{0: 1.8 + 20/leg + k, 2: 0.1 + k}},
		{4, map[int32]float64{0: 1.8 + 20/leg + k, 1: 3.5 + k, 2: 0.1 + k}},
		{0.1, nil},
	} {
		d := &sitingData{
			lsoas:  []sitingLSOA{{code: "P", pt: orb.Point{300, 520}}, {code: "Q", pt: orb.Point{350, 0}}, {code: "R", pt: orb.Point{50, 0}}},
			cands:  []sitingCand{{id: "K", pt: orb.Point{100, -10}}},
			graphs: &Graphs{Drive: g},
			arcs:   map[string][][]siting.Arc{}, limit: map[string]float64{}, want: map[string]float64{}, offNet: map[string][]string{},
		}
		arcs, err := d.computeArcs(context.Background(), env, "drive", "drive", c.limit)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int32]float64{}
		for _, a := range arcs[0] {
			got[a.Demand] = a.Cost
		}
		if len(got) != len(c.want) {
			t.Errorf("within %g min: LSOAs %v, want %v", c.limit, got, c.want)
		}
		for i, w := range c.want {
			if m, ok := got[i]; !ok || math.Abs(m-w) > 1e-9 {
				t.Errorf("within %g min: %s at %v min (reached %v), want %v", c.limit, d.lsoas[i].code, m, ok, w)
			}
		}
	}
}

// An LSOA whose travel time cannot be measured is "not measured", never "beyond reach". The
// fixture plus L7 at (2700, 2000) in ward W2 (East), income-deprived 6: 2,000 m from the road along
// y = 0, beyond the 500 m snapping limit, so its walk time is unknown (lsoa_distance status 'too
// far from the network', as the access stage writes it); crow-fly it is measured, 3,859 m from H
// and at least 2,050 m (C) from any candidate, beyond 1,000 m. Worked by hand for "two" (k = 2,
// 10 minutes, B + C as in TestSitingStageKnownOptimum; L7 adds nothing either way), total 28:
//
//	mode  before  after  beyond before        beyond after  unmeasured  % before  % after
//	walk  5 (L6)  19     17 (L1-L5)           3 (L3)        6 (L7)      500/28    1900/28
//	crow  5       19     23 (L1-L5 and L7)    9 (L3, L7)    0           500/28    1900/28
//
// By ward, after: W2 (L4-L7) holds 18, 12 covered; L7's 6 is unmeasured by walking, beyond
// crow-fly. On the map L7 is grey (class -1) by walking, a red-outlined gap (3) crow-fly.
func TestSitingStageUnmeasured(t *testing.T) {
	for _, c := range []struct {
		mode                                  string
		beyondBefore, beyondAfter, unmeasured float64
		lsoasUnmeasured                       int
		l7Measured                            bool
		w2Beyond, w2Unmeasured                float64
		l7Class                               int
		noteWanted                            bool
	}{
		{"walk", 17, 3, 6, 1, false, 0, 6, sitingNotMeasured, true},
		{"crow", 23, 9, 0, 0, true, 6, 0, sitingGap, false},
	} {
		t.Run(c.mode, func(t *testing.T) {
			env, ctx := sitingFixture(t)
			must := func(q string, args ...any) {
				t.Helper()
				if _, err := env.DB.Exec(ctx, q, args...); err != nil {
					t.Fatal(err)
				}
			}
			must(`INSERT INTO core.lsoa (lsoa_code, area_role, geom, demand_x, demand_y, demand_source, ward_code) VALUES ('L7', 'area', ?, 2700, 2000, 'x', 'W2')`,
				datasets.EncodeWKB(square(2250, 1550, 3150, 2450)))
			must(`INSERT INTO analysis.lsoa_need VALUES ('L7', 'area', 'W2', 'East', 'Country', 2700, 2000, 6, 1, 12, 12)`)
			crow := math.Hypot(3300, 2000)
			must(`INSERT INTO analysis.lsoa_distance VALUES ('L7', 'area', 'crow', 'any', 'H', ?, ?, NULL, 'ok')`, crow, crow/100)
			must(`INSERT INTO analysis.lsoa_distance VALUES ('L7', 'area', 'walk', 'any', NULL, NULL, NULL, NULL, 'too far from the network')`)
			env.Config.Siting.Scenarios = []config.Scenario{{Name: "two", K: 2, Objective: "mclp", Mode: c.mode, Minutes: 10, Weight: "deprived_children"}}
			if err := Siting().Run(ctx, env); err != nil {
				t.Fatal(err)
			}
			var total, before, after, bb, ba, wu, pb, pa float64
			var lu int
			if err := env.DB.QueryRow(ctx, `SELECT weight_total, covered_before, covered_after, beyond_before, beyond_after, weight_unmeasured,
				lsoas_unmeasured, pct_before, pct_after FROM analysis.siting_scenarios WHERE scenario = 'two'`).Scan(&total, &before, &after, &bb, &ba, &wu, &lu, &pb, &pa); err != nil {
				t.Fatal(err)
			}
			if total != 28 || before != 5 || after != 19 || bb != c.beyondBefore || ba != c.beyondAfter || wu != c.unmeasured || lu != c.lsoasUnmeasured {
				t.Errorf("total %g before %g after %g beyond %g -> %g unmeasured %g in %d LSOAs; want 28, 5, 19, %g -> %g, %g in %d",
					total, before, after, bb, ba, wu, lu, c.beyondBefore, c.beyondAfter, c.unmeasured, c.lsoasUnmeasured)
			}
			approx(t, "pct_before", pb, 500.0/28)
			approx(t, "pct_after", pa, 1900.0/28)
			var measured, covB, covA bool
			if err := env.DB.QueryRow(ctx, `SELECT measured, covered_before, covered_after FROM analysis.siting_lsoa WHERE scenario = 'two' AND lsoa_code = 'L7'`).Scan(&measured, &covB, &covA); err != nil {
				t.Fatal(err)
			}
			if measured != c.l7Measured || covB || covA {
				t.Errorf("L7: measured %v covered %v -> %v; want measured %v, never covered", measured, covB, covA, c.l7Measured)
			}
			var wTot, wAfter, wBeyond, wUnm float64
			if err := env.DB.QueryRow(ctx, `SELECT weight_total, covered_after, coalesce(beyond_after, 0), coalesce(unmeasured, 0)
				FROM analysis.siting_by_ward WHERE scenario = 'two' AND ward_code = 'W2'`).Scan(&wTot, &wAfter, &wBeyond, &wUnm); err != nil {
				t.Fatal(err)
			}
			if wTot != 18 || wAfter != 12 || wBeyond != c.w2Beyond || wUnm != c.w2Unmeasured {
				t.Errorf("ward W2: total %g after %g beyond %g unmeasured %g; want 18, 12, %g, %g", wTot, wAfter, wBeyond, wUnm, c.w2Beyond, c.w2Unmeasured)
			}
			var locUnm float64
			if err := env.DB.QueryRow(ctx, `SELECT coalesce(unmeasured, 0) FROM analysis.siting_by_locality WHERE scenario = 'two' AND locality = 'Country'`).Scan(&locUnm); err != nil || locUnm != c.w2Unmeasured {
				t.Errorf("locality Country unmeasured %g (%v), want %g", locUnm, err, c.w2Unmeasured)
			}
			// The map: L7 grey when not measured; L3 a gap; L6 already within reach; L1 and L4 newly.
			polys, err := sitingMapLSOAs(ctx, env, "two")
			if err != nil {
				t.Fatal(err)
			}
			class := map[string]int{}
			for _, p := range polys {
				class[p.code] = p.class
			}
			want := map[string]int{"L1": sitingNewly, "L2": sitingNewly, "L3": sitingGap, "L4": sitingNewly, "L5": sitingNewly, "L6": sitingAlready, "L7": c.l7Class}
			if fmt.Sprint(class) != fmt.Sprint(want) {
				t.Errorf("map classes %v, want %v", class, want)
			}
			if err := drawSitingOutputs(ctx, env); err != nil {
				t.Fatal(err)
			}
			noted := strings.Contains(strings.Join(env.Notes, "\n"), `siting "two": 6 income-deprived children in 1 LSOA could not be measured by walk`)
			if noted != c.noteWanted {
				t.Errorf("note about the unmeasured LSOA: %v, want %v; notes:\n%s", noted, c.noteWanted, strings.Join(env.Notes, "\n"))
			}
		})
	}
}

// The siting map says how much of the scenario's weight could not be measured, in its weight,
// on the method's line under the map (the subtitle is one line and does not wrap).
func TestSitingUnmeasuredText(t *testing.T) {
	for _, c := range []struct {
		v    sitingView
		want string
	}{
		{sitingView{name: "drive 10 min, 2 satellites", weight: "children_0_15", mode: "drive", minutes: 10, lsoasUnmeasured: 1, weightUnmeasured: 163},
			"Grey: 163 children aged 0-15 (1 LSOA) not measured, off the drive network: not counted as within reach."},
		{sitingView{name: "w", weight: "deprived_children", mode: "walk", minutes: 20, lsoasUnmeasured: 2, weightUnmeasured: 1234.5},
			"Grey: 1,234.5 income-deprived children (2 LSOAs) not measured, off the walk network: not counted as within reach."},
		{sitingView{name: "w", weight: "deprived_children", mode: "walk", minutes: 20}, ""},
	} {
		if got := sitingUnmeasuredText(&c.v); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.v.name, got, c.want)
		}
	}
	v := sitingView{name: "d", weight: "children_0_15", mode: "drive", minutes: 10, method: "greedy+swap", optimal: true, lsoasUnmeasured: 1, weightUnmeasured: 163}
	env := &Env{Config: config.Default()}
	if got, want := strings.SplitN(sitingSourceLine(env, &v), "\n", 2)[0], "Method: greedy+swap; proven optimal. Grey: 163 children aged 0-15 (1 LSOA) not measured, off the drive network: not counted as within reach."; got != want {
		t.Errorf("source line\n got %q\nwant %q", got, want)
	}
}

// The pick checks (nearest hub, margin, sensitivity), worked by hand on the fixture with a second
// existing hub G, a network point at x = 4700: L5 (x = 3600) is then 11 minutes from G, just
// beyond the 10-minute threshold, and every LSOA's minutes now are min(|x − 6000|, |x − 4700|)/100:
// L1 47, L2 38, L3 29, L4 20, L5 11, L6 0.
//
// At 10 minutes (1,000 m) only L6 is covered; as in TestSitingStageKnownOptimum the best pair is
// B + C = 14 (B newly covers L1, L2; C covers L4, L5).
//   - nearest hub in a straight line: B (x = 450) G 4,250 m (H 5,550); C (x = 3150) G 1,550 m
//     (H 2,850);
//   - margin: B min(47, 38) − 10 = 28; C min(20, 11) − 10 = 1.
//
// At 8 minutes (800 m): A reaches only L3 (3), B L1 + L2 (7), C L4 + L5 (7): B + C = 14 again.
// At 12 minutes (1,200 m): G now covers L5; A reaches L2, L3, L4 (9), B L1, L2 (7), C only L4
// (3): A + B = 13, A + C = 9, B + C = 10, so the best pair is A + B = 13 and C drops out: the
// existing hub takes the LSOA that made C worth having.
//
// p-median (k = 1, cap 30): savings against min(now, 30): A 48 + 63 + 87 + 33 = 231, B 102 +
// 76.5 + 46.5 = 225, C 22.5 + 46.5 + 46.5 + 26 = 141.5, so A; it newly brings L2, L3, L4 within
// 10 minutes (margin min(38, 29, 20) − 10 = 10), nearest hub G at 2,900 m; no sensitivity run.
func TestSitingPickChecks(t *testing.T) {
	const gx = 4700.0
	for _, mode := range []string{"crow", "walk"} {
		t.Run(mode, func(t *testing.T) {
			env, ctx := sitingFixture(t, fixSite{"G", gx, "hub"})
			for _, l := range fixLSOAs {
				dh, dg := math.Abs(l.x-6000), math.Abs(l.x-gx)
				site, m := "H", dh
				if dg < dh {
					site, m = "G", dg
				}
				if _, err := env.DB.Exec(ctx, `UPDATE analysis.lsoa_distance SET site_id = ?, metres = ?, minutes = ? WHERE lsoa_code = ?`,
					site, m, m/100, l.code); err != nil {
					t.Fatal(err)
				}
			}
			env.Config.Siting.Scenarios = []config.Scenario{
				{Name: "two", K: 2, Objective: "mclp", Mode: mode, Minutes: 10, Weight: "deprived_children"},
				{Name: "pm", K: 1, Objective: "pmedian", Mode: mode, Minutes: 10, Weight: "deprived_children"},
			}
			if env.Config.Siting.SensitivityMinutes != 2 {
				t.Fatalf("default siting.sensitivity_minutes = %g, want 2", env.Config.Siting.SensitivityMinutes)
			}
			if err := Siting().Run(ctx, env); err != nil {
				t.Fatal(err)
			}
			type check struct {
				hub          string
				hubM, margin float64
				minus, plus  sql.NullBool
			}
			yes, no := sql.NullBool{Bool: true, Valid: true}, sql.NullBool{Valid: true}
			want := map[string]check{
				"two/B": {"G", 4250, 28, yes, yes},
				"two/C": {"G", 1550, 1, yes, no},
				"pm/A":  {"G", 2900, 10, sql.NullBool{}, sql.NullBool{}},
			}
			rows, err := env.DB.Query(ctx, `SELECT scenario, site_id, nearest_hub_site_id, nearest_hub_name, nearest_hub_m, margin_minutes,
				chosen_at_minus, chosen_at_plus FROM analysis.siting_choice`)
			if err != nil {
				t.Fatal(err)
			}
			seen := 0
			for rows.Next() {
				var sc, id, hub, hubName string
				var c check
				if err := rows.Scan(&sc, &id, &hub, &hubName, &c.hubM, &c.margin, &c.minus, &c.plus); err != nil {
					t.Fatal(err)
				}
				c.hub = hub
				w, ok := want[sc+"/"+id]
				if !ok {
					t.Errorf("%s chose %s, not in the hand working", sc, id)
					continue
				}
				seen++
				if c.hub != w.hub || hubName != "Site "+w.hub || math.Abs(c.hubM-w.hubM) > 1e-9 || math.Abs(c.margin-w.margin) > 1e-9 || c.minus != w.minus || c.plus != w.plus {
					t.Errorf("%s/%s: %+v (hub name %q), want %+v", sc, id, c, hubName, w)
				}
			}
			rows.Close()
			if seen != len(want) {
				t.Errorf("%d of the %d hand-worked picks found", seen, len(want))
			}
			var mm, vm, mp, vp sql.NullFloat64
			if err := env.DB.QueryRow(ctx, `SELECT minutes_minus, value_minus, minutes_plus, value_plus FROM analysis.siting_scenarios WHERE scenario = 'two'`).Scan(&mm, &vm, &mp, &vp); err != nil {
				t.Fatal(err)
			}
			if mm.Float64 != 8 || vm.Float64 != 14 || mp.Float64 != 12 || vp.Float64 != 13 {
				t.Errorf("sensitivity: %v min adds %v, %v min adds %v; want 8 → 14 and 12 → 13", mm, vm, mp, vp)
			}
			if err := env.DB.QueryRow(ctx, `SELECT minutes_plus, value_plus FROM analysis.siting_scenarios WHERE scenario = 'pm'`).Scan(&mp, &vp); err != nil || mp.Valid || vp.Valid {
				t.Errorf("p-median sensitivity: %v %v (%v), want NULL", mp, vp, err)
			}

			// Off: no re-solve, NULL columns; the nearest hub and margin stay.
			env.Config.Siting.SensitivityMinutes = 0
			if err := Siting().Run(ctx, env); err != nil {
				t.Fatal(err)
			}
			var n int
			var margin float64
			if err := env.DB.QueryRow(ctx, `SELECT count(*) FILTER (WHERE chosen_at_minus IS NOT NULL OR chosen_at_plus IS NOT NULL),
				max(margin_minutes) FILTER (WHERE site_id = 'C') FROM analysis.siting_choice`).Scan(&n, &margin); err != nil {
				t.Fatal(err)
			}
			if n != 0 || margin != 1 {
				t.Errorf("sensitivity off: %d rows with a sensitivity answer, C's margin %g; want 0 and 1", n, margin)
			}
			if err := env.DB.QueryRow(ctx, `SELECT value_plus FROM analysis.siting_scenarios WHERE scenario = 'two'`).Scan(&vp); err != nil || vp.Valid {
				t.Errorf("sensitivity off: value_plus %v (%v), want NULL", vp, err)
			}
		})
	}
}

// With no existing hub in the area, no LSOA has a time to one: a pick's margin is unbounded
// (NULL), and so are its nearest hub columns.
func TestSitingPickChecksNoHub(t *testing.T) {
	env, ctx := sitingFixture(t)
	if _, err := env.DB.Exec(ctx, `DELETE FROM core.site WHERE role = 'hub'`); err != nil {
		t.Fatal(err)
	}
	if _, err := env.DB.Exec(ctx, `UPDATE analysis.lsoa_distance SET site_id = NULL, metres = NULL, minutes = NULL, status = 'no site of this tier'`); err != nil {
		t.Fatal(err)
	}
	env.Config.Siting.Scenarios = []config.Scenario{{Name: "one", K: 1, Objective: "mclp", Mode: "crow", Minutes: 10, Weight: "deprived_children"}}
	if err := Siting().Run(ctx, env); err != nil {
		t.Fatal(err)
	}
	var id string
	var hub, hubName sql.NullString
	var hubM, margin sql.NullFloat64
	if err := env.DB.QueryRow(ctx, `SELECT site_id, nearest_hub_site_id, nearest_hub_name, nearest_hub_m, margin_minutes FROM analysis.siting_choice`).Scan(&id, &hub, &hubName, &hubM, &margin); err != nil {
		t.Fatal(err)
	}
	if hub.Valid || hubName.Valid || hubM.Valid || margin.Valid {
		t.Errorf("%s: hub %v %v %v, margin %v; want all NULL", id, hub, hubName, hubM, margin)
	}
}
