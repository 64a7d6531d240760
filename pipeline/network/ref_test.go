package network

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/paulmach/orb"
)

// The reference: an independent, deliberately plain shortest-path model built straight from
// the segments. Snapped points become nodes that split their segment (so no partial-edge
// arithmetic is shared with the code under test), and Dijkstra runs in O(V²) with an array
// scan instead of a heap. Only Profile.SpeedKPH (tested on its own in tags_test.go) is shared.
type refGraph struct {
	index map[int64]int // OSM node id → reference node
	adj   [][]refArc
}

type refArc struct {
	to       int
	sec, met float64
}

// refPoint is a point on segment seg (an index into the segments) at fraction frac from A.
type refPoint struct {
	seg  int
	frac float64
}

// newRefGraph builds the reference graph of segs for mode and returns it with the node of
// each point.
func newRefGraph(segs []Segment, mode Mode, p Profile, pts []refPoint) (*refGraph, []int) {
	r := &refGraph{index: map[int64]int{}}
	node := func(id int64) int {
		if v, ok := r.index[id]; ok {
			return v
		}
		r.index[id] = len(r.adj)
		r.adj = append(r.adj, nil)
		return len(r.adj) - 1
	}
	onSeg := map[int][]int{}
	for i, pt := range pts {
		onSeg[pt.seg] = append(onSeg[pt.seg], i)
	}
	ptNode := make([]int, len(pts))
	for i, s := range segs {
		speed := p.SpeedKPH(s, mode)
		if speed <= 0 || s.FromNode == s.ToNode {
			continue
		}
		mps := speed / 3.6
		length := math.Hypot(s.B[0]-s.A[0], s.B[1]-s.A[1])
		fwd := mode == Walk || s.Oneway != -1
		rev := mode == Walk || s.Oneway != 1
		// The chain of nodes along the segment: A, the points on it by fraction, B.
		chain := []int{node(s.FromNode)}
		fracs := []float64{0}
		here := onSeg[i]
		sort.SliceStable(here, func(a, b int) bool { return pts[here[a]].frac < pts[here[b]].frac })
		for _, k := range here {
			v := len(r.adj)
			r.adj = append(r.adj, nil)
			ptNode[k] = v
			chain = append(chain, v)
			fracs = append(fracs, pts[k].frac)
		}
		chain = append(chain, node(s.ToNode))
		fracs = append(fracs, 1)
		for j := 0; j+1 < len(chain); j++ {
			m := (fracs[j+1] - fracs[j]) * length
			if m == 0 { // coincident points: free both ways, whatever the one-way
				r.adj[chain[j]] = append(r.adj[chain[j]], refArc{chain[j+1], 0, 0})
				r.adj[chain[j+1]] = append(r.adj[chain[j+1]], refArc{chain[j], 0, 0})
				continue
			}
			if fwd {
				r.adj[chain[j]] = append(r.adj[chain[j]], refArc{chain[j+1], m / mps, m})
			}
			if rev {
				r.adj[chain[j+1]] = append(r.adj[chain[j+1]], refArc{chain[j], m / mps, m})
			}
		}
	}
	return r, ptNode
}

// dijkstra is the textbook O(V²) algorithm from several sources at once: label each node with
// the least (seconds, metres) pair and the source it came from.
func (r *refGraph) dijkstra(sources []int) (src []int, sec, met []float64) {
	n := len(r.adj)
	src, sec, met = make([]int, n), make([]float64, n), make([]float64, n)
	done := make([]bool, n)
	for v := range sec {
		src[v], sec[v], met[v] = -1, math.Inf(1), math.Inf(1)
	}
	for i, s := range sources {
		src[s], sec[s], met[s] = i, 0, 0
	}
	for {
		u := -1
		for v := 0; v < n; v++ {
			if !done[v] && !math.IsInf(sec[v], 1) && (u < 0 || sec[v] < sec[u] || (sec[v] == sec[u] && met[v] < met[u])) {
				u = v
			}
		}
		if u < 0 {
			return src, sec, met
		}
		done[u] = true
		for _, a := range r.adj[u] {
			c, m := sec[u]+a.sec, met[u]+a.met
			if !done[a.to] && (c < sec[a.to] || (c == sec[a.to] && m < met[a.to])) {
				src[a.to], sec[a.to], met[a.to] = src[u], c, m
			}
		}
	}
}

