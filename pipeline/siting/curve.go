package siting

// CurvePoint is the coverage reached with k sites.
type CurvePoint struct {
	K int
	// Greedy is the weight newly covered by the first K sites of one greedy run.
	Greedy float64
	// Value is the weight newly covered by the answer for K sites: the greedy prefix improved by
	// swaps (and the Lagrangian heuristic when Bound is computed) when Improved is set, else the
	// same as Greedy.
	Value float64
	// Improved is set when Value comes from the swap phase started at the greedy prefix.
	Improved bool
	// Bound is an upper bound on the optimum for K sites; zero when not computed.
	Bound float64
	// Gap is (Bound - Value) / Bound when Bound was computed, else zero.
	Gap float64
}

// CurveOptions tune CoverageCurve.
type CurveOptions struct {
	Options
	// Improve runs the swap phase for each k, starting from the greedy prefix.
	Improve bool
	// Bound computes the Lagrangian bound for each k.
	Bound bool
}

// CoverageCurve returns the weight newly covered with k = 1..maxK sites. One greedy run gives
// every point (the first k sites of the greedy order); with opts.Improve each point is improved
// by swaps, and with opts.Bound each gets its own upper bound (and, with both, the Lagrangian
// heuristic of MaxCover as well). When must-open sites are given,
// the curve starts at their number. The curve stops early when further sites add nothing.
func CoverageCurve(inst *Instance, maxK int, opts CurveOptions) ([]CurvePoint, error) {
	_, p, r, err := prepareCover(inst, maxK, opts.Constraints)
	if err != nil {
		return nil, err
	}
	st := p.greedy(maxK, r)
	first := max(1, len(r.must))
	var curve []CurvePoint
	for k := first; k <= len(st.chosen); k++ {
		prefix := st.chosen[:k]
		pt := CurvePoint{K: k, Greedy: p.value(prefix)}
		pt.Value = pt.Greedy
		if opts.Improve && !opts.NoSwap {
			sub := p.stateOf(prefix)
			p.improve(sub, k, r, opts.MaxSwaps)
			pt.Value, pt.Improved = sub.value, true
		}
		if opts.Bound {
			var polish func([]int) *coverState
			if opts.Improve && !opts.NoSwap {
				polish = func(x []int) *coverState {
					sub := p.stateOf(x)
					p.improve(sub, k, r, opts.MaxSwaps)
					return sub
				}
			}
			b := p.lagrangian(k, r, pt.Value, opts.BoundIterations, polish)
			if polish != nil && b.xValue > pt.Value+p.eps {
				pt.Value = b.xValue
			}
			pt.Bound, pt.Gap = p.boundGap(b.bound, pt.Value)
		}
		curve = append(curve, pt)
	}
	return curve, nil
}
