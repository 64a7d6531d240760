package demo

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"hubreach/internal/bng"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmxml"
)

var (
	demoDir      string
	demoManifest Manifest
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hubreach-demo-test-")
	if err != nil {
		panic(err)
	}
	demoDir = dir
	demoManifest, err = Write(dir, Options{})
	if err != nil {
		os.RemoveAll(dir)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sharedData returns ../shared/data relative to the module root, or skips the test.
func sharedData(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod found above the test directory")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(data); err != nil {
		t.Skipf("real data folder %s is absent", data)
	}
	return data
}

func fileSHA(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func readCSV(t *testing.T, name string) (header []string, rows [][]string) {
	t.Helper()
	f, err := os.Open(filepath.Join(demoDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return recs[0], recs[1:]
}

func readFC(t *testing.T, name string) *geojson.FeatureCollection {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(demoDir, name))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return fc
}

func polygonsOf(t *testing.T, g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	t.Fatalf("geometry %T, want Polygon or MultiPolygon", g)
	return nil
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return x
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	x, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return x
}

func TestWriteIsDeterministic(t *testing.T) {
	again := t.TempDir()
	m2, err := Write(again, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m2.Files) != len(demoManifest.Files) {
		t.Fatalf("%d files, then %d", len(demoManifest.Files), len(m2.Files))
	}
	for _, f := range demoManifest.Files {
		a, b := fileSHA(t, filepath.Join(demoDir, f.Name)), fileSHA(t, filepath.Join(again, f.Name))
		if a != b {
			t.Errorf("%s: sha256 %s then %s with the same seed", f.Name, a, b)
		}
		if a != f.SHA256 {
			t.Errorf("%s: manifest says sha256 %s, file has %s", f.Name, f.SHA256, a)
		}
		if fi, _ := os.Stat(filepath.Join(demoDir, f.Name)); fi.Size() != f.Bytes {
			t.Errorf("%s: manifest says %d bytes, file has %d", f.Name, f.Bytes, fi.Size())
		}
	}
	other := t.TempDir()
	if _, err := Write(other, Options{Seed: 7}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{FileLSOA, FileIoD, FileRoads, FileServiceUse} {
		if fileSHA(t, filepath.Join(demoDir, name)) == fileSHA(t, filepath.Join(other, name)) {
			t.Errorf("%s is the same for seeds %d and 7", name, DefaultSeed)
		}
	}
}

func TestManifestRowCounts(t *testing.T) {
	for _, f := range demoManifest.Files {
		if !strings.HasSuffix(f.Name, ".csv") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(demoDir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if lines := bytes.Count(b, []byte("\n")); lines-1 != f.Rows {
			t.Errorf("%s: manifest says %d rows, file has %d lines after the header", f.Name, f.Rows, lines-1)
		}
	}
	for _, name := range []string{FileLSOA, FileWards, FileIoD, FilePWC, FilePopulation, FileHubs, FileCandidates,
		FileRoads, FileServiceUse, FileLocality, FileReadme} {
		if _, ok := demoManifest.File(name); !ok {
			t.Errorf("manifest lacks %s", name)
		}
	}
	readme, _ := os.ReadFile(filepath.Join(demoDir, FileReadme))
	if !bytes.Contains(readme, []byte("SYNTHETIC DEMO DATA")) || !bytes.Contains(readme, []byte(strconv.FormatUint(DefaultSeed, 10))) {
		t.Errorf("README.txt must say SYNTHETIC DEMO DATA and give the seed:\n%s", readme)
	}
}

// segmentsCross reports whether segments ab and cd properly intersect or overlap.
func segmentsCross(a, b, c, d orb.Point) bool {
	o := func(p, q, r orb.Point) float64 { return (q[0]-p[0])*(r[1]-p[1]) - (q[1]-p[1])*(r[0]-p[0]) }
	d1, d2, d3, d4 := o(c, d, a), o(c, d, b), o(a, b, c), o(a, b, d)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	on := func(p, q, r orb.Point) bool { // r on segment pq, collinear
		return math.Min(p[0], q[0]) <= r[0] && r[0] <= math.Max(p[0], q[0]) && math.Min(p[1], q[1]) <= r[1] && r[1] <= math.Max(p[1], q[1])
	}
	return (d1 == 0 && on(c, d, a)) || (d2 == 0 && on(c, d, b)) || (d3 == 0 && on(a, b, c)) || (d4 == 0 && on(a, b, d))
}

// checkRing: closed, at least 4 points, counter-clockwise (RFC 7946 exterior), simple.
func checkRing(t *testing.T, what string, r orb.Ring) {
	t.Helper()
	if len(r) < 4 || r[0] != r[len(r)-1] {
		t.Errorf("%s: ring of %d points, not closed", what, len(r))
		return
	}
	if r.Orientation() != orb.CCW {
		t.Errorf("%s: exterior ring is not counter-clockwise", what)
	}
	n := len(r) - 1
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if j == i+1 || (i == 0 && j == n-1) {
				continue // adjacent segments share a vertex
			}
			if segmentsCross(r[i], r[i+1], r[j], r[j+1]) {
				t.Errorf("%s: ring segments %d and %d intersect", what, i, j)
				return
			}
		}
	}
}

type lsoaFeature struct {
	code, name, lad string
	mp              orb.MultiPolygon
}

func readLSOAs(t *testing.T) []lsoaFeature {
	fc := readFC(t, FileLSOA)
	var out []lsoaFeature
	for i, f := range fc.Features {
		l := lsoaFeature{code: f.Properties.MustString("LSOA11CD", ""), name: f.Properties.MustString("LSOA11NM", ""),
			lad: f.Properties.MustString("LADCD_ACTIVE", ""), mp: polygonsOf(t, f.Geometry)}
		if l.code == "" || l.name == "" || l.lad == "" {
			t.Fatalf("feature %d: missing LSOA11CD/LSOA11NM/LADCD_ACTIVE: %v", i, f.Properties)
		}
		out = append(out, l)
	}
	return out
}

func TestLSOAGeoJSON(t *testing.T) {
	ls := readLSOAs(t)
	if len(ls) < 60 || len(ls) > 90 {
		t.Errorf("%d LSOAs, want 60-90", len(ls))
	}
	codeRe := regexp.MustCompile(`^E019\d{5}$`)
	seen := map[string]bool{}
	byLAD := map[string]int{}
	vertexOwners := map[orb.Point]map[int]bool{}
	for i, l := range ls {
		if !codeRe.MatchString(l.code) || seen[l.code] {
			t.Errorf("code %q: want unique E019xxxxx (beyond any real LSOA code)", l.code)
		}
		seen[l.code] = true
		byLAD[l.lad]++
		wantPrefix := map[string]string{DemoLADCode: "Demoshire ", NearbyLADCode: "Nearby "}[l.lad]
		if wantPrefix == "" || !strings.HasPrefix(l.name, wantPrefix) {
			t.Errorf("%s: name %q / LA %q", l.code, l.name, l.lad)
		}
		for _, p := range l.mp {
			if len(p) != 1 {
				t.Errorf("%s: %d rings, want 1", l.code, len(p))
			}
			checkRing(t, l.code, p[0])
			if planar.Area(p) <= 0 {
				t.Errorf("%s: zero area", l.code)
			}
			for _, v := range p[0] {
				if !bng.InEnglandLonLat(v[0], v[1]) {
					t.Fatalf("%s: vertex %v outside England", l.code, v)
				}
				if vertexOwners[v] == nil {
					vertexOwners[v] = map[int]bool{}
				}
				vertexOwners[v][i] = true
			}
		}
	}
	if byLAD[DemoLADCode] < 50 || byLAD[NearbyLADCode] < 4 {
		t.Errorf("LSOAs by LA = %v: want most in the demo LA and a neighbouring strip", byLAD)
	}
	// Neighbours share vertices exactly: every LSOA shares at least two vertices (an edge) with
	// another, and the contiguity graph is connected.
	shared := make([]map[int]int, len(ls))
	for _, owners := range vertexOwners {
		for i := range owners {
			for j := range owners {
				if i != j {
					if shared[i] == nil {
						shared[i] = map[int]int{}
					}
					shared[i][j]++
				}
			}
		}
	}
	for i, nb := range shared {
		rook := 0
		for _, n := range nb {
			if n >= 2 {
				rook++
			}
		}
		if rook == 0 {
			t.Errorf("%s shares no edge with any other LSOA", ls[i].code)
		}
	}
	reached := map[int]bool{0: true}
	queue := []int{0}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for j := range shared[i] {
			if !reached[j] {
				reached[j] = true
				queue = append(queue, j)
			}
		}
	}
	if len(reached) != len(ls) {
		t.Errorf("contiguity graph reaches %d of %d LSOAs", len(reached), len(ls))
	}
	// Extent: about 15 km × 12 km.
	var b orb.Bound
	for i, l := range ls {
		if i == 0 {
			b = l.mp.Bound()
		}
		b = b.Union(l.mp.Bound())
	}
	e0, n0 := bng.ToGrid(b.Min[0], b.Min[1])
	e1, n1 := bng.ToGrid(b.Max[0], b.Max[1])
	if w, h := e1-e0, n1-n0; w < 14_000 || w > 16_500 || h < 11_000 || h > 13_500 {
		t.Errorf("extent %.0f m × %.0f m, want about 15 km × 12 km", w, h)
	}
	// Some LSOAs are concave (L-shapes and the like).
	concave := 0
	for _, l := range ls {
		ring := l.mp[0][0]
		if hull := planar.Area(convexHull(ring)); hull > planar.Area(l.mp)*1.15 {
			concave++
		}
	}
	if concave < 3 {
		t.Errorf("%d clearly concave LSOAs, want a few", concave)
	}
}

// convexHull (monotone chain) of the ring's points, as a closed polygon.
func convexHull(r orb.Ring) orb.Polygon {
	pts := append([]orb.Point(nil), r[:len(r)-1]...)
	sort.Slice(pts, func(i, j int) bool { return pts[i][0] < pts[j][0] || (pts[i][0] == pts[j][0] && pts[i][1] < pts[j][1]) })
	cross := func(o, a, b orb.Point) float64 { return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0]) }
	var h []orb.Point
	for _, p := range pts {
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	lo := len(h) + 1
	for i := len(pts) - 2; i >= 0; i-- {
		for len(h) >= lo && cross(h[len(h)-2], h[len(h)-1], pts[i]) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, pts[i])
	}
	return orb.Polygon{orb.Ring(h)}
}

