package hotspot

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"
)

// DistanceBand builds binary distance-band weights: j is a neighbour of i when the points are
// at most d metres apart (Euclidean, BNG), j != i. Coincident points are neighbours. The
// result is symmetric; points with nobody within d are islands. This is spdep's
// dnearneigh(pts, 0, d) except that spdep excludes coincident points.
//
// Points are binned into a square grid with cells at least d wide, so only the 3x3 cells
// around each point are searched.
func DistanceBand(pts []orb.Point, d float64) (Weights, error) {
	if math.IsNaN(d) || math.IsInf(d, 0) || d <= 0 {
		return Weights{}, fmt.Errorf("distance-band weights: distance %v m, want a finite number > 0", d)
	}
	if err := checkPoints("distance-band weights", pts); err != nil {
		return Weights{}, err
	}
	g := newPointGrid(pts, d, 4*len(pts)+16)
	d2 := d * d
	rows := make([][]int, len(pts))
	parallelRange(len(pts), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			p := pts[i]
			cx, cy := g.cellOf(p)
			var row []int
			for gy := max(cy-1, 0); gy <= min(cy+1, g.ny-1); gy++ {
				for gx := max(cx-1, 0); gx <= min(cx+1, g.nx-1); gx++ {
					for _, j := range g.cell(gx, gy) {
						if int(j) == i {
							continue
						}
						q := pts[j]
						dx, dy := p[0]-q[0], p[1]-q[1]
						if dx*dx+dy*dy <= d2 {
							row = append(row, int(j))
						}
					}
				}
			}
			slices.Sort(row)
			rows[i] = row
		}
	})
	return fromRows(KindDistance, rows), nil
}

// KNN builds binary k-nearest-neighbour weights: row i holds the k points nearest to point i
// (Euclidean, BNG), excluding i itself. Ties are broken deterministically by taking the lower
// index first: the k neighbours are the first k of the other points sorted by (distance,
// index). KNN weights are usually asymmetric (j may be among i's nearest without i being
// among j's) and have no islands. k must be between 1 and len(pts)-1.
//
// Points are binned into a grid of about two points per cell and each search grows ring by
// ring until no unvisited cell can hold a point nearer than the k-th found.
func KNN(pts []orb.Point, k int) (Weights, error) {
	if k < 1 || k >= len(pts) {
		return Weights{}, fmt.Errorf("knn weights: k = %d with %d points, want 1 <= k <= %d", k, len(pts), len(pts)-1)
	}
	if err := checkPoints("knn weights", pts); err != nil {
		return Weights{}, err
	}
	g := newPointGrid(pts, 0, max(len(pts)/2, 1))
	rows := make([][]int, len(pts))
	parallelRange(len(pts), func(lo, hi int) {
		best := make([]candidate, 0, k)
		for i := lo; i < hi; i++ {
			best = g.nearest(pts, i, k, best[:0])
			row := make([]int, len(best))
			for t, c := range best {
				row[t] = int(c.j)
			}
			slices.Sort(row)
			rows[i] = row
		}
	})
	return fromRows(KindKNN, rows), nil
}

func checkPoints(what string, pts []orb.Point) error {
	if len(pts) > math.MaxInt32 {
		return fmt.Errorf("%s: %d points, at most %d supported", what, len(pts), math.MaxInt32)
	}
	for i, p := range pts {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
			return fmt.Errorf("%s: point %d (%v, %v) is not a finite coordinate pair", what, i, p[0], p[1])
		}
	}
	return nil
}

// fromRows lays out rows (ascending, no self) as Weights with every weight 1.
func fromRows(kind string, rows [][]int) Weights {
	deg := make([]int, len(rows)+1)
	for i, r := range rows {
		deg[i] = len(r)
	}
	w := newCSR(kind, deg)
	for i, r := range rows {
		copy(w.Neighbours[i], r)
	}
	return w
}

// pointGrid bins points into nx*ny square cells of side `side` starting at (minX, minY).
// The indices of the points in cell c are idx[start[c]:start[c+1]], ascending.
type pointGrid struct {
	minX, minY, side float64
	nx, ny           int
	start, idx       []int32
}

