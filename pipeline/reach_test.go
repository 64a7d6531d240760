package pipeline

import (
	"context"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"hubreach/config"
	"hubreach/internal/store"
)

// reachFixture is a hand-made area of four LSOAs (A, B in ward W1; C, D in ward W2) and a
// buffer LSOA Z, two hubs H1 (plus) and H2 (satellite), and 21 contacts of 14 children in
// 2024, run on 2025-01-10 for the period 2024-04-01 to 2024-12-31, age band 0-4:
//
//	LSOA  ward  locality  decile  children 0-4  crow minutes to nearest hub
//	A     W1    North     1       20            3
//	B     W1    North     2       40            12
//	C     W2    South     5       50            22
//	D     W2    (none)    9       10            7
//
//	c1   A 05-01 Stay H1 10m; A 06-01 Stay H1 11m; A 07-01 Health H2 12m   3 counted, repeat
//	c2   A 05-02 Stay H1 30m                                              1 counted
//	c3   B 04-10 Health H1 5m; C 10-01 Health H1 11m (moved: counts in C)  2 counted, repeat
//	c4   B 05-01 Stay H1 58m; B 08-01 Stay H1 61m (aged out)               1 counted, 1 age
//	c5   C 06-01 Stay H1 62m                                              1 age (not reached)
//	c6   C 2024-03-15 Stay H2 20m (before the period); C 05-05 Stay H2 21m 1 counted, 1 period
//	c7   D 2025-02-01 (after the run date)                                1 future
//	c8   unknown LSOA E01999999                                           1 unknown_lsoa
//	c9   no LSOA                                                          1 no_lsoa
//	c10  buffer LSOA Z                                                    1 buffer
//	c11  D 06-01 Parenting X99 40m; D 07-01 Parenting (no venue) 41m      2 counted, repeat; unknown_venue, no_venue
//	c12  C 06-01, age missing                                             1 no_age
//	c13  C 06-02 Health H1 0m, twice                                      2 counted, repeat
//	c14  D 12-31 Stay H2 3m (last day of the period)                      1 counted
//
// Worked by hand: children A 2 (c1 c2), B 1 (c4), C 3 (c3 c6 c13), D 2 (c11 c14) = 8;
// seen more than once A 1, B 0, C 2, D 1 = 4; contacts A 4, B 1, C 5, D 3 = 13.
func reachFixture(t *testing.T, threshold, roundTo int) *Env {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.Area.Name, cfg.Area.Title = "fixture", "Fixture"
	cfg.ServiceUse = config.ServiceUse{PeriodStart: "2024-04-01", PeriodEnd: "2024-12-31", AgeBand: "0-4"}
	cfg.Disclosure = config.Disclosure{Threshold: threshold, RoundTo: roundTo}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{"core.lsoa", "core.site", "core.ward", "core.contact", "core.population", "analysis.lsoa_distance", "analysis.lsoa_site_time"} {
		if _, err := db.Exec(ctx, mustSQL(q)); err != nil {
			t.Fatal(q, err)
		}
	}
	square := func(x, y, r float64) []byte {
		b, err := wkb.Marshal(orb.MultiPolygon{{{{x - r, y - r}, {x + r, y - r}, {x + r, y + r}, {x - r, y + r}, {x - r, y - r}}}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, q, args...); err != nil {
			t.Fatal(q, err)
		}
	}
	exec(`CREATE TABLE analysis.lsoa_need (lsoa_code VARCHAR, lsoa_name VARCHAR, area_role VARCHAR, ward_code VARCHAR, ward_name VARCHAR,
		locality VARCHAR, idaci_decile INTEGER, children_0_4 DOUBLE, children_0_15 DOUBLE, children_0_19 DOUBLE, children_source VARCHAR)`)
	for i, l := range []struct {
		code, role, ward, wardName string
		locality                   any
		decile                     int
		children                   float64
		minutes                    float64
	}{
		{"A", "area", "W1", "Ward one", "North", 1, 20, 3}, {"B", "area", "W1", "Ward one", "North", 2, 40, 12},
		{"C", "area", "W2", "Ward two", "South", 5, 50, 22}, {"D", "area", "W2", "Ward two", nil, 9, 10, 7},
		{"Z", "buffer", "W9", "Next door", nil, 3, 30, 9},
	} {
		x := float64(i) * 1000
		exec(`INSERT INTO core.lsoa (lsoa_code, lsoa_name, area_role, geom, demand_x, demand_y, demand_source, ward_code) VALUES (?, ?, ?, ?, ?, 0, 'interior point', ?)`,
			l.code, "LSOA "+l.code, l.role, square(x, 0, 500), x, l.ward)
		exec(`INSERT INTO analysis.lsoa_need VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ONS mid-2022')`, l.code, "LSOA "+l.code, l.role, l.ward, l.wardName, l.locality, l.decile, l.children, 3*l.children, 4*l.children)
		exec(`INSERT INTO analysis.lsoa_distance VALUES (?, ?, 'crow', 'any', 'H1', 0, ?, 0, 'ok')`, l.code, l.role, l.minutes)
	}
	exec(`INSERT INTO core.population (lsoa_code, year) VALUES ('A', 2022)`)
	exec(`INSERT INTO core.ward (ward_code, ward_name, area_role, geom) VALUES ('W1', 'Ward one', 'area', ?), ('W2', 'Ward two', 'area', ?)`,
		square(500, 0, 1000), square(2500, 0, 1000))
	exec(`INSERT INTO core.site (site_id, name, role, tier, x, y, location_from) VALUES
		('H1', 'Hub one', 'hub', 'plus', 0, 0, 'easting/northing'), ('H2', 'Hub two', 'hub', 'satellite', 2000, 0, 'easting/northing'),
		('K1', 'Library', 'candidate', NULL, 1000, 0, 'easting/northing')`)
	for _, s := range []struct {
		lsoa, site string
		minutes    float64
	}{{"A", "H1", 3}, {"A", "H2", 10}, {"B", "H1", 12}, {"B", "H2", 20}, {"C", "H1", 22}, {"C", "H2", 8}, {"D", "H1", 15}, {"D", "H2", 7}} {
		exec(`INSERT INTO analysis.lsoa_site_time VALUES (?, ?, 'crow', 0, ?, 'ok')`, s.lsoa, s.site, s.minutes)
	}
	for _, c := range []struct {
		person, date, service string
		venue, lsoa, age      any
	}{
		{"c1", "2024-05-01", "Stay and play", "H1", "A", 10}, {"c1", "2024-06-01", "Stay and play", "H1", "A", 11}, {"c1", "2024-07-01", "Health visiting", "H2", "A", 12},
		{"c2", "2024-05-02", "Stay and play", "H1", "A", 30},
		{"c3", "2024-04-10", "Health visiting", "H1", "B", 5}, {"c3", "2024-10-01", "Health visiting", "H1", "C", 11},
		{"c4", "2024-05-01", "Stay and play", "H1", "B", 58}, {"c4", "2024-08-01", "Stay and play", "H1", "B", 61},
		{"c5", "2024-06-01", "Stay and play", "H1", "C", 62},
		{"c6", "2024-03-15", "Stay and play", "H2", "C", 20}, {"c6", "2024-05-05", "Stay and play", "H2", "C", 21},
		{"c7", "2025-02-01", "Stay and play", "H2", "D", 5},
		{"c8", "2024-05-01", "Stay and play", "H1", "E01999999", 5},
		{"c9", "2024-05-01", "Stay and play", "H1", nil, 5},
		{"c10", "2024-05-01", "Stay and play", "H1", "Z", 5},
		{"c11", "2024-06-01", "Parenting", "X99", "D", 40}, {"c11", "2024-07-01", "Parenting", nil, "D", 41},
		{"c12", "2024-06-01", "Stay and play", "H1", "C", nil},
		{"c13", "2024-06-02", "Health visiting", "H1", "C", 0}, {"c13", "2024-06-02", "Health visiting", "H1", "C", 0},
		{"c14", "2024-12-31", "Stay and play", "H2", "D", 3},
	} {
		exec(`INSERT INTO core.contact (person_id, contact_date, service, venue_id, home_lsoa, child_age_months) VALUES (?, ?::DATE, ?, ?, ?, ?)`,
			c.person, c.date, c.service, c.venue, c.lsoa, c.age)
	}
	return &Env{Config: cfg, DB: db, Dir: t.TempDir(), Progress: Quiet{}, Now: time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC)}
}