type pwcRow struct {
	code string
	p    orb.Point
	e, n float64
}

func readPWC(t *testing.T) []pwcRow {
	h, rows := readCSV(t, FilePWC)
	if strings.Join(h, ",") != PWCHeader {
		t.Fatalf("pwc header %q", h)
	}
	var out []pwcRow
	for _, r := range rows {
		out = append(out, pwcRow{r[0], orb.Point{atof(t, r[2]), atof(t, r[3])}, atof(t, r[4]), atof(t, r[5])})
	}
	return out
}

func TestPWCInsideOwnPolygon(t *testing.T) {
	// The real file's header, for comparison, when present.
	if data := sharedData(t); data != "" {
		f, err := os.Open(filepath.Join(data, "boundaries", "lsoa11_pwc_england.csv"))
		if err == nil {
			line, _ := bufio.NewReader(f).ReadString('\n')
			f.Close()
			if strings.TrimRight(line, "\r\n") != PWCHeader {
				t.Errorf("PWCHeader %q differs from the real file's %q", PWCHeader, line)
			}
		}
	}
	ls := readLSOAs(t)
	pw := readPWC(t)
	if len(pw) != len(ls) {
		t.Fatalf("%d centroids for %d LSOAs", len(pw), len(ls))
	}
	for _, c := range pw {
		inside := 0
		for _, l := range ls {
			if planar.MultiPolygonContains(l.mp, c.p) {
				inside++
				if l.code != c.code {
					t.Errorf("centroid of %s lies in %s", c.code, l.code)
				}
			}
		}
		if inside != 1 {
			t.Errorf("centroid of %s lies in %d LSOAs, want exactly its own", c.code, inside)
		}
		e, n := bng.ToGrid(c.p[0], c.p[1])
		if math.Hypot(e-c.e, n-c.n) > 1 {
			t.Errorf("%s: lon/lat gives %.1f,%.1f but easting/northing say %.1f,%.1f", c.code, e, n, c.e, c.n)
		}
	}
}

