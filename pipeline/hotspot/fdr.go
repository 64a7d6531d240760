package hotspot

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// BenjaminiHochberg returns Benjamini-Hochberg (1995) adjusted p-values, which control the
// false discovery rate: rejecting every hypothesis whose adjusted p is <= q keeps the expected
// share of false discoveries among the rejections at most q. This is R's p.adjust(p, "BH").
//
// With the m p-values sorted ascending, p_(1) <= ... <= p_(m), the adjusted value of rank i is
//
//	min over j >= i of min(1, m p_(j) / j)
//
// (the step-up procedure, made monotone and capped at 1), returned in the input order.
//
// NaN entries (islands) are passed through as NaN and do not count in m. Any other value
// outside [0, 1] is an error.
func BenjaminiHochberg(p []float64) ([]float64, error) {
	idx := make([]int, 0, len(p))
	for i, v := range p {
		if math.IsNaN(v) {
			continue
		}
		if v < 0 || v > 1 {
			return nil, fmt.Errorf("Benjamini-Hochberg: p-value %d is %v, want a number in [0, 1]", i, v)
		}
		idx = append(idx, i)
	}
	// Sort by p (then index, for a deterministic order); equal p-values get the same adjusted
	// value whatever their order, because the running minimum reaches them all from the top.
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(p[a], p[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	out := make([]float64, len(p))
	for i, v := range p {
		if math.IsNaN(v) {
			out[i] = v
		}
	}
	m := float64(len(idx))
	running := 1.0
	for r := len(idx) - 1; r >= 0; r-- {
		running = min(running, m*p[idx[r]]/float64(r+1))
		out[idx[r]] = running
	}
	return out, nil
}

// Class is the hotspot class of a unit, stored in lsoa_hotspots.class.
type Class string

// Hotspot classes by the sign of the Gi* z-score and the confidence level reached.
const (
	Hot99          Class = "hot-99"
	Hot95          Class = "hot-95"
	Hot90          Class = "hot-90"
	Cold99         Class = "cold-99"
	Cold95         Class = "cold-95"
	Cold90         Class = "cold-90"
	NotSignificant Class = "not-significant"
	// ClassIsland marks a unit with no neighbours, whose z and p are NaN (see GiStar).
	ClassIsland Class = "island"
)

// Classify labels a unit from its Gi* z-score and p-value (the BH-adjusted one when the false
// discovery rate is controlled, else the raw one): hot when z > 0 and cold when z < 0, at 99%
// confidence when p <= 0.01, 95% when p <= 0.05 and 90% when p <= 0.10 (the levels of ArcGIS
// Hot Spot Analysis), else not-significant. A NaN z or p gives ClassIsland.
func Classify(z, p float64) Class {
	if math.IsNaN(z) || math.IsNaN(p) {
		return ClassIsland
	}
	if z == 0 {
		return NotSignificant
	}
	hot := z > 0
	pick := func(h, c Class) Class {
		if hot {
			return h
		}
		return c
	}
	switch {
	case p <= 0.01:
		return pick(Hot99, Cold99)
	case p <= 0.05:
		return pick(Hot95, Cold95)
	case p <= 0.10:
		return pick(Hot90, Cold90)
	}
	return NotSignificant
}
