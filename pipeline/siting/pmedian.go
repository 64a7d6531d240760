package siting

import (
	"fmt"
	"math"
)

// MedianSite is one site chosen by PMedian.
type MedianSite struct {
	// Candidate is the index into Instance.Candidates.
	Candidate int
	ID        string
	Name      string
	// MustOpen is set for sites chosen because Constraints.MustOpen lists them.
	MustOpen bool
	// Saving is the reduction in total weighted cost this site makes on top of the sites before
	// it in MedianResult.Sites (its marginal saving in order of selection).
	Saving float64
	// Cost is the total weighted cost once this site and those before it are open.
	Cost float64
}

// MedianResult is the answer to a p-median problem. Costs are weighted sums over demand points
// of weight × cost to the nearest open or existing site, capped at Instance.CostCap.
type MedianResult struct {
	// Sites are the chosen sites in order of selection: must-open sites first, then at each step
	// the chosen site that saves the most (the final set re-sequenced greedily).
	Sites []MedianSite
	// Cost is the total weighted cost with the chosen and the existing sites: the objective.
	Cost float64
	// BaseCost is the total weighted cost with the existing sites only.
	BaseCost float64
	// GreedyCost is the cost after the greedy phase, before any swap.
	GreedyCost float64
	// MeanCost is Cost divided by the total demand weight: the weighted mean cost.
	MeanCost float64
	// LowerBound is a lower bound on the least Cost of any feasible choice of k sites.
	LowerBound float64
	// Gap is (Cost - LowerBound) / Cost, zero when Cost is zero.
	Gap float64
	// Optimal is set when Cost meets LowerBound.
	Optimal bool
	// Swaps lists the improving swaps in the order made; Delta is the cost saved.
	Swaps []Swap
	// Warnings are problems with candidates that did not stop the run.
	Warnings []Warning
}

// PMedian chooses at most k candidate sites that minimise the total weighted cost from each
// demand point to its nearest site, existing or new (the p-median problem with existing sites).
//
// Steps:
//  1. validate the instance and constraints;
//  2. greedy with lazy evaluation (the saving of a site is submodular);
//  3. unless opts.NoSwap, vertex substitution (Teitz–Bart) with the fast interchange of
//     Whitaker: keeping each demand point's nearest and second-nearest open site, the saving of
//     every exchange (s out, j in) is evaluated for all j at once per chosen site s;
//  4. a Lagrangian lower bound (relaxing the assignment rows) by subgradient optimisation.
func PMedian(inst *Instance, k int, opts Options) (*MedianResult, error) {
	warns, err := inst.Validate()
	if err != nil {
		return nil, fmt.Errorf("siting instance: %w", err)
	}
	if inst.Costs == nil {
		return nil, fmt.Errorf("siting instance: no costs (Costs) for the p-median model")
	}
	if err := inst.checkK(k); err != nil {
		return nil, err
	}
	r, err := compileRules(inst, opts.Constraints, k)
	if err != nil {
		return nil, fmt.Errorf("siting constraints: %w", err)
	}
	p := compileMedian(inst)
	open := p.greedy(k, r)
	res := &MedianResult{GreedyCost: p.cost(open), BaseCost: p.base, Warnings: warns}
	if !opts.NoSwap {
		open, res.Swaps = p.improve(open, k, r, opts.MaxSwaps)
	}
	lb := p.lagrangian(k, r, p.cost(open), opts.BoundIterations)
	if !opts.NoSwap && lb.xCost < p.cost(open)-p.eps {
		var more []Swap
		open, more = p.improve(lb.x, k, r, opts.MaxSwaps)
		res.Swaps = append(res.Swaps, more...)
	}
	for a := range res.Swaps {
		res.Swaps[a].InID = inst.Candidates[res.Swaps[a].In].ID
		if out := res.Swaps[a].Out; out >= 0 {
			res.Swaps[a].OutID = inst.Candidates[out].ID
		}
	}
	res.Sites = p.sequence(inst, open, r)
	res.Cost = p.cost(open)
	if p.totalW > 0 {
		res.MeanCost = res.Cost / p.totalW
	}
	bound := lb.bound
	if bound > res.Cost && bound-res.Cost <= p.eps {
		bound = res.Cost // rounding: a feasible cost is an upper bound on the optimum
	}
	res.LowerBound = bound
	if res.Cost > 0 {
		res.Gap = (res.Cost - bound) / res.Cost
	}
	res.Optimal = res.Cost-bound <= p.eps
	return res, nil
}

