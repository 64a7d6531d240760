package hotspot

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestQueenGrid3x3(t *testing.T) {
	// Hand-listed queen neighbours of the 3x3 grid (row-major numbering, see TestGiStarGrid3x3):
	// corners touch 3 cells, edge cells 5, the centre 8.
	want := [][]int{
		{1, 3, 4}, {0, 2, 3, 4, 5}, {1, 4, 5},
		{0, 1, 4, 6, 7}, {0, 1, 2, 3, 5, 6, 7, 8}, {1, 2, 4, 7, 8},
		{3, 4, 7}, {3, 4, 5, 6, 8}, {4, 5, 7},
	}
	for _, snap := range []float64{0, 1e-8, 0.01} {
		w, err := Queen(gridSquares(3, 3), snap)
		if err != nil {
			t.Fatal(err)
		}
		sameNeighbours(t, w, want)
		if w.Kind != KindQueen || !w.IsSymmetric() || w.Islands() != nil || w.Validate() != nil {
			t.Errorf("snap %v: kind %q symmetric %v islands %v validate %v", snap, w.Kind, w.IsSymmetric(), w.Islands(), w.Validate())
		}
		// 4 corners * 3 + 4 edges * 5 + 8 = 40 links.
		if w.NonZero() != 40 {
			t.Errorf("snap %v: %d links, want 40", snap, w.NonZero())
		}
	}
}

// TestQueenCases covers the contiguity rules on hand-made polygons.
func TestQueenCases(t *testing.T) {
	// A unit square with a square hole [0.25, 0.75]^2 (clockwise hole ring).
	holed := orb.MultiPolygon{{
		{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}},
		{{0.25, 0.25}, {0.25, 0.75}, {0.75, 0.75}, {0.75, 0.25}, {0.25, 0.25}},
	}}
	cases := []struct {
		name  string
		polys []orb.MultiPolygon
		snap  float64
		want  [][]int
	}{
		{"corner only is queen", []orb.MultiPolygon{square(0, 0, 1), square(1, 1, 1)}, 0,
			[][]int{{1}, {0}}},
		{"shared edge", []orb.MultiPolygon{square(0, 0, 1), square(1, 0, 1)}, 0,
			[][]int{{1}, {0}}},
		{"gap 0.0005 within snap 0.001", []orb.MultiPolygon{square(0, 0, 1), square(1.0005, 0, 1)}, 0.001,
			[][]int{{1}, {0}}},
		{"gap 0.0005 beyond snap 0.0001", []orb.MultiPolygon{square(0, 0, 1), square(1.0005, 0, 1)}, 0.0001,
			[][]int{{}, {}}},
		{"gap 0.0005 with exact matching", []orb.MultiPolygon{square(0, 0, 1), square(1.0005, 0, 1)}, 0,
			[][]int{{}, {}}},
		// Corner (1,1) against (1.0006, 1.0006): distance 0.000849 <= 0.001.
		{"diagonal gap within snap", []orb.MultiPolygon{square(0, 0, 1), square(1.0006, 1.0006, 1)}, 0.001,
			[][]int{{1}, {0}}},
		// (1,1) against (1.0008, 1.0008): each offset is within 0.001 but the distance is
		// 0.00113 > 0.001; the rule is Euclidean, as spdep's poly2nb.
		{"diagonal gap beyond snap", []orb.MultiPolygon{square(0, 0, 1), square(1.0008, 1.0008, 1)}, 0.001,
			[][]int{{}, {}}},
		{"far square is an island", []orb.MultiPolygon{square(0, 0, 1), square(1, 0, 1), square(50, 50, 1)}, 0.5,
			[][]int{{1}, {0}, {}}},
		{"polygon filling a hole touches the holed one", []orb.MultiPolygon{holed, square(0.25, 0.25, 0.5)}, 0,
			[][]int{{1}, {0}}},
		// Unit 0 has two parts; part one touches unit 1, part two touches unit 2.
		{"multipolygon parts", []orb.MultiPolygon{
			append(square(0, 0, 1), square(10, 0, 1)[0]),
			square(1, 0, 1),
			square(11, 0, 1),
		}, 0, [][]int{{1, 2}, {0}, {0}}},
		{"empty polygon is an island", []orb.MultiPolygon{square(0, 0, 1), {}, square(0, 1, 1)}, 0,
			[][]int{{2}, {}, {0}}},
		// A vertex of one square lies in the middle of the other's edge, with no vertex there:
		// vertex comparison (like spdep's poly2nb) does not see them as touching.
		{"T-junction without shared vertex", []orb.MultiPolygon{square(0, 0, 2), square(2, 1, 2)}, 0.001,
			[][]int{{}, {}}},
		// Negative coordinates straddle cell boundaries at zero.
		{"negative coordinates", []orb.MultiPolygon{square(-1, -1, 1), square(-0.0004, 0.0003, 1)}, 0.001,
			[][]int{{1}, {0}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := Queen(tc.polys, tc.snap)
			if err != nil {
				t.Fatal(err)
			}
			sameNeighbours(t, w, tc.want)
			var islands []int
			for i, nb := range tc.want {
				if len(nb) == 0 {
					islands = append(islands, i)
				}
			}
			if !slices.Equal(w.Islands(), islands) {
				t.Errorf("Islands() = %v, want %v", w.Islands(), islands)
			}
		})
	}
}