// refPoints finds, for each snap, the segment it lies on (by way and node ids) and its fraction.
func refPoints(t testing.TB, g *Graph, segs []Segment, snaps []Snap) []refPoint {
	t.Helper()
	type key struct{ way, from, to int64 }
	first := map[key]int{}
	for i, s := range segs {
		if g.Profile().SpeedKPH(s, g.Mode()) <= 0 {
			continue
		}
		k := key{s.WayID, s.FromNode, s.ToNode}
		if _, ok := first[k]; !ok {
			first[k] = i
		}
	}
	pts := make([]refPoint, len(snaps))
	for i, s := range snaps {
		e := g.Edge(s.Edge)
		seg, ok := first[key{e.WayID, e.FromID, e.ToID}]
		if !ok {
			t.Fatalf("snap %d: edge %+v matches no segment", i, e)
		}
		pts[i] = refPoint{seg, s.Frac}
	}
	return pts
}

// closeTo compares costs with a relative tolerance (sums in a different order differ in the
// last bits).
func closeTo(a, b float64) bool {
	if math.IsInf(a, 1) || math.IsInf(b, 1) {
		return math.IsInf(a, 1) && math.IsInf(b, 1)
	}
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// compareWithReference runs Nearest from sources and To at targets, and the reference
// Dijkstra over the same segments, and compares every node and every target. It returns the
// number of nodes compared.
func compareWithReference(t *testing.T, g *Graph, segs []Segment, sources, targets []Snap) int {
	t.Helper()
	tree, err := g.Nearest(sources)
	if err != nil {
		t.Fatal(err)
	}
	pts := refPoints(t, g, segs, append(append([]Snap{}, sources...), targets...))
	ref, ptNode := newRefGraph(segs, g.Mode(), g.Profile(), pts)
	if g.Reversed() { // towards the sources: the textbook search on the transposed graph
		ref = ref.transpose()
	}
	rsrc, rsec, rmet := ref.dijkstra(ptNode[:len(sources)])
	// Sources snapped to the same position are interchangeable: compare the first of each group.
	canon := make([]int, len(sources))
	for i, s := range sources {
		canon[i] = i
		for j := 0; j < i; j++ {
			if sources[j].Edge == s.Edge && sources[j].Frac == s.Frac {
				canon[i] = canon[j]
				break
			}
		}
	}
	same := func(a, b int) bool { return a == b || (a >= 0 && b >= 0 && canon[a] == canon[b]) }
	bad := 0
	report := func(format string, args ...any) {
		if bad++; bad <= 10 {
			t.Errorf(format, args...)
		}
	}
	for v := 0; v < g.NumNodes(); v++ {
		id, _ := g.Node(v)
		rv, ok := ref.index[id]
		if !ok {
			report("%v: node %d (OSM %d) not in the reference", g.Mode(), v, id)
			continue
		}
		s, sec, m := tree.Node(v)
		if !same(s, rsrc[rv]) || !closeTo(sec, rsec[rv]) || !closeTo(m, rmet[rv]) {
			report("%v: node OSM %d: source %d, %.9g s, %.9g m; reference %d, %.9g s, %.9g m", g.Mode(), id, s, sec, m, rsrc[rv], rsec[rv], rmet[rv])
		}
	}
	for i, target := range targets {
		rv := ptNode[len(sources)+i]
		s, sec, m, ok := tree.To(target)
		if ok != (rsrc[rv] >= 0) || !same(s, rsrc[rv]) || !closeTo(sec, rsec[rv]) || !closeTo(m, rmet[rv]) {
			report("%v: target %d: source %d, %.9g s, %.9g m, ok %v; reference %d, %.9g s, %.9g m", g.Mode(), i, s, sec, m, ok, rsrc[rv], rsec[rv], rmet[rv])
		}
	}
	return g.NumNodes()
}

// compareBoundedWithReference checks Bounded from each source against the reference run from
// that source alone.
func compareBoundedWithReference(t *testing.T, g *Graph, segs []Segment, sources, targets []Snap, limit float64) {
	t.Helper()
	pts := refPoints(t, g, segs, append(append([]Snap{}, sources...), targets...))
	ref, ptNode := newRefGraph(segs, g.Mode(), g.Profile(), pts)
	if g.Reversed() {
		ref = ref.transpose()
	}
	s := g.NewSearcher()
	var out []Reach
	for i, src := range sources {
		_, rsec, rmet := ref.dijkstra([]int{ptNode[i]})
		var err error
		out, err = s.Bounded(src, limit, targets, out[:0])
		if err != nil {
			t.Fatal(err)
		}
		got := map[int]Reach{}
		for _, r := range out {
			got[r.Target] = r
		}
		for j := range targets {
			rv := ptNode[len(sources)+j]
			r, ok := got[j]
			if want := rsec[rv] <= limit; ok != want {
				t.Errorf("%v source %d target %d: reached %v, reference %.6g s with limit %g", g.Mode(), i, j, ok, rsec[rv], limit)
				continue
			}
			if ok && (!closeTo(r.Seconds, rsec[rv]) || !closeTo(r.Metres, rmet[rv])) {
				t.Errorf("%v source %d target %d: %.9g s %.9g m; reference %.9g s %.9g m", g.Mode(), i, j, r.Seconds, r.Metres, rsec[rv], rmet[rv])
			}
		}
	}
}

// randomSegments makes a random planar-ish network: n nodes scattered over a size × size
// square (BNG metres near Oakham), each joined to its k nearest neighbours, with a mix of
// classes, one-way streets, speed limits, a few duplicated and zero-length segments. Node ids
// are scattered large numbers, as in OSM.
func randomSegments(rng *rand.Rand, n, k int, size float64) []Segment {
	pts := make([]orb.Point, n)
	ids := make([]int64, n)
	for i := range pts {
		pts[i] = orb.Point{480000 + rng.Float64()*size, 300000 + rng.Float64()*size}
		ids[i] = 1e9 + rng.Int64N(1e10)
	}
	type class struct {
		highway     string
		walk, drive bool
	}
	classes := []class{
		{"residential", true, true}, {"residential", true, true}, {"primary", true, true},
		{"service", true, true}, {"unclassified", true, true}, {"footway", true, false},
		{"path", true, false}, {"motorway", false, true},
	}
	speeds := []float64{0, 0, 0, 20 * mphToKPH, 30 * mphToKPH, 60 * mphToKPH, 10 * mphToKPH}
	seen := map[[2]int]bool{}
	var segs []Segment
	way := int64(1)
	for i := range pts {
		order := make([]int, n)
		for j := range order {
			order[j] = j
		}
		sort.Slice(order, func(a, b int) bool {
			return dist(pts[i], pts[order[a]]) < dist(pts[i], pts[order[b]])
		})
		for _, j := range order[1 : k+1] {
			if seen[[2]int{i, j}] || seen[[2]int{j, i}] {
				continue
			}
			seen[[2]int{i, j}] = true
			c := classes[rng.IntN(len(classes))]
			s := Segment{WayID: way, FromNode: ids[i], ToNode: ids[j], A: pts[i], B: pts[j], Highway: c.highway,
				WalkOK: c.walk, DriveOK: c.drive, MaxSpeedKPH: speeds[rng.IntN(len(speeds))]}
			if c.drive && rng.IntN(5) == 0 {
				s.Oneway = int8(1 - 2*rng.IntN(2))
			}
			way++
			segs = append(segs, s)
			if rng.IntN(50) == 0 { // the same nodes joined by a second way
				d := s
				d.WayID, d.Highway, d.WalkOK, d.DriveOK, d.Oneway = way, "footway", true, false, 0
				way++
				segs = append(segs, d)
			}
		}
	}
	// A self-loop (a way that repeats a node) is dropped by Build.
	segs = append(segs, Segment{WayID: way, FromNode: ids[0], ToNode: ids[0], A: pts[0], B: pts[0], Highway: "residential", WalkOK: true, DriveOK: true})
	return segs
}

func randomPoints(rng *rand.Rand, n int, b orb.Bound) []orb.Point {
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
	}
	return pts
}