func TestWardsAreUnionsOfLSOAs(t *testing.T) {
	wfc := readFC(t, FileWards)
	ls := readLSOAs(t)
	pw := readPWC(t)
	if n := len(wfc.Features); n < 12 || n > 16 {
		t.Errorf("%d wards, want about 14 (12 in the demo LA)", n)
	}
	type wardInfo struct {
		code, lad string
		mp        orb.MultiPolygon
		sum       float64
		n         int
	}
	var wards []*wardInfo
	codeRe := regexp.MustCompile(`^E059\d{5}$`)
	demoWards := 0
	for _, f := range wfc.Features {
		w := &wardInfo{code: f.Properties.MustString("WD25CD", ""), lad: f.Properties.MustString("LAD25CD", ""), mp: polygonsOf(t, f.Geometry)}
		if !codeRe.MatchString(w.code) || f.Properties.MustString("WD25NM", "") == "" {
			t.Errorf("ward %v: want code E059xxxxx and a name", f.Properties)
		}
		if w.lad == DemoLADCode {
			demoWards++
		}
		for _, p := range w.mp {
			checkRing(t, w.code, p[0])
		}
		wards = append(wards, w)
	}
	if demoWards < 10 || demoWards > 14 {
		t.Errorf("%d wards in the demo LA, want 10-14", demoWards)
	}
	total := 0.0
	for i, l := range ls {
		var in []*wardInfo
		for _, w := range wards {
			if planar.MultiPolygonContains(w.mp, pw[i].p) {
				in = append(in, w)
			}
		}
		if len(in) != 1 {
			t.Fatalf("%s: centroid in %d wards", l.code, len(in))
		}
		if in[0].lad != l.lad {
			t.Errorf("%s (LA %s) lies in ward %s of LA %s", l.code, l.lad, in[0].code, in[0].lad)
		}
		a := planar.Area(l.mp)
		in[0].sum += a
		in[0].n++
		total += a
	}
	wardTotal := 0.0
	for _, w := range wards {
		a := planar.Area(w.mp)
		wardTotal += a
		if w.n == 0 || math.Abs(w.sum-a)/a > 1e-6 {
			t.Errorf("ward %s: area %.9g, its %d LSOAs add up to %.9g", w.code, a, w.n, w.sum)
		}
	}
	if math.Abs(total-wardTotal)/wardTotal > 1e-6 {
		t.Errorf("LSOAs cover %.9g, wards %.9g", total, wardTotal)
	}
}

