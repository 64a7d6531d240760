package siting

import "math"

// coverBound is the outcome of the Lagrangian relaxation of the covering problem.
type coverBound struct {
	bound  float64   // least upper bound found
	lam    []float64 // multipliers that gave it
	x      []int     // best feasible set met among the relaxed solutions
	xValue float64   // its value
	iters  int
}

// restartEvery is how often (in iterations) the primal-dual method evaluates the bound at the
// running average and restarts from it when that is better.
const restartEvery = 100

// polishBudget caps the relaxed solutions that the Lagrangian heuristic improves by swaps.
const polishBudget = 40

// lagrangian bounds the covering problem from above and, with polish, searches for good answers
// among the relaxed solutions (a Lagrangian heuristic). The model is
//
//	max Σ_i w_i y_i  s.t.  y_i ≤ Σ_{j covers i} x_j,  Σ_j x_j ≤ k,  x, y ∈ {0,1}
//
// plus the must-open and group rules. Relaxing the coverage rows with multipliers λ_i ≥ 0 gives
//
//	L(λ) = Σ_i max(0, w_i - λ_i) + max_x Σ_j ρ_j x_j,   ρ_j = Σ_{i ∈ cover(j)} λ_i,
//
// where the inner maximum takes the must-open sites and then the largest ρ_j allowed by the
// group caps (a partition matroid, so greedy is optimal; spacing is dropped, which only loosens
// the relaxation). L(λ) ≥ the optimum for every λ ≥ 0 (weak duality), so the least L met is a
// valid bound wherever the search stops. Its minimum over λ is the optimum of the LP relaxation.
//
// Plain subgradient steps converge slowly here, so λ is found as the dual of the LP relaxation
// written as a saddle point, min over 0 ≤ λ ≤ w and max over 0 ≤ x ≤ 1 with Σx ≤ k of
// Σ_i w_i + Σ_i λ_i ((Ax)_i - 1), by the primal-dual hybrid gradient method (Chambolle and Pock
// 2011) with restarts to the running average (as in PDLP, Applegate et al. 2021). Every
// restartEvery iterations L is evaluated exactly at the average and at the current λ.
//
// Each evaluation also yields answers: the relaxed x, and the sites with the largest averaged
// LP values x̄, each once the sites that break the spacing rule are dropped. Up to polishBudget
// distinct ones are handed to polish (swaps), and the best answer met is returned.
func (p *coverProblem) lagrangian(k int, r *rules, lb float64, iters int, polish func([]int) *coverState) coverBound {
	if iters == 0 {
		iters = DefaultBoundIterations
	}
	n := len(p.w)
	out := coverBound{bound: math.Inf(1), lam: make([]float64, n), xValue: -1}
	if n == 0 {
		return coverBound{x: append([]int(nil), r.must...)}
	}
	var cands, picked, order, fit []int
	for j := 0; j < p.nc; j++ {
		if !r.isMust[j] {
			cands = append(cands, j)
		}
	}
	used := r.groupUse(r.must, -1)
	free := float64(k - len(r.must))
	rho := make([]float64, p.nc)
	seen := map[uint64]bool{}
	polished := 0

	// consider takes a set of sites as an answer, dropping sites that break the spacing rule,
	// and polishes it when it is new and the budget allows.
	consider := func(x []int) {
		if r.spacing > 0 && !r.feasible(x) {
			fit = fit[:0]
			for _, j := range x {
				if r.fits(fit, j, -1) {
					fit = append(fit, j)
				}
			}
			x = fit
		}
		if v := p.value(x); v > out.xValue {
			out.xValue = v
			out.x = append(out.x[:0], x...)
		}
		if polish != nil && polished < polishBudget {
			if h := setHash(x); !seen[h] {
				seen[h] = true
				polished++
				if st := polish(x); st.value > out.xValue {
					out.xValue = st.value
					out.x = append(out.x[:0], st.chosen...)
				}
			}
		}
		lb = max(lb, out.xValue)
	}
	// evaluate returns L(λ), keeps the least, and considers the relaxed x.
	evaluate := func(lam []float64) float64 {
		for j := 0; j < p.nc; j++ {
			s := 0.0
			for _, i := range p.cover(j) {
				s += lam[i]
			}
			rho[j] = s
		}
		picked = append(picked[:0], r.must...)
		l := 0.0
		for _, j := range r.must {
			l += rho[j]
		}
		var top float64
		top, picked, order = r.topR(rho, cands, k-len(r.must), used, order, picked)
		l += top
		for i, w := range p.w {
			l += max(0, w-lam[i])
		}
		if l < out.bound {
			out.bound = l
			copy(out.lam, lam)
		}
		consider(picked)
		return l
	}

	// Step sizes: τσ‖A‖² < 1, with ‖A‖ ≤ √(max row sum × max column sum), and the primal
	// weight ω (the mean weight) balancing the scales of λ (0..w) and x (0..1).
	maxRow, maxCol := 1, 1
	for i := range n {
		maxRow = max(maxRow, int(p.invStart[i+1]-p.invStart[i]))
	}
	for j := 0; j < p.nc; j++ {
		maxCol = max(maxCol, len(p.cover(j)))
	}
	norm := math.Sqrt(float64(maxRow) * float64(maxCol))
	omega := p.coverable / float64(n)
	tau, sigma := 0.95*omega/norm, 0.95/(omega*norm)

	lam := make([]float64, n)
	for i, w := range p.w {
		lam[i] = w / 2
	}
	x, xOld, ax := make([]float64, p.nc), make([]float64, p.nc), make([]float64, n)
	lamAvg, xAvg := make([]float64, n), make([]float64, p.nc)
	count, stalls := 0, 0
	for it := 0; it < iters; it++ {
		out.iters = it + 1
		// Dual step on λ with the extrapolated x, then primal step on x with the new λ.
		clear(ax)
		for j := 0; j < p.nc; j++ {
			if xe := 2*x[j] - xOld[j]; xe != 0 {
				for _, i := range p.cover(j) {
					ax[i] += xe
				}
			}
		}
		for i, w := range p.w {
			lam[i] = min(max(lam[i]-tau*(ax[i]-1), 0), w)
		}
		copy(xOld, x)
		for j := 0; j < p.nc; j++ {
			s := 0.0
			for _, i := range p.cover(j) {
				s += lam[i]
			}
			x[j] += sigma * s
		}
		r.project(x, free)
		for i := range lam {
			lamAvg[i] += lam[i]
		}
		for j := range x {
			xAvg[j] += x[j]
		}
		count++
		if count < restartEvery && it < iters-1 {
			continue
		}
		for i := range lamAvg {
			lamAvg[i] /= float64(count)
		}
		for j := range xAvg {
			xAvg[j] /= float64(count)
		}
		before := out.bound
		lAvg := evaluate(lamAvg)
		lCur := evaluate(lam)
		// Round the averaged LP solution: the sites with the largest x̄.
		var top []int
		_, top, order = r.topR(xAvg, cands, k-len(r.must), used, order, append([]int(nil), r.must...))
		consider(top)
		if lAvg < lCur {
			copy(lam, lamAvg)
			copy(x, xAvg)
			copy(xOld, xAvg)
		}
		clear(lamAvg)
		clear(xAvg)
		count = 0
		if p.roundBound(out.bound)-lb <= p.eps {
			break // the bound meets a feasible value: optimal
		}
		if stalls++; before-out.bound > 1e-6*out.bound {
			stalls = 0
		}
		if stalls >= 3 {
			break // no progress in three restarts
		}
	}
	if p.coverable < out.bound {
		out.bound = p.coverable // L(0), with λ = 0
		clear(out.lam)
	}
	return out
}

