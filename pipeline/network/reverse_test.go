package network

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// The one-way loop: a square of four residential streets, 500 m a side, one-way all the way
// round A→B→C→D→A, with a 30 km/h limit (below the 32 km/h class speed, so it is used):
// 500 m takes exactly 60 s, 100 m 12 s. Coordinates are offsets from O = (E 486000, N 309000).
//
//	D (0, 500) ◄──── C (500, 500)
//	│                ▲
//	▼                │
//	A (0, 0) ──────► B (500, 0)
//
// Going round, every point can reach every other, but the time from X to Y and from Y to X add
// up to the 240 s of the whole loop: the two directions differ whenever X and Y are not
// opposite each other.
func loopSegments() []Segment {
	corner := []orb.Point{at(0, 0), at(500, 0), at(500, 500), at(0, 500)}
	var segs []Segment
	for i := range corner {
		j := (i + 1) % len(corner)
		segs = append(segs, Segment{WayID: int64(i + 1), FromNode: int64(i + 1), ToNode: int64(j + 1), A: corner[i], B: corner[j],
			Highway: "residential", Oneway: 1, MaxSpeedKPH: 30, WalkOK: true, DriveOK: true})
	}
	return segs
}

const loopSecPerM = 60.0 / 500 // 30 km/h

func buildLoop(t *testing.T, mode Mode) *Graph {
	t.Helper()
	g, err := Build(loopSegments(), mode, DefaultProfile())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestLoopToHub: two hubs on the loop, H1 10 m south of A→B at 20 % of it (x = 100) and H2 10 m
// east of B→C half way up (y = 250), and a home P 10 m north of C→D at 40 % of it (x = 300).
// Worked by hand (metres of road; seconds at 0.12 s a metre):
//
//	from the hubs (the old direction): H1→B→C→P = 400 + 500 + 200 = 1100 m;
//	                                    H2→C→P   = 250 + 200       =  450 m: H2, 54 s.
//	to the hubs (the family's):        P→D→A→H1 = 300 + 500 + 100 =  900 m: H1, 108 s;
//	                                    P→D→A→B→H2 = 300 + 500 + 500 + 250 = 1550 m.
//
// Both partial edges are on one-way streets: at P's end the car must leave C→D forwards (300 m
// to D, not 200 m back to C), and at the hub's end it must enter A→B at A (100 m to H1). Walking
// ignores the one-way: P→C→H2 = 450 m in either direction.
func TestLoopToHub(t *testing.T) {
	type want struct {
		hub    int
		metres float64
	}
	for _, c := range []struct {
		mode        Mode
		from, to    want // from the hubs to P; from P to the hubs
		nodesFrom   map[int64]want
		nodesTo     map[int64]want
		secPerMetre float64
	}{
		{Drive, want{1, 450}, want{0, 900},
			// Hubs to each corner: A: H2→C→D→A 1250; B: H1→B 400; C: H2→C 250; D: H2→C→D 750.
			map[int64]want{1: {1, 1250}, 2: {0, 400}, 3: {1, 250}, 4: {1, 750}},
			// Each corner to the hubs: A→H1 100; B→H2 250; C→D→A→H1 1100; D→A→H1 600.
			map[int64]want{1: {0, 100}, 2: {1, 250}, 3: {0, 1100}, 4: {0, 600}},
			loopSecPerM},
		// Walking at 4.8 km/h (0.75 s a metre), the same both ways: A: H1 100; B: H2 250;
		// C: H2 250; D: A→H1 600 (D→C→H2 is 750).
		{Walk, want{1, 450}, want{1, 450},
			map[int64]want{1: {0, 100}, 2: {1, 250}, 3: {1, 250}, 4: {0, 600}},
			map[int64]want{1: {0, 100}, 2: {1, 250}, 3: {1, 250}, 4: {0, 600}},
			walkSecPerM},
	} {
		g := buildLoop(t, c.mode)
		hubs := []Snap{mustSnap(t, g, at(100, -10), 50), mustSnap(t, g, at(510, 250), 50)}
		home := mustSnap(t, g, at(300, 510), 50)
		if e := g.Edge(home.Edge); e.FromID != 3 || e.ToID != 4 || !near(home.Frac, 0.4, 1e-9) || !near(home.Dist, 10, 1e-9) {
			t.Fatalf("%v: home snapped to %d→%d at %.3f, %.1f m away; want C→D at 0.4, 10 m", c.mode, e.FromID, e.ToID, home.Frac, home.Dist)
		}
		for _, dir := range []struct {
			name  string
			g     *Graph
			home  want
			nodes map[int64]want
		}{{"from the hubs", g, c.from, c.nodesFrom}, {"to the hubs", g.Reverse(), c.to, c.nodesTo}} {
			tree, err := dir.g.Nearest(hubs)
			if err != nil {
				t.Fatal(err)
			}
			hub, sec, m, ok := tree.To(home)
			if !ok || hub != dir.home.hub || !near(m, dir.home.metres, 1e-9) || !near(sec, dir.home.metres*c.secPerMetre, 1e-9) {
				t.Errorf("%v %s: home: hub %d, %.3f s, %.3f m; want hub %d, %.3f s, %.3f m", c.mode, dir.name, hub, sec, m,
					dir.home.hub, dir.home.metres*c.secPerMetre, dir.home.metres)
			}
			for id, w := range dir.nodes {
				v, _ := g.NodeIndex(id)
				hub, sec, m := tree.Node(v)
				if hub != w.hub || !near(m, w.metres, 1e-9) || !near(sec, w.metres*c.secPerMetre, 1e-9) {
					t.Errorf("%v %s: corner %c: hub %d, %.3f s, %.3f m; want hub %d, %.3f m", c.mode, dir.name, 'A'+id-1, hub, sec, m, w.hub, w.metres)
				}
			}
		}
	}
}

// TestLoopSameEdge: the hub H1 at 20 % of A→B (x = 100) and homes on the same one-way edge.
// Q at x = 350 is ahead of the hub: 250 m from it, but the family must drive on to B and round
// the loop: Q→B→C→D→A→H1 = 150 + 1500 + 100 = 1750 m (210 s). R at x = 50 is behind it: the
// family drives straight there, 50 m (6 s), while from the hub it is 400 + 1500 + 50 = 1950 m.
// The bounded search from H1 on the reverse finds the homes within the limit by their time to
// H1: P (900 m, 108 s, from TestLoopToHub) and R, but not Q, at 120 s; only R at 100 s.
// Outwards at 120 s it would find Q (30 s) alone.
func TestLoopSameEdge(t *testing.T) {
	g := buildLoop(t, Drive)
	hub := mustSnap(t, g, at(100, -10), 50)
	homes := []Snap{mustSnap(t, g, at(300, 510), 50), mustSnap(t, g, at(350, 0), 50), mustSnap(t, g, at(50, 0), 50)} // P, Q, R
	toHub := []float64{900, 1750, 50}
	fromHub := []float64{1100, 250, 1950}
	for _, dir := range []struct {
		name   string
		g      *Graph
		metres []float64
	}{{"from the hub", g, fromHub}, {"to the hub", g.Reverse(), toHub}} {
		tree, err := dir.g.Nearest([]Snap{hub})
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range homes {
			_, sec, m, ok := tree.To(h)
			if !ok || !near(m, dir.metres[i], 1e-9) || !near(sec, dir.metres[i]*loopSecPerM, 1e-9) {
				t.Errorf("%s: home %c: %.3f s, %.3f m; want %.3f m", dir.name, "PQR"[i], sec, m, dir.metres[i])
			}
		}
	}
	s := g.Reverse().NewSearcher()
	for _, c := range []struct {
		limit float64
		want  []int
	}{{120, []int{0, 2}}, {100, []int{2}}, {0, nil}, {math.Inf(1), []int{0, 1, 2}}} {
		out, err := s.Bounded(hub, c.limit, homes, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, r := range out {
			got = append(got, r.Target)
			if w := toHub[r.Target]; !near(r.Metres, w, 1e-9) || !near(r.Seconds, w*loopSecPerM, 1e-9) {
				t.Errorf("bounded to the hub, limit %g s: home %c %.3f s %.3f m; want %.3f m", c.limit, "PQR"[r.Target], r.Seconds, r.Metres, w)
			}
		}
		if !equalInts(got, c.want) {
			t.Errorf("bounded to the hub, limit %g s: homes %v, want %v", c.limit, got, c.want)
		}
	}
	out, err := g.NewSearcher().Bounded(hub, 120, homes, nil)
	if err != nil || len(out) != 1 || out[0].Target != 1 || !near(out[0].Metres, 250, 1e-9) {
		t.Errorf("bounded from the hub, limit 120 s: %+v %v; want Q at 250 m", out, err)
	}
}

// TestReverseGraph: the reverse is built once and shared, reversing it gives the graph back,
// snaps of either are accepted by both, and it describes the same roads.
func TestReverseGraph(t *testing.T) {
	for _, c := range []struct {
		mode   Mode
		shared bool // the reverse shares the arcs (every edge costs the same both ways)
	}{{Walk, true}, {Drive, false}} {
		g := buildLoop(t, c.mode)
		r := g.Reverse()
		if r == g || r.Reverse() != g || g.Reverse() != r || g.Reversed() || !r.Reversed() {
			t.Fatalf("%v: Reverse is not a pair of views", c.mode)
		}
		if (&g.arcs[0] == &r.arcs[0]) != c.shared {
			t.Errorf("%v: arcs shared %v, want %v", c.mode, &g.arcs[0] == &r.arcs[0], c.shared)
		}
		if r.NumArcs() != g.NumArcs() || r.NumNodes() != g.NumNodes() || r.MemoryBytes() != g.MemoryBytes() || r.Mode() != c.mode {
			t.Errorf("%v: the reverse has %d arcs, %d nodes, %d bytes", c.mode, r.NumArcs(), r.NumNodes(), r.MemoryBytes())
		}
		// A→B is driven From→To: the same edge whichever graph is asked.
		if e, er := g.Edge(0), r.Edge(0); e != er || e.FromID != 1 || e.ToID != 2 || (c.mode == Drive) != math.IsInf(e.RevSeconds, 1) {
			t.Errorf("%v: edge 0 is %+v, on the reverse %+v", c.mode, e, er)
		}
		sg, sr := mustSnap(t, g, at(100, -10), 50), mustSnap(t, r, at(100, -10), 50)
		if sg != sr {
			t.Errorf("%v: snaps differ: %+v and %+v", c.mode, sg, sr)
		}
		if _, err := r.Nearest([]Snap{sg}); err != nil {
			t.Errorf("%v: the reverse refused a snap of the graph: %v", c.mode, err)
		}
		if _, err := g.NewSearcher().Bounded(sr, 60, []Snap{sr}, nil); err != nil {
			t.Errorf("%v: the graph refused a snap of the reverse: %v", c.mode, err)
		}
		other := buildLoop(t, c.mode)
		if _, err := other.Reverse().Nearest([]Snap{sg}); err == nil {
			t.Errorf("%v: the reverse of another graph accepted the snap", c.mode)
		}
	}
	// On the drive loop the reverse arc of A→B leaves B for A, at the same cost.
	r := buildLoop(t, Drive).Reverse()
	b, _ := r.NodeIndex(2)
	if got := r.arcs[r.first[b]:r.first[b+1]]; len(got) != 1 || got[0].head != 0 || !near(got[0].cost, 60, 1e-9) || got[0].len != 500 {
		t.Errorf("reverse arcs leaving B: %+v, want one to A, 60 s, 500 m", got)
	}
}

// transpose returns the reference graph with every arc turned round.
func (r *refGraph) transpose() *refGraph {
	t := &refGraph{index: r.index, adj: make([][]refArc, len(r.adj))}
	for u, arcs := range r.adj {
		for _, a := range arcs {
			t.adj[a.to] = append(t.adj[a.to], refArc{u, a.sec, a.met})
		}
	}
	return t
}

// TestReverseMirror: on a street grid where a third of the streets are one-way, the time from
// X to Y on the graph is the time from Y to X on the reverse (the same route, the same
// additions), for every pair of 40 random points, by the bounded search without a limit; and
// the unlimited bounded search on the reverse agrees with Nearest on the reverse from the same
// single source.
func TestReverseMirror(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	segs := gridSegments(15, 15, 11)
	for i := range segs {
		if rng.IntN(3) == 0 {
			segs[i].Oneway = int8(1 - 2*rng.IntN(2))
		}
	}
	g, err := Build(segs, Drive, DefaultProfile())
	if err != nil {
		t.Fatal(err)
	}
	pts := snapOrFail(t, g, randomPoints(rng, 40, g.Bounds()), 300)
	n := len(pts)
	fwd, rev := make([][]Reach, n), make([][]Reach, n)
	sf, sr := g.NewSearcher(), g.Reverse().NewSearcher()
	for i, p := range pts {
		if fwd[i], err = sf.Bounded(p, math.Inf(1), pts, nil); err != nil {
			t.Fatal(err)
		}
		if rev[i], err = sr.Bounded(p, math.Inf(1), pts, nil); err != nil {
			t.Fatal(err)
		}
	}
	find := func(rs []Reach, j int) (Reach, bool) {
		for _, r := range rs {
			if r.Target == j {
				return r, true
			}
		}
		return Reach{}, false
	}
	pairs, differ := 0, 0
	for i := range pts {
		for j := range pts {
			a, okA := find(fwd[i], j) // i → j
			b, okB := find(rev[j], i) // i → j, measured towards j
			if okA != okB || (okA && (!closeTo(a.Seconds, b.Seconds) || !closeTo(a.Metres, b.Metres))) {
				t.Errorf("%d→%d: forwards %+v (%v), on the reverse %+v (%v)", i, j, a, okA, b, okB)
			}
			if okA {
				pairs++
				if c, ok := find(fwd[j], i); !ok || !closeTo(c.Seconds, a.Seconds) {
					differ++
				}
			}
		}
	}
	t.Logf("%d reachable ordered pairs, %d whose time differs with the direction", pairs, differ)
	if pairs < n*n/2 || differ == 0 {
		t.Errorf("%d reachable pairs, %d differing by direction: the network does not test the reverse", pairs, differ)
	}
	for i := 0; i < 5; i++ {
		tree, err := g.Reverse().Nearest([]Snap{pts[i]})
		if err != nil {
			t.Fatal(err)
		}
		for j := range pts {
			_, sec, m, ok := tree.To(pts[j])
			b, okB := find(rev[i], j)
			if ok != okB || (ok && (!closeTo(sec, b.Seconds) || !closeTo(m, b.Metres))) {
				t.Errorf("to %d from %d: Nearest %.6g s %.6g m (%v), Bounded %+v (%v)", i, j, sec, m, ok, b, okB)
			}
		}
	}
}

// TestWalkReverseIdentical: walking costs the same both ways, so the searches towards the hubs
// must give exactly (bit for bit) what the searches from them give, node by node and target by
// target, on random networks and on Rutland: the pipeline's walking results do not change.
func TestWalkReverseIdentical(t *testing.T) {
	check := func(t *testing.T, g *Graph, sources, targets []Snap) {
		t.Helper()
		a, err := g.Nearest(sources)
		if err != nil {
			t.Fatal(err)
		}
		b, err := g.Reverse().Nearest(sources)
		if err != nil {
			t.Fatal(err)
		}
		for v := 0; v < g.NumNodes(); v++ {
			s1, c1, m1 := a.Node(v)
			s2, c2, m2 := b.Node(v)
			if s1 != s2 || math.Float64bits(c1) != math.Float64bits(c2) || math.Float64bits(m1) != math.Float64bits(m2) {
				t.Fatalf("node %d: from %d %v s %v m; to %d %v s %v m", v, s1, c1, m1, s2, c2, m2)
			}
		}
		for i, p := range targets {
			s1, c1, m1, ok1 := a.To(p)
			s2, c2, m2, ok2 := b.To(p)
			if s1 != s2 || ok1 != ok2 || math.Float64bits(c1) != math.Float64bits(c2) || math.Float64bits(m1) != math.Float64bits(m2) {
				t.Fatalf("target %d: from %d %v s %v m; to %d %v s %v m", i, s1, c1, m1, s2, c2, m2)
			}
		}
		sa, sb := g.NewSearcher(), g.Reverse().NewSearcher()
		for _, src := range sources {
			ra, _ := sa.Bounded(src, 900, targets, nil)
			rb, _ := sb.Bounded(src, 900, targets, nil)
			if len(ra) != len(rb) || len(ra) == 0 {
				t.Fatalf("bounded: from %v; to %v", ra, rb)
			}
			for k := range ra {
				if ra[k] != rb[k] {
					t.Fatalf("bounded: from %+v; to %+v", ra[k], rb[k])
				}
			}
		}
	}
	t.Run("random", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		g, err := Build(randomSegments(rng, 400, 3, 3000), Walk, DefaultProfile())
		if err != nil {
			t.Fatal(err)
		}
		check(t, g, snapOrFail(t, g, randomPoints(rng, 7, g.Bounds()), 300), snapOrFail(t, g, randomPoints(rng, 150, g.Bounds()), 300))
	})
	t.Run("rutland", func(t *testing.T) {
		_, hubPts := rutlandHubs(t)
		_, lsoaPts := rutlandLSOAs(t)
		g, _ := rutlandGraph(t, Walk)
		check(t, g, snapOrFail(t, g, hubPts, 1000), snapOrFail(t, g, lsoaPts, 1000))
	})
}
