package queries

import (
	"context"
	"math"
	"testing"

	"hubreach/internal/store"
)

// needFixture builds core tables for four area LSOAs in two wards and one buffer LSOA.
//
//	LSOA  ward  score  IoD kids  File 8      ONS 0-15  ONS 0-4  IDACI rank  decile
//	L1    W1    0.30   100       -           110       30       100         1
//	L2    W1    -      200       40          210       60       5000        2
//	L3    W2    -      50        suppressed  55        10       20000       7
//	L4    W2    0.10   300       -           320       90       9000        3
//	B1    -     0.50   80        -           -         -        50          1   (buffer)
func needFixture(t *testing.T) (*store.DB, context.Context) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, table := range append(Tables("core"), Tables("raw")...) {
		if _, err := db.Exec(ctx, MustSQL(table)); err != nil {
			t.Fatal(table, err)
		}
	}
	stmts := []string{
		`INSERT INTO core.iod (lsoa_code, edition, idaci_score, idaci_rank, idaci_decile, idaci_numerator, idaci_numerator_suppressed, children_0_15) VALUES
			('L1', 2019, 0.30, 100, 1, NULL, NULL, 100),
			('L2', 2019, NULL, 5000, 2, 40, false, 200),
			('L3', 2019, NULL, 20000, 7, NULL, true, 50),
			('L4', 2019, 0.10, 9000, 3, NULL, NULL, 300),
			('B1', 2019, 0.50, 50, 1, NULL, NULL, 80)`,
		`INSERT INTO core.population VALUES
			('L1', 2019, 500, 30, 110, 130, 80), ('L2', 2019, 900, 60, 210, 250, 150),
			('L3', 2019, 300, 10, 55, 70, 45), ('L4', 2019, 1500, 90, 320, 400, 230)`,
		`INSERT INTO core.ward (ward_code, ward_name, area_role, geom) VALUES ('W1', 'North', 'area', ''::BLOB), ('W2', 'South', 'area', ''::BLOB)`,
		`INSERT INTO core.lsoa (lsoa_code, area_role, geom, demand_x, demand_y, demand_source, ward_code) VALUES
			('L1', 'area', ''::BLOB, 0, 0, 'x', 'W1'), ('L2', 'area', ''::BLOB, 0, 0, 'x', 'W1'),
			('L3', 'area', ''::BLOB, 0, 0, 'x', 'W2'), ('L4', 'area', ''::BLOB, 0, 0, 'x', 'W2'),
			('B1', 'buffer', ''::BLOB, 0, 0, 'x', NULL)`,
	}
	for _, s := range stmts {
		if _, err := db.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range []string{"analysis.lsoa_need", "analysis.ward_profile"} {
		if _, err := db.Exec(ctx, MustSQL(table)); err != nil {
			t.Fatal(table, err)
		}
	}
	return db, ctx
}

func TestLSOANeedByHand(t *testing.T) {
	db, ctx := needFixture(t)
	want := map[string]struct {
		deprived float64
		method   string
		kids     float64
		rank     any
	}{
		"L1": {30, "score x IoD denominator", 110, int64(1)}, // 0.30 x 100
		"L2": {40, "File 8 numerator", 210, int64(2)},
		"L3": {5, "File 8 suppressed", 55, int64(4)},         // suppressed (<10): midpoint 5
		"L4": {30, "score x IoD denominator", 320, int64(3)}, // 0.10 x 300
		"B1": {40, "score x IoD denominator", 80, nil},       // buffer: no ONS row, IoD denominator; no area rank
	}
	rows, err := db.Query(ctx, `SELECT lsoa_code, deprived_children, deprived_children_method, children_0_15, area_rank FROM analysis.lsoa_need`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var code, method string
		var dep, kids float64
		var rank any
		if err := rows.Scan(&code, &dep, &method, &kids, &rank); err != nil {
			t.Fatal(err)
		}
		n++
		w := want[code]
		if math.Abs(dep-w.deprived) > 1e-9 || method != w.method || kids != w.kids || rank != w.rank {
			t.Errorf("%s: deprived %v (%s) kids %v rank %v; want %v (%s) %v %v", code, dep, method, kids, rank, w.deprived, w.method, w.kids, w.rank)
		}
	}
	if n != 5 {
		t.Errorf("%d rows, want 5", n)
	}
}

func TestWardProfileByHand(t *testing.T) {
	db, ctx := needFixture(t)
	type row struct {
		lsoas                    int64
		kids, kids04, deprived   float64
		approx                   int64
		score                    float64
		d10, d30                 int64
		share30, deprivedShare   float64
		leagueCount, leagueShare int64
	}
	want := map[string]row{
		// W1: L1 + L2. kids (ONS) 110+210 = 320; deprived 30+40 = 70; weighted score over scored LSOAs
		// only, by the IoD denominator: 0.30x100/100 = 0.30; decile 1: L1; <= 3: both, so 320 children,
		// share 1; deprived share over the IoD denominators 100+200: 70/300.
		"W1": {2, 320, 90, 70, 1, 0.30, 1, 2, 1, 70.0 / 300, 1, 1},
		// W2: L3 + L4. kids 55+320 = 375; deprived 5+30 = 35; score 0.10x300/300 = 0.10; <= 3: L4 only,
		// 320/375; deprived share 35/(50+300) = 0.1.
		"W2": {2, 375, 100, 35, 1, 0.10, 0, 1, 320.0 / 375, 0.1, 2, 2},
	}
	rows, err := db.Query(ctx, `SELECT ward_code, lsoas, children_0_15, children_0_4, deprived_children, lsoas_deprived_approximate,
		idaci_score_weighted, lsoas_idaci_most_deprived_10, lsoas_idaci_most_deprived_30, share_children_in_most_deprived_30,
		deprived_share, league_rank_deprived_children, league_rank_deprived_share FROM analysis.ward_profile`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var code string
		var r row
		if err := rows.Scan(&code, &r.lsoas, &r.kids, &r.kids04, &r.deprived, &r.approx, &r.score, &r.d10, &r.d30, &r.share30, &r.deprivedShare, &r.leagueCount, &r.leagueShare); err != nil {
			t.Fatal(err)
		}
		n++
		w := want[code]
		close := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
		if r.lsoas != w.lsoas || !close(r.kids, w.kids) || !close(r.kids04, w.kids04) || !close(r.deprived, w.deprived) || r.approx != w.approx ||
			!close(r.score, w.score) || r.d10 != w.d10 || r.d30 != w.d30 || !close(r.share30, w.share30) || !close(r.deprivedShare, w.deprivedShare) ||
			r.leagueCount != w.leagueCount || r.leagueShare != w.leagueShare {
			t.Errorf("%s:\n got %+v\nwant %+v", code, r, w)
		}
	}
	if n != 2 {
		t.Errorf("%d wards, want 2", n)
	}
}
