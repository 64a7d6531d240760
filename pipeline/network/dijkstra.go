package network

import (
	"fmt"
	"math"
)

// Tree is the result of one multi-source Dijkstra search: for every node, the nearest source
// (by time), the time in seconds and the distance in metres along that quickest path.
//
// For walking, time is distance divided by the walking speed, so the nearest by time is the
// nearest by distance. For driving, the search minimises time and the distance reported is
// the length of the quickest route (not the shortest distance); among routes of exactly
// equal time it takes the shorter one.
//
// A Tree from the graph Build made measures from the sources outwards; a Tree from its
// Reverse measures towards them: each node's and each target's time to its nearest source.
type Tree struct {
	g       *Graph
	sources []Snap
	onEdge  map[int32][]int32 // edge → sources snapped to it
	lab     []label
}

// label is a node's state in a search, kept together so that a relaxation touches one
// cache line.
type label struct {
	sec, met float64
	src      int32 // nearest source; -1 when unreached
	done     bool  // settled
}

// better reports whether (c, m) improves on the label: less time, or equal time and less
// distance.
func (l *label) better(c, m float64) bool { return c < l.sec || (c == l.sec && m < l.met) }

// Nearest runs one multi-source Dijkstra search from all sources at once (the hubs), giving
// every node its nearest source. Each source starts inside its edge: the partial edge to
// either end costs the matching fraction of the edge, in the directions one-way streets
// allow. Its cost is O(E log V) whatever the number of sources. Every source must come from
// g.Snap (or the Snap of g's reverse).
//
// On g.Reverse() the search runs against the direction of travel, so every node gets the
// source it can reach soonest and the time to get there: the partial edge at each source is
// then the part from the edge's end to the source, in the direction one-way streets allow.
func (g *Graph) Nearest(sources []Snap) (*Tree, error) {
	n := g.NumNodes()
	t := &Tree{g: g, sources: sources, onEdge: make(map[int32][]int32), lab: make([]label, n)}
	inf := math.Inf(1)
	for v := range t.lab {
		t.lab[v] = label{sec: inf, met: inf, src: -1}
	}
	h := make(heap4, 0, 1024)
	seed := func(v, s int32, c, m float64) {
		if l := &t.lab[v]; l.better(c, m) {
			l.sec, l.met, l.src = c, m, s
			h.push(c, v)
		}
	}
	base := g.base()
	for i, s := range sources {
		if s.g != base {
			return nil, fmt.Errorf("nearest: source %d at (%.1f, %.1f) was not snapped to this %v graph", i, s.Point[0], s.Point[1], g.mode)
		}
		e := int32(s.Edge)
		t.onEdge[e] = append(t.onEdge[e], int32(i))
		if c, m := g.along(e, s.Frac, 0); !math.IsInf(c, 1) {
			seed(g.edgeFrom[e], int32(i), c, m)
		}
		if c, m := g.along(e, s.Frac, 1); !math.IsInf(c, 1) {
			seed(g.edgeTo[e], int32(i), c, m)
		}
	}
	lab, arcs, first := t.lab, g.arcs, g.first
	for len(h) > 0 {
		u := h.pop()
		lu := &lab[u]
		if lu.done {
			continue
		}
		lu.done = true
		for _, a := range arcs[first[u]:first[u+1]] {
			c, m := lu.sec+a.cost, lu.met+a.len
			if lv := &lab[a.head]; !lv.done && lv.better(c, m) {
				lv.sec, lv.met, lv.src = c, m, lu.src
				h.push(c, a.head)
			}
		}
	}
	return t, nil
}

// Node returns node v's nearest source (an index into the sources given to Nearest), the time
// in seconds and the distance in metres; source is -1 and the costs +Inf when no source can
// reach v.
func (t *Tree) Node(v int) (source int, seconds, metres float64) {
	l := t.lab[v]
	return int(l.src), l.sec, l.met
}

