package network

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/paulmach/orb"
)

// TestRutlandRead checks what ReadOSM reads from the Rutland extract against the counts
// published with it (../shared/data/osm/README.md, from osmium fileinfo -e).
func TestRutlandRead(t *testing.T) {
	_, segs, st := rutlandSegments(t)
	t.Log(st)
	if st.Format != "pbf" || st.Nodes != 170885 || st.Ways != 16730 || st.HighwayWays != 6665 {
		t.Errorf("read %d nodes, %d ways, %d highway ways; README: 170,885 nodes, 16,730 ways, 6,665 highway ways",
			st.Nodes, st.Ways, st.HighwayWays)
	}
	// The README's breakdown by class (unclassified 526 and tertiary 221 there add up to two
	// more ways than its own total of 6,665; we read 525 and 220, which do add up).
	for class, want := range map[string]int{
		"service": 2358, "residential": 1172, "footway": 1162, "track": 508, "trunk": 176,
		"bridleway": 130, "path": 125, "secondary": 106, "cycleway": 67, "primary": 51,
	} {
		if got := st.Classes[class]; got != want {
			t.Errorf("highway=%s: %d ways, README %d", class, got, want)
		}
	}
	// Every highway way is either used or skipped with a reason.
	skipped := 0
	for _, n := range st.Skipped {
		skipped += n
	}
	if st.UsedWays+skipped != st.HighwayWays || len(st.Rejects) != skipped+st.MissingNodes {
		t.Errorf("%d used + %d skipped != %d highway ways, or %d rejects", st.UsedWays, skipped, st.HighwayWays, len(st.Rejects))
	}
	// Rutland's highway ways that are neither routable classes nor areas, from the class
	// counts: raceway, corridor and rest_area, one each; and four area=yes ways (two
	// pedestrian squares, a living street and a track).
	if st.Skipped[SkipClass("raceway")] != 1 || st.Skipped[SkipClass("corridor")] != 1 ||
		st.Skipped[SkipClass("rest_area")] != 1 || st.Skipped[SkipArea] != 4 {
		t.Errorf("skipped %v", st.Skipped)
	}
	if st.MissingNodes != 0 {
		t.Errorf("%d node references missing: Geofabrik extracts keep ways complete", st.MissingNodes)
	}
	// Segments lie in and around Rutland: the county's LSOA centroids span E 482,600–503,800,
	// N 297,400–316,900, and Geofabrik adds a border margin of a few km.
	for _, s := range segs {
		for _, p := range []orb.Point{s.A, s.B} {
			if p[0] < 460000 || p[0] > 530000 || p[1] < 280000 || p[1] > 340000 {
				t.Fatalf("segment of way %d at %v: far outside Rutland", s.WayID, p)
			}
		}
	}
}

// rutlandGraph builds the Rutland graph for mode once per test.
func rutlandGraph(t testing.TB, mode Mode) (*Graph, []Segment) {
	t.Helper()
	_, segs, _ := rutlandSegments(t)
	g, err := Build(segs, mode, DefaultProfile())
	if err != nil {
		t.Fatal(err)
	}
	return g, segs
}

// TestRutlandAgainstReference compares the multi-source search from five hubs, and the costs
// to the 23 LSOA population-weighted centroids, with the O(V²) reference on the whole
// Rutland network, node by node; for driving also the search towards the hubs.
func TestRutlandAgainstReference(t *testing.T) {
	if testing.Short() {
		t.Skip("O(V²) reference on 40,000 nodes: skipped with -short")
	}
	_, hubPts := rutlandHubs(t)
	_, lsoaPts := rutlandLSOAs(t)
	if len(hubPts) != 5 || len(lsoaPts) != 23 {
		t.Fatalf("%d hubs and %d LSOAs, want 5 and 23", len(hubPts), len(lsoaPts))
	}
	for _, mode := range []Mode{Walk, Drive} {
		g, segs := rutlandGraph(t, mode)
		hubs := snapOrFail(t, g, hubPts, 1000)
		lsoas := snapOrFail(t, g, lsoaPts, 1000)
		n := compareWithReference(t, g, segs, hubs, lsoas)
		t.Logf("%v: %d nodes compared", mode, n)
		if mode == Drive { // towards the hubs (walking is the same both ways: TestWalkReverseIdentical)
			compareWithReference(t, g.Reverse(), segs, hubs, lsoas)
		}
	}
}