// reachRows reads "key -> [columns...]" from a query whose first column is the key.
func reachRows(t *testing.T, env *Env, q string) map[string][]any {
	t.Helper()
	rows, err := env.DB.Query(context.Background(), q)
	if err != nil {
		t.Fatal(q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	out := map[string][]any{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		key := "<nil>"
		if vals[0] != nil {
			key = toString(vals[0])
		}
		out[key] = vals[1:]
	}
	return out
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int32:
		return itoa(int64(x))
	case int64:
		return itoa(x)
	}
	return "?"
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// check compares a row's values with the hand-worked ones (nil = NULL; floats to 1e-9).
func check(t *testing.T, what string, got []any, want ...any) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d columns %v, want %d %v", what, len(got), got, len(want), want)
		return
	}
	for i := range want {
		g, w := got[i], want[i]
		switch wv := w.(type) {
		case nil:
			if g != nil {
				t.Errorf("%s column %d: %v, want NULL", what, i, g)
			}
		case float64:
			gf, ok := g.(float64)
			if !ok || math.Abs(gf-wv) > 1e-9 {
				t.Errorf("%s column %d: %v, want %v", what, i, g, wv)
			}
		case int:
			var gi int64
			switch x := g.(type) {
			case int64:
				gi = x
			case int32:
				gi = int64(x)
			default:
				t.Errorf("%s column %d: %v (%T), want %d", what, i, g, g, wv)
				continue
			}
			if gi != int64(wv) {
				t.Errorf("%s column %d: %d, want %d", what, i, gi, wv)
			}
		default:
			if g != w {
				t.Errorf("%s column %d: %v, want %v", what, i, g, w)
			}
		}
	}
}

