package network

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/paulmach/orb"
)

// sharedData returns the path of a file under ../shared/data (relative to the directory with
// go.mod), or skips the test when it is absent.
func sharedData(tb testing.TB, rel string) string {
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
			tb.Skipf("no go.mod above the package directory: cannot locate ../shared/data/%s", rel)
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("real data %s is absent (%v): skipping", p, err)
	}
	return p
}

const rutlandPBF = "osm/rutland-2022-07-20.osm.pbf"

var rutland struct {
	once  sync.Once
	raw   []byte
	segs  []Segment
	stats Stats
	err   error
}

// rutlandSegments reads the Rutland extract once per test binary.
func rutlandSegments(tb testing.TB) ([]byte, []Segment, Stats) {
	tb.Helper()
	path := sharedData(tb, rutlandPBF)
	rutland.once.Do(func() {
		rutland.raw, rutland.err = os.ReadFile(path)
		if rutland.err == nil {
			rutland.segs, rutland.stats, rutland.err = ReadOSM(bytes.NewReader(rutland.raw), filepath.Base(path))
		}
	})
	if rutland.err != nil {
		tb.Fatal(rutland.err)
	}
	return rutland.raw, rutland.segs, rutland.stats
}

// rutlandLSOAs returns the population-weighted centroids of Rutland's 23 LSOAs (2011), from
// the ONS file in ../shared/data, projected with our own bng.ToGrid from the published lon/lat.
func rutlandLSOAs(tb testing.TB) (codes []string, pts []orb.Point) {
	tb.Helper()
	rows := readCSV(tb, sharedData(tb, "boundaries/lsoa11_pwc_england.csv"))
	col := header(tb, rows[0], "lsoa11cd", "lsoa11nm", "lon", "lat")
	for _, r := range rows[1:] {
		if len(r[col["lsoa11nm"]]) >= 8 && r[col["lsoa11nm"]][:8] == "Rutland " {
			codes = append(codes, r[col["lsoa11cd"]])
			pts = append(pts, toGrid(parseF(tb, r[col["lon"]]), parseF(tb, r[col["lat"]])))
		}
	}
	return codes, pts
}

// rutlandHubs returns five plausible hub sites: Rutland's four libraries (Oakham, Uppingham,
// Ketton, Ryhall) and Oakham Church of England Primary School, from the OSM POI file.
func rutlandHubs(tb testing.TB) (names []string, pts []orb.Point) {
	tb.Helper()
	rows := readCSV(tb, sharedData(tb, "sites/rutland_osm_pois.csv"))
	col := header(tb, rows[0], "name", "type", "lon", "lat")
	for _, r := range rows[1:] {
		if r[col["type"]] == "library" || r[col["name"]] == "Oakham Church of England Primary School" {
			names = append(names, r[col["name"]])
			pts = append(pts, toGrid(parseF(tb, r[col["lon"]]), parseF(tb, r[col["lat"]])))
		}
	}
	return names, pts
}

func readCSV(tb testing.TB, path string) [][]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return rows
}

func header(tb testing.TB, row []string, want ...string) map[string]int {
	tb.Helper()
	col := map[string]int{}
	for i, h := range row {
		col[h] = i
	}
	for _, w := range want {
		if _, ok := col[w]; !ok {
			tb.Fatalf("column %q missing from header %q", w, row)
		}
	}
	return col
}

func parseF(tb testing.TB, s string) float64 {
	tb.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
