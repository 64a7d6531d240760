package network

import (
	"fmt"
	"math"
	"sort"
	"unsafe"

	"github.com/paulmach/orb"
)

// Graph is the road or path network for one mode, in compact arrays.
//
// Nodes are the OSM nodes at segment ends (numbered 0..NumNodes-1 in order of first use).
// Edges are the segments the mode may use (numbered 0..NumEdges-1), each with a cost in
// seconds in each direction (+Inf where a one-way street forbids it). Arcs are the directed
// edges, stored as a compressed sparse row adjacency: the arcs leaving node v are
// first[v]..first[v+1]-1.
//
// A Graph is never modified after Build, so any number of goroutines may snap and search on
// it at once (each bounded-search goroutine with its own Searcher).
//
// Build also makes the graph's reverse (Reverse): the same roads with every arc turned round,
// for searches that measure the time TO a place rather than from it.
type Graph struct {
	mode    Mode
	profile Profile

	nodeID  []int64
	nodePt  []orb.Point
	nodeIdx map[int64]int32
	bounds  orb.Bound

	// edges (undirected geometry, directed costs)
	edgeFrom, edgeTo []int32
	edgeLen          []float64 // metres
	edgeFwd, edgeRev []float64 // seconds From→To and To→From; +Inf when not allowed
	edgeWay          []int64
	edgeHighway      []string

	// arcs (CSR): the arcs leaving node v are arcs[first[v]:first[v+1]]
	first []int32
	arcs  []arc

	// reversed is true for the view Reverse returns, whose arcs, edgeFwd and edgeRev are those
	// of the graph Build made, turned round; other is the graph in the opposite direction (the
	// view for the graph Build made, and that graph for the view).
	reversed bool
	other    *Graph
	// symmetric is true when every edge costs the same both ways (always for walking): the
	// reversed arcs are then the arcs themselves, shared rather than copied.
	symmetric bool

	comps   Components
	strong  []int32 // strong component of each node (== weak for walking)
	weak    []int32
	main    int32 // id of the largest strong component
	grid    edgeGrid
	dropped int // self-loop segments left out
}

// arc is a directed edge: its head node, time in seconds and length in metres, together in
// one record so that relaxing an arc reads one cache line.
type arc struct {
	head      int32
	cost, len float64
}

// Edge describes one edge of a graph.
type Edge struct {
	From, To     int   // node numbers
	FromID, ToID int64 // OSM node ids
	WayID        int64
	Highway      string
	A, B         orb.Point // positions of From and To
	Metres       float64
	// FwdSeconds is the time from From to To, RevSeconds from To to From; +Inf when a
	// one-way street forbids that direction.
	FwdSeconds, RevSeconds float64
}

// Build makes the graph of the segments mode may use, with edge costs from profile p.
// Walking ignores one-way tags; driving respects them. Segments whose two ends are the same
// node are left out. It fails when the profile lacks a speed the segments need or when no
// segment is usable.
//
// Steps: validate the profile; number the nodes and collect the usable edges; build the
// compressed sparse row arcs; label connected components; index the edges spatially.
func Build(segs []Segment, mode Mode, p Profile) (*Graph, error) {
	if err := p.Validate(mode, segs); err != nil {
		return nil, fmt.Errorf("build %v graph: %w", mode, err)
	}
	g := &Graph{mode: mode, profile: p, bounds: orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}}
	g.collectEdges(segs)
	if len(g.edgeFrom) == 0 {
		return nil, fmt.Errorf("build %v graph: none of the %d segments may be used for %v", mode, len(segs), mode)
	}
	g.first, g.arcs = g.csr(g.edgeFwd, g.edgeRev)
	g.labelComponents()
	g.grid = newEdgeGrid(g)
	g.makeReverse()
	return g, nil
}