// medianProblem is a validated Instance compiled for the p-median model. Only demand points with
// positive weight and some arc cheaper than their base cost remain, renumbered 0..n-1; only such
// cheaper arcs are kept.
type medianProblem struct {
	nc       int
	w        []float64 // weight of each kept demand point
	d0       []float64 // base cost: to the nearest existing site, capped at CostCap
	arcStart []int32   // candidate j serves arcDem/arcCost[arcStart[j]:arcStart[j+1]]
	arcDem   []int32
	arcCost  []float64
	invStart []int32 // demand i is served by invCand/invCost[invStart[i]:invStart[i+1]]
	invCand  []int32
	invCost  []float64
	base     float64 // total weighted cost with existing sites only
	fixed    float64 // the part of base from demand points that no candidate can improve
	totalW   float64
	eps      float64
}

func (p *medianProblem) arcs(j int) ([]int32, []float64) {
	return p.arcDem[p.arcStart[j]:p.arcStart[j+1]], p.arcCost[p.arcStart[j]:p.arcStart[j+1]]
}

func compileMedian(inst *Instance) *medianProblem {
	nd, nc := len(inst.Weights), len(inst.Candidates)
	p := &medianProblem{nc: nc}
	base := make([]float64, nd)
	better := make([]bool, nd)
	for i, w := range inst.Weights {
		base[i] = inst.CostCap
		if inst.CurrentCost != nil {
			base[i] = min(inst.CurrentCost[i], inst.CostCap)
		}
		p.base += w * base[i]
		p.totalW += w
	}
	for _, arcs := range inst.Costs {
		for _, a := range arcs {
			if a.Cost < base[a.Demand] {
				better[a.Demand] = true
			}
		}
	}
	compact := make([]int32, nd)
	for i, w := range inst.Weights {
		compact[i] = -1
		if w > 0 && better[i] {
			compact[i] = int32(len(p.w))
			p.w = append(p.w, w)
			p.d0 = append(p.d0, base[i])
		} else {
			p.fixed += w * base[i]
		}
	}
	p.arcStart = make([]int32, nc+1)
	deg := make([]int32, len(p.w)+1)
	for j, arcs := range inst.Costs {
		for _, a := range arcs {
			if c := compact[a.Demand]; c >= 0 && a.Cost < p.d0[c] {
				p.arcDem = append(p.arcDem, c)
				p.arcCost = append(p.arcCost, a.Cost)
				deg[c+1]++
			}
		}
		p.arcStart[j+1] = int32(len(p.arcDem))
	}
	for i := 1; i < len(deg); i++ {
		deg[i] += deg[i-1]
	}
	p.invStart = deg
	p.invCand = make([]int32, len(p.arcDem))
	p.invCost = make([]float64, len(p.arcDem))
	fill := append([]int32(nil), deg[:len(p.w)]...)
	for j := 0; j < nc; j++ {
		dem, cost := p.arcs(j)
		for a, i := range dem {
			p.invCand[fill[i]] = int32(j)
			p.invCost[fill[i]] = cost[a]
			fill[i]++
		}
	}
	p.eps = 1e-9 * math.Max(1, p.base)
	return p
}

// cost is the total weighted cost with the given sites open.
func (p *medianProblem) cost(open []int) float64 {
	cur := append([]float64(nil), p.d0...)
	for _, j := range open {
		dem, cost := p.arcs(j)
		for a, i := range dem {
			cur[i] = min(cur[i], cost[a])
		}
	}
	total := p.fixed
	for i, c := range cur {
		total += p.w[i] * c
	}
	return total
}

// saving is what opening j would save when each demand point's cost is cur.
func (p *medianProblem) saving(j int, cur []float64) float64 {
	s := 0.0
	dem, cost := p.arcs(j)
	for a, i := range dem {
		if c := cost[a]; c < cur[i] {
			s += p.w[i] * (cur[i] - c)
		}
	}
	return s
}

func (p *medianProblem) open(j int, cur []float64) {
	dem, cost := p.arcs(j)
	for a, i := range dem {
		cur[i] = min(cur[i], cost[a])
	}
}

// greedy opens the must-open sites, then repeatedly the feasible candidate that saves the most,
// while it saves something and fewer than k are open. Ties go to the lower index.
func (p *medianProblem) greedy(k int, r *rules) []int {
	cur := append([]float64(nil), p.d0...)
	chosen := append([]int(nil), r.must...)
	in := make([]bool, p.nc)
	for _, j := range r.must {
		p.open(j, cur)
		in[j] = true
	}
	h := make(gainHeap, 0, p.nc)
	for j := 0; j < p.nc; j++ {
		if !in[j] {
			if s := p.saving(j, cur); s > p.eps {
				h = append(h, gainItem{s, j})
			}
		}
	}
	h.init()
	for len(chosen) < k && len(h) > 0 {
		top := h.pop()
		if !r.fits(chosen, top.j, -1) {
			continue
		}
		fresh := gainItem{p.saving(top.j, cur), top.j}
		if fresh.g <= p.eps {
			continue
		}
		if len(h) == 0 || !h[0].before(fresh) {
			p.open(top.j, cur)
			chosen = append(chosen, top.j)
			continue
		}
		h.push(fresh)
	}
	return chosen
}

