package hotspot

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/paulmach/orb"
)

// vertex is one polygon vertex and the snap-grid cell it falls in.
type vertex struct {
	cx, cy int64
	x, y   float64
	poly   int32
}

// cellRun is a run of vertices (sorted) that share one grid cell.
type cellRun struct {
	cx, cy     int64
	start, end int32
}

// Queen builds queen contiguity weights: two polygons are neighbours when they share at least
// one boundary point, that is, when a vertex of one lies within snap metres (Euclidean) of a
// vertex of the other. This is the rule of R spdep's poly2nb(queen = TRUE, snap = snap): like
// poly2nb it compares vertices only, so a vertex of one polygon lying on the middle of
// another's edge, with no vertex there, does not make them neighbours. ONS boundaries share
// vertices along common edges, so this matters little in practice.
//
// snap = 0 means vertices must be exactly equal; spdep's default is 1.5e-8 (sqrt of the double
// epsilon). For LSOA boundaries in BNG metres, snap = 1 (metre) is robust against rounding in
// the source coordinates without joining areas that merely lie close.
//
// Every ring counts, holes included (an LSOA enclosed by another touches it along the hole).
// Polygons need not be valid (self-intersections do not matter); an empty polygon is an
// island. Rows of the result are ascending and all weights are 1.
//
// Steps, all O(V log V) for V vertices rather than pairwise polygon tests:
//  1. collect the vertices with the snap-grid cell (side slightly over snap) each falls in;
//  2. sort them by cell, so each cell's vertices form a run;
//  3. compare each run with itself and with four of its eight neighbouring cells (the other
//     four see it from their side), in parallel over chunks of cells, keeping polygon pairs
//     whose vertices lie within snap;
//  4. sort and de-duplicate the pairs and lay them out as rows.
func Queen(polys []orb.MultiPolygon, snap float64) (Weights, error) {
	if math.IsNaN(snap) || math.IsInf(snap, 0) || snap < 0 {
		return Weights{}, fmt.Errorf("queen weights: snap distance %v m, want a finite number >= 0", snap)
	}
	if len(polys) > math.MaxInt32 {
		return Weights{}, fmt.Errorf("queen weights: %d polygons, at most %d supported", len(polys), math.MaxInt32)
	}
	verts, err := collectVertices(polys, snap)
	if err != nil {
		return Weights{}, err
	}
	slices.SortFunc(verts, func(a, b vertex) int {
		if c := cmp.Compare(a.cx, b.cx); c != 0 {
			return c
		}
		if c := cmp.Compare(a.cy, b.cy); c != 0 {
			return c
		}
		return cmp.Compare(a.poly, b.poly)
	})
	cells := cellRuns(verts)
	pairs := touchingPairs(verts, cells, snap)
	slices.Sort(pairs)
	pairs = slices.Compact(pairs)
	return fromSortedPairs(KindQueen, len(polys), pairs), nil
}

// collectVertices lists every vertex of every ring (without the closing repeat of the first
// point) with its grid cell. With snap > 0 the cell side is snap*(1+1e-6), so that two
// vertices within snap are in the same or adjacent cells despite rounding in the division.
// With snap = 0 the "cell" is the exact coordinate pair, so only equal vertices meet.
func collectVertices(polys []orb.MultiPolygon, snap float64) ([]vertex, error) {
	total := 0
	for _, mp := range polys {
		for _, p := range mp {
			for _, r := range p {
				total += len(r)
			}
		}
	}
	verts := make([]vertex, 0, total)
	side := snap * (1 + 1e-6)
	const maxCell = 1 << 62
	for i, mp := range polys {
		for pi, p := range mp {
			for ri, r := range p {
				m := len(r)
				if m > 1 && r[0] == r[m-1] {
					m--
				}
				for vi := 0; vi < m; vi++ {
					x, y := r[vi][0], r[vi][1]
					if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
						return nil, fmt.Errorf("queen weights: polygon %d part %d ring %d vertex %d: coordinate (%v, %v) is not a finite number", i, pi, ri, vi, x, y)
					}
					v := vertex{x: x, y: y, poly: int32(i)}
					if snap == 0 {
						v.cx, v.cy = int64(math.Float64bits(x+0)), int64(math.Float64bits(y+0)) // x+0 turns -0 into +0
					} else {
						fx, fy := math.Floor(x/side), math.Floor(y/side)
						if math.Abs(fx) > maxCell || math.Abs(fy) > maxCell {
							return nil, fmt.Errorf("queen weights: polygon %d vertex (%v, %v): snap %v m is too small for coordinates this large", i, x, y, snap)
						}
						v.cx, v.cy = int64(fx), int64(fy)
					}
					verts = append(verts, v)
				}
			}
		}
	}
	return verts, nil
}

