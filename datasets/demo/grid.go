package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"hubreach/internal/bng"

	"github.com/paulmach/orb"
)

// The demo area is a grid of nx × ny cells of cellM metres, with its south-west corner at
// (originE, originN) on the British National Grid. Grid vertices are jittered and every cell edge
// gets a jittered midpoint, so cells are irregular octagons; an edge is computed once and shared
// by both cells beside it, so neighbours share vertices exactly.
const (
	originE = 452_500.0
	originN = 324_000.0
	cellM   = 1000.0
	nx, ny  = 15, 12

	cornerJitter = 0.15 // of cellM, each axis
	midJitter    = 0.10 // of cellM, across the edge
)

type pt struct{ E, N float64 }

type grid struct {
	v    [nx + 1][ny + 1]pt // vertex (i, j): corner of cells (i-1..i, j-1..j)
	hmid [nx][ny + 1]pt     // midpoint of the edge (i, j)-(i+1, j)
	vmid [nx + 1][ny]pt     // midpoint of the edge (i, j)-(i, j+1)
}

func newGrid(r *rand.Rand) *grid {
	g := &grid{}
	jit := func(f float64) float64 { return (r.Float64()*2 - 1) * f * cellM }
	for i := 0; i <= nx; i++ {
		for j := 0; j <= ny; j++ {
			g.v[i][j] = pt{originE + float64(i)*cellM + jit(cornerJitter), originN + float64(j)*cellM + jit(cornerJitter)}
		}
	}
	for i := 0; i < nx; i++ {
		for j := 0; j <= ny; j++ {
			a, b := g.v[i][j], g.v[i+1][j]
			g.hmid[i][j] = pt{(a.E + b.E) / 2, (a.N+b.N)/2 + jit(midJitter)}
		}
	}
	for i := 0; i <= nx; i++ {
		for j := 0; j < ny; j++ {
			a, b := g.v[i][j], g.v[i][j+1]
			g.vmid[i][j] = pt{(a.E+b.E)/2 + jit(midJitter), (a.N + b.N) / 2}
		}
	}
	return g
}

// cell identifies a grid cell by column i and row j (row 0 is the south).
type cell struct{ I, J int }

func (c cell) in() bool { return c.I >= 0 && c.I < nx && c.J >= 0 && c.J < ny }

func (c cell) neighbours4() [4]cell {
	return [4]cell{{c.I + 1, c.J}, {c.I - 1, c.J}, {c.I, c.J + 1}, {c.I, c.J - 1}}
}

// centre is the mean of the cell's four corners.
func (g *grid) centre(c cell) pt {
	a, b, d, e := g.v[c.I][c.J], g.v[c.I+1][c.J], g.v[c.I+1][c.J+1], g.v[c.I][c.J+1]
	return pt{(a.E + b.E + d.E + e.E) / 4, (a.N + b.N + d.N + e.N) / 4}
}

// edge is a directed cell edge: from vertex (i0,j0) to (i1,j1) through mid.
type edge struct {
	i0, j0, i1, j1 int
	mid            pt
}