// TestRutlandSnapping: every hub and LSOA centroid snaps to the main component within 1 km,
// and the LSOA centroids' median snapping distance is under 100 m. Population-weighted
// centroids lie in the built-up parts of an LSOA (the data README measured a median of 55 m
// to the nearest residential road or building node), but the centroid of a rural LSOA of
// several villages can fall in the fields between them: Rutland 005A's is 233 m from a
// footpath and 913 m from a road a car may use, so rural areas need a generous snapping
// distance, and the pipeline should report the snapping distance with each result.
func TestRutlandSnapping(t *testing.T) {
	names, hubPts := rutlandHubs(t)
	codes, lsoaPts := rutlandLSOAs(t)
	names = append(names, codes...)
	pts := append(hubPts, lsoaPts...)
	for _, mode := range []Mode{Walk, Drive} {
		g, _ := rutlandGraph(t, mode)
		var ds []float64
		for i, p := range pts {
			s, err := g.Snap(p, 1000)
			if err != nil || !s.InMain {
				t.Errorf("%v %s: %+v %v", mode, names[i], s, err)
			}
			if i >= len(hubPts) {
				ds = append(ds, s.Dist)
			}
		}
		sort.Float64s(ds)
		if med := ds[len(ds)/2]; med > 100 {
			t.Errorf("%v: median LSOA snapping distance %.0f m", mode, med)
		}
		t.Logf("%v: LSOA snapping distances %.0f m", mode, ds)
	}
	// Rutland 005A by car, the worst case, with the error a caller gets at 500 m.
	g, _ := rutlandGraph(t, Drive)
	_, err := g.Snap(lsoaPts[0], 500)
	want := "point (483940.1, 303455.4): the nearest drive edge is 913.4 m away, more than the 500 m snapping distance"
	if codes[0] != "E01013787" || err == nil || err.Error() != want {
		t.Errorf("%s: got %v\nwant %s", codes[0], err, want)
	}
}

// TestRutlandOakhamRoutes checks two walks in Oakham, Rutland's county town, worked out by
// hand.
func TestRutlandOakhamRoutes(t *testing.T) {
	walk, _ := rutlandGraph(t, Walk)
	drive, _ := rutlandGraph(t, Drive)
	cases := []struct {
		name     string
		from, to orb.Point
		min, max float64 // metres on foot
	}{
		// Along Oakham High Street (B640, way 338458352), from A (E 485,930,
		// N 308,785) to B (E 486,110, N 308,748.5), both on the street's centre line. The
		// street's nodes between them are 472398300 (485,969.9, 308,772.8), 1585542686
		// (485,985.1, 308,768.6), 14558409 (486,059.5, 308,750.5) and 1649195813 (486,088.8,
		// 308,748.2), so the walk is the polyline A–…–B: 41.7 + 15.8 + 76.6 + 29.4 + 21.2 =
		// 184.7 m (crow-fly 183.7 m). Allow 2 m for rounding.
		{"High Street", orb.Point{485930, 308785}, orb.Point{486110, 308748.5}, 182.7, 186.7},
		// Rutland County Library (Catmose Street) to Oakham Medical Practice (west of the
		// centre, by the station): 756 m apart between the snapped points. Walking routes in
		// an English market town are typically 1.2–1.3 times the straight line; the centre
		// has a through street (High Street, Northgate) between them, so 1.0–1.4 times.
		{"Library to Medical Practice", toGrid(-0.7258609, 52.6693449), toGrid(-0.7365080, 52.6717877), 0, 0},
	}
	for _, c := range cases {
		from, to := mustSnap(t, walk, c.from, 100), mustSnap(t, walk, c.to, 100)
		tree, err := walk.Nearest([]Snap{from})
		if err != nil {
			t.Fatal(err)
		}
		_, sec, m, ok := tree.To(to)
		crow := dist(from.OnEdge, to.OnEdge)
		lo, hi := c.min, c.max
		if lo == 0 {
			lo, hi = crow, 1.4*crow
		}
		t.Logf("%s: walk %.1f m (%.1f min), crow-fly %.1f m, ratio %.3f; snapped %.0f m and %.0f m from the points",
			c.name, m, sec/60, crow, m/crow, from.Dist, to.Dist)
		if !ok || m < lo || m > hi || m < crow {
			t.Errorf("%s: walk %.1f m, want %.1f–%.1f m", c.name, m, lo, hi)
		}
		if !near(sec, m/(4.8/3.6), 1e-6) {
			t.Errorf("%s: walk time %.3f s for %.1f m at 4.8 km/h", c.name, sec, m)
		}
		// By car: at least the crow-fly distance, at an average between 20 and 40 mph
		// (8.94–17.88 m/s), the speeds of a town centre.
		dfrom, dto := mustSnap(t, drive, c.from, 100), mustSnap(t, drive, c.to, 100)
		dtree, err := drive.Nearest([]Snap{dfrom})
		if err != nil {
			t.Fatal(err)
		}
		_, dsec, dm, ok := dtree.To(dto)
		t.Logf("%s: drive %.1f m (%.1f min)", c.name, dm, dsec/60)
		if !ok || dm < dist(dfrom.OnEdge, dto.OnEdge) || dm/dsec < 20*mphToKPH/3.6 || dm/dsec > 40*mphToKPH/3.6 {
			t.Errorf("%s: drive %.1f m in %.1f s", c.name, dm, dsec)
		}
	}
}

