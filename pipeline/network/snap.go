package network

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Snap is a point attached to the network: the nearest position on the nearest usable edge.
// A Snap belongs to the graph that made it (edge numbers differ between the walking and the
// driving graph).
type Snap struct {
	Point  orb.Point // the point as given
	OnEdge orb.Point // the nearest position on the edge
	Edge   int       // edge number
	// Frac is the position along the edge: 0 at its From node, 1 at its To node.
	Frac float64
	// Dist is the straight-line distance in metres from Point to OnEdge (the walk or drive
	// from the door to the road is not counted in network distances; callers may add it).
	Dist float64
	// InMain reports whether the edge lies in the graph's largest strongly connected
	// component. Snap prefers such edges; it returns an edge outside it only when no edge of
	// the main component lies within the snapping distance.
	InMain bool

	g *Graph // the graph Build made (never its reverse, which shares its edges); nil in a zero Snap
}

// Valid reports whether s was made by Graph.Snap (the zero Snap is not). A Snap made on a graph
// is valid on its reverse too.
func (s Snap) Valid() bool { return s.g != nil }

// ErrTooFar is matched (errors.Is) by a *TooFarError.
var ErrTooFar = errors.New("no usable edge within the snapping distance")

// ErrOutside is matched (errors.Is) by an *OutsideError.
var ErrOutside = errors.New("point outside the network's bounds")

// TooFarError reports a point whose nearest usable edge is farther than the snapping
// distance: a site in a field, or a network extract that does not cover it.
type TooFarError struct {
	Mode    Mode
	Point   orb.Point
	Dist    float64 // metres to the nearest usable edge
	MaxDist float64
}

func (e *TooFarError) Error() string {
	return fmt.Sprintf("point (%.1f, %.1f): the nearest %v edge is %.1f m away, more than the %g m snapping distance",
		e.Point[0], e.Point[1], e.Mode, e.Dist, e.MaxDist)
}

// Is makes errors.Is(err, ErrTooFar) true.
func (e *TooFarError) Is(target error) bool { return target == ErrTooFar }

// OutsideError reports a point farther than the snapping distance outside the bounding box of
// the network: usually a point in the wrong coordinate system or an extract of another area.
type OutsideError struct {
	Mode    Mode
	Point   orb.Point
	Bounds  orb.Bound
	MaxDist float64
}

func (e *OutsideError) Error() string {
	return fmt.Sprintf("point (%.1f, %.1f) is outside the %v network's bounds (E %.0f–%.0f, N %.0f–%.0f) by more than the %g m snapping distance",
		e.Point[0], e.Point[1], e.Mode, e.Bounds.Min[0], e.Bounds.Max[0], e.Bounds.Min[1], e.Bounds.Max[1], e.MaxDist)
}

// Is makes errors.Is(err, ErrOutside) true.
func (e *OutsideError) Is(target error) bool { return target == ErrOutside }

// Snap attaches p to the nearest point of the nearest edge within maxDist metres, preferring
// the largest strongly connected component: an edge there within maxDist wins over a nearer
// edge of an island, because an island edge would leave the point unreachable from most of
// the network. It returns an *OutsideError when p lies more than maxDist outside the
// network's bounding box, and a *TooFarError when no edge is within maxDist.
func (g *Graph) Snap(p orb.Point, maxDist float64) (Snap, error) {
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) || !(maxDist >= 0) {
		return Snap{}, fmt.Errorf("snap point (%g, %g) within %g m: want finite coordinates and a distance ≥ 0", p[0], p[1], maxDist)
	}
	if !g.bounds.Pad(maxDist).Contains(p) {
		return Snap{}, &OutsideError{Mode: g.mode, Point: p, Bounds: g.bounds, MaxDist: maxDist}
	}
	inMain := func(e int32) bool { return g.strong[g.edgeFrom[e]] == g.main && g.strong[g.edgeTo[e]] == g.main }
	e, t, d := g.grid.nearest(g, p, maxDist, inMain)
	if e < 0 {
		e, t, d = g.grid.nearest(g, p, maxDist, nil)
	}
	if e < 0 {
		// Find how far the nearest edge is, for the message.
		_, _, d = g.grid.nearest(g, p, math.Inf(1), nil)
		return Snap{}, &TooFarError{Mode: g.mode, Point: p, Dist: d, MaxDist: maxDist}
	}
	a, b := g.nodePt[g.edgeFrom[e]], g.nodePt[g.edgeTo[e]]
	return Snap{
		Point:  p,
		OnEdge: orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])},
		Edge:   int(e),
		Frac:   t,
		Dist:   d,
		InMain: inMain(e),
		g:      g.base(),
	}, nil
}