func TestIoDHeaderIsMHCLGFile7(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(demoDir, FileIoD))
	if err != nil {
		t.Fatal(err)
	}
	written, _, _ := strings.Cut(string(b), "\n")
	data := sharedData(t)
	f, err := os.Open(filepath.Join(data, "iod2019", "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3__Warrington_only.csv"))
	if err != nil {
		t.Skipf("real File 7 slice absent: %v", err)
	}
	defer f.Close()
	real, err := bufio.NewReader(f).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if real = strings.TrimSuffix(real, "\n"); written != real {
		t.Errorf("header differs from MHCLG File 7:\n got %q\nwant %q", written, real)
	}
}

func TestDecile(t *testing.T) {
	// Decile boundaries as published: the largest IDACI rank in each decile of IoD2019 File 3 is
	// 3284, 6568, 9853, 13137, 16422, 19706, 22990, 26275, 29559, 32844.
	upper := []int{3284, 6568, 9853, 13137, 16422, 19706, 22990, 26275, 29559, 32844}
	for d, u := range upper {
		if got := Decile(u); got != d+1 {
			t.Errorf("Decile(%d) = %d, want %d", u, got, d+1)
		}
		if got := Decile(u + 1); d < 9 && got != d+2 {
			t.Errorf("Decile(%d) = %d, want %d", u+1, got, d+2)
		}
	}
	for _, tt := range []struct{ rank, decile int }{{1, 1}, {3285, 2}, {16423, 6}, {29560, 10}} {
		if got := Decile(tt.rank); got != tt.decile {
			t.Errorf("Decile(%d) = %d, want %d", tt.rank, got, tt.decile)
		}
	}
	if NationalRank(1) != 1 || NationalRank(0) != NationalLSOAs || NationalRank(0.5) != 16423 {
		t.Errorf("NationalRank: %d %d %d", NationalRank(1), NationalRank(0), NationalRank(0.5))
	}
}

type iodRec struct {
	code, lad                   string
	idaci                       float64
	rank, decile                int
	imdRank                     int
	total, children, p1659, p60 int
}

func readIoD(t *testing.T) []iodRec {
	h, rows := readCSV(t, FileIoD)
	if len(h) != 57 {
		t.Fatalf("%d columns, want File 7's 57", len(h))
	}
	var out []iodRec
	for _, r := range rows {
		if len(r) != 57 {
			t.Fatalf("%s: %d fields", r[0], len(r))
		}
		out = append(out, iodRec{code: r[0], lad: r[2], idaci: atof(t, r[28]), rank: atoi(t, r[29]), decile: atoi(t, r[30]),
			imdRank: atoi(t, r[5]), total: atoi(t, r[52]), children: atoi(t, r[53]), p1659: atoi(t, r[54]), p60: atoi(t, r[55])})
		for c := 4; c < 52; c += 3 { // every rank/decile pair is consistent
			rank, dec := atoi(t, r[c+1]), atoi(t, r[c+2])
			if rank < 1 || rank > NationalLSOAs || dec != int(math.Ceil(float64(rank)*10/NationalLSOAs)) {
				t.Errorf("%s %s: rank %d decile %d", r[0], h[c+1], rank, dec)
			}
		}
		atof(t, r[56]) // working age, may be fractional
	}
	return out
}