func (g *Graph) node(id int64, pt orb.Point) int32 {
	if i, ok := g.nodeIdx[id]; ok {
		return i
	}
	i := int32(len(g.nodeID))
	g.nodeIdx[id] = i
	g.nodeID = append(g.nodeID, id)
	g.nodePt = append(g.nodePt, pt)
	g.bounds = g.bounds.Extend(pt)
	return i
}

func (g *Graph) collectEdges(segs []Segment) {
	m := 0
	for _, s := range segs {
		if g.profile.SpeedKPH(s, g.mode) > 0 {
			m++
		}
	}
	g.nodeIdx = make(map[int64]int32, m)
	g.nodeID = make([]int64, 0, m)
	g.nodePt = make([]orb.Point, 0, m)
	g.edgeFrom, g.edgeTo = make([]int32, 0, m), make([]int32, 0, m)
	g.edgeLen, g.edgeFwd, g.edgeRev = make([]float64, 0, m), make([]float64, 0, m), make([]float64, 0, m)
	g.edgeWay, g.edgeHighway = make([]int64, 0, m), make([]string, 0, m)
	for _, s := range segs {
		speed := g.profile.SpeedKPH(s, g.mode)
		if speed <= 0 {
			continue
		}
		if s.FromNode == s.ToNode {
			g.dropped++
			continue
		}
		u, v := g.node(s.FromNode, s.A), g.node(s.ToNode, s.B)
		length := s.Length()
		secs := length / (speed / 3.6)
		fwd, rev := secs, secs
		if g.mode == Drive {
			switch s.Oneway {
			case 1:
				rev = math.Inf(1)
			case -1:
				fwd = math.Inf(1)
			}
		}
		g.edgeFrom = append(g.edgeFrom, u)
		g.edgeTo = append(g.edgeTo, v)
		g.edgeLen = append(g.edgeLen, length)
		g.edgeFwd = append(g.edgeFwd, fwd)
		g.edgeRev = append(g.edgeRev, rev)
		g.edgeWay = append(g.edgeWay, s.WayID)
		g.edgeHighway = append(g.edgeHighway, s.Highway)
	}
}

// csr builds the compressed sparse row arcs of the edges when going From→To costs fwd[e] and
// To→From costs rev[e] (+Inf: no arc).
func (g *Graph) csr(fwd, rev []float64) (first []int32, arcs []arc) {
	n := len(g.nodeID)
	first = make([]int32, n+1)
	for e := range g.edgeFrom {
		if !math.IsInf(fwd[e], 1) {
			first[g.edgeFrom[e]+1]++
		}
		if !math.IsInf(rev[e], 1) {
			first[g.edgeTo[e]+1]++
		}
	}
	for v := 0; v < n; v++ {
		first[v+1] += first[v]
	}
	arcs = make([]arc, first[n])
	next := make([]int32, n)
	copy(next, first[:n])
	for e := range g.edgeFrom {
		u, v := g.edgeFrom[e], g.edgeTo[e]
		if c := fwd[e]; !math.IsInf(c, 1) {
			arcs[next[u]] = arc{v, c, g.edgeLen[e]}
			next[u]++
		}
		if c := rev[e]; !math.IsInf(c, 1) {
			arcs[next[v]] = arc{u, c, g.edgeLen[e]}
			next[v]++
		}
	}
	return first, arcs
}

// makeReverse makes the reversed view of g (see Reverse). It shares g's nodes, edges,
// components and spatial index; only the direction of travel differs: going From→To along an
// edge of the view costs what To→From costs on the road, and the view's arc u→v is the road's
// arc v→u. When every edge costs the same both ways the view shares g's arcs as well.
func (g *Graph) makeReverse() {
	g.symmetric = true
	for e := range g.edgeFwd {
		if g.edgeFwd[e] != g.edgeRev[e] {
			g.symmetric = false
			break
		}
	}
	r := *g
	r.reversed = true
	r.edgeFwd, r.edgeRev = g.edgeRev, g.edgeFwd
	if !g.symmetric {
		r.first, r.arcs = g.csr(r.edgeFwd, r.edgeRev)
	}
	r.other, g.other = g, &r
}

