package hotspot

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// england caches the 32,844 England LSOA 2011 polygons (super-generalised, WGS84 GeoJSON,
// projected to BNG) for the benchmarks; E01019828 is an invalid geometry there.
var england struct {
	once  sync.Once
	codes []string
	polys []orb.MultiPolygon
}

func loadEngland(b *testing.B) ([]string, []orb.MultiPolygon) {
	b.Helper()
	path := lsoaFile(b, "england_lsoa11_bsc_simplified.geojson")
	england.once.Do(func() { england.codes, england.polys = loadLSOAs(b, path, "LSOA11CD") })
	if len(england.codes) != 32844 {
		b.Fatalf("%s: %d LSOAs, want 32,844", path, len(england.codes))
	}
	return england.codes, england.polys
}

// pwcEngland reads the LSOA 2011 population-weighted centroids (BNG easting, northing).
func pwcEngland(b *testing.B) []orb.Point {
	b.Helper()
	path := lsoaFile(b, "lsoa11_pwc_england.csv")
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		b.Fatalf("%s: %v", path, err)
	}
	ce, cn := -1, -1
	for k, h := range rows[0] {
		switch h {
		case "easting":
			ce = k
		case "northing":
			cn = k
		}
	}
	if ce < 0 || cn < 0 {
		b.Fatalf("%s: no easting/northing columns in %q", path, rows[0])
	}
	pts := make([]orb.Point, 0, len(rows)-1)
	for line, r := range rows[1:] {
		e, err1 := strconv.ParseFloat(r[ce], 64)
		n, err2 := strconv.ParseFloat(r[cn], 64)
		if err1 != nil || err2 != nil {
			b.Fatalf("%s line %d: easting %q northing %q", path, line+2, r[ce], r[cn])
		}
		pts = append(pts, orb.Point{e, n})
	}
	return pts
}

// idaciRank returns the IoD2019 IDACI rank (1 = most deprived) for each code, from File 3 in
// shared/data/iod2019, or nil when the file is absent. The column is found by header prefix.
func idaciRank(tb testing.TB, codes []string) []float64 {
	tb.Helper()
	path := filepath.Join(sharedDataDir(tb), "iod2019", "File_3_-_IoD2019_Supplementary_Indices_-_IDACI_and_IDAOPI.csv")
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	col := -1
	for k, h := range rows[0] {
		if strings.HasPrefix(h, "Income Deprivation Affecting Children Index (IDACI) Rank") {
			col = k
		}
	}
	if col < 0 {
		tb.Fatalf("%s: no IDACI rank column in header %q", path, rows[0])
	}
	rank := make(map[string]float64, len(rows))
	for line, r := range rows[1:] {
		v, err := strconv.ParseFloat(r[col], 64)
		if err != nil {
			tb.Fatalf("%s line %d column %q: %v", path, line+2, rows[0][col], err)
		}
		rank[r[0]] = v
	}
	out := make([]float64, len(codes))
	for i, c := range codes {
		v, ok := rank[c]
		if !ok {
			tb.Fatalf("%s: no IDACI rank for LSOA %s", path, c)
		}
		// Reverse so that higher means more deprived: hotspots are deprived clusters.
		out[i] = float64(len(rows)-1) + 1 - v
	}
	return out
}

// englandValues is the reversed IDACI rank when IoD2019 is available, else the northing of
// each LSOA's first vertex (a strong north-south trend: plenty of hot and cold spots).
func englandValues(b *testing.B, codes []string, polys []orb.MultiPolygon) []float64 {
	if x := idaciRank(b, codes); x != nil {
		return x
	}
	x := make([]float64, len(polys))
	for i, mp := range polys {
		x[i] = mp[0][0][0][1]
	}
	return x
}

// peakHeapMB runs f once, sampling the heap (runtime/metrics, which does not stop the world)
// every half millisecond, and returns the highest heap in use above the heap at the start,
// in MB. The benchmarks call it before their timed loop and report it as peak-heap-MB.
func peakHeapMB(f func()) float64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(500 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if v := read(); v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	p := max(peak.Load(), read())
	if p < base {
		return 0
	}
	return float64(p-base) / (1 << 20)
}