// To returns the nearest source of a snapped target point, with the time in seconds and
// the distance in metres from the source's position on its edge to the target's position on
// its edge. It considers reaching the target from either end of its edge (where one-way
// streets allow) and, when a source lies on the same edge, going straight along it.
// ok is false when no source can reach the target, or when the target was not snapped to
// this tree's graph (such as the zero Snap that SnapAll leaves for a point it could not snap).
//
// For a Tree from a reversed graph (Graph.Reverse) everything runs the other way: the time
// and distance are those of the quickest route from the target's position to the nearest
// source's, leaving the target's edge by either end where one-way streets allow.
func (t *Tree) To(target Snap) (source int, seconds, metres float64, ok bool) {
	g := t.g
	if target.g != g.base() {
		return -1, math.Inf(1), math.Inf(1), false
	}
	e := int32(target.Edge)
	f := target.Frac
	best := label{sec: math.Inf(1), met: math.Inf(1), src: -1}
	try := func(s int32, c, m float64) {
		if s >= 0 && best.better(c, m) {
			best = label{sec: c, met: m, src: s}
		}
	}
	if c, m := g.along(e, 0, f); !math.IsInf(c, 1) {
		lu := t.lab[g.edgeFrom[e]]
		try(lu.src, lu.sec+c, lu.met+m)
	}
	if c, m := g.along(e, 1, f); !math.IsInf(c, 1) {
		lv := t.lab[g.edgeTo[e]]
		try(lv.src, lv.sec+c, lv.met+m)
	}
	for _, s := range t.onEdge[e] {
		c, m := g.along(e, t.sources[s].Frac, f)
		try(s, c, m)
	}
	if best.src < 0 {
		return -1, math.Inf(1), math.Inf(1), false
	}
	return int(best.src), best.sec, best.met, true
}

// along returns the time and distance from fraction from to fraction to of edge e without
// leaving it (fraction 0 is the From node, 1 the To node), or +Inf when a one-way street
// forbids that direction. Equal fractions are the same place: 0 whatever the one-way.
// On a reversed graph, whose edgeFwd and edgeRev are swapped, it is the time of the road's
// travel from fraction to back to fraction from.
func (g *Graph) along(e int32, from, to float64) (seconds, metres float64) {
	switch {
	case to == from:
		return 0, 0
	case to > from && !math.IsInf(g.edgeFwd[e], 1):
		return (to - from) * g.edgeFwd[e], (to - from) * g.edgeLen[e]
	case to < from && !math.IsInf(g.edgeRev[e], 1):
		return (from - to) * g.edgeRev[e], (from - to) * g.edgeLen[e]
	}
	return math.Inf(1), math.Inf(1)
}

// Reach is a target reached by a bounded search.
type Reach struct {
	Target  int     // index into the targets given to Bounded
	Seconds float64 // time from the source (to the source, on a reversed graph)
	Metres  float64 // distance along the quickest route
}

// Searcher runs bounded one-to-many searches on one graph, reusing its buffers between
// searches so that thousands of searches (one per candidate site) allocate almost nothing.
// A Searcher is not safe for concurrent use; make one per goroutine.
type Searcher struct {
	g   *Graph
	gen uint32
	lab []stampedLabel
	h   heap4
}

// stampedLabel is a node's state in a bounded search; it belongs to the current search only
// when its stamp equals the search's generation, so nothing needs clearing between searches.
type stampedLabel struct {
	sec, met    float64
	stamp, done uint32
}

// NewSearcher returns a Searcher for g.
func (g *Graph) NewSearcher() *Searcher {
	return &Searcher{g: g, lab: make([]stampedLabel, g.NumNodes()), h: make(heap4, 0, 1024)}
}