// cellRuns splits vertices sorted by cell into one run per cell, in the same order.
func cellRuns(verts []vertex) []cellRun {
	var cells []cellRun
	for s := 0; s < len(verts); {
		e := s + 1
		for e < len(verts) && verts[e].cx == verts[s].cx && verts[e].cy == verts[s].cy {
			e++
		}
		cells = append(cells, cellRun{cx: verts[s].cx, cy: verts[s].cy, start: int32(s), end: int32(e)})
		s = e
	}
	return cells
}

// touchingPairs returns packed (a, b), a < b, for every pair of vertices of different polygons
// within snap of each other, possibly with repeats. Cells are split into one chunk per CPU.
func touchingPairs(verts []vertex, cells []cellRun, snap float64) []uint64 {
	workers := runtime.GOMAXPROCS(0)
	if len(cells) < 10_000 {
		workers = 1
	}
	chunk := (len(cells) + workers - 1) / max(workers, 1)
	out := make([][]uint64, workers)
	var wg sync.WaitGroup
	for wi := 0; wi < workers; wi++ {
		lo, hi := wi*chunk, min((wi+1)*chunk, len(cells))
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[wi] = scanCells(verts, cells, lo, hi, snap)
		}()
	}
	wg.Wait()
	return slices.Concat(out...)
}

// scanCells compares the runs cells[lo:hi] with themselves and, when snap > 0, with the cells
// above (cx, cy+1) and to the right (cx+1, cy-1..cy+1). The cells to the right of successive
// cells come in sorted order, so one pointer q walks them.
func scanCells(verts []vertex, cells []cellRun, lo, hi int, snap float64) []uint64 {
	var pairs []uint64
	snap2 := snap * snap
	less := func(c cellRun, cx, cy int64) bool { return c.cx < cx || (c.cx == cx && c.cy < cy) }
	q := sort.Search(len(cells), func(k int) bool { return !less(cells[k], cells[lo].cx+1, cells[lo].cy-1) })
	for c := lo; c < hi; c++ {
		a := cells[c]
		if verts[a.start].poly != verts[a.end-1].poly { // more than one polygon in this cell
			for s := a.start; s < a.end; s++ {
				for t := s + 1; t < a.end; t++ {
					pairs = appendIfNear(pairs, &verts[s], &verts[t], snap2)
				}
			}
		}
		if snap == 0 {
			continue
		}
		if c+1 < len(cells) && cells[c+1].cx == a.cx && cells[c+1].cy == a.cy+1 {
			pairs = compareRuns(pairs, verts, a, cells[c+1], snap2)
		}
		for q < len(cells) && less(cells[q], a.cx+1, a.cy-1) {
			q++
		}
		for k := q; k < len(cells) && k < q+3 && cells[k].cx == a.cx+1 && cells[k].cy <= a.cy+1; k++ {
			pairs = compareRuns(pairs, verts, a, cells[k], snap2)
		}
	}
	return pairs
}

func compareRuns(pairs []uint64, verts []vertex, a, b cellRun, snap2 float64) []uint64 {
	for s := a.start; s < a.end; s++ {
		for t := b.start; t < b.end; t++ {
			pairs = appendIfNear(pairs, &verts[s], &verts[t], snap2)
		}
	}
	return pairs
}

func appendIfNear(pairs []uint64, u, v *vertex, snap2 float64) []uint64 {
	if u.poly == v.poly {
		return pairs
	}
	dx, dy := u.x-v.x, u.y-v.y
	if dx*dx+dy*dy > snap2 {
		return pairs
	}
	if u.poly < v.poly {
		return append(pairs, pack(u.poly, v.poly))
	}
	return append(pairs, pack(v.poly, u.poly))
}