// BenchmarkQueenEngland builds queen weights (1 m snap) for all 32,844 England LSOAs.
// Target: with Gi*, under 2 s on 2 cores (spdep poly2nb: 7.6 s).
func BenchmarkQueenEngland(b *testing.B) {
	codes, polys := loadEngland(b)
	var w Weights
	var err error
	peak := peakHeapMB(func() { w, err = Queen(polys, 1) })
	if err != nil {
		b.Fatal(err)
	}
	for _, i := range w.Islands() {
		b.Logf("island: %s", codes[i])
	}
	for b.Loop() {
		if w, err = Queen(polys, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(peak, "peak-heap-MB")
	b.ReportMetric(float64(len(polys))*float64(b.N)/b.Elapsed().Seconds(), "lsoa/s")
	b.ReportMetric(w.MeanNeighbours(), "mean-neighbours")
	b.ReportMetric(float64(len(w.Islands())), "islands")
}

// giStarClasses is the Gi* part of Analyse: z, p, BH, classes; it returns the hot-99 count.
func giStarClasses(b *testing.B, x []float64, w Weights) int {
	gi, err := GiStar(x, w)
	if err != nil {
		b.Fatal(err)
	}
	padj, err := BenjaminiHochberg(gi.P)
	if err != nil {
		b.Fatal(err)
	}
	hot := 0
	for i := range x {
		if Classify(gi.Z[i], padj[i]) == Hot99 {
			hot++
		}
	}
	return hot
}

// BenchmarkGiStarEngland runs Gi*, Benjamini-Hochberg and the classification for all England
// LSOAs (reversed IoD2019 IDACI rank) on prebuilt queen weights.
func BenchmarkGiStarEngland(b *testing.B) {
	codes, polys := loadEngland(b)
	w, err := Queen(polys, 1)
	if err != nil {
		b.Fatal(err)
	}
	x := englandValues(b, codes, polys)
	hot := 0
	peak := peakHeapMB(func() { hot = giStarClasses(b, x, w) })
	for b.Loop() {
		giStarClasses(b, x, w)
	}
	b.ReportMetric(peak, "peak-heap-MB")
	b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds(), "lsoa/s")
	b.ReportMetric(float64(hot), "hot-99")
}

// BenchmarkQueenGiStarEngland is the 2 s target end to end: queen weights, Gi*, BH, classes.
func BenchmarkQueenGiStarEngland(b *testing.B) {
	codes, polys := loadEngland(b)
	x := englandValues(b, codes, polys)
	run := func() {
		w, err := Queen(polys, 1)
		if err != nil {
			b.Fatal(err)
		}
		giStarClasses(b, x, w)
	}
	peak := peakHeapMB(run)
	for b.Loop() {
		run()
	}
	b.ReportMetric(peak, "peak-heap-MB")
}

// BenchmarkLocalMoran999England runs local Moran's I with 999 permutations for all England
// LSOAs on queen weights. Target: under 10 s on 2 cores.
func BenchmarkLocalMoran999England(b *testing.B) {
	codes, polys := loadEngland(b)
	w, err := Queen(polys, 1)
	if err != nil {
		b.Fatal(err)
	}
	x := englandValues(b, codes, polys)
	sig := 0
	run := func() {
		res, err := LocalMoran(x, w, 999, 1)
		if err != nil {
			b.Fatal(err)
		}
		sig = 0
		for i := range res.P {
			if SignificantQuadrant(res.Quadrant[i], res.P[i], 0.05) == HH {
				sig++
			}
		}
	}
	// One run serves both as the memory measurement and as a timed iteration would: LISA is
	// slow enough that b.Loop runs it once.
	peak := peakHeapMB(run)
	for b.Loop() {
		run()
	}
	b.ReportMetric(peak, "peak-heap-MB")
	b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds(), "lsoa/s")
	b.ReportMetric(float64(sig), "HH-p05")
}

// BenchmarkKNN6England builds 6-nearest-neighbour weights on the 32,844 population-weighted
// centroids.
func BenchmarkKNN6England(b *testing.B) {
	pts := pwcEngland(b)
	for b.Loop() {
		if _, err := KNN(pts, 6); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(pts))*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkDistanceBand2kmEngland builds 2 km distance-band weights on the centroids.
func BenchmarkDistanceBand2kmEngland(b *testing.B) {
	pts := pwcEngland(b)
	var w Weights
	for b.Loop() {
		var err error
		if w, err = DistanceBand(pts, 2000); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(w.MeanNeighbours(), "mean-neighbours")
	b.ReportMetric(float64(len(w.Islands())), "islands")
}