// snapOrFail snaps points that must snap.
func snapOrFail(t testing.TB, g *Graph, pts []orb.Point, maxDist float64) []Snap {
	t.Helper()
	snaps, errs := g.SnapAll(pts, maxDist)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("point %d: %v", i, err)
		}
	}
	return snaps
}

// TestRandomAgainstReference compares the multi-source search, the targets and the bounded
// searches with the O(V²) reference on random networks (fixed seeds), in both directions.
func TestRandomAgainstReference(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		rng := rand.New(rand.NewPCG(seed, 2024))
		segs := randomSegments(rng, 400, 3, 3000)
		for _, mode := range []Mode{Walk, Drive} {
			t.Run(fmt.Sprintf("seed%d/%v", seed, mode), func(t *testing.T) {
				g, err := Build(segs, mode, DefaultProfile())
				if err != nil {
					t.Fatal(err)
				}
				if g.Dropped() != 1 {
					t.Errorf("dropped %d self-loops, want 1", g.Dropped())
				}
				b := g.Bounds()
				// Within 300 m the main component is usually in reach; some points snap
				// to islands or one-way fragments instead, which the comparison also covers.
				sources := snapOrFail(t, g, randomPoints(rng, 7, b), 300)
				targets := snapOrFail(t, g, randomPoints(rng, 150, b), 300)
				inMain := 0
				for _, s := range targets {
					if s.InMain {
						inMain++
					}
				}
				t.Logf("%d nodes, %d edges, components weak %d strong %d (largest %d); %d of %d targets in the main component",
					g.NumNodes(), g.NumEdges(), len(g.Components().Weak), len(g.Components().Strong), g.Components().Strong[0].Nodes, inMain, len(targets))
				// Put two targets on a source's edge, either side of it.
				for _, f := range []float64{0.1, 0.9} {
					e := g.Edge(sources[0].Edge)
					targets = append(targets, mustSnap(t, g, orb.Point{e.A[0] + f*(e.B[0]-e.A[0]), e.A[1] + f*(e.B[1]-e.A[1])}, 1))
				}
				limit := 300.0 // seconds: 400 m on foot, a few km by car
				if mode == Walk {
					limit = 1200
				}
				// From the sources, and towards them on the reverse (against the transposed
				// reference).
				for _, g := range []*Graph{g, g.Reverse()} {
					compareWithReference(t, g, segs, sources, targets)
					compareBoundedWithReference(t, g, segs, sources, targets, limit)
				}
			})
		}
	}
}