// Threshold 1: no suppression, every figure as worked by hand above.
func TestReachByHand(t *testing.T) {
	env := reachFixture(t, 1, 0)
	ctx := context.Background()
	if err := Reach().Run(ctx, env); err != nil {
		t.Fatal(err)
	}
	lsoa := reachRows(t, env, `SELECT lsoa_code, children_in_band, children_reached, children_reached_text, reach_pct, suppressed FROM analysis.reach_by_lsoa`)
	if len(lsoa) != 4 {
		t.Errorf("reach_by_lsoa has %d rows, want the 4 area LSOAs", len(lsoa))
	}
	check(t, "LSOA A", lsoa["A"], 20.0, 2, "2", 10.0, false)
	check(t, "LSOA B", lsoa["B"], 40.0, 1, "1", 2.5, false)
	check(t, "LSOA C", lsoa["C"], 50.0, 3, "3", 6.0, false)
	check(t, "LSOA D", lsoa["D"], 10.0, 2, "2", 20.0, false)

	ward := reachRows(t, env, `SELECT ward_code, lsoas, children_in_band, children_reached, reach_pct, contacts, contacts_per_child FROM analysis.reach_by_ward`)
	check(t, "ward W1", ward["W1"], 2, 60.0, 3, 5.0, 5, 5.0/3)
	check(t, "ward W2", ward["W2"], 2, 60.0, 5, 100*5.0/60, 8, 8.0/5)

	loc := reachRows(t, env, `SELECT locality, lsoas, children_reached, contacts FROM analysis.reach_by_locality`)
	check(t, "North", loc["North"], 2, 3, 5)
	check(t, "South", loc["South"], 1, 3, 5)
	check(t, "no locality", loc["<nil>"], 1, 2, 3)

	dec := reachRows(t, env, `SELECT idaci_decile, children_reached, reach_pct, contacts, contacts_per_child, children_seen_more_than_once, pct_seen_more_than_once
		FROM analysis.reach_by_decile`)
	check(t, "decile 1", dec["1"], 2, 10.0, 4, 2.0, 1, 50.0)
	check(t, "decile 2", dec["2"], 1, 2.5, 1, 1.0, 0, 0.0)
	check(t, "decile 5", dec["5"], 3, 6.0, 5, 5.0/3, 2, 200.0/3)
	check(t, "decile 9", dec["9"], 2, 20.0, 3, 1.5, 1, 50.0)

	dep := reachRows(t, env, `SELECT lsoa_group, children_in_band, children_reached, reach_pct, contacts, children_seen_more_than_once, pct_seen_more_than_once
		FROM analysis.reach_by_deprivation`)
	check(t, "most deprived 30%", dep["most deprived 30%"], 60.0, 3, 5.0, 5, 1, 100.0/3)
	check(t, "other", dep["other LSOAs"], 60.0, 5, 100*5.0/60, 8, 3, 60.0)
	check(t, "whole area", dep["whole area"], 120.0, 8, 100*8.0/120, 13, 4, 50.0)

	svc := reachRows(t, env, `SELECT service, children_reached, reach_pct, contacts FROM analysis.reach_by_service`)
	check(t, "Stay and play", svc["Stay and play"], 5, 100*5.0/120, 6)
	check(t, "Health visiting", svc["Health visiting"], 3, 100*3.0/120, 5)
	check(t, "Parenting", svc["Parenting"], 1, 100*1.0/120, 2)

	ven := reachRows(t, env, `SELECT venue_id, venue_name, tier, children_reached, contacts FROM analysis.reach_by_venue`)
	check(t, "H1", ven["H1"], "Hub one", "plus", 5, 8)
	check(t, "H2", ven["H2"], "Hub two", "satellite", 3, 3)
	check(t, "unknown venue", ven["(not a known site)"], nil, nil, 1, 1)
	check(t, "no venue", ven["(venue not recorded)"], nil, nil, 1, 1)

	ex := reachRows(t, env, `SELECT reason, contacts FROM analysis.reach_exclusions WHERE stage = 'reach'`)
	for reason, n := range map[string]int{
		"contact date after the run date (2025-01-10)":             1,
		"contact date outside the period 2024-04-01 to 2024-12-31": 1,
		"home LSOA missing": 1,
		"home LSOA not an LSOA of the area or its neighbour buffer":                   1,
		"home LSOA outside the area (neighbour buffer): not in the area's population": 1,
		"child's age at the contact missing":                                          1,
		"child aged 60 months or more at the contact (outside the 0-4 band)":          2,
		"venue missing":                    1,
		"venue is not a site in core.site": 1,
	} {
		check(t, reason, ex[reason], n)
	}

	// Nearest hub, crow: bins [0,5) A, [5,10) D, [10,15) B, [20,25) C.
	rows := reachRows(t, env, `SELECT CAST(minutes_from AS VARCHAR), units, children_in_band, children_reached, reach_pct, mean_minutes FROM analysis.distance_decay WHERE row_type = 'bin'`)
	if len(rows) != 4 {
		t.Errorf("distance_decay: %d bins, want 4", len(rows))
	}
	check(t, "decay 0-5", rows["0.0"], 1, 20.0, 2, 10.0, 3.0)
	check(t, "decay 5-10", rows["5.0"], 1, 10.0, 2, 20.0, 7.0)
	check(t, "decay 10-15", rows["10.0"], 1, 40.0, 1, 2.5, 12.0)
	check(t, "decay 20-25", rows["20.0"], 1, 50.0, 3, 6.0, 22.0)
	// Venue used, pairs by the home given at the contact: [0,5) A-H1 2/20; [5,10) C-H2 1/50 + D-H2
	// 1/10; [10,15) A-H2 1/20 + B-H1 2/40 (c4, and c3 while in B); [15,20) D-H1 0/10; [20,25) B-H2
	// 0/40 + C-H1 2/50 (c3 after the move, c13). Unknown and missing venues (c11) are left out.
	v := reachRows(t, env, `SELECT CAST(minutes_from AS VARCHAR), units, children_in_band, children_reached, mean_minutes FROM analysis.distance_decay_venue WHERE row_type = 'bin'`)
	check(t, "venue 0-5", v["0.0"], 1, 20.0, 2, 3.0)
	check(t, "venue 5-10", v["5.0"], 2, 60.0, 2, (50*8.0+10*7)/60)
	check(t, "venue 10-15", v["10.0"], 2, 60.0, 3, (20*10.0+40*12)/60)
	check(t, "venue 15-20", v["15.0"], 1, 10.0, 0, 15.0)
	check(t, "venue 20-25", v["20.0"], 2, 90.0, 2, (40*20.0+50*22)/90)

	// The fit: one row per mode with a and b; the curve reads back through ReadDecayCurve.
	var a, b, r2 float64
	var units int
	if err := env.DB.QueryRow(ctx, `SELECT a, b, r2, units FROM analysis.distance_decay WHERE row_type = 'fit' AND mode = 'crow'`).Scan(&a, &b, &r2, &units); err != nil {
		t.Fatal(err)
	}
	c, err := ReadDecayCurve(ctx, env.DB, "crow")
	if err != nil || c.A != a || c.B != b || units != 4 || !(a > 0) {
		t.Errorf("ReadDecayCurve = %+v, %v; table a %g b %g over %d LSOAs", c, err, a, b, units)
	}
	if _, err := ReadDecayCurve(ctx, env.DB, "drive"); err == nil {
		t.Error("a curve for a mode that was not fitted")
	}
	// Private counts stay private: nothing of the reach stage's own in analysis.* holds a person id.
	for _, tbl := range []string{"reach_contact", "reach_child", "reach_pair_counts"} {
		if ok, _ := env.DB.TableExists(ctx, "analysis", tbl); ok {
			t.Errorf("analysis.%s exists: private data would be exported", tbl)
		}
	}
}

