package network

import (
	"errors"
	"math"
	"os"
	"testing"

	"github.com/paulmach/orb"
)

// The hand-made network in testdata/tiny.osm (see the drawing there). Positions are offsets
// in metres from O = (E 486000, N 309000).
var tinyO = orb.Point{486000, 309000}

func at(x, y float64) orb.Point { return orb.Point{tinyO[0] + x, tinyO[1] + y} }

// Speeds used in the hand arithmetic:
//   - walking 4.8 km/h = 4/3 m/s, so 1 m takes 0.75 s;
//   - residential 32 km/h = 8.888… m/s, so 100 m takes 11.25 s (Main Street's 30 mph limit is
//     above the class speed and changes nothing);
//   - Back Lane's 10 mph = 16.09344 km/h = 4.4704 m/s, below the class speed, so 100 m takes
//     100/4.4704 = 22.36937 s;
//   - service 16 km/h = 4.444… m/s, so 100 m takes 22.5 s.
const (
	walkSecPerM = 0.75
	res100      = 11.25
	back100     = 100 / 4.4704
	service100  = 22.5
	// Positions are rounded to 1e-7 degrees in the fixture: within 6 mm of the grid point.
	tolM = 0.05
	tolS = 0.05
)

func readTiny(t *testing.T) ([]Segment, Stats) {
	t.Helper()
	f, err := os.Open("testdata/tiny.osm")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	segs, st, err := ReadOSM(f, "tiny.osm")
	if err != nil {
		t.Fatal(err)
	}
	return segs, st
}

