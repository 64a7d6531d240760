package queries

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"hubreach/internal/store"
)

// laFixture: a "nation" of exactly 100 LSOAs, so percentile = rank (ceil(100 x rank / 100)), and
// the reversed rank is 101 - rank. Authorities (IDACI rank : children 0-15 weight : score):
//
//	A: 5:100:0.5  11:200:0.4  20:300:0.3  31:400:0.1     (in county X)
//	B: 2:50  3:50  50:500  (no scores)                   (in county X)
//	C: 7:100  7:100  90:800                              (tied ranks; unitary)
//	D: 7:100  7:100  90:800                              (identical to C: a tie between authorities)
//	Z: the other 87 LSOAs, ranks 1,4,6,8..., weight 10 each
//
// IMD uses the same ranks with total population = 2 x children, so IMD measures equal IDACI ones.
func laFixture(t *testing.T) (*store.DB, context.Context) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, table := range []string{"core.iod", "core.la_hierarchy"} {
		if _, err := db.Exec(ctx, MustSQL(table)); err != nil {
			t.Fatal(err)
		}
	}
	type l struct {
		la    string
		rank  int
		w     float64
		score string
	}
	rows := []l{
		{"A", 5, 100, "0.5"}, {"A", 11, 200, "0.4"}, {"A", 20, 300, "0.3"}, {"A", 31, 400, "0.1"},
		{"B", 2, 50, "NULL"}, {"B", 3, 50, "NULL"}, {"B", 50, 500, "NULL"},
		{"C", 7, 100, "NULL"}, {"C", 7, 100, "NULL"}, {"C", 90, 800, "NULL"},
		{"D", 7, 100, "NULL"}, {"D", 7, 100, "NULL"}, {"D", 90, 800, "NULL"},
	}
	used := map[int]bool{5: true, 11: true, 20: true, 31: true, 2: true, 3: true, 50: true, 7: true, 90: true}
	for r := 1; len(rows) < 100; r++ {
		if !used[r] {
			rows = append(rows, l{"Z", r, 10, "NULL"})
		}
	}
	var vals []string
	for i, r := range rows {
		decile := (r.rank-1)/10 + 1 // N = 100: decile d = ranks up to 10 d
		vals = append(vals, fmt.Sprintf("('L%03d', '%s', 'LA %s', 2019, %d, %d, %s, %d, %d, %g, %g)",
			i, r.la, r.la, r.rank, decile, r.score, r.rank, decile, r.w, 2*r.w))
	}
	q := `INSERT INTO core.iod (lsoa_code, lad_code, lad_name, edition, idaci_rank, idaci_decile, idaci_score, imd_rank, imd_decile, children_0_15, pop_total) VALUES ` + strings.Join(vals, ",")
	if _, err := db.Exec(ctx, q); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO core.la_hierarchy VALUES ('A', 'LA A', 'X', 'County X'), ('B', 'LA B', 'X', 'County X')`); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"analysis.la_summary", "analysis.la_summary_ltla", "analysis.la_summary_utla"} {
		if _, err := db.Exec(ctx, MustSQL(table)); err != nil {
			t.Fatal(table, err)
		}
	}
	return db, ctx
}

type laRow struct {
	avgRank, extent, lc, prop float64
	avgScore                  *float64
	avgRankRank, lcRank       int64
}

func readLA(t *testing.T, db *store.DB, ctx context.Context, table string) map[string]laRow {
	t.Helper()
	rows, err := db.Query(ctx, `SELECT la_code, idaci_avg_rank, idaci_extent, idaci_local_concentration, idaci_prop_most_deprived_10,
		idaci_avg_score, idaci_avg_rank_rank, idaci_local_concentration_rank, imd_avg_rank, imd_extent, imd_local_concentration FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]laRow{}
	for rows.Next() {
		var code string
		var r laRow
		var imdAvg, imdExt, imdLC float64
		if err := rows.Scan(&code, &r.avgRank, &r.extent, &r.lc, &r.prop, &r.avgScore, &r.avgRankRank, &r.lcRank, &imdAvg, &imdExt, &imdLC); err != nil {
			t.Fatal(err)
		}
		if imdAvg != r.avgRank || imdExt != r.extent || imdLC != r.lc {
			t.Errorf("%s: IMD measures (%v %v %v) differ from IDACI (%v %v %v) on identical ranks and proportional weights", code, imdAvg, imdExt, imdLC, r.avgRank, r.extent, r.lc)
		}
		out[code] = r
	}
	return out
}