// TestStrongComponents checks the strongly connected components of random one-way networks
// against the definition: u and v are in one component exactly when each reaches the other
// (reachability from every node by breadth-first search).
func TestStrongComponents(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	segs := randomSegments(rng, 150, 2, 2000)
	for i := range segs {
		if segs[i].DriveOK && rng.IntN(2) == 0 {
			segs[i].Oneway = int8(1 - 2*rng.IntN(2))
		}
	}
	g, err := Build(segs, Drive, DefaultProfile())
	if err != nil {
		t.Fatal(err)
	}
	n := g.NumNodes()
	reach := make([][]bool, n)
	for s := 0; s < n; s++ {
		reach[s] = make([]bool, n)
		reach[s][s] = true
		queue := []int{s}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			for e := 0; e < g.NumEdges(); e++ {
				ed := g.Edge(e)
				if ed.From == u && !math.IsInf(ed.FwdSeconds, 1) && !reach[s][ed.To] {
					reach[s][ed.To] = true
					queue = append(queue, ed.To)
				}
				if ed.To == u && !math.IsInf(ed.RevSeconds, 1) && !reach[s][ed.From] {
					reach[s][ed.From] = true
					queue = append(queue, ed.From)
				}
			}
		}
	}
	total := 0
	for _, c := range g.Components().Strong {
		total += c.Nodes
	}
	if total != n {
		t.Errorf("strong components hold %d nodes, want %d", total, n)
	}
	for u := 0; u < n; u++ {
		for v := 0; v < n; v++ {
			_, su := g.ComponentOf(u)
			_, sv := g.ComponentOf(v)
			if want := reach[u][v] && reach[v][u]; (su == sv) != want {
				t.Fatalf("nodes %d and %d: same strong component %v, mutually reachable %v", u, v, su == sv, want)
			}
		}
	}
	if len(g.Components().Strong) < 5 {
		t.Errorf("only %d strong components: the test network is too well connected to test anything", len(g.Components().Strong))
	}
}