// SnapAll snaps every point, returning the snaps and one error per point (nil when it
// snapped); failed points get a zero Snap. Callers keep the errors as reasons.
func (g *Graph) SnapAll(points []orb.Point, maxDist float64) ([]Snap, []error) {
	snaps := make([]Snap, len(points))
	errs := make([]error, len(points))
	for i, p := range points {
		snaps[i], errs[i] = g.Snap(p, maxDist)
	}
	return snaps, errs
}

// edgeGrid is a uniform grid over the network's bounds; each cell lists the edges whose
// bounding box overlaps it (compressed sparse row, like the arcs).
type edgeGrid struct {
	origin orb.Point
	cell   float64
	nx, ny int
	start  []int32
	edges  []int32
}

func (gr *edgeGrid) memoryBytes() int { return 4*len(gr.start) + 4*len(gr.edges) }

// newEdgeGrid sizes cells so there are about as many cells as edges (at least 10 m), then
// lists each edge in every cell its bounding box touches.
func newEdgeGrid(g *Graph) edgeGrid {
	b := g.bounds
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	cell := math.Sqrt(math.Max(w*h, 1) / float64(len(g.edgeFrom)))
	cell = math.Max(cell, 10)
	gr := edgeGrid{origin: b.Min, cell: cell, nx: int(w/cell) + 1, ny: int(h/cell) + 1}
	ncell := gr.nx * gr.ny
	counts := make([]int32, ncell+1)
	visit := func(e int, fn func(c int)) {
		a, bb := g.nodePt[g.edgeFrom[e]], g.nodePt[g.edgeTo[e]]
		x0, y0 := gr.cellOf(math.Min(a[0], bb[0]), math.Min(a[1], bb[1]))
		x1, y1 := gr.cellOf(math.Max(a[0], bb[0]), math.Max(a[1], bb[1]))
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				fn(y*gr.nx + x)
			}
		}
	}
	for e := range g.edgeFrom {
		visit(e, func(c int) { counts[c+1]++ })
	}
	for c := 0; c < ncell; c++ {
		counts[c+1] += counts[c]
	}
	gr.start = counts
	gr.edges = make([]int32, counts[ncell])
	next := make([]int32, ncell)
	copy(next, counts[:ncell])
	for e := range g.edgeFrom {
		visit(e, func(c int) {
			gr.edges[next[c]] = int32(e)
			next[c]++
		})
	}
	return gr
}

// cellOf returns the cell containing (x, y), clamped to the grid.
func (gr *edgeGrid) cellOf(x, y float64) (int, int) {
	cx := int(math.Floor((x - gr.origin[0]) / gr.cell))
	cy := int(math.Floor((y - gr.origin[1]) / gr.cell))
	return min(max(cx, 0), gr.nx-1), min(max(cy, 0), gr.ny-1)
}

// nearest returns the edge nearest to p within maxDist that passes keep (all edges when keep
// is nil), the fraction along it of the nearest position and the distance; -1 when there is
// none. It searches rings of cells outwards from p's cell and stops once the next ring
// cannot hold anything nearer: every cell of ring r+1 is at least r cell widths from p.
func (gr *edgeGrid) nearest(g *Graph, p orb.Point, maxDist float64, keep func(int32) bool) (int32, float64, float64) {
	cx, cy := gr.cellOf(p[0], p[1])
	best, bestT, bestD := int32(-1), 0.0, math.Inf(1)
	maxR := max(gr.nx, gr.ny)
	for r := 0; r <= maxR; r++ {
		bound := float64(r-1) * gr.cell
		if bound > maxDist || bound > bestD {
			break
		}
		for y := cy - r; y <= cy+r; y++ {
			if y < 0 || y >= gr.ny {
				continue
			}
			step := 1
			if y != cy-r && y != cy+r {
				step = 2 * r // only the ring's left and right cells
			}
			for x := cx - r; x <= cx+r; x += max(step, 1) {
				if x < 0 || x >= gr.nx {
					continue
				}
				c := y*gr.nx + x
				for _, e := range gr.edges[gr.start[c]:gr.start[c+1]] {
					if keep != nil && !keep(e) {
						continue
					}
					t, d := projectOnSegment(p, g.nodePt[g.edgeFrom[e]], g.nodePt[g.edgeTo[e]])
					if d < bestD || (d == bestD && e < best) {
						best, bestT, bestD = e, t, d
					}
				}
			}
		}
	}
	if bestD > maxDist {
		return -1, 0, bestD
	}
	return best, bestT, bestD
}

// projectOnSegment returns the fraction t in [0, 1] of the point of segment ab nearest to p,
// and the distance from p to it.
func projectOnSegment(p, a, b orb.Point) (t, dist float64) {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 > 0 {
		t = ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / l2
		t = math.Max(0, math.Min(1, t))
	}
	return t, math.Hypot(p[0]-(a[0]+t*dx), p[1]-(a[1]+t*dy))
}