func TestIoDValues(t *testing.T) {
	rows := readIoD(t)
	loc := map[string]string{}
	_, lr := readCSV(t, FileLocality)
	for _, r := range lr {
		loc[r[0]] = r[1]
	}
	sum := map[string]float64{}
	cnt := map[string]int{}
	for _, r := range rows {
		if r.idaci < 0.02 || r.idaci > 0.45 {
			t.Errorf("%s: IDACI score %v outside 0.02-0.45", r.code, r.idaci)
		}
		if r.children < 200 || r.children > 450 || r.total < 1200 || r.total > 2200 {
			t.Errorf("%s: children %d total %d", r.code, r.children, r.total)
		}
		if r.children+r.p1659+r.p60 != r.total {
			t.Errorf("%s: 0-15 + 16-59 + 60+ = %d, total %d", r.code, r.children+r.p1659+r.p60, r.total)
		}
		sum[loc[r.code]] += r.idaci
		cnt[loc[r.code]]++
	}
	// Ranks follow scores: a higher IDACI score never has a larger (less deprived) rank.
	sorted := append([]iodRec(nil), rows...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].idaci > sorted[j].idaci })
	for i := 1; i < len(sorted); i++ {
		if sorted[i].idaci < sorted[i-1].idaci && sorted[i].rank < sorted[i-1].rank {
			t.Errorf("IDACI %v has rank %d but %v has rank %d", sorted[i-1].idaci, sorted[i-1].rank, sorted[i].idaci, sorted[i].rank)
		}
	}
	north, south := sum["north"]/float64(cnt["north"]), sum["south"]/float64(cnt["south"])
	if north-south < 0.08 {
		t.Errorf("mean IDACI north %.3f, south %.3f: want a clear north-south divide", north, south)
	}
	if sorted[0].decile != 1 || sorted[len(sorted)-1].decile < 8 {
		t.Errorf("IDACI deciles run from %d to %d; want the most deprived decile in the north and the least deprived ones in the south",
			sorted[0].decile, sorted[len(sorted)-1].decile)
	}
}

// Moran's I of IDACI with rook contiguity (shared edges): clustered need, so hotspots appear.
func TestIDACIIsSpatiallyAutocorrelated(t *testing.T) {
	ls := readLSOAs(t)
	rows := readIoD(t)
	score := map[string]float64{}
	for _, r := range rows {
		score[r.code] = r.idaci
	}
	owners := map[orb.Point][]int{}
	for i, l := range ls {
		for _, v := range l.mp[0][0][:len(l.mp[0][0])-1] {
			owners[v] = append(owners[v], i)
		}
	}
	shared := map[[2]int]int{}
	for _, o := range owners {
		for _, i := range o {
			for _, j := range o {
				if i != j {
					shared[[2]int{i, j}]++
				}
			}
		}
	}
	x := make([]float64, len(ls))
	mean := 0.0
	for i, l := range ls {
		x[i] = score[l.code]
		mean += x[i] / float64(len(ls))
	}
	num, den, wsum := 0.0, 0.0, 0.0
	for k, n := range shared {
		if n >= 2 {
			num += (x[k[0]] - mean) * (x[k[1]] - mean)
			wsum++
		}
	}
	for _, v := range x {
		den += (v - mean) * (v - mean)
	}
	moran := float64(len(x)) / wsum * num / den
	if moran < 0.4 {
		t.Errorf("Moran's I of IDACI = %.2f, want strong positive autocorrelation (> 0.4)", moran)
	}
}