// Threshold 3 on the same fixture, worked by hand:
//   - LSOAs A 2, B 1, D 2 are small ("<3"); in ward W2 D would be 5 − 3 = 2, so C (3) is
//     withheld too ("[c]"); W1 = 3 and W2 = 5 are published (A and B together: 3).
//   - locality South is C alone: with C withheld its total would give C away, so it goes ("[c]").
//   - decile 5 is C alone: withheld for the same reason; deciles 1, 2 and 9 are small.
//   - contacts by service: Parenting 2 is small; the next-smallest, Health visiting 5, is withheld
//     so that 13 − 6 does not give it away; Stay and play 6 is published.
//   - contacts by venue: not recorded 1 and unknown 1 are small and sum to 2 (< 3): the
//     next-smallest, H2 3, is withheld as well; H1 8 published.
//   - nearest-hub bins are single LSOAs: C's bin (3) is withheld with C.
//   - contacts by decile are A 4, B 1, C 5, D 3 (each decile is one LSOA). Decile 2's 1 is small;
//     across the deciles (total 13) the next-smallest, decile 9's 3, is withheld. The deprivation
//     groups are sums of deciles, so they are margins too: most deprived 30% (published 5) is
//     deciles 1 + 2, so decile 1's 4 is withheld, or 5 − 4 would give decile 2's 1 away (before
//     these equations were declared, decile 1 was published as 4 and decile 2 could be worked
//     out); other LSOAs (8) is deciles 5 + 9, and with 9 withheld alone decile 5's 5 goes too.
//   - a locality that is the same LSOAs as a decile has the same contacts: South is C, like
//     decile 5, and "no locality" is D, like decile 9, so both are withheld ("[c]"); North (A and
//     B) is 5, published like ward W1. Ward W2 (C and D) is the "other LSOAs" group: 8, published.
//   - the linear-programming audit then finds no small count that the published tables together
//     narrow down (e.g. decile 2's contacts: deciles 1 + 2 = 5 with both withheld, so anything
//     from 0 to 5), so it withholds nothing more.
func TestReachSuppressionByHand(t *testing.T) {
	env := reachFixture(t, 3, 0)
	ctx := context.Background()
	if err := Reach().Run(ctx, env); err != nil {
		t.Fatal(err)
	}
	lsoa := reachRows(t, env, `SELECT lsoa_code, children_reached, children_reached_text, reach_pct, suppressed FROM analysis.reach_by_lsoa`)
	check(t, "A", lsoa["A"], nil, "<3", nil, true)
	check(t, "B", lsoa["B"], nil, "<3", nil, true)
	check(t, "C", lsoa["C"], nil, "[c]", nil, true)
	check(t, "D", lsoa["D"], nil, "<3", nil, true)
	ward := reachRows(t, env, `SELECT ward_code, children_reached_text, contacts_text FROM analysis.reach_by_ward`)
	check(t, "W1", ward["W1"], "3", "5")
	check(t, "W2", ward["W2"], "5", "8")
	loc := reachRows(t, env, `SELECT locality, children_reached_text FROM analysis.reach_by_locality`)
	check(t, "North", loc["North"], "3")
	check(t, "South", loc["South"], "[c]")
	check(t, "no locality", loc["<nil>"], "<3")
	dec := reachRows(t, env, `SELECT idaci_decile, children_reached_text, reach_pct FROM analysis.reach_by_decile`)
	check(t, "decile 1", dec["1"], "<3", nil)
	check(t, "decile 2", dec["2"], "<3", nil)
	check(t, "decile 5", dec["5"], "[c]", nil)
	check(t, "decile 9", dec["9"], "<3", nil)
	decCo := reachRows(t, env, `SELECT idaci_decile, contacts, contacts_text FROM analysis.reach_by_decile`)
	check(t, "decile 1 contacts", decCo["1"], nil, "[c]")
	check(t, "decile 2 contacts", decCo["2"], nil, "<3")
	check(t, "decile 5 contacts", decCo["5"], nil, "[c]")
	check(t, "decile 9 contacts", decCo["9"], nil, "[c]")
	depCo := reachRows(t, env, `SELECT lsoa_group, contacts_text FROM analysis.reach_by_deprivation`)
	check(t, "most deprived contacts", depCo["most deprived 30%"], "5")
	check(t, "other LSOAs contacts", depCo["other LSOAs"], "8")
	locCo := reachRows(t, env, `SELECT locality, contacts_text FROM analysis.reach_by_locality`)
	check(t, "North contacts", locCo["North"], "5")
	check(t, "South contacts", locCo["South"], "[c]")
	check(t, "no locality contacts", locCo["<nil>"], "[c]")
	audited := false
	for _, n := range env.Notes {
		if strings.HasPrefix(n, "reach: disclosure audit:") {
			audited = true
			if !strings.Contains(n, "the audit withheld 0 more counts") {
				t.Errorf("audit note %q: want nothing more withheld", n)
			}
		}
	}
	if !audited {
		t.Error("no note on the disclosure audit")
	}
	svc := reachRows(t, env, `SELECT service, contacts, contacts_text FROM analysis.reach_by_service`)
	check(t, "Parenting", svc["Parenting"], nil, "<3")
	check(t, "Health visiting", svc["Health visiting"], nil, "[c]")
	check(t, "Stay and play", svc["Stay and play"], 6, "6")
	ven := reachRows(t, env, `SELECT venue_id, contacts_text FROM analysis.reach_by_venue`)
	check(t, "H1", ven["H1"], "8")
	check(t, "H2", ven["H2"], "[c]")
	check(t, "unknown", ven["(not a known site)"], "<3")
	check(t, "none", ven["(venue not recorded)"], "<3")
	bins := reachRows(t, env, `SELECT CAST(minutes_from AS VARCHAR), children_reached_text FROM analysis.distance_decay WHERE row_type = 'bin'`)
	check(t, "bin of C", bins["20.0"], "[c]")
	check(t, "bin of A", bins["0.0"], "<3")
}

// Rounding to 5 with threshold 1: published counts are rounded and rates use the rounded count.
func TestReachRounding(t *testing.T) {
	env := reachFixture(t, 1, 5)
	if err := Reach().Run(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	dep := reachRows(t, env, `SELECT lsoa_group, children_reached, reach_pct, contacts FROM analysis.reach_by_deprivation`)
	check(t, "whole area", dep["whole area"], 10, 100*10.0/120, 15) // 8 -> 10, 13 -> 15
	check(t, "most deprived", dep["most deprived 30%"], 5, 100*5.0/60, 5)
}