// medianState keeps, for each demand point, the cost to its nearest open site (or the base
// option, site -1) and to the second nearest.
type medianState struct {
	best, second []float64
	site         []int32
}

func (p *medianProblem) state(open []int, st *medianState) {
	for i := range p.w {
		st.best[i], st.second[i], st.site[i] = p.d0[i], math.Inf(1), -1
	}
	for _, j := range open {
		dem, cost := p.arcs(j)
		for a, i := range dem {
			switch c := cost[a]; {
			case c < st.best[i]:
				st.second[i], st.best[i], st.site[i] = st.best[i], c, int32(j)
			case c < st.second[i]:
				st.second[i] = c
			}
		}
	}
}

// improve makes improving exchanges (filling empty places first) until none is left, or until
// maxSwaps have been made when positive. It returns the open sites and the swaps made.
func (p *medianProblem) improve(open []int, k int, r *rules, maxSwaps int) ([]int, []Swap) {
	open = append([]int(nil), open...)
	n := len(p.w)
	st := &medianState{best: make([]float64, n), second: make([]float64, n), site: make([]int32, n)}
	in := make([]bool, p.nc)
	for _, j := range open {
		in[j] = true
	}
	gain := make([]float64, p.nc)  // saving of opening j as things stand
	extra := make([]float64, p.nc) // correction to gain[j] once site s is closed
	refresh := func() {
		p.state(open, st)
		for j := 0; j < p.nc; j++ {
			if !in[j] {
				gain[j] = p.saving(j, st.best)
			}
		}
	}
	var swaps []Swap
	done := func() bool { return maxSwaps > 0 && len(swaps) >= maxSwaps }
	refresh()
	for improved := true; improved && !done(); {
		improved = false
		for len(open) < k && !done() {
			best, bj := p.eps, -1
			for j := 0; j < p.nc; j++ {
				if !in[j] && gain[j] > best && r.fits(open, j, -1) {
					best, bj = gain[j], j
				}
			}
			if bj < 0 {
				break
			}
			open = append(open, bj)
			in[bj] = true
			swaps = append(swaps, Swap{Out: -1, In: bj, Delta: best})
			refresh()
			improved = true
		}
		for pos := 0; pos < len(open) && !done(); pos++ {
			s := open[pos]
			if r.isMust[s] {
				continue
			}
			// Closing s sends the demand it serves to its second-nearest option.
			loss := 0.0
			dem, _ := p.arcs(s)
			for _, i := range dem {
				if st.site[i] != int32(s) {
					continue
				}
				w, b1, b2 := p.w[i], st.best[i], st.second[i]
				loss += w * (b2 - b1)
				cands, costs := p.invCand[p.invStart[i]:p.invStart[i+1]], p.invCost[p.invStart[i]:p.invStart[i+1]]
				for a, j := range cands {
					c := costs[a]
					extra[j] += w * (max(0, b2-c) - max(0, b1-c))
				}
			}
			best, bj := p.eps, -1
			for j := 0; j < p.nc; j++ {
				if in[j] {
					continue
				}
				if d := gain[j] + extra[j] - loss; d > best && r.fits(open, j, s) {
					best, bj = d, j
				}
			}
			for _, i := range dem {
				if st.site[i] == int32(s) {
					for _, j := range p.invCand[p.invStart[i]:p.invStart[i+1]] {
						extra[j] = 0
					}
				}
			}
			if bj < 0 {
				continue
			}
			open[pos] = bj
			in[s], in[bj] = false, true
			swaps = append(swaps, Swap{Out: s, In: bj, Delta: best})
			refresh()
			improved = true
		}
	}
	return open, swaps
}

// sequence orders the open sites for reporting: must-open sites first in the order given, then
// at each step the site that saves the most given those before it (ties to the lower index).
func (p *medianProblem) sequence(inst *Instance, open []int, r *rules) []MedianSite {
	cur := append([]float64(nil), p.d0...)
	cost := p.base
	sites := make([]MedianSite, 0, len(open))
	push := func(j int, s float64) {
		p.open(j, cur)
		cost -= s
		c := inst.Candidates[j]
		sites = append(sites, MedianSite{Candidate: j, ID: c.ID, Name: c.Name, MustOpen: r.isMust[j],
			Saving: s, Cost: cost})
	}
	var rest []int
	for _, j := range open {
		if !r.isMust[j] {
			rest = append(rest, j)
		}
	}
	for _, j := range r.must {
		push(j, p.saving(j, cur))
	}
	for len(rest) > 0 {
		ba, bs := 0, -1.0
		for a, j := range rest {
			if s := p.saving(j, cur); s > bs+p.eps || (s > bs-p.eps && j < rest[ba]) {
				ba, bs = a, s
			}
		}
		push(rest[ba], bs)
		rest = append(rest[:ba], rest[ba+1:]...)
	}
	return sites
}