func TestPopulation(t *testing.T) {
	h, rows := readCSV(t, FilePopulation)
	if strings.Join(h, ",") != PopulationHeader {
		t.Fatalf("header %q", h)
	}
	if data := sharedData(t); data != "" {
		if f, err := os.Open(filepath.Join(data, "population", "lsoa11_population_mid2019.csv")); err == nil {
			line, _ := bufio.NewReader(f).ReadString('\n')
			f.Close()
			if strings.TrimSpace(line) != PopulationHeader {
				t.Errorf("PopulationHeader %q differs from the real file's %q", PopulationHeader, line)
			}
		}
	}
	children := map[string]int{}
	for _, r := range readIoD(t) {
		children[r.code] = r.children
	}
	for _, r := range rows {
		all, a04, a015, a019, a515 := atoi(t, r[1]), atoi(t, r[2]), atoi(t, r[3]), atoi(t, r[4]), atoi(t, r[5])
		if a04+a515 != a015 || a019 < a015 || all < a019 {
			t.Errorf("%s: bands inconsistent: %v", r[0], r)
		}
		c, ok := children[r[0]]
		if !ok || math.Abs(float64(a015-c))/float64(c) > 0.1 {
			t.Errorf("%s: 0-15 = %d, IoD children %d", r[0], a015, c)
		}
	}
	if len(rows) != len(children) {
		t.Errorf("%d population rows, %d IoD rows", len(rows), len(children))
	}
}

type siteRow struct {
	id, kind string
	e, n     float64
}

// readSites reads hubs or candidates; kindCol is the tier/type column; coordinates come from
// whichever pair is filled (exactly one must be).
func readSites(t *testing.T, name, header string, kindCol, lonCol int) []siteRow {
	h, rows := readCSV(t, name)
	if strings.Join(h, ",") != header {
		t.Fatalf("%s header %q", name, h)
	}
	var out []siteRow
	ll, en := 0, 0
	for _, r := range rows {
		s := siteRow{id: r[0], kind: r[kindCol]}
		hasLL, hasEN := r[lonCol] != "" && r[lonCol+1] != "", r[lonCol+2] != "" && r[lonCol+3] != ""
		switch {
		case hasLL && !hasEN:
			s.e, s.n = bng.ToGrid(atof(t, r[lonCol]), atof(t, r[lonCol+1]))
			ll++
		case hasEN && !hasLL:
			s.e, s.n = atof(t, r[lonCol+2]), atof(t, r[lonCol+3])
			en++
		default:
			t.Errorf("%s %s: want exactly one of lon/lat and easting/northing: %v", name, r[0], r)
		}
		if r[lonCol+4] != "" {
			t.Errorf("%s %s: postcode should be empty", name, r[0])
		}
		out = append(out, s)
	}
	if ll == 0 || en == 0 {
		t.Errorf("%s: %d rows with lon/lat and %d with easting/northing; want both kinds", name, ll, en)
	}
	return out
}

func inDemoLA(t *testing.T, ls []lsoaFeature, e, n float64) bool {
	lon, lat := bng.ToLonLat(e, n)
	for _, l := range ls {
		if l.lad == DemoLADCode && planar.MultiPolygonContains(l.mp, orb.Point{lon, lat}) {
			return true
		}
	}
	return false
}

func TestSites(t *testing.T) {
	ls := readLSOAs(t)
	hubs := readSites(t, FileHubs, HubsHeader, 2, 3)
	tiers := map[string]int{}
	north := 0
	for _, h := range hubs {
		tiers[h.kind]++
		if !inDemoLA(t, ls, h.e, h.n) {
			t.Errorf("hub %s lies outside Demoshire", h.id)
		}
		if h.n >= originN+8000 {
			north++
		}
	}
	if want := map[string]int{"plus": 2, "extra": 1, "satellite": 4, "network-point": 5}; len(tiers) != 4 ||
		tiers["plus"] != want["plus"] || tiers["extra"] != want["extra"] || tiers["satellite"] != want["satellite"] || tiers["network-point"] != want["network-point"] {
		t.Errorf("hub tiers %v, want %v", tiers, want)
	}
	if north*2 <= len(hubs) {
		t.Errorf("%d of %d hubs in the north; want most", north, len(hubs))
	}
	cands := readSites(t, FileCandidates, CandidatesHeader, 2, 4)
	if len(cands) < 30 || len(cands) > 50 {
		t.Errorf("%d candidates, want about 40", len(cands))
	}
	types := map[string]int{}
	for _, c := range cands {
		types[c.kind]++
		if !inDemoLA(t, ls, c.e, c.n) {
			t.Errorf("candidate %s lies outside Demoshire", c.id)
		}
	}
	for _, typ := range []string{"library", "school", "community", "vcs"} {
		if types[typ] == 0 {
			t.Errorf("no candidate of type %s (types %v)", typ, types)
		}
	}
	if len(types) != 4 {
		t.Errorf("candidate types %v", types)
	}
}