// newPointGrid makes cells at least minSide wide (0: no minimum) and doubles the side until
// there are at most maxCells cells.
func newPointGrid(pts []orb.Point, minSide float64, maxCells int) *pointGrid {
	b := orb.MultiPoint(pts).Bound()
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	side := minSide
	if side <= 0 {
		side = math.Sqrt(w * h / float64(maxCells))
		if side == 0 {
			side = max(w, h) / float64(maxCells)
		}
		if side == 0 {
			side = 1
		}
	}
	for (math.Floor(w/side)+1)*(math.Floor(h/side)+1) > float64(maxCells) {
		side *= 2
	}
	g := &pointGrid{minX: b.Min[0], minY: b.Min[1], side: side}
	g.nx, g.ny = int(math.Floor(w/side))+1, int(math.Floor(h/side))+1
	// Counting sort by cell; scanning points in order keeps each cell ascending.
	cellOfPt := make([]int32, len(pts))
	g.start = make([]int32, g.nx*g.ny+1)
	for i, p := range pts {
		cx, cy := g.cellOf(p)
		c := int32(cy*g.nx + cx)
		cellOfPt[i] = c
		g.start[c+1]++
	}
	for c := 1; c < len(g.start); c++ {
		g.start[c] += g.start[c-1]
	}
	fill := slices.Clone(g.start[:len(g.start)-1])
	g.idx = make([]int32, len(pts))
	for i, c := range cellOfPt {
		g.idx[fill[c]] = int32(i)
		fill[c]++
	}
	return g
}

func (g *pointGrid) cellOf(p orb.Point) (int, int) {
	cx := int((p[0] - g.minX) / g.side)
	cy := int((p[1] - g.minY) / g.side)
	return min(max(cx, 0), g.nx-1), min(max(cy, 0), g.ny-1)
}

func (g *pointGrid) cell(cx, cy int) []int32 {
	c := cy*g.nx + cx
	return g.idx[g.start[c]:g.start[c+1]]
}

// candidate is a neighbour found by a KNN search.
type candidate struct {
	d2 float64
	j  int32
}

func (c candidate) before(o candidate) bool { return c.d2 < o.d2 || (c.d2 == o.d2 && c.j < o.j) }

// nearest returns the k points nearest to pts[i] (excluding i) in (distance, index) order,
// searching rings of cells around i's cell. After ring r, every unvisited point lies outside
// the square of (2r+1)^2 cells, so at least `edge` away; the search stops once the k-th
// candidate is strictly nearer than that (less a small margin against rounding in cellOf).
func (g *pointGrid) nearest(pts []orb.Point, i, k int, best []candidate) []candidate {
	p := pts[i]
	cx, cy := g.cellOf(p)
	margin := 1e-9*(math.Abs(p[0])+math.Abs(p[1])) + 1e-9*g.side
	consider := func(j int32) {
		if int(j) == i {
			return
		}
		q := pts[j]
		dx, dy := p[0]-q[0], p[1]-q[1]
		c := candidate{d2: dx*dx + dy*dy, j: j}
		if len(best) == k {
			if !c.before(best[k-1]) {
				return
			}
			best = best[:k-1]
		}
		// Insert in order; k is small.
		pos := len(best)
		best = append(best, c)
		for pos > 0 && c.before(best[pos-1]) {
			best[pos] = best[pos-1]
			pos--
		}
		best[pos] = c
	}
	for r := 0; ; r++ {
		x0, x1, y0, y1 := cx-r, cx+r, cy-r, cy+r
		for gy := max(y0, 0); gy <= min(y1, g.ny-1); gy++ {
			if gy == y0 || gy == y1 { // whole row of the ring
				for gx := max(x0, 0); gx <= min(x1, g.nx-1); gx++ {
					for _, j := range g.cell(gx, gy) {
						consider(j)
					}
				}
				continue
			}
			for _, gx := range [2]int{x0, x1} { // left and right ends only
				if gx >= 0 && gx < g.nx {
					for _, j := range g.cell(gx, gy) {
						consider(j)
					}
				}
			}
		}
		if x0 <= 0 && y0 <= 0 && x1 >= g.nx-1 && y1 >= g.ny-1 {
			return best // the whole grid has been searched
		}
		if len(best) < k {
			continue
		}
		edge := math.Inf(1)
		if x0 > 0 {
			edge = min(edge, p[0]-(g.minX+float64(x0)*g.side))
		}
		if x1 < g.nx-1 {
			edge = min(edge, g.minX+float64(x1+1)*g.side-p[0])
		}
		if y0 > 0 {
			edge = min(edge, p[1]-(g.minY+float64(y0)*g.side))
		}
		if y1 < g.ny-1 {
			edge = min(edge, g.minY+float64(y1+1)*g.side-p[1])
		}
		edge -= margin
		if edge > 0 && best[k-1].d2 < edge*edge {
			return best
		}
	}
}

// parallelRange runs f over [0, n) split into contiguous chunks, one goroutine per CPU. f must
// write only to its own indices, so results do not depend on scheduling.
func parallelRange(n int, f func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < 256 || workers < 2 {
		f(0, n)
		return
	}
	// Several chunks per worker even out uneven work.
	chunks := workers * 8
	size := (n + chunks - 1) / chunks
	next := make(chan int, chunks)
	for lo := 0; lo < n; lo += size {
		next <- lo
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range next {
				f(lo, min(lo+size, n))
			}
		}()
	}
	wg.Wait()
}
