package hotspot

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Kinds of spatial weights, as written in the config (hotspot.weights) and used in the
// weights_<kind> table name.
const (
	KindQueen    = "queen"
	KindDistance = "distance"
	KindKNN      = "knn"
)

// Weights is a sparse spatial weights matrix: row i lists the neighbours of unit i (indices
// into the caller's slices, ascending, never i itself) and the weight of each.
//
// The constructors in this package (Queen, DistanceBand, KNN) return binary weights (every
// weight 1), which is what GiStar expects; LocalMoran row-standardises whatever it is given.
type Weights struct {
	// Kind says how the weights were built: KindQueen, KindDistance or KindKNN.
	Kind string
	// Neighbours[i] holds the neighbours of unit i in ascending order.
	Neighbours [][]int
	// Weights[i][k] is the weight of Neighbours[i][k] in row i.
	Weights [][]float64
}

// Pair is one non-zero entry of a weights matrix: unit I has neighbour J with weight W.
type Pair struct {
	I, J int
	W    float64
}

// N is the number of units (rows).
func (w Weights) N() int { return len(w.Neighbours) }

// Islands returns the units with no neighbours, in ascending order (nil if there are none).
func (w Weights) Islands() []int {
	var out []int
	for i, nb := range w.Neighbours {
		if len(nb) == 0 {
			out = append(out, i)
		}
	}
	return out
}

// Cardinality returns the number of neighbours of unit i.
func (w Weights) Cardinality(i int) int { return len(w.Neighbours[i]) }

// MeanNeighbours is the average number of neighbours per unit, islands included.
func (w Weights) MeanNeighbours() float64 {
	if w.N() == 0 {
		return 0
	}
	return float64(w.NonZero()) / float64(w.N())
}

// NonZero is the number of (i, j) entries, counting each direction of a symmetric pair.
func (w Weights) NonZero() int {
	s := 0
	for _, nb := range w.Neighbours {
		s += len(nb)
	}
	return s
}

// Pairs lists every non-zero entry, row by row and by ascending neighbour within a row, for
// export to the weights_<kind> table (map I and J to LSOA codes). Symmetric weights appear in
// both directions.
func (w Weights) Pairs() []Pair {
	out := make([]Pair, 0, w.NonZero())
	for i, nb := range w.Neighbours {
		for k, j := range nb {
			out = append(out, Pair{I: i, J: j, W: w.Weights[i][k]})
		}
	}
	return out
}

// IsSymmetric reports whether j is a neighbour of i exactly when i is a neighbour of j, with
// equal weights. Queen and DistanceBand weights are symmetric; KNN weights usually are not.
// It assumes valid weights (see Validate).
func (w Weights) IsSymmetric() bool {
	for i, nb := range w.Neighbours {
		for k, j := range nb {
			kk, ok := w.find(j, i)
			if !ok || w.Weights[j][kk] != w.Weights[i][k] {
				return false
			}
		}
	}
	return true
}