func TestQueenErrors(t *testing.T) {
	cases := []struct {
		name  string
		polys []orb.MultiPolygon
		snap  float64
		want  string
	}{
		{"negative snap", gridSquares(1, 2), -1, "snap distance -1 m"},
		{"NaN snap", gridSquares(1, 2), math.NaN(), "snap distance NaN m"},
		{"NaN vertex", []orb.MultiPolygon{square(0, 0, 1), {{{{0, 0}, {math.NaN(), 1}, {1, 1}, {0, 0}}}}}, 0,
			"polygon 1 part 0 ring 0 vertex 1"},
		{"snap too small", gridSquares(1, 2), 1e-300, "too small"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Queen(tc.polys, tc.snap)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// TestQueenMatchesBruteForce compares Queen with the definition applied literally: every
// vertex of every polygon against every vertex of every other polygon. The polygons are the
// cells of a 25x25 lattice with jittered corners, each cell keeping its own copy of a shared
// corner moved by up to 0.7*snap in x and y, so copies end up both within and beyond snap
// of each other, across cell boundaries in every direction.
func TestQueenMatchesBruteForce(t *testing.T) {
	const side = 25
	for _, snap := range []float64{0, 0.3, 2} {
		rng := rand.New(rand.NewPCG(7, uint64(snap*10)))
		jit := func() float64 { return (rng.Float64()*2 - 1) * 0.7 * snap }
		corner := func(c, r int) orb.Point {
			// The shared lattice corner, jittered the same way for all cells (seeded by position).
			h := rand.New(rand.NewPCG(uint64(c), uint64(r)))
			return orb.Point{float64(c)*100 + h.Float64()*30, float64(r)*100 + h.Float64()*30}
		}
		var polys []orb.MultiPolygon
		for r := 0; r < side; r++ {
			for c := 0; c < side; c++ {
				if (r*side+c)%37 == 5 {
					polys = append(polys, orb.MultiPolygon{}) // some empty ones
					continue
				}
				ring := orb.Ring{}
				for _, k := range [][2]int{{c, r}, {c + 1, r}, {c + 1, r + 1}, {c, r + 1}} {
					p := corner(k[0], k[1])
					ring = append(ring, orb.Point{p[0] + jit(), p[1] + jit()})
				}
				ring = append(ring, ring[0])
				polys = append(polys, orb.MultiPolygon{{ring}})
			}
		}
		got, err := Queen(polys, snap)
		if err != nil {
			t.Fatal(err)
		}
		want := make([][]int, len(polys))
		for i := range polys {
			for j := range polys {
				if i != j && anyVertexWithin(polys[i], polys[j], snap) {
					want[i] = append(want[i], j)
				}
			}
		}
		sameNeighbours(t, got, want)
		t.Logf("snap %v: %d links, %d islands", snap, got.NonZero(), len(got.Islands()))
		if snap > 0 && (got.NonZero() == 0 || len(got.Islands()) == len(polys)) {
			t.Errorf("snap %v: degenerate test, no links", snap)
		}
	}
}

func anyVertexWithin(a, b orb.MultiPolygon, snap float64) bool {
	for _, pa := range a {
		for _, ra := range pa {
			for _, u := range ra {
				for _, pb := range b {
					for _, rb := range pb {
						for _, v := range rb {
							if math.Hypot(u[0]-v[0], u[1]-v[1]) <= snap {
								return true
							}
						}
					}
				}
			}
		}
	}
	return false
}

// TestQueenRotherham uses the real ONS BGC boundaries of Rotherham's 167 LSOAs (2011). LSOAs
// tile the district without gaps, so none may be an island, and a planar tiling has on average
// a little under 6 queen neighbours per unit (Euler: a triangulated planar graph has
// fewer than 3n edges, i.e. mean degree < 6; fewer at the district's edge).
func TestQueenRotherham(t *testing.T) {
	path := lsoaFile(t, "lsoa11/E08000018.geojson")
	codes, polys := loadLSOAs(t, path, "LSOA11CD")
	if len(codes) != 167 {
		t.Fatalf("%d LSOAs, want 167", len(codes))
	}
	exact, err := Queen(polys, 0)
	if err != nil {
		t.Fatal(err)
	}
	snapped, err := Queen(polys, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []Weights{exact, snapped} {
		if isl := w.Islands(); len(isl) != 0 {
			t.Errorf("islands %v", isl)
		}
		if m := w.MeanNeighbours(); m < 4.5 || m > 6.5 {
			t.Errorf("mean neighbours %.2f, want about 5-6", m)
		}
		if !w.IsSymmetric() {
			t.Error("queen weights not symmetric")
		}
	}
	t.Logf("Rotherham: mean neighbours %.3f exact, %.3f with 1 m snap; min %d, max %d",
		exact.MeanNeighbours(), snapped.MeanNeighbours(), minCard(exact), maxCard(exact))
}

func minCard(w Weights) int {
	m := math.MaxInt
	for i := range w.Neighbours {
		m = min(m, w.Cardinality(i))
	}
	return m
}

func maxCard(w Weights) int {
	m := 0
	for i := range w.Neighbours {
		m = max(m, w.Cardinality(i))
	}
	return m
}

// TestQueenEngland builds queen weights for all 32,844 England LSOAs (super-generalised
// boundaries, which include one invalid geometry, E01019828). England's only LSOA with no
// land neighbour is the Isles of Scilly (E01019077, "Isles of Scilly 001A"), so that must be
// the one island. (The neighbour lists were also checked once to be identical to spdep's
// poly2nb(queen = TRUE, snap = 1) on the same BNG polygons: 193,178 links.)
func TestQueenEngland(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the 15 MB England boundary file; skipped with -short")
	}
	codes, polys := loadLSOAs(t, lsoaFile(t, "england_lsoa11_bsc_simplified.geojson"), "LSOA11CD")
	if len(codes) != 32844 {
		t.Fatalf("%d LSOAs, want 32,844", len(codes))
	}
	w, err := Queen(polys, 1)
	if err != nil {
		t.Fatal(err)
	}
	var islands []string
	for _, i := range w.Islands() {
		islands = append(islands, codes[i])
	}
	if !slices.Equal(islands, []string{"E01019077"}) {
		t.Errorf("islands %v, want only the Isles of Scilly [E01019077]", islands)
	}
	if m := w.MeanNeighbours(); m < 5 || m > 6.5 {
		t.Errorf("mean neighbours %.2f, want about 5-6", m)
	}
	if !w.IsSymmetric() {
		t.Error("queen weights not symmetric")
	}
	t.Logf("England: %d links, mean %.3f neighbours, max %d", w.NonZero(), w.MeanNeighbours(), maxCard(w))
}