// project puts x on {0 ≤ x ≤ 1, Σ x ≤ free} for the candidates that are not must-open, which are
// set to 1: the Euclidean projection, x_j = clamp(v_j - θ, 0, 1) with θ ≥ 0 found by bisection.
func (r *rules) project(x []float64, free float64) {
	for _, j := range r.must {
		x[j] = 1
	}
	sum := func(theta float64) float64 {
		s := 0.0
		for j, v := range x {
			if !r.isMust[j] {
				s += min(max(v-theta, 0), 1)
			}
		}
		return s
	}
	theta := 0.0
	if sum(0) > free {
		lo, hi := 0.0, 0.0
		for _, v := range x {
			hi = max(hi, v)
		}
		for range 50 {
			if mid := (lo + hi) / 2; sum(mid) > free {
				lo = mid
			} else {
				hi = mid
			}
		}
		theta = hi
	}
	for j, v := range x {
		if !r.isMust[j] {
			x[j] = min(max(v-theta, 0), 1)
		}
	}
}

// setHash identifies a set of candidates whatever the order of its members.
func setHash(set []int) uint64 {
	var sum, xor uint64
	for _, j := range set {
		h := uint64(j)*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
		h ^= h >> 29
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 32
		sum += h
		xor ^= h * 0x94d049bb133111eb
	}
	return sum ^ (xor << 1) ^ uint64(len(set))
}