// TestRutlandCrowFlyProperty: the network distance between two snapped points is never less
// than the straight line between the snapped positions (a path on the network is a polyline
// joining them: the triangle inequality). For the original points this becomes
// |P−Q| ≤ dP + network + dQ; the bare |P−Q| ≤ network is NOT true in general (a point 300 m
// off a road can be 300 m from a neighbour that is 0 m away along the road).
func TestRutlandCrowFlyProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(52, 670))
	for _, mode := range []Mode{Walk, Drive} {
		g, _ := rutlandGraph(t, mode)
		var snaps []Snap
		b := g.Bounds()
		for len(snaps) < 120 {
			p := randomPoints(rng, 1, b)[0]
			if s, err := g.Snap(p, 200); err == nil && s.InMain {
				snaps = append(snaps, s)
			}
		}
		sources, targets := snaps[:30], snaps[30:]
		s := g.NewSearcher()
		var out []Reach
		pairs := 0
		for i, src := range sources {
			var err error
			out, err = s.Bounded(src, math.Inf(1), targets, out[:0])
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != len(targets) {
				t.Errorf("%v: source %d reached %d of %d targets in the main component", mode, i, len(out), len(targets))
			}
			for _, r := range out {
				q := targets[r.Target]
				pairs++
				if crow := dist(src.OnEdge, q.OnEdge); crow > r.Metres+1e-6 {
					t.Errorf("%v: crow-fly %.3f m > network %.3f m", mode, crow, r.Metres)
				}
				if crow := dist(src.Point, q.Point); crow > src.Dist+r.Metres+q.Dist+1e-6 {
					t.Errorf("%v: |P−Q| %.3f m > %.3f + %.3f + %.3f m", mode, crow, src.Dist, r.Metres, q.Dist)
				}
			}
		}
		t.Logf("%v: %d pairs", mode, pairs)
	}
}

// TestRutlandBoundedMatchesTree: the bounded search from a site finds exactly the targets
// whose full single-source search cost is within the limit, with the same costs.
func TestRutlandBoundedMatchesTree(t *testing.T) {
	_, lsoaPts := rutlandLSOAs(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		mode  Mode
		limit float64
	}{{Walk, 20 * 60}, {Drive, 10 * 60}} {
		g, _ := rutlandGraph(t, c.mode)
		targets := snapOrFail(t, g, lsoaPts, 1000)
		s := g.NewSearcher()
		var out []Reach
		reached := 0
		for k := 0; k < 40; k++ {
			site, err := g.Snap(randomPoints(rng, 1, orb.Bound{Min: orb.Point{483000, 297000}, Max: orb.Point{504000, 317000}})[0], 300)
			if err != nil {
				k--
				continue
			}
			tree, err := g.Nearest([]Snap{site})
			if err != nil {
				t.Fatal(err)
			}
			out, err = s.Bounded(site, c.limit, targets, out[:0])
			if err != nil {
				t.Fatal(err)
			}
			got := map[int]Reach{}
			for _, r := range out {
				got[r.Target] = r
			}
			for j, tg := range targets {
				_, sec, m, ok := tree.To(tg)
				r, in := got[j]
				if want := ok && sec <= c.limit; in != want || (in && (!closeTo(r.Seconds, sec) || !closeTo(r.Metres, m))) {
					t.Errorf("%v site %d target %d: bounded %+v (%v), full %.3f s %.3f m", c.mode, k, j, r, in, sec, m)
				}
			}
			reached += len(out)
		}
		t.Logf("%v: %d site–LSOA pairs within %s", c.mode, reached, fmt.Sprint(c.limit/60, " min"))
		if reached == 0 {
			t.Errorf("%v: no LSOA within the limit of any site: the check tested nothing", c.mode)
		}
	}
}