// Reverse returns the graph with every arc turned round: the same nodes, edges and components,
// but a search on it runs against the direction of travel. On the reverse,
//
//   - Nearest(sources) gives each node (Tree.Node) and each snapped point (Tree.To) the time
//     and distance of the quickest route FROM it TO its nearest source;
//   - a Searcher's Bounded(site, …) finds the targets from which the site can be reached
//     within the limit, with the time of the quickest route from each target TO the site.
//
// The partial edges at both ends keep the direction of travel: the part of the target's edge
// from the target to the edge's end, and the part of the source's edge from its end to the
// source, each where one-way streets allow. Reversing the reverse gives the graph back.
//
// Snaps made on either are valid on both (Snap.Edge numbers the same edges), and Edge describes
// the road in the direction it is driven, whichever graph it is asked of. Walking costs the
// same both ways, so on the walking graph the reverse shares the arcs and every search gives
// exactly the same answer in either direction.
func (g *Graph) Reverse() *Graph { return g.other }

// Reversed reports whether g is the reverse of the graph Build made.
func (g *Graph) Reversed() bool { return g.reversed }

// base returns the graph Build made: g itself, or the graph g is the reverse of. Snaps belong
// to it.
func (g *Graph) base() *Graph {
	if g.reversed {
		return g.other
	}
	return g
}

// Mode returns the graph's travel mode.
func (g *Graph) Mode() Mode { return g.mode }

// Profile returns the profile the graph was built with.
func (g *Graph) Profile() Profile { return g.profile }

// NumNodes returns the number of nodes.
func (g *Graph) NumNodes() int { return len(g.nodeID) }

// NumEdges returns the number of edges (usable segments).
func (g *Graph) NumEdges() int { return len(g.edgeFrom) }

// NumArcs returns the number of directed arcs (two per two-way edge, one per one-way edge); the
// same for the reverse.
func (g *Graph) NumArcs() int { return len(g.arcs) }

// Dropped returns how many usable segments were left out because both ends are one node.
func (g *Graph) Dropped() int { return g.dropped }

// Bounds returns the bounding box of the nodes, in BNG metres.
func (g *Graph) Bounds() orb.Bound { return g.bounds }

// Node returns the OSM id and position of node v.
func (g *Graph) Node(v int) (osmID int64, p orb.Point) { return g.nodeID[v], g.nodePt[v] }

// NodeIndex returns the node number of an OSM node id.
func (g *Graph) NodeIndex(osmID int64) (int, bool) {
	v, ok := g.nodeIdx[osmID]
	return int(v), ok
}

// Edge returns edge e, with its costs in the direction of travel (the same for the reverse).
func (g *Graph) Edge(e int) Edge {
	g = g.base()
	u, v := g.edgeFrom[e], g.edgeTo[e]
	return Edge{
		From: int(u), To: int(v), FromID: g.nodeID[u], ToID: g.nodeID[v],
		WayID: g.edgeWay[e], Highway: g.edgeHighway[e], A: g.nodePt[u], B: g.nodePt[v],
		Metres: g.edgeLen[e], FwdSeconds: g.edgeFwd[e], RevSeconds: g.edgeRev[e],
	}
}

// MemoryBytes estimates the memory the graph's arrays hold (not counting the node id map),
// with the reversed arcs when they are not shared (the same for the reverse).
func (g *Graph) MemoryBytes() int {
	g = g.base()
	n, m, a := len(g.nodeID), len(g.edgeFrom), len(g.arcs)
	csr := (n+1)*4 + a*int(unsafe.Sizeof(arc{}))
	if !g.symmetric {
		csr *= 2
	}
	return n*(8+16+4+4) + csr + m*(4+4+8+8+8+8+16) + g.grid.memoryBytes()
}

// Component is one connected component of a graph.
type Component struct {
	ID    int       // component label (as returned by Graph.ComponentOf)
	Nodes int       // number of nodes
	Bound orb.Bound // extent of its nodes
	// Example is the OSM id of one of its nodes, to find it on a map.
	Example int64
}