// ring traces the outline of a set of cells as one counter-clockwise ring in BNG (closed: the
// last point repeats the first). It fails when the set is not one simply connected piece whose
// outline never touches itself (two pieces, a hole, or a pinch where cells meet only at a corner).
func (g *grid) ring(cells []cell) ([]pt, error) {
	in := map[cell]bool{}
	for _, c := range cells {
		in[c] = true
	}
	type vkey struct{ i, j int }
	out := map[vkey][]edge{}
	add := func(nb cell, e edge) {
		if !in[nb] {
			out[vkey{e.i0, e.j0}] = append(out[vkey{e.i0, e.j0}], e)
		}
	}
	for _, c := range cells {
		i, j := c.I, c.J
		add(cell{i, j - 1}, edge{i, j, i + 1, j, g.hmid[i][j]})           // south side, eastwards
		add(cell{i + 1, j}, edge{i + 1, j, i + 1, j + 1, g.vmid[i+1][j]}) // east side, northwards
		add(cell{i, j + 1}, edge{i + 1, j + 1, i, j + 1, g.hmid[i][j+1]}) // north side, westwards
		add(cell{i - 1, j}, edge{i, j + 1, i, j, g.vmid[i][j]})           // west side, southwards
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty cell set")
	}
	n := 0
	var start vkey
	first := true
	for k, es := range out {
		if len(es) > 1 {
			return nil, fmt.Errorf("cells %v touch at a corner only (vertex %d,%d)", cells, k.i, k.j)
		}
		n++
		if first || k.i < start.i || (k.i == start.i && k.j < start.j) {
			start, first = k, false
		}
	}
	var r []pt
	k := start
	for steps := 0; ; steps++ {
		e := out[k][0]
		r = append(r, g.v[e.i0][e.j0], e.mid)
		k = vkey{e.i1, e.j1}
		if k == start {
			break
		}
		if steps > n {
			return nil, fmt.Errorf("cells %v: outline does not close", cells)
		}
	}
	if len(r)/2 != n {
		return nil, fmt.Errorf("cells %v: outline has %d pieces or holes", cells, 1+boolInt(len(r)/2 < n))
	}
	return append(r, r[0]), nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lonLatRing converts a BNG ring to WGS84, rounded to 6 decimal places (about 0.1 m), as the
// GeoJSON is written. The same BNG point always gives the same lon/lat, so shared vertices stay
// identical.
func lonLatRing(r []pt) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[i] = lonLat(p)
	}
	return out
}

func lonLat(p pt) orb.Point {
	lon, lat := bng.ToLonLat(p.E, p.N)
	return orb.Point{round(lon, 6), round(lat, 6)}
}

func round(x float64, dp int) float64 {
	s := math.Pow10(dp)
	return math.Round(x*s) / s
}

// grow partitions cells (one ward) into connected regions of about k cells: seeds in random order,
// each grown by random edge neighbours within the ward. When k ≥ 3, single leftover cells join
// their smallest neighbouring region. Regions come back sorted by their first cell.
func grow(r *rand.Rand, cells []cell, k int) [][]cell {
	inWard := map[cell]bool{}
	for _, c := range cells {
		inWard[c] = true
	}
	owner := map[cell]int{}
	var regions [][]cell
	for _, p := range r.Perm(len(cells)) {
		c := cells[p]
		if _, ok := owner[c]; ok {
			continue
		}
		id := len(regions)
		reg := []cell{c}
		owner[c] = id
		for len(reg) < k {
			var cand []cell
			for _, m := range reg {
				for _, nb := range m.neighbours4() {
					if _, taken := owner[nb]; inWard[nb] && !taken && !slices.Contains(cand, nb) {
						cand = append(cand, nb)
					}
				}
			}
			if len(cand) == 0 {
				break
			}
			slices.SortFunc(cand, cmpCell)
			nb := cand[r.IntN(len(cand))]
			owner[nb] = id
			reg = append(reg, nb)
		}
		regions = append(regions, reg)
	}
	if k >= 3 {
		for id, reg := range regions {
			if len(reg) != 1 {
				continue
			}
			best := -1
			for _, nb := range reg[0].neighbours4() {
				o, ok := owner[nb]
				if !ok || o == id || len(regions[o]) == 0 {
					continue
				}
				if best < 0 || len(regions[o]) < len(regions[best]) || (len(regions[o]) == len(regions[best]) && o < best) {
					best = o
				}
			}
			if best >= 0 {
				regions[best] = append(regions[best], reg[0])
				owner[reg[0]] = best
				regions[id] = nil
			}
		}
	}
	var out [][]cell
	for _, reg := range regions {
		if len(reg) > 0 {
			slices.SortFunc(reg, cmpCell)
			out = append(out, reg)
		}
	}
	slices.SortFunc(out, func(a, b []cell) int { return cmpCell(a[0], b[0]) })
	return out
}

func cmpCell(a, b cell) int {
	if a.J != b.J {
		return b.J - a.J // north first
	}
	return a.I - b.I // then west to east
}