func TestRoads(t *testing.T) {
	f, err := os.Open(filepath.Join(demoDir, FileRoads))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := osmxml.New(context.Background(), f)
	defer sc.Close()
	nodes := map[osm.NodeID]orb.Point{}
	var ways []*osm.Way
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Node:
			e, n := bng.ToGrid(o.Lon, o.Lat)
			nodes[o.ID] = orb.Point{e, n}
		case *osm.Way:
			ways = append(ways, o)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	classes := map[string]int{}
	oneway, maxspeed := 0, 0
	var drive [][2]orb.Point
	adj := map[osm.NodeID][]osm.NodeID{}
	for _, w := range ways {
		hw := w.Tags.Find("highway")
		classes[hw]++
		if w.Tags.Find("oneway") != "" {
			oneway++
		}
		if w.Tags.Find("maxspeed") != "" {
			maxspeed++
		}
		if len(w.Nodes) < 2 {
			t.Errorf("way %d has %d nodes", w.ID, len(w.Nodes))
		}
		drivable := map[string]bool{"primary": true, "secondary": true, "tertiary": true, "residential": true, "unclassified": true, "service": true}[hw]
		for i, nd := range w.Nodes {
			if _, ok := nodes[nd.ID]; !ok {
				t.Fatalf("way %d refers to missing node %d", w.ID, nd.ID)
			}
			if i > 0 && drivable {
				a, b := w.Nodes[i-1].ID, nd.ID
				drive = append(drive, [2]orb.Point{nodes[a], nodes[b]})
				adj[a] = append(adj[a], b)
				adj[b] = append(adj[b], a)
			}
		}
	}
	for _, c := range []string{"primary", "secondary", "tertiary", "residential", "unclassified", "track", "footway", "service"} {
		if classes[c] == 0 {
			t.Errorf("no %s ways (classes %v)", c, classes)
		}
	}
	if oneway == 0 || maxspeed == 0 {
		t.Errorf("%d one-way and %d maxspeed-tagged ways; want some of each", oneway, maxspeed)
	}
	// The drivable network is one connected piece.
	var start osm.NodeID
	for id := range adj {
		if start == 0 || id < start {
			start = id
		}
	}
	seen := map[osm.NodeID]bool{start: true}
	queue := []osm.NodeID{start}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, nb := range adj[id] {
			if !seen[nb] {
				seen[nb] = true
				queue = append(queue, nb)
			}
		}
	}
	if len(seen) != len(adj) {
		t.Errorf("drivable network: %d of %d nodes reachable from one node", len(seen), len(adj))
	}
	// Every centroid and every site is within 200 m of a drivable road.
	near := func(what string, e, n float64) {
		best := math.Inf(1)
		for _, s := range drive {
			best = math.Min(best, planar.DistanceFromSegment(s[0], s[1], orb.Point{e, n}))
		}
		if best > 200 {
			t.Errorf("%s is %.0f m from the nearest drivable road", what, best)
		}
	}
	for _, c := range readPWC(t) {
		near("centroid of "+c.code, c.e, c.n)
	}
	for _, s := range append(readSites(t, FileHubs, HubsHeader, 2, 3), readSites(t, FileCandidates, CandidatesHeader, 2, 4)...) {
		near("site "+s.id, s.e, s.n)
	}
}