func buildTiny(t *testing.T, mode Mode) *Graph {
	t.Helper()
	segs, _ := readTiny(t)
	g, err := Build(segs, mode, DefaultProfile())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestReadTinyXML(t *testing.T) {
	segs, st := readTiny(t)
	// 13 nodes; 9 ways of which 8 are highways; 108 (construction) gives nothing; the others
	// give 3+2+1+1+1+1+1 = 10 segments, all walkable, 9 drivable (not the footway), over nodes 1..10.
	if st.Format != "xml" || st.Nodes != 13 || st.Ways != 9 || st.HighwayWays != 8 || st.UsedWays != 7 ||
		st.Segments != 10 || st.WalkSegments != 10 || st.DriveSegments != 9 || st.SegmentNodes != 10 ||
		st.MissingNodes != 0 {
		t.Errorf("stats: %s", st)
	}
	if len(st.Skipped) != 1 || st.Skipped[SkipClass("construction")] != 1 {
		t.Errorf("skipped: %v, want one construction way", st.Skipped)
	}
	want := map[[2]int64]struct {
		a, b        orb.Point
		walk, drive bool
		oneway      int8
		maxspeed    float64
		highway     string
	}{
		{1, 2}:  {at(0, 0), at(100, 0), true, true, 0, 48.28032, "residential"},
		{2, 3}:  {at(100, 0), at(200, 0), true, true, 0, 48.28032, "residential"},
		{3, 7}:  {at(200, 0), at(300, 0), true, true, 0, 48.28032, "residential"},
		{6, 5}:  {at(200, 100), at(100, 100), true, true, 1, 16.09344, "residential"},
		{5, 4}:  {at(100, 100), at(0, 100), true, true, 1, 16.09344, "residential"},
		{1, 4}:  {at(0, 0), at(0, 100), true, true, 0, 0, "residential"},
		{3, 6}:  {at(200, 0), at(200, 100), true, true, 0, 0, "residential"},
		{2, 5}:  {at(100, 0), at(100, 100), true, false, 0, 0, "footway"},
		{8, 9}:  {at(500, 300), at(600, 300), true, true, 0, 0, "residential"},
		{7, 10}: {at(300, 0), at(400, 0), true, true, 1, 0, "service"},
	}
	if len(segs) != len(want) {
		t.Fatalf("%d segments, want %d", len(segs), len(want))
	}
	for _, s := range segs {
		w, ok := want[[2]int64{s.FromNode, s.ToNode}]
		if !ok {
			t.Errorf("unexpected segment %d→%d of way %d", s.FromNode, s.ToNode, s.WayID)
			continue
		}
		if dist(s.A, w.a) > 0.01 || dist(s.B, w.b) > 0.01 {
			t.Errorf("segment %d→%d at %v→%v, want %v→%v", s.FromNode, s.ToNode, s.A, s.B, w.a, w.b)
		}
		if s.WalkOK != w.walk || s.DriveOK != w.drive || s.Oneway != w.oneway || math.Abs(s.MaxSpeedKPH-w.maxspeed) > 1e-9 || s.Highway != w.highway {
			t.Errorf("segment %d→%d: %+v, want %+v", s.FromNode, s.ToNode, s, w)
		}
	}
}

func TestTinyGraphShape(t *testing.T) {
	walk, drive := buildTiny(t, Walk), buildTiny(t, Drive)
	// Walking: 10 nodes, 10 two-way edges = 20 arcs. Driving: the footway is gone (9 edges);
	// 6 two-way edges (1-2, 2-3, 3-7, 1-4, 3-6, 8-9) = 12 arcs, plus 3 one-way (6→5, 5→4, 7→10).
	for _, c := range []struct {
		g                  *Graph
		nodes, edges, arcs int
		weak, strong       []int
	}{
		{walk, 10, 10, 20, []int{8, 2}, []int{8, 2}},
		// Driving: node 10 can be entered (7→10) but not left: a strong component of its own.
		{drive, 10, 9, 15, []int{8, 2}, []int{7, 2, 1}},
	} {
		g := c.g
		if g.NumNodes() != c.nodes || g.NumEdges() != c.edges || g.NumArcs() != c.arcs {
			t.Errorf("%v: %d nodes, %d edges, %d arcs; want %d, %d, %d", g.Mode(), g.NumNodes(), g.NumEdges(), g.NumArcs(), c.nodes, c.edges, c.arcs)
		}
		comps := g.Components()
		if got := sizes(comps.Weak); !equalInts(got, c.weak) {
			t.Errorf("%v: weak component sizes %v, want %v", g.Mode(), got, c.weak)
		}
		if got := sizes(comps.Strong); !equalInts(got, c.strong) {
			t.Errorf("%v: strong component sizes %v, want %v", g.Mode(), got, c.strong)
		}
		islands := comps.Islands()
		if len(islands) != 1 || islands[0].Nodes != 2 || (islands[0].Example != 8 && islands[0].Example != 9) {
			t.Errorf("%v: islands %+v, want the 2-node island of nodes 8 and 9", g.Mode(), islands)
		}
	}
}

func sizes(cs []Component) []int {
	var out []int
	for _, c := range cs {
		out = append(out, c.Nodes)
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func mustSnap(t *testing.T, g *Graph, p orb.Point, maxDist float64) Snap {
	t.Helper()
	s, err := g.Snap(p, maxDist)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTinyFromNode1 checks a single source at node 1 against costs worked out by hand.
func TestTinyFromNode1(t *testing.T) {
	inf := math.Inf(1)
	// metres and seconds from node 1.
	cases := []struct {
		node                  int64
		walkM, driveM, driveS float64
	}{
		{1, 0, 0, 0},
		{2, 100, 100, res100},
		{3, 200, 200, 2 * res100},
		{7, 300, 300, 3 * res100},
		{10, 400, 400, 3*res100 + service100},
		{4, 100, 100, res100},             // 1-4 two-way
		{5, 200, 400, 3*res100 + back100}, // walk 1-2-5 (footway); drive 1-2-3-6→5 (Back Lane runs 6→5→4)
		{6, 300, 300, 3 * res100},         // 1-2-3-6
		{8, inf, inf, inf},                // island
		{9, inf, inf, inf},
	}
	for _, mode := range []Mode{Walk, Drive} {
		g := buildTiny(t, mode)
		src := mustSnap(t, g, at(0, 0), 10)
		if src.Dist > tolM || (src.Frac > 1e-4 && src.Frac < 1-1e-4) {
			t.Fatalf("%v: node 1 snapped at %+v", mode, src)
		}
		tree, err := g.Nearest([]Snap{src})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			v, ok := g.NodeIndex(c.node)
			if !ok {
				t.Fatalf("%v: node %d missing", mode, c.node)
			}
			wantM, wantS := c.walkM, c.walkM*walkSecPerM
			if mode == Drive {
				wantM, wantS = c.driveM, c.driveS
			}
			s, sec, m := tree.Node(v)
			if !near(m, wantM, tolM) || !near(sec, wantS, tolS) || (math.IsInf(wantM, 1) != (s == -1)) {
				t.Errorf("%v: node %d: source %d, %.3f s, %.3f m; want %.3f s, %.3f m", mode, c.node, s, sec, m, wantS, wantM)
			}
		}
	}
}

// TestTinyOneWayDeadEnd: from node 10, at the end of the one-way service road 7→10, a car can
// go nowhere; a walker can reach every node but the island.
func TestTinyOneWayDeadEnd(t *testing.T) {
	for _, c := range []struct {
		mode    Mode
		reached int
	}{{Walk, 8}, {Drive, 1}} {
		g := buildTiny(t, c.mode)
		tree, err := g.Nearest([]Snap{mustSnap(t, g, at(400, 0), 1)})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for v := 0; v < g.NumNodes(); v++ {
			if s, _, _ := tree.Node(v); s >= 0 {
				n++
			}
		}
		if n != c.reached {
			t.Errorf("%v: %d nodes reached from node 10, want %d", c.mode, n, c.reached)
		}
	}
}

func near(got, want, tol float64) bool {
	if math.IsInf(want, 1) {
		return math.IsInf(got, 1)
	}
	return math.Abs(got-want) <= tol
}

// TestTinySnap checks snapping to the middle of an edge and the preference for the main
// component.
func TestTinySnap(t *testing.T) {
	walk, drive := buildTiny(t, Walk), buildTiny(t, Drive)
	cases := []struct {
		name   string
		g      *Graph
		p      orb.Point
		max    float64
		from   int64 // OSM ids of the edge's ends
		to     int64
		frac   float64
		dist   float64
		inMain bool
	}{
		// 20 m south of the middle of Main Street between nodes 2 and 3.
		{"mid-edge", walk, at(150, -20), 100, 2, 3, 0.5, 20, true},
		// 30 m west of node 1-4, 40% of the way up.
		{"mid-edge 1-4", drive, at(-30, 40), 100, 1, 4, 0.4, 30, true},
		// Back Lane runs 6→5: x = 150 is half way from 6 (x 200) to 5 (x 100).
		{"one-way edge", drive, at(150, 100), 100, 6, 5, 0.5, 0, true},
		// Near the island (10 m) but only island edges within 100 m: snapped there, flagged.
		{"island", walk, at(560, 310), 100, 8, 9, 0.6, 10, false},
		// 20 m from the island, 317.65 m from node 10 (sqrt(150² + 280²)): within 500 m, the
		// main component is preferred.
		{"prefer main (walk)", walk, at(550, 280), 500, 7, 10, 1, math.Hypot(150, 280), true},
		// Driving: node 10 is a strong component of its own, so edge 7→10 is not in the main
		// component; the nearest main edge is 3-7, at node 7: sqrt(250² + 280²) = 375.37 m.
		{"prefer main (drive)", drive, at(550, 280), 500, 3, 7, 1, math.Hypot(250, 280), true},
	}
	for _, c := range cases {
		s, err := c.g.Snap(c.p, c.max)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		e := c.g.Edge(s.Edge)
		if e.FromID != c.from || e.ToID != c.to || !near(s.Frac, c.frac, 1e-3) || !near(s.Dist, c.dist, tolM) || s.InMain != c.inMain {
			t.Errorf("%s: edge %d→%d frac %.4f dist %.3f main %v; want %d→%d frac %.4f dist %.3f main %v",
				c.name, e.FromID, e.ToID, s.Frac, s.Dist, s.InMain, c.from, c.to, c.frac, c.dist, c.inMain)
		}
		wantOn := orb.Point{e.A[0] + c.frac*(e.B[0]-e.A[0]), e.A[1] + c.frac*(e.B[1]-e.A[1])}
		if dist(s.OnEdge, wantOn) > tolM || !near(dist(s.OnEdge, c.p), s.Dist, 1e-9) {
			t.Errorf("%s: on-edge point %v, want %v", c.name, s.OnEdge, wantOn)
		}
	}
}

// TestTinyMultiSource: two hubs, H1 20 m south of the middle of 2-3 and H2 30 m west of 1-4
// at 40 % of its length; targets inside edges.
func TestTinyMultiSource(t *testing.T) {
	const h1, h2 = 0, 1
	type want struct {
		src     int
		metres  float64
		seconds float64
	}
	cases := []struct {
		name        string
		p           orb.Point
		walk, drive want
	}{
		// Node-level checks, as partial edges from the hubs: H1 is 50 m from nodes 2 and 3,
		// H2 40 m from node 1 and 60 m from node 4.
		// T1 half way along Back Lane 6→5: walk 50+100+50 = 200 from H1 (via 3-6 or 2-5, equal);
		// drive H1→3→6→T1 = 50 + 100 + 50 m: 5.625 + 11.25 + 50/4.4704 s.
		{"T1 on Back Lane 6→5", at(150, 100), want{h1, 200, 150}, want{h1, 200, 5.625 + res100 + back100/2}},
		// T2 half way along Back Lane 5→4 (20 m north of it): walk H2→4→T2 = 60 + 50 = 110 m.
		// Driving 4→5 is against the one-way, so the car must come from 5: H1→3→6→5→T2 =
		// 50+100+100+50 = 300 m, 5.625 + 11.25 + 22.369 + 11.185 s. Walk and drive pick
		// different hubs.
		{"T2 on Back Lane 5→4", at(50, 120), want{h2, 110, 82.5}, want{h1, 300, 5.625 + res100 + back100*1.5}},
		// T3 on the same edge as H1 (2-3 at 80 %): 30 m straight along the edge.
		{"T3 same edge as H1", at(180, -10), want{h1, 30, 22.5}, want{h1, 30, 0.3 * res100}},
		// T4 at node 1 (via H2: 40 m).
		{"T4 at node 1", at(0, 0), want{h2, 40, 30}, want{h2, 40, 0.4 * res100}},
		// T5 5 m from the middle of the service road 7→10. Walking: H1→3→7→T5 = 50+100+50 =
		// 200 m. Driving: the dead end 7→10 is not in the main strongly connected component
		// (a car cannot leave node 10), so T5 snaps to the nearest main edge within 100 m,
		// 3-7 at node 7 (50.2 m away): H1→3→7 = 150 m.
		{"T5 near service 7→10", at(350, 5), want{h1, 200, 150}, want{h1, 150, 5.625 + res100}},
	}
	for _, mode := range []Mode{Walk, Drive} {
		g := buildTiny(t, mode)
		hubs := []Snap{mustSnap(t, g, at(150, -20), 100), mustSnap(t, g, at(-30, 40), 100)}
		tree, err := g.Nearest(hubs)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			w := c.walk
			if mode == Drive {
				w = c.drive
			}
			src, sec, m, ok := tree.To(mustSnap(t, g, c.p, 100))
			if !ok || src != w.src || !near(m, w.metres, tolM) || !near(sec, w.seconds, tolS) {
				t.Errorf("%v %s: hub %d, %.3f s, %.3f m, ok %v; want hub %d, %.3f s, %.3f m", mode, c.name, src, sec, m, ok, w.src, w.seconds, w.metres)
			}
		}
		// A target on the island is unreachable; a zero Snap (a point that failed to snap)
		// is not reached either.
		if _, _, _, ok := tree.To(mustSnap(t, g, at(560, 310), 100)); ok {
			t.Errorf("%v: island target reached", mode)
		}
		if _, _, _, ok := tree.To(Snap{}); ok || (Snap{}).Valid() || !hubs[0].Valid() {
			t.Errorf("%v: zero Snap reached, or Valid wrong", mode)
		}
		// A Snap from the other mode's graph is refused, not misread.
		other := buildTiny(t, Walk+Drive-mode)
		if _, err := other.Nearest(hubs); err == nil {
			t.Errorf("%v: Nearest accepted snaps from another graph", mode)
		}
		if _, err := other.NewSearcher().Bounded(hubs[0], 60, nil, nil); err == nil {
			t.Errorf("%v: Bounded accepted a snap from another graph", mode)
		}
	}
}

// TestTinySameEdgeOneWay: source and target on the one-way Back Lane (6→5). Ahead of the
// source the car drives straight there; behind it, it must go round the block.
func TestTinySameEdgeOneWay(t *testing.T) {
	// S at 30 % of 6→5 (x = 170). Ahead: T at 70 % (x = 130), 40 m. Behind: T' at 10 % (x = 190).
	// Car to T': S→5 (70 m) →4 (100) →1 →2 →3 →6 (4 × 100 residential) → T' (10 m):
	// 580 m; 70/4.4704 + 22.369 + 4 × 11.25 + 10/4.4704 s. On foot: 20 m back.
	cases := []struct {
		name         string
		p            orb.Point
		mode         Mode
		metres, secs float64
	}{
		{"ahead walk", at(130, 100), Walk, 40, 30},
		{"ahead drive", at(130, 100), Drive, 40, 0.4 * back100},
		{"behind walk", at(190, 100), Walk, 20, 15},
		{"behind drive", at(190, 100), Drive, 580, 0.7*back100 + back100 + 4*res100 + 0.1*back100},
	}
	for _, c := range cases {
		g := buildTiny(t, c.mode)
		src := mustSnap(t, g, at(170, 110), 100)
		tree, err := g.Nearest([]Snap{src})
		if err != nil {
			t.Fatal(err)
		}
		target := mustSnap(t, g, c.p, 100)
		_, sec, m, ok := tree.To(target)
		if !ok || !near(m, c.metres, tolM) || !near(sec, c.secs, tolS) {
			t.Errorf("%s: %.3f s, %.3f m (ok %v); want %.3f s, %.3f m", c.name, sec, m, ok, c.secs, c.metres)
		}
		// The bounded search gives the same, and nothing when the limit is just short.
		s := g.NewSearcher()
		got, err := s.Bounded(src, c.secs+tolS, []Snap{target}, nil)
		if err != nil || len(got) != 1 || !near(got[0].Metres, c.metres, tolM) {
			t.Errorf("%s: bounded %+v %v", c.name, got, err)
		}
		if got, _ := s.Bounded(src, c.secs-tolS, []Snap{target}, nil); len(got) != 0 {
			t.Errorf("%s: bounded below the cost reached %+v", c.name, got)
		}
	}
}

// TestTinyBounded: bounded searches from one hub return the targets within the limit.
func TestTinyBounded(t *testing.T) {
	points := []orb.Point{at(150, 100), at(50, 120), at(180, -10), at(560, 310)} // T1, T2, T3, island
	cases := []struct {
		mode   Mode
		source orb.Point
		limit  float64
		want   []int
	}{
		// Drive from H1: T1 28.06 s, T2 50.43 s, T3 3.375 s, island never.
		{Drive, at(150, -20), 30, []int{0, 2}},
		{Drive, at(150, -20), 28, []int{2}},
		{Drive, at(150, -20), 60, []int{0, 1, 2}},
		// Walk from H2 (limit 100 s = 133.3 m): T2 110 m; T1 210 m (H2→4→5→T1); T3 220 m.
		{Walk, at(-30, 40), 100, []int{1}},
		{Walk, at(-30, 40), 0, nil},
	}
	for _, c := range cases {
		g := buildTiny(t, c.mode)
		targets, _ := g.SnapAll(points, 100)
		s := g.NewSearcher()
		var out []Reach
		// Run twice on the same Searcher: reused buffers must not leak between searches.
		for range 2 {
			var err error
			out, err = s.Bounded(mustSnap(t, g, c.source, 100), c.limit, targets, out[:0])
			if err != nil {
				t.Fatal(err)
			}
		}
		var got []int
		for _, r := range out {
			got = append(got, r.Target)
			if r.Seconds > c.limit {
				t.Errorf("%v limit %g: target %d at %.2f s", c.mode, c.limit, r.Target, r.Seconds)
			}
		}
		if !equalInts(got, c.want) {
			t.Errorf("%v from %v limit %g s: targets %v, want %v", c.mode, c.source, c.limit, got, c.want)
		}
	}
}

// TestSnapErrors checks the errors for a point too far from any edge and one outside the
// network's bounds, with their exact messages.
func TestSnapErrors(t *testing.T) {
	walk := buildTiny(t, Walk)
	cases := []struct {
		name string
		p    orb.Point
		max  float64
		is   error
		msg  string
	}{
		// 10 m south of the island's edge (y = 300), inside the bounding box.
		{"too far", at(550, 290), 5, ErrTooFar,
			"point (486550.0, 309290.0): the nearest walk edge is 10.0 m away, more than the 5 m snapping distance"},
		// A site in a field 150 m north of node 6 (the nearest edge end), inside the bounding
		// box: too far to snap with 100 m.
		{"field", at(200, 250), 100, ErrTooFar,
			"point (486200.0, 309250.0): the nearest walk edge is 150.0 m away, more than the 100 m snapping distance"},
		// 10 m north of the island, outside the box (N ≤ 309300) by more than 5 m.
		{"just outside", at(560, 310), 5, ErrOutside,
			"point (486560.0, 309310.0) is outside the walk network's bounds (E 486000–486600, N 309000–309300) by more than the 5 m snapping distance"},
		{"outside", at(4000, 0), 500, ErrOutside,
			"point (490000.0, 309000.0) is outside the walk network's bounds (E 486000–486600, N 309000–309300) by more than the 500 m snapping distance"},
		// Swapped easting and northing: the usual mistake.
		{"swapped axes", orb.Point{309000, 486000}, 500, ErrOutside,
			"point (309000.0, 486000.0) is outside the walk network's bounds (E 486000–486600, N 309000–309300) by more than the 500 m snapping distance"},
	}
	for _, c := range cases {
		_, err := walk.Snap(c.p, c.max)
		if err == nil || !errors.Is(err, c.is) || err.Error() != c.msg {
			t.Errorf("%s: got %v\nwant %s", c.name, err, c.msg)
		}
	}
	var tf *TooFarError
	if _, err := walk.Snap(at(550, 290), 5); !errors.As(err, &tf) || !near(tf.Dist, 10, tolM) {
		t.Errorf("TooFarError distance: %+v", tf)
	}
}

func dist(a, b orb.Point) float64 { return math.Hypot(a[0]-b[0], a[1]-b[1]) }

// TestTinySnapAtOneWayStart: a point beyond the start of the one-way Back Lane snaps to its
// first node (fraction 0 of edge 6→5, tied with 3-6 and taken by the lower edge number). Standing
// on node 6, a car may leave by any road there, not only along Back Lane: to node 3 it is the
// 100 m of 3-6, not 6→5→4→1→2→3 (400 m). The same at the end of the search: a target at the
// end of an edge is reached from that node whatever the one-way.
func TestTinySnapAtOneWayStart(t *testing.T) {
	g := buildTiny(t, Drive)
	src := mustSnap(t, g, at(220, 110), 100)
	if e := g.Edge(src.Edge); e.FromID != 6 || e.ToID != 5 || src.Frac != 0 {
		t.Fatalf("snapped to %d→%d at %.3f, want the start of Back Lane 6→5", e.FromID, e.ToID, src.Frac)
	}
	tree, err := g.Nearest([]Snap{src})
	if err != nil {
		t.Fatal(err)
	}
	v3, _ := g.NodeIndex(3)
	if _, sec, m := tree.Node(v3); !near(m, 100, tolM) || !near(sec, res100, tolS) {
		t.Errorf("node 3: %.3f s, %.3f m; want %.3f s, 100 m", sec, m, res100)
	}
	// From H1 on Main Street to the same point: H1→3→6 = 150 m.
	tree, err = g.Nearest([]Snap{mustSnap(t, g, at(150, -20), 100)})
	if err != nil {
		t.Fatal(err)
	}
	if _, sec, m, ok := tree.To(src); !ok || !near(m, 150, tolM) || !near(sec, 5.625+res100, tolS) {
		t.Errorf("to node 6: %.3f s, %.3f m; want %.3f s, 150 m", sec, m, 5.625+res100)
	}
	out, err := g.NewSearcher().Bounded(src, 12, []Snap{mustSnap(t, g, at(200, 0), 1)}, nil)
	if err != nil || len(out) != 1 || !near(out[0].Metres, 100, tolM) {
		t.Errorf("bounded from node 6 to node 3: %+v %v", out, err)
	}
}
