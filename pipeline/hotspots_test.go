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
	"github.com/paulmach/orb/encoding/wkb"

	"hubreach/config"
	"hubreach/internal/store"
)

// hotspotFixture is a hand-made area: a 3 x 3 grid of 1 km squares (corners shared exactly, so
// queen contiguity joins each square to every square around it) and one island square 10 km
// away. Columns c = 0..2 run west to east and rows r = 0..2 south to north; the IDACI scores are
//
//	r=2 (north)  0.50  0.45  0.10
//	r=1          0.40  0.35  0.08
//	r=0 (south)  0.12  0.09  0.05        island 0.02
//
// LSOA codes are E0100000<1 + c + 3r> for the grid (E01000001 south-west ... E01000009 north-east)
// and E01000010 for the island.
func hotspotFixture(t *testing.T, fdr bool) *Env {
	t.Helper()
	return hotspotFixtureRole(t, fdr, "area")
}

// hotspotFixtureRole is hotspotFixture with the island's area_role given: "area", or "buffer"
// (a neighbouring LSOA outside the area).
func hotspotFixtureRole(t *testing.T, fdr bool, islandRole string) *Env {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.Area.Name = "hotspot-fixture"
	cfg.Hotspot.Variable = "idaci_score"
	cfg.Hotspot.Weights = "queen"
	cfg.Hotspot.FDR = fdr
	cfg.Hotspot.Permutations = 99
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{"core.lsoa", "core.site", "core.iod", "core.population", "core.ward", "core.locality"} {
		if _, err := db.Exec(ctx, mustSQL(q)); err != nil {
			t.Fatal(q, err)
		}
	}
	grid := [3][3]float64{ // [r][c]
		{0.12, 0.09, 0.05},
		{0.40, 0.35, 0.08},
		{0.50, 0.45, 0.10},
	}
	insert := func(code, role string, x0, y0, score float64) {
		t.Helper()
		b, err := wkb.Marshal(orb.MultiPolygon{{{{x0, y0}, {x0 + 1000, y0}, {x0 + 1000, y0 + 1000}, {x0, y0 + 1000}, {x0, y0}}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO core.lsoa (lsoa_code, lsoa_name, la_code, area_role, geom, demand_x, demand_y, demand_source, area_ha)
			VALUES (?, ?, 'E06000001', ?, ?, ?, ?, 'interior point', 100)`, code, code, role, b, x0+500, y0+500); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO core.iod (lsoa_code, edition, idaci_score, idaci_rank, idaci_decile, children_0_15) VALUES (?, 2019, ?, 1, 1, 100)`,
			code, score); err != nil {
			t.Fatal(err)
		}
	}
	for r := 0; r < 3; r++ {
		for c := 0; c < 3; c++ {
			insert(fmt.Sprintf("E0100000%d", 1+c+3*r), "area", 400000+1000*float64(c), 300000+1000*float64(r), grid[r][c])
		}
	}
	insert("E01000010", islandRole, 410000, 310000, 0.02)
	env := &Env{Config: cfg, DB: db, Dir: t.TempDir(), Progress: Quiet{}}
	if err := sqlStage("need", "analysis.lsoa_need").Run(ctx, env); err != nil {
		t.Fatal(err)
	}
	if err := Hotspots().Run(ctx, env); err != nil {
		t.Fatal(err)
	}
	return env
}

// Gi* worked by hand from the textbook formula (Getis and Ord 1992; Ord and Getis 1995), binary
// queen weights with the LSOA itself included:
//
//	z_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n W_i - W_i^2) / (n - 1)))
//
// over all n = 10 LSOAs (the island counts in the mean and spread, as in spdep::localG):
//
//	sum x = 2.16, xbar = 0.216; sum x^2 = 0.7768, S^2 = 0.07768 - 0.216^2 = 0.031024.
//
// Centre (E01000005, 0.35): all nine grid squares, W = 9, local sum 2.14:
//
//	z = (2.14 - 9 x 0.216) / (S sqrt((90 - 81) / 9)) = 0.196 / sqrt(0.031024) = 1.11277
//
// North-west corner (E01000007, 0.50): itself, 0.45 east, 0.40 south, 0.35 south-east, W = 4,
// local sum 1.70:
//
//	z = (1.70 - 4 x 0.216) / (S sqrt((40 - 16) / 9)) = 0.836 / (sqrt(0.031024) sqrt(24/9)) = 2.90652
//
// South-east corner (E01000003, 0.05): 0.05 + 0.09 + 0.08 + 0.35 = 0.57, W = 4:
//
//	z = (0.57 - 0.864) / (sqrt(0.031024) sqrt(24/9)) = -1.02215
//
// The two-sided p of the north-west corner is erfc(2.90652 / sqrt 2) = 0.003655: 99% confidence
// on its own. Benjamini-Hochberg over the nine grid p-values (the island has none): it is the
// smallest, so p_fdr = min over ranks k of 9 p_(k) / k; the next two are the west-centre
// (z 2.13469, p 0.03279) and north-centre (z 2.03039, p 0.04232) squares, giving 9 x 0.003655 / 1
// = 0.0329 < 9 x 0.03279 / 2 = 0.1475 and 9 x 0.04232 / 3 = 0.1269, so p_fdr = 0.0329: hot at
// 95%, not 99%. Without the correction it is hot at 99%.
func TestHotspotsStageByHand(t *testing.T) {
	ctx := context.Background()
	s := math.Sqrt(0.031024)
	zCentre := 0.196 / s
	zNW := 0.836 / (s * math.Sqrt(24.0/9))
	zSE := (0.57 - 0.864) / (s * math.Sqrt(24.0/9))
	zW := (1.91 - 6*0.216) / (s * math.Sqrt((60.0-36)/9)) // west-centre: 0.12+0.40+0.50+0.09+0.35+0.45
	zN := (1.88 - 6*0.216) / (s * math.Sqrt((60.0-36)/9)) // north-centre: 0.50+0.45+0.10+0.40+0.35+0.08
	p := func(z float64) float64 { return math.Erfc(math.Abs(z) / math.Sqrt2) }
	pFDR := math.Min(9*p(zNW), math.Min(9*p(zW)/2, 9*p(zN)/3))
	for _, fdr := range []bool{true, false} {
		t.Run(fmt.Sprintf("fdr=%v", fdr), func(t *testing.T) {
			env := hotspotFixture(t, fdr)
			type row struct {
				z, p, pf        sql.NullFloat64
				class, variable string
				neighbours      int
				island          bool
				value           float64
				lisaQuad, role  sql.NullString
			}
			get := func(code string) row {
				t.Helper()
				var r row
				if err := env.DB.QueryRow(ctx, `SELECT gi_star_z, p_value, p_fdr, class, variable, neighbours, island, value, lisa_quadrant, area_role
					FROM analysis.lsoa_hotspots WHERE lsoa_code = ?`, code).Scan(&r.z, &r.p, &r.pf, &r.class, &r.variable, &r.neighbours, &r.island, &r.value, &r.lisaQuad, &r.role); err != nil {
					t.Fatalf("%s: %v", code, err)
				}
				return r
			}
			near := func(what string, got sql.NullFloat64, want float64) {
				t.Helper()
				if !got.Valid || math.Abs(got.Float64-want) > 1e-9 {
					t.Errorf("%s = %v, want %.12f", what, got, want)
				}
			}
			centre, nw, se := get("E01000005"), get("E01000007"), get("E01000003")
			near("centre Gi* z", centre.z, zCentre)
			near("north-west corner Gi* z", nw.z, zNW)
			near("south-east corner Gi* z", se.z, zSE)
			near("north-west corner p", nw.p, p(zNW))
			if centre.neighbours != 8 || nw.neighbours != 3 || se.neighbours != 3 {
				t.Errorf("queen neighbours centre %d, corners %d and %d; want 8, 3, 3", centre.neighbours, nw.neighbours, se.neighbours)
			}
			if nw.variable != "idaci_score" || nw.value != 0.50 {
				t.Errorf("variable %q value %v, want idaci_score 0.50", nw.variable, nw.value)
			}
			if fdr {
				near("north-west corner p_fdr", nw.pf, pFDR)
				if nw.class != "hot-95" {
					t.Errorf("north-west corner class %q, want hot-95 (p_fdr %.4f)", nw.class, pFDR)
				}
			} else if nw.class != "hot-99" {
				t.Errorf("north-west corner class %q without FDR, want hot-99 (p %.4f)", nw.class, p(zNW))
			}
			if centre.class != "not-significant" || se.class != "not-significant" {
				t.Errorf("centre %q, south-east %q; want not-significant (p %.3f and %.3f)", centre.class, se.class, p(zCentre), p(zSE))
			}
			// The island is kept, with no statistics, and reported.
			isl := get("E01000010")
			if !isl.island || isl.class != "island" || isl.neighbours != 0 || isl.z.Valid || isl.p.Valid || isl.pf.Valid {
				t.Errorf("island row: %+v; want island, class 'island', 0 neighbours, NULL z and p", isl)
			}
			var n, pairs, islandPairs int
			env.DB.QueryRow(ctx, `SELECT count(*) FROM analysis.lsoa_hotspots`).Scan(&n)
			env.DB.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE 'E01000010' IN (lsoa_code, neighbour_code)) FROM analysis.weights_queen`).Scan(&pairs, &islandPairs)
			// Queen pairs in a 3 x 3 grid: 12 shared edges + 8 shared corners = 20, listed both ways.
			if n != 10 || pairs != 40 || islandPairs != 0 {
				t.Errorf("%d hotspot rows, %d weight pairs (%d with the island); want 10, 40, 0", n, pairs, islandPairs)
			}
			noted := false
			for _, note := range env.Notes {
				if strings.Contains(note, "islands") && strings.Contains(note, "E01000010") {
					noted = true
				}
			}
			if !noted {
				t.Errorf("no note names the island E01000010: %q", env.Notes)
			}
			if err := drawHotspotMap(ctx, env, "idaci_score"); err != nil {
				t.Fatalf("hotspot map: %v", err)
			}
			if _, err := os.Stat(filepath.Join(env.Dir, "maps", "hotspots.png")); err != nil {
				t.Errorf("hotspot map: %v", err)
			}
		})
	}
}

// With no LSOA outside the area loaded (every unit's area_role is 'area') the run notes say that
// Gi* is computed within the area only; one neighbouring LSOA of the buffer is enough to drop the
// note. The statistics themselves do not depend on the role: the north-west corner's z is the
// hand-worked 2.90652 either way (see TestHotspotsStageByHand).
func TestHotspotsNoBufferNote(t *testing.T) {
	zNW := 0.836 / (math.Sqrt(0.031024) * math.Sqrt(24.0/9))
	for _, c := range []struct {
		islandRole string
		wantNote   bool
	}{{"area", true}, {"buffer", false}} {
		t.Run(c.islandRole, func(t *testing.T) {
			env := hotspotFixtureRole(t, true, c.islandRole)
			got := false
			for _, n := range env.Notes {
				if n == "hotspots: no neighbouring LSOAs outside the area were loaded (the LSOA boundary files cover only the area), so edge LSOAs have fewer neighbours and Gi* is computed within the area only" {
					got = true
				}
			}
			if got != c.wantNote {
				t.Errorf("island %s: no-buffer note %v, want %v; notes %q", c.islandRole, got, c.wantNote, env.Notes)
			}
			var z float64
			if err := env.DB.QueryRow(context.Background(), `SELECT gi_star_z FROM analysis.lsoa_hotspots WHERE lsoa_code = 'E01000007'`).Scan(&z); err != nil {
				t.Fatal(err)
			}
			if math.Abs(z-zNW) > 1e-9 {
				t.Errorf("north-west corner z = %v, want %v", z, zNW)
			}
		})
	}
}