func TestLASummaryByHand(t *testing.T) {
	db, ctx := laFixture(t)
	got := readLA(t, db, ctx, "analysis.la_summary_ltla")
	score := 0.26
	want := map[string]laRow{
		// A: reversed ranks 96, 90, 81, 70; (96x100 + 90x200 + 81x300 + 70x400) / 1000 = 79900 / 1000.
		// Extent: pct 5 -> 1; 11 -> 0.95; 20 -> 0.95 - 0.9/19 x 9; 31 -> 0.
		// LC: 10% of 1000 = 100 = exactly the rank-5 LSOA -> 96.
		// Score (0.5x100 + 0.4x200 + 0.3x300 + 0.1x400) / 1000 = 0.26. Decile 1: one LSOA of four.
		"A": {avgRank: 79.9, extent: (100 + 200*0.95 + 300*(0.95-0.9/19*9)) / 1000, lc: 96, prop: 0.25, avgScore: &score},
		// B: (99x50 + 98x50 + 51x500) / 600 = 35350/600. Extent (50 + 50) / 600.
		// LC: 10% of 600 = 60: rank 2 gives all 50, rank 3 the 10 still needed: (99x50 + 98x10) / 60.
		"B": {avgRank: 35350.0 / 600, extent: 100.0 / 600, lc: (99*50 + 98*10) / 60.0, prop: 2.0 / 3},
		// C and D: (94x100 + 94x100 + 11x800) / 1000 = 27600/1000; LC: the first tied LSOA holds 100 = 10%.
		"C": {avgRank: 27.6, extent: 0.2, lc: 94, prop: 2.0 / 3},
		"D": {avgRank: 27.6, extent: 0.2, lc: 94, prop: 2.0 / 3},
	}
	for code, w := range want {
		g, ok := got[code]
		if !ok {
			t.Errorf("%s missing", code)
			continue
		}
		if !near(g.avgRank, w.avgRank) || !near(g.extent, w.extent) || !near(g.lc, w.lc) || !near(g.prop, w.prop) {
			t.Errorf("%s: got avg rank %.6f extent %.6f LC %.6f prop %.6f; want %.6f %.6f %.6f %.6f", code, g.avgRank, g.extent, g.lc, g.prop, w.avgRank, w.extent, w.lc, w.prop)
		}
		if (w.avgScore == nil) != (g.avgScore == nil) || (w.avgScore != nil && !near(*g.avgScore, *w.avgScore)) {
			t.Errorf("%s: avg score %v, want %v (NULL unless every LSOA has a score)", code, g.avgScore, w.avgScore)
		}
	}
	// Ranks among authorities: Z's 87 LSOAs, mostly mid-table. Avg rank order: A 79.9 > B 58.9 > Z ? > C = D 27.6.
	if got["A"].avgRankRank >= got["B"].avgRankRank || got["C"].avgRankRank != got["D"].avgRankRank {
		t.Errorf("ranks: A %d B %d C %d D %d", got["A"].avgRankRank, got["B"].avgRankRank, got["C"].avgRankRank, got["D"].avgRankRank)
	}
	if got["A"].avgRankRank != 1 {
		t.Errorf("A should be the most deprived by average rank, got rank %d", got["A"].avgRankRank)
	}
}

func TestLASummaryUpperTier(t *testing.T) {
	db, ctx := laFixture(t)
	got := readLA(t, db, ctx, "analysis.la_summary_utla")
	x, ok := got["X"]
	if !ok {
		t.Fatal("county X missing")
	}
	// X = A + B: weights 1600; avg rank (79900 + 35350) / 1600. LC: 10% = 160: B rank 2 (50), B rank 3 (50),
	// then A rank 5 gives 60 of its 100: (99x50 + 98x50 + 96x60) / 160.
	if !near(x.avgRank, 115250.0/1600) || !near(x.lc, (99*50+98*50+96*60)/160.0) {
		t.Errorf("X: avg rank %.6f LC %.6f; want %.6f %.6f", x.avgRank, x.lc, 115250.0/1600, (99*50+98*50+96*60)/160.0)
	}
	if _, ok := got["C"]; !ok {
		t.Error("unitary C (not in the hierarchy) should be its own upper tier")
	}
	if _, ok := got["A"]; ok {
		t.Error("district A should be inside county X at upper tier")
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