func TestServiceUse(t *testing.T) {
	h, rows := readCSV(t, FileServiceUse)
	if strings.Join(h, ",") != ServiceUseHeader {
		t.Fatalf("header %q", h)
	}
	if len(rows) != 20_000 {
		t.Errorf("%d contacts, want 20,000", len(rows))
	}
	venues := map[string]bool{}
	_, hr := readCSV(t, FileHubs)
	for _, r := range hr {
		venues[r[0]] = true
	}
	lsoas := map[string]bool{}
	pop := map[string]int{}
	_, pr := readCSV(t, FilePopulation)
	for _, r := range pr {
		lsoas[r[0]] = true
		pop[r[0]] = atoi(t, r[2])
	}
	idRe := regexp.MustCompile(`^P\d{7}$`)
	persons := map[string]int{}
	perLSOA := map[string]int{}
	services := map[string]bool{}
	prev := ""
	for _, r := range rows {
		if !idRe.MatchString(r[0]) {
			t.Fatalf("person id %q", r[0])
		}
		if r[1] < "2023-04-01" || r[1] > "2025-03-31" || r[1] < prev {
			t.Fatalf("date %q out of the window or out of order", r[1])
		}
		prev = r[1]
		if !venues[r[3]] {
			t.Fatalf("venue %q is not a hub", r[3])
		}
		if !lsoas[r[4]] {
			t.Fatalf("home LSOA %q not in the area", r[4])
		}
		if age := atoi(t, r[5]); age < 0 || age > 59 {
			t.Fatalf("child age %d months", age)
		}
		services[r[2]] = true
		persons[r[0]]++
		perLSOA[r[4]]++
	}
	if n := len(persons); n < 4000 || n > 5000 {
		t.Errorf("%d children, want about 5,000", n)
	}
	repeat := 0
	for _, n := range persons {
		if n > 1 {
			repeat++
		}
	}
	if repeat < 1000 {
		t.Errorf("%d children with repeat visits, want many", repeat)
	}
	if len(services) < 4 {
		t.Errorf("services %v", services)
	}
	// Uptake decays with distance: contacts per under-five are higher near a hub than far away.
	hubs := readSites(t, FileHubs, HubsHeader, 2, 3)
	var nearRate, farRate float64
	var nearN, farN int
	for _, c := range readPWC(t) {
		d := math.Inf(1)
		for _, h := range hubs {
			d = math.Min(d, math.Hypot(c.e-h.e, c.n-h.n))
		}
		rate := float64(perLSOA[c.code]) / float64(pop[c.code])
		switch {
		case d < 1500:
			nearRate += rate
			nearN++
		case d > 3500:
			farRate += rate
			farN++
		}
	}
	if nearN == 0 || farN == 0 || nearRate/float64(nearN) < 2*farRate/float64(farN) {
		t.Errorf("contacts per under-five: %.2f near hubs (%d LSOAs), %.2f far (%d LSOAs); want a clear distance decay",
			nearRate/float64(max(nearN, 1)), nearN, farRate/float64(max(farN, 1)), farN)
	}
}

func TestLocality(t *testing.T) {
	h, rows := readCSV(t, FileLocality)
	if strings.Join(h, ",") != LocalityHeader {
		t.Fatalf("header %q", h)
	}
	demo := map[string]bool{}
	for _, l := range readLSOAs(t) {
		if l.lad == DemoLADCode {
			demo[l.code] = true
		}
	}
	got := map[string]int{}
	for _, r := range rows {
		if !demo[r[0]] {
			t.Errorf("locality for %s, which is not in the demo LA", r[0])
		}
		got[r[1]]++
	}
	if len(rows) != len(demo) || got["north"] == 0 || got["central"] == 0 || got["south"] == 0 || len(got) != 3 {
		t.Errorf("%d rows for %d LSOAs, localities %v", len(rows), len(demo), got)
	}
}

func TestWriteServiceUse(t *testing.T) {
	lsoas := []string{"E01900001", "E01900002", "E01900003"}
	venues := []string{"V1", "V2"}
	var a, b bytes.Buffer
	if err := WriteServiceUse(&a, 5000, 42, lsoas, venues); err != nil {
		t.Fatal(err)
	}
	if err := WriteServiceUse(&b, 5000, 42, lsoas, venues); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("same seed, different bytes")
	}
	recs, err := csv.NewReader(bytes.NewReader(a.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5001 || strings.Join(recs[0], ",") != ServiceUseHeader {
		t.Fatalf("%d records, header %v", len(recs), recs[0])
	}
	home := map[string]string{}
	for _, r := range recs[1:] {
		if !slicesContains(lsoas, r[4]) || !slicesContains(venues, r[3]) {
			t.Fatalf("row %v refers to an unknown LSOA or venue", r)
		}
		if age := atoi(t, r[5]); age < 0 || age > 59 || r[1] < "2023-04-01" || r[1] > "2025-03-31" {
			t.Fatalf("row %v: age or date out of range", r)
		}
		if h, ok := home[r[0]]; ok && h != r[4] {
			t.Fatalf("%s lives in %s and in %s", r[0], h, r[4])
		}
		home[r[0]] = r[4]
	}
	if err := WriteServiceUse(io.Discard, 10, 1, nil, venues); err == nil {
		t.Error("no LSOAs: want an error")
	}
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func BenchmarkWriteServiceUse(b *testing.B) {
	lsoas := make([]string, 200)
	for i := range lsoas {
		lsoas[i] = "E0" + strconv.Itoa(1900001+i)
	}
	venues := []string{"DEMO-H01", "DEMO-H02", "DEMO-H03", "DEMO-H04", "DEMO-H05"}
	const rows = 1_000_000
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteServiceUse(io.Discard, rows, 1, lsoas, venues); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkWrite(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Write(dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