// Bounded searches outwards from source until the time exceeds limitSeconds, and appends to
// out every target reachable within the limit, in the order of targets. Only the nodes
// within the limit are visited, so its cost grows with the area the limit covers, not with
// the network. Targets not snapped to this graph (such as zero Snaps) are never reached.
//
// A Searcher of a reversed graph (g.Reverse().NewSearcher()) searches inwards: it appends
// every target from which source can be reached within the limit, with the time and distance
// of the quickest route from the target to source.
func (s *Searcher) Bounded(source Snap, limitSeconds float64, targets []Snap, out []Reach) ([]Reach, error) {
	g := s.g
	base := g.base()
	if source.g != base {
		return out, fmt.Errorf("bounded search: source at (%.1f, %.1f) was not snapped to this %v graph", source.Point[0], source.Point[1], g.mode)
	}
	if !(limitSeconds >= 0) {
		return out, fmt.Errorf("bounded search: limit %g s: want a number ≥ 0", limitSeconds)
	}
	s.gen++
	if s.gen == 0 { // wrapped: clear the stamps once every 4 billion searches
		clear(s.lab)
		s.gen = 1
	}
	gen := s.gen
	lab := s.lab
	h := s.h[:0]
	seed := func(v int32, c, m float64) {
		if l := &lab[v]; c <= limitSeconds && (l.stamp != gen || c < l.sec || (c == l.sec && m < l.met)) {
			*l = stampedLabel{sec: c, met: m, stamp: gen}
			h.push(c, v)
		}
	}
	e := int32(source.Edge)
	if c, m := g.along(e, source.Frac, 0); !math.IsInf(c, 1) {
		seed(g.edgeFrom[e], c, m)
	}
	if c, m := g.along(e, source.Frac, 1); !math.IsInf(c, 1) {
		seed(g.edgeTo[e], c, m)
	}
	arcs, first := g.arcs, g.first
	for len(h) > 0 {
		u := h.pop()
		lu := &lab[u]
		if lu.done == gen {
			continue
		}
		lu.done = gen
		for _, a := range arcs[first[u]:first[u+1]] {
			c, m := lu.sec+a.cost, lu.met+a.len
			if c > limitSeconds {
				continue
			}
			if lv := &lab[a.head]; lv.stamp != gen {
				*lv = stampedLabel{sec: c, met: m, stamp: gen}
				h.push(c, a.head)
			} else if lv.done != gen && (c < lv.sec || (c == lv.sec && m < lv.met)) {
				lv.sec, lv.met = c, m
				h.push(c, a.head)
			}
		}
	}
	s.h = h
	for i, t := range targets {
		if t.g != base {
			continue
		}
		te := int32(t.Edge)
		f := t.Frac
		sec, met := math.Inf(1), math.Inf(1)
		try := func(c, m float64) {
			if c < sec || (c == sec && m < met) {
				sec, met = c, m
			}
		}
		if c, m := g.along(te, 0, f); !math.IsInf(c, 1) {
			if l := &lab[g.edgeFrom[te]]; l.done == gen {
				try(l.sec+c, l.met+m)
			}
		}
		if c, m := g.along(te, 1, f); !math.IsInf(c, 1) {
			if l := &lab[g.edgeTo[te]]; l.done == gen {
				try(l.sec+c, l.met+m)
			}
		}
		if te == e {
			try(g.along(e, source.Frac, f))
		}
		if sec <= limitSeconds && !math.IsInf(sec, 1) { // never an unreachable target, even with no limit
			out = append(out, Reach{Target: i, Seconds: sec, Metres: met})
		}
	}
	return out, nil
}

// heap4 is a 4-ary min-heap of (cost, node) with lazy deletion: a node may be pushed again
// with a lower cost, and the stale entry is skipped when popped. A 4-ary heap is shallower
// than a binary one and keeps the children of a node in one cache line.
type heap4 []heapItem

type heapItem struct {
	key  float64
	node int32
}

// push adds node with key.
func (h *heap4) push(key float64, node int32) {
	*h = append(*h, heapItem{key, node})
	a := *h
	i := len(a) - 1
	it := a[i]
	for i > 0 {
		p := (i - 1) / 4
		if a[p].key <= it.key {
			break
		}
		a[i] = a[p]
		i = p
	}
	a[i] = it
}

// pop removes and returns the node with the least key.
func (h *heap4) pop() int32 {
	a := *h
	top := a[0]
	last := a[len(a)-1]
	a = a[:len(a)-1]
	*h = a
	n := len(a)
	if n == 0 {
		return top.node
	}
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for j := c + 1; j < c+4 && j < n; j++ {
			if a[j].key < a[m].key {
				m = j
			}
		}
		if a[m].key >= last.key {
			break
		}
		a[i] = a[m]
		i = m
	}
	a[i] = last
	return top.node
}