// Components lists a graph's connected components, largest first.
type Components struct {
	// Weak are the components ignoring one-way restrictions.
	Weak []Component
	// Strong are the strongly connected components: within one, every node can reach every
	// other respecting one-way streets. For walking they are the same as Weak.
	Strong []Component
}

// Islands returns the weak components other than the largest: parts of the network no route
// from the main part can reach (private estates, paths mapped without their link, the edge of
// the extract).
func (c Components) Islands() []Component {
	if len(c.Weak) <= 1 {
		return nil
	}
	return c.Weak[1:]
}

// Components returns the graph's weakly and strongly connected components, largest first.
func (g *Graph) Components() Components { return g.comps }

// ComponentOf returns the weak and strong component labels of node v.
func (g *Graph) ComponentOf(v int) (weak, strong int) { return int(g.weak[v]), int(g.strong[v]) }

// InMain reports whether node v lies in the largest strongly connected component.
func (g *Graph) InMain(v int) bool { return g.strong[v] == g.main }

func (g *Graph) labelComponents() {
	g.weak = g.weakComponents()
	if g.mode == Walk {
		g.strong = g.weak
	} else {
		g.strong = g.strongComponents()
	}
	g.comps.Weak = g.summarise(g.weak)
	g.comps.Strong = g.summarise(g.strong)
	g.main = int32(g.comps.Strong[0].ID)
}

// weakComponents labels components with union-find over the edges.
func (g *Graph) weakComponents() []int32 {
	n := len(g.nodeID)
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for e := range g.edgeFrom {
		a, b := find(g.edgeFrom[e]), find(g.edgeTo[e])
		if a != b {
			if a < b {
				a, b = b, a
			}
			parent[a] = b
		}
	}
	label := make([]int32, n)
	ids := make(map[int32]int32)
	for v := range label {
		r := find(int32(v))
		id, ok := ids[r]
		if !ok {
			id = int32(len(ids))
			ids[r] = id
		}
		label[v] = id
	}
	return label
}

// strongComponents labels strongly connected components with an iterative Tarjan search
// over the arcs.
func (g *Graph) strongComponents() []int32 {
	n := len(g.nodeID)
	const unvisited = -1
	index := make([]int32, n)
	low := make([]int32, n)
	label := make([]int32, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = unvisited
		label[i] = -1
	}
	var stack []int32
	type frame struct{ v, arc int32 }
	var call []frame
	var counter, comps int32
	for root := 0; root < n; root++ {
		if index[root] != unvisited {
			continue
		}
		call = append(call, frame{int32(root), g.first[root]})
		index[root], low[root] = counter, counter
		counter++
		stack = append(stack, int32(root))
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			if f.arc < g.first[v+1] {
				w := g.arcs[f.arc].head
				f.arc++
				if index[w] == unvisited {
					index[w], low[w] = counter, counter
					counter++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, g.first[w]})
				} else if onStack[w] && index[w] < low[v] {
					low[v] = index[w]
				}
				continue
			}
			// v is finished
			if low[v] == index[v] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					label[w] = comps
					if w == v {
						break
					}
				}
				comps++
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				if p := call[len(call)-1].v; low[v] < low[p] {
					low[p] = low[v]
				}
			}
		}
	}
	return label
}

// summarise counts the nodes of each labelled component and sorts them largest first (ties
// by label).
func (g *Graph) summarise(label []int32) []Component {
	var comps []Component
	for v, c := range label {
		for int(c) >= len(comps) {
			comps = append(comps, Component{ID: len(comps), Bound: orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}})
		}
		cc := &comps[c]
		if cc.Nodes == 0 {
			cc.Example = g.nodeID[v]
		}
		cc.Nodes++
		cc.Bound = cc.Bound.Extend(g.nodePt[v])
	}
	sort.SliceStable(comps, func(i, j int) bool { return comps[i].Nodes > comps[j].Nodes })
	return comps
}
