package hotspot

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"hubreach/internal/bng"
)

// sharedDataDir returns ../shared/data relative to the directory holding go.mod, found by
// walking up from the package directory, or skips the test when it is missing.
func sharedDataDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("no go.mod above the package directory, so no ../shared/data to read")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(data); err != nil {
		tb.Skipf("real data directory %s is absent (%v); skipping", data, err)
	}
	return data
}

// lsoaFile returns the path of a file under shared/data/boundaries, or skips.
func lsoaFile(tb testing.TB, name string) string {
	tb.Helper()
	path := filepath.Join(sharedDataDir(tb), "boundaries", name)
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("boundary file %s is absent (%v); skipping", path, err)
	}
	return path
}

// loadLSOAs reads a WGS84 GeoJSON of LSOA polygons and projects it to BNG metres. It returns
// the LSOA codes (property codeProp) and one MultiPolygon per feature, in file order.
func loadLSOAs(tb testing.TB, path, codeProp string) ([]string, []orb.MultiPolygon) {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	codes := make([]string, len(fc.Features))
	polys := make([]orb.MultiPolygon, len(fc.Features))
	for i, f := range fc.Features {
		codes[i] = f.Properties.MustString(codeProp, fmt.Sprintf("feature %d", i))
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		default:
			tb.Fatalf("%s feature %d (%s): geometry %T, want Polygon or MultiPolygon", path, i, codes[i], f.Geometry)
		}
		polys[i] = toGrid(mp)
	}
	return codes, polys
}

func toGrid(mp orb.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(mp))
	for pi, p := range mp {
		out[pi] = make(orb.Polygon, len(p))
		for ri, r := range p {
			nr := make(orb.Ring, len(r))
			for k, pt := range r {
				e, n := bng.ToGrid(pt[0], pt[1])
				nr[k] = orb.Point{e, n}
			}
			out[pi][ri] = nr
		}
	}
	return out
}

// square is the axis-aligned square [x, x+s] x [y, y+s] as a one-part MultiPolygon.
func square(x, y, s float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}}}
}

// gridSquares returns rows*cols unit squares numbered row-major: cell k is at column k%cols,
// row k/cols.
func gridSquares(rows, cols int) []orb.MultiPolygon {
	out := make([]orb.MultiPolygon, 0, rows*cols)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			out = append(out, square(float64(c), float64(r), 1))
		}
	}
	return out
}

// gridQueen is queen contiguity on a rows*cols lattice worked out from cell positions (the
// up to 8 cells whose row and column differ by at most 1), independent of any geometry.
func gridQueen(rows, cols int) Weights {
	nb := make([][]int, rows*cols)
	ws := make([][]float64, rows*cols)
	for k := range nb {
		r, c := k/cols, k%cols
		for rr := r - 1; rr <= r+1; rr++ {
			for cc := c - 1; cc <= c+1; cc++ {
				if (rr == r && cc == c) || rr < 0 || cc < 0 || rr >= rows || cc >= cols {
					continue
				}
				nb[k] = append(nb[k], rr*cols+cc)
				ws[k] = append(ws[k], 1)
			}
		}
	}
	return Weights{Kind: KindQueen, Neighbours: nb, Weights: ws}
}

func near(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol
}

// sameNeighbours fails the test if got's rows differ from want.
func sameNeighbours(t *testing.T, got Weights, want [][]int) {
	t.Helper()
	if got.N() != len(want) {
		t.Fatalf("N = %d, want %d", got.N(), len(want))
	}
	bad := 0
	for i := range want {
		if !slices.Equal(got.Neighbours[i], want[i]) && !(len(got.Neighbours[i]) == 0 && len(want[i]) == 0) {
			t.Errorf("row %d neighbours = %v, want %v", i, got.Neighbours[i], want[i])
			if bad++; bad > 10 {
				t.Fatal("too many differences")
			}
		}
	}
}