// Subgradient schedule : the step factor starts at stepStart and halves after
// stepPatience iterations without a better bound; the search stops when it falls below stepMin.
const (
	stepStart    = 2.0
	stepPatience = 20
	stepMin      = 1e-4
)

// medianBound is the outcome of the Lagrangian relaxation of the p-median problem.
type medianBound struct {
	bound float64 // greatest lower bound found
	x     []int   // cheapest feasible set met among the relaxed solutions
	xCost float64
	iters int
}

// lagrangian bounds the p-median problem from below. With z_i0 assigning demand point i to its
// base option (cost d0_i) and z_ij to candidate j, the model is
//
//	min Σ_i w_i (d0_i z_i0 + Σ_j c_ij z_ij)  s.t.  z_i0 + Σ_j z_ij = 1,  z_ij ≤ x_j,  Σ_j x_j ≤ k.
//
// Relaxing the assignment rows with multipliers μ_i gives
//
//	L(μ) = Σ_i μ_i + Σ_i min(0, w_i d0_i - μ_i) + min_x Σ_j ρ_j x_j,  ρ_j = Σ_i min(0, w_i c_ij - μ_i),
//
// where the inner minimum takes the must-open sites and the most negative ρ_j allowed by the group
// caps (spacing dropped). L(μ) ≤ the optimum for every μ; μ is kept in [0, w_i d0_i], where L
// is largest, starting at the top (L is then the base cost less the k largest single savings),
// and moved by projected subgradient steps towards ub, a known feasible cost.
func (p *medianProblem) lagrangian(k int, r *rules, ub float64, iters int) medianBound {
	if iters == 0 {
		iters = DefaultBoundIterations
	}
	n := len(p.w)
	out := medianBound{bound: math.Inf(-1), xCost: math.Inf(1)}
	mu := make([]float64, n)
	for i := range mu {
		mu[i] = p.w[i] * p.d0[i]
	}
	neg := make([]float64, p.nc) // -ρ_j ≥ 0, so that topR picks the most negative ρ
	cnt := make([]int32, n)
	cur := make([]float64, n)
	var cands, picked, order []int
	for j := 0; j < p.nc; j++ {
		if !r.isMust[j] {
			cands = append(cands, j)
		}
	}
	used := r.groupUse(r.must, -1)
	step, stall := stepStart, 0
	for it := 0; it < iters && step >= stepMin; it++ {
		out.iters = it + 1
		for j := 0; j < p.nc; j++ {
			s := 0.0
			dem, cost := p.arcs(j)
			for a, i := range dem {
				if red := p.w[i]*cost[a] - mu[i]; red < 0 {
					s -= red
				}
			}
			neg[j] = s
		}
		l := p.fixed
		for _, m := range mu {
			l += m
		}
		picked = append(picked[:0], r.must...)
		for _, j := range r.must {
			l -= neg[j]
		}
		var top float64
		top, picked, order = r.topR(neg, cands, k-len(r.must), used, order, picked)
		l -= top
		if l > out.bound+p.eps*1e-3 {
			out.bound = l
			stall = 0
		} else if stall++; stall >= stepPatience {
			step /= 2
			stall = 0
		}
		// The relaxed x as an answer, and the subgradient g_i = 1 - Σ_{j∈x} [w_i c_ij < μ_i].
		copy(cur, p.d0)
		for _, j := range picked {
			dem, cost := p.arcs(j)
			for a, i := range dem {
				cur[i] = min(cur[i], cost[a])
				if p.w[i]*cost[a] < mu[i] {
					cnt[i]++
				}
			}
		}
		xc := p.fixed
		for i, c := range cur {
			xc += p.w[i] * c
		}
		if xc < out.xCost && (r.spacing == 0 || r.feasible(picked)) {
			out.xCost = xc
			out.x = append(out.x[:0], picked...)
			ub = min(ub, xc)
		}
		if ub-out.bound <= p.eps {
			break
		}
		norm := 0.0
		for i := range mu {
			g := 1 - float64(cnt[i])
			if g > 0 && mu[i] >= p.w[i]*p.d0[i] {
				g = 0 // projected: μ_i cannot rise above w_i d0_i
			}
			norm += g * g
		}
		if norm == 0 {
			break
		}
		t := step * (ub - l) / norm
		for i := range mu {
			g := 1 - float64(cnt[i])
			mu[i] = min(max(mu[i]+t*g, 0), p.w[i]*p.d0[i])
			cnt[i] = 0
		}
	}
	if out.bound < 0 {
		out.bound = 0 // costs are non-negative
	}
	return out
}