// find returns the position of j in row i (rows are sorted).
func (w Weights) find(i, j int) (int, bool) {
	nb := w.Neighbours[i]
	lo, hi := 0, len(nb)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if nb[m] < j {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(nb) && nb[lo] == j
}

// Validate checks the structure: one weights row per neighbours row, neighbour indices in
// range, ascending, without repeats or self-neighbours, and weights finite and positive. It
// reports every row that is wrong (up to 20), joined.
func (w Weights) Validate() error {
	if len(w.Weights) != len(w.Neighbours) {
		return fmt.Errorf("weights: %d neighbour rows but %d weight rows", len(w.Neighbours), len(w.Weights))
	}
	n := len(w.Neighbours)
	var errs []error
	add := func(err error) bool {
		errs = append(errs, err)
		return len(errs) < 20
	}
rows:
	for i, nb := range w.Neighbours {
		if len(w.Weights[i]) != len(nb) {
			if !add(fmt.Errorf("weights row %d: %d neighbours but %d weights", i, len(nb), len(w.Weights[i]))) {
				break
			}
			continue
		}
		for k, j := range nb {
			var err error
			switch {
			case j < 0 || j >= n:
				err = fmt.Errorf("weights row %d: neighbour %d out of range [0, %d)", i, j, n)
			case j == i:
				err = fmt.Errorf("weights row %d: unit is its own neighbour (Gi* adds the self weight itself)", i)
			case k > 0 && j <= nb[k-1]:
				err = fmt.Errorf("weights row %d: neighbours not strictly ascending (%d after %d)", i, j, nb[k-1])
			case !(w.Weights[i][k] > 0) || math.IsInf(w.Weights[i][k], 0):
				err = fmt.Errorf("weights row %d: weight %v for neighbour %d, want a finite positive number", i, w.Weights[i][k], j)
			}
			if err != nil {
				if !add(err) {
					break rows
				}
				continue rows
			}
		}
	}
	return errors.Join(errs...)
}

// Spec selects and parameterises the weights, mirroring the config keys hotspot.weights,
// hotspot.snap_m, hotspot.distance_m and hotspot.k.
type Spec struct {
	Kind      string  // KindQueen, KindDistance or KindKNN
	Snap      float64 // queen: vertices closer than this (metres) count as shared; 0 means exactly equal
	DistanceM float64 // distance: neighbours are points within this many metres
	K         int     // knn: number of nearest neighbours
}

// NewWeights builds the weights that spec asks for: queen contiguity from polys, or a
// distance band or k nearest neighbours from pts (population-weighted centroids). The slice
// that the kind does not use may be nil.
func NewWeights(spec Spec, polys []orb.MultiPolygon, pts []orb.Point) (Weights, error) {
	switch spec.Kind {
	case KindQueen:
		return Queen(polys, spec.Snap)
	case KindDistance:
		return DistanceBand(pts, spec.DistanceM)
	case KindKNN:
		return KNN(pts, spec.K)
	}
	return Weights{}, fmt.Errorf("hotspot weights %q: want %q, %q or %q", spec.Kind, KindQueen, KindDistance, KindKNN)
}

// fromSortedPairs builds symmetric binary weights for n units from unordered pairs (a < b),
// sorted by (a, b) and without repeats. Rows come out ascending: pass one appends the lower
// neighbours of every unit in increasing order, pass two the higher ones.
func fromSortedPairs(kind string, n int, pairs []uint64) Weights {
	deg := make([]int, n+1)
	for _, p := range pairs {
		a, b := unpack(p)
		deg[a]++
		deg[b]++
	}
	w := newCSR(kind, deg)
	fill := make([]int, n)
	for _, p := range pairs { // lower neighbours: row b gets a, in increasing a
		a, b := unpack(p)
		w.Neighbours[b][fill[b]] = a
		fill[b]++
	}
	for _, p := range pairs { // higher neighbours: row a gets b, in increasing b
		a, b := unpack(p)
		w.Neighbours[a][fill[a]] = b
		fill[a]++
	}
	return w
}

// newCSR allocates rows of the given lengths (deg[0:n]) backed by two flat arrays, with every
// weight set to 1. deg is overwritten.
func newCSR(kind string, deg []int) Weights {
	n := len(deg) - 1
	total := 0
	for i := 0; i < n; i++ {
		total += deg[i]
	}
	flatNb := make([]int, total)
	flatW := make([]float64, total)
	for k := range flatW {
		flatW[k] = 1
	}
	w := Weights{Kind: kind, Neighbours: make([][]int, n), Weights: make([][]float64, n)}
	off := 0
	for i := 0; i < n; i++ {
		d := deg[i]
		w.Neighbours[i] = flatNb[off : off+d : off+d]
		w.Weights[i] = flatW[off : off+d : off+d]
		off += d
	}
	return w
}

func pack(a, b int32) uint64     { return uint64(uint32(a))<<32 | uint64(uint32(b)) }
func unpack(p uint64) (int, int) { return int(uint32(p >> 32)), int(uint32(p)) }
