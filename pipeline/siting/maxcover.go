package siting

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Options tune MaxCover, PMedian and CoverageCurve.
type Options struct {
	// Constraints restrict the sets that may be chosen; nil means none.
	Constraints *Constraints
	// NoSwap skips the swap phase, so the answer is plain (lazy) greedy.
	NoSwap bool
	// MaxSwaps caps the number of improving swaps; 0 means no cap.
	MaxSwaps int
	// Kicks (MaxCover only) is the number of random perturbations of the final local search
	// (iterated local search: a few sites of the best answer are replaced by random candidates and swaps
	// repair the result, which is kept when better); 0 means DefaultKicks, negative none.
	// The random choices are seeded from the instance's size, so runs are repeatable.
	Kicks int
	// BoundIterations caps the iterations of the primal-dual method for the Lagrangian bound
	// (it stops earlier once the bound meets the answer or stops improving); 0 means
	// DefaultBoundIterations.
	BoundIterations int
}

// DefaultKicks is the default number of perturbations of the iterated local search.
const DefaultKicks = 40

// kickSize is the number of sites a perturbation replaces.
const kickSize = 3

// DefaultBoundIterations is the default cap on the iterations for the bounds.
const DefaultBoundIterations = 1000

// Site is one chosen site.
type Site struct {
	// Candidate is the index into Instance.Candidates.
	Candidate int
	ID        string
	Name      string
	// MustOpen is set for sites chosen because Constraints.MustOpen lists them.
	MustOpen bool
	// Gain is the weight this site newly covers on top of the sites before it in Result.Sites
	// (its marginal gain in order of selection).
	Gain float64
	// Cumulative is the weight newly covered by this site and the sites before it.
	Cumulative float64
	// Unique is the weight covered by this site and by no other chosen or existing site: what
	// the answer would lose without it.
	Unique float64
}

// Swap is one improving exchange of the swap phase: site Out left the answer and site In joined
// it, adding Delta to the covered weight. Out is -1 when In filled an empty place.
type Swap struct {
	Out, In     int
	OutID, InID string
	Delta       float64
}

// Result is the answer to a maximal covering problem. Weights covered by the chosen sites count
// only demand that existing hubs do not already cover.
type Result struct {
	// Sites are the chosen sites in order of selection: must-open sites first, then at each step
	// the chosen site that adds the most. After swaps this re-sequences the final set greedily,
	// so that each site's Gain is what it adds to those before it.
	Sites []Site
	// Value is the weight newly covered by the chosen sites: the objective.
	Value float64
	// GreedyValue is the value after the greedy phase, before any swap.
	GreedyValue float64
	// SwapValue is the value after the swap phase that starts from the greedy answer (equal to
	// GreedyValue with NoSwap). Value can be higher when the Lagrangian heuristic found better.
	SwapValue float64
	// AlreadyCovered is the weight that existing hubs cover.
	AlreadyCovered float64
	// TotalWeight is the weight of all demand points.
	TotalWeight float64
	// Coverable is the weight not yet covered that some candidate could cover: the most that any
	// number of new sites could add.
	Coverable float64
	// Bound is an upper bound on the best Value that any feasible choice of k sites can reach.
	Bound float64
	// Gap is (Bound - Value) / Bound, zero when Bound is zero: the answer is within this
	// fraction of the optimum.
	Gap float64
	// Optimal is set when the answer is proven optimal: Value meets Bound, or the branch and
	// bound search finished (to within ExactOptions.Tolerance when the weights are fractional).
	Optimal bool
	// Swaps lists the improving swaps of the swap phase that starts from the greedy answer, in
	// the order made.
	Swaps []Swap
	// Method says how the answer was found: "greedy", "greedy+swap", then "+lagrangian" when a
	// relaxed solution met by the bound and improved by swaps beat the swap phase, and "+kicks"
	// when the iterated local search improved on that; or "branch-and-bound".
	Method string
	// Nodes counts branch-and-bound nodes evaluated (ExactMaxCover only).
	Nodes int
	// Stopped says why ExactMaxCover stopped before proving optimality; empty when it finished.
	Stopped string
	// Warnings are problems with candidates that did not stop the run.
	Warnings []Warning
}

// MaxCover chooses at most k candidate sites that newly cover the most demand weight (the
// maximal covering location problem), and bounds how far the answer can be from the optimum.
//
// Steps:
//  1. validate the instance and constraints;
//  2. greedy with lazy evaluation: coverage is submodular, so a candidate's gain computed earlier
//     is an upper bound on its gain now, and only the top of a priority queue is re-evaluated;
//  3. unless opts.NoSwap, swap improvement (Teitz–Bart 1-opt exchange): for each chosen site,
//     find the unchosen candidate whose exchange adds the most, using incremental coverage counts
//     (the gain of every candidate and the loss of every chosen site are kept up to date), and
//     make the exchange when it improves; repeat until no exchange improves;
//  4. a Lagrangian upper bound: the coverage rows are relaxed with multipliers λ, any λ ≥ 0
//     gives a valid bound, and λ is driven towards the LP dual optimum by a restarted
//     primal-dual method (see the comment on lagrangian);
//  5. unless opts.NoSwap, a Lagrangian heuristic: relaxed solutions met on the way (and roundings
//     of the LP solution estimate) are improved by swaps, and the best answer wins. This often
//     escapes local optima of the swap phase that starts from greedy;
//  6. unless opts.NoSwap, iterated local search: opts.Kicks times, a few sites of the best answer
//     are replaced by random candidates, swaps repair the result, and it is kept when better.
//
// Sites are only added while they add something, so fewer than k may be returned when the rest
// would add nothing (or when the constraints leave no feasible candidate).
func MaxCover(inst *Instance, k int, opts Options) (*Result, error) {
	warns, p, r, err := prepareCover(inst, k, opts.Constraints)
	if err != nil {
		return nil, err
	}
	st, res, b := p.heuristic(k, r, opts)
	res.Warnings = warns
	p.finish(inst, res, st.chosen, r, b.bound)
	return res, nil
}

// heuristic runs greedy, swaps and the Lagrangian bound with its heuristic (without swaps and
// polishing when opts.NoSwap). It returns the final state, a result with the greedy and swap
// values, method and swaps filled in, and the bound.
func (p *coverProblem) heuristic(k int, r *rules, opts Options) (*coverState, *Result, coverBound) {
	st := p.greedy(k, r)
	res := &Result{GreedyValue: st.value, Method: "greedy"}
	if !opts.NoSwap {
		res.Method = "greedy+swap"
		res.Swaps = p.improve(st, k, r, opts.MaxSwaps)
	}
	res.SwapValue = st.value
	var polish func([]int) *coverState
	if !opts.NoSwap {
		polish = func(x []int) *coverState {
			alt := p.stateOf(x)
			p.improve(alt, k, r, opts.MaxSwaps)
			return alt
		}
	}
	b := p.lagrangian(k, r, st.value, opts.BoundIterations, polish)
	if !opts.NoSwap && b.xValue > st.value+p.eps {
		st = p.stateOf(b.x)
		res.Method += "+lagrangian"
	}
	if kicks := opts.Kicks; !opts.NoSwap && kicks >= 0 {
		if kicks == 0 {
			kicks = DefaultKicks
		}
		if p.roundBound(min(b.bound, p.coverable))-st.value > p.eps { // not proven optimal yet
			if better := p.kick(st, k, r, kicks, opts.MaxSwaps); better != st {
				st = better
				res.Method += "+kicks"
			}
		}
	}
	return st, res, b
}

// kick runs the iterated local search from best: n times, kickSize of its sites (never
// must-open ones) are replaced by random candidates that keep the rules, swaps improve the
// result, and it becomes the best when better. It returns the best state.
func (p *coverProblem) kick(best *coverState, k int, r *rules, n, maxSwaps int) *coverState {
	rng := rand.New(rand.NewPCG(uint64(p.nc), uint64(len(p.w))))
	var movable []int
	for range n {
		movable = movable[:0]
		for a, j := range best.chosen {
			if !r.isMust[j] {
				movable = append(movable, a)
			}
		}
		if len(movable) == 0 {
			return best
		}
		cur := slices.Clone(best.chosen)
		rng.Shuffle(len(movable), func(a, b int) { movable[a], movable[b] = movable[b], movable[a] })
		for _, a := range movable[:min(kickSize, len(movable))] {
			for range 20 {
				if j := rng.IntN(p.nc); !slices.Contains(cur, j) && r.fits(cur, j, cur[a]) {
					cur[a] = j
					break
				}
			}
		}
		alt := p.stateOf(cur)
		p.improve(alt, k, r, maxSwaps)
		if alt.value > best.value+p.eps {
			best = alt
		}
	}
	return best
}

// prepareCover validates and compiles what the covering methods need.
func prepareCover(inst *Instance, k int, c *Constraints) ([]Warning, *coverProblem, *rules, error) {
	warns, err := inst.Validate()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("siting instance: %w", err)
	}
	if inst.Covers == nil {
		return nil, nil, nil, fmt.Errorf("siting instance: no coverage lists (Covers) for the covering model")
	}
	if err := inst.checkK(k); err != nil {
		return nil, nil, nil, err
	}
	r, err := compileRules(inst, c, k)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("siting constraints: %w", err)
	}
	return warns, compileCover(inst), r, nil
}

// finish fills in the result for the chosen sites and the bound.
func (p *coverProblem) finish(inst *Instance, res *Result, chosen []int, r *rules, bound float64) {
	res.Sites = p.sequence(inst, chosen, r)
	for a := range res.Swaps {
		res.Swaps[a].InID = inst.Candidates[res.Swaps[a].In].ID
		if out := res.Swaps[a].Out; out >= 0 {
			res.Swaps[a].OutID = inst.Candidates[out].ID
		}
	}
	res.Value = p.value(chosen)
	res.AlreadyCovered = p.already
	res.TotalWeight = p.total
	res.Coverable = p.coverable
	res.Bound, res.Gap = p.boundGap(bound, res.Value)
	res.Optimal = res.Optimal || res.Bound-res.Value <= p.eps
}

// boundGap tidies an upper bound for reporting (at most the coverable weight, a whole number
// when the weights are, and not below the value by rounding) and returns it with the relative gap (bound - value) / bound.
func (p *coverProblem) boundGap(bound, value float64) (float64, float64) {
	bound = p.roundBound(min(bound, p.coverable))
	if bound < value && value-bound <= p.eps {
		bound = value // rounding: a feasible value is a lower bound on the optimum
	}
	if bound <= 0 {
		return bound, 0
	}
	return bound, (bound - value) / bound
}

// coverState is a set of chosen candidates with the number of chosen sites covering each free
// demand point.
type coverState struct {
	p      *coverProblem
	cnt    []int32
	in     []bool
	chosen []int
	value  float64
}

func (p *coverProblem) newState() *coverState {
	return &coverState{p: p, cnt: make([]int32, len(p.w)), in: make([]bool, p.nc)}
}

func (p *coverProblem) stateOf(sites []int) *coverState {
	st := p.newState()
	for _, j := range sites {
		st.add(j)
	}
	return st
}

// gain is the weight candidate j would newly cover.
func (st *coverState) gain(j int) float64 {
	g := 0.0
	for _, i := range st.p.cover(j) {
		if st.cnt[i] == 0 {
			g += st.p.w[i]
		}
	}
	return g
}

func (st *coverState) add(j int) {
	for _, i := range st.p.cover(j) {
		if st.cnt[i] == 0 {
			st.value += st.p.w[i]
		}
		st.cnt[i]++
	}
	st.in[j] = true
	st.chosen = append(st.chosen, j)
}

// greedy adds the must-open sites, then repeatedly the feasible candidate that adds the most,
// while it adds something and fewer than k are chosen. Ties go to the lower index.
func (p *coverProblem) greedy(k int, r *rules) *coverState {
	st := p.newState()
	for _, j := range r.must {
		st.add(j)
	}
	h := make(gainHeap, 0, p.nc)
	for j := 0; j < p.nc; j++ {
		if !st.in[j] {
			if g := st.gain(j); g > p.eps {
				h = append(h, gainItem{g, j})
			}
		}
	}
	h.init()
	for len(st.chosen) < k && len(h) > 0 {
		top := h.pop()
		if !r.fits(st.chosen, top.j, -1) {
			continue // rules only tighten as sites are added
		}
		fresh := gainItem{st.gain(top.j), top.j}
		if fresh.g <= p.eps {
			continue // gains only shrink as sites are added
		}
		if len(h) == 0 || !h[0].before(fresh) {
			st.add(top.j)
			continue
		}
		h.push(fresh)
	}
	return st
}

// improve makes improving swaps until none is left (or maxSwaps have been made, when positive),
// filling any empty place first. It returns the swaps made.
func (p *coverProblem) improve(st *coverState, k int, r *rules, maxSwaps int) []Swap {
	var swaps []Swap
	gain0 := make([]float64, p.nc) // what each candidate would newly cover
	for j := range gain0 {
		gain0[j] = st.gain(j)
	}
	extra := make([]float64, p.nc) // what each candidate would also cover once site s is out
	add := func(j int) {
		for _, i := range p.cover(j) {
			if st.cnt[i] == 0 {
				st.value += p.w[i]
				for _, c := range p.coveredBy(i) {
					gain0[c] -= p.w[i]
				}
			}
			st.cnt[i]++
		}
		st.in[j] = true
	}
	remove := func(j int) {
		for _, i := range p.cover(j) {
			st.cnt[i]--
			if st.cnt[i] == 0 {
				st.value -= p.w[i]
				for _, c := range p.coveredBy(i) {
					gain0[c] += p.w[i]
				}
			}
		}
		st.in[j] = false
	}
	done := func() bool { return maxSwaps > 0 && len(swaps) >= maxSwaps }
	for improved := true; improved && !done(); {
		improved = false
		for len(st.chosen) < k && !done() {
			best, bj := p.eps, -1
			for j := 0; j < p.nc; j++ {
				if !st.in[j] && gain0[j] > best && r.fits(st.chosen, j, -1) {
					best, bj = gain0[j], j
				}
			}
			if bj < 0 {
				break
			}
			add(bj)
			st.chosen = append(st.chosen, bj)
			swaps = append(swaps, p.swap(-1, bj, best))
			improved = true
		}
		for pos := 0; pos < len(st.chosen) && !done(); pos++ {
			s := st.chosen[pos]
			if r.isMust[s] {
				continue
			}
			loss := 0.0
			for _, i := range p.cover(s) {
				if st.cnt[i] == 1 {
					loss += p.w[i]
					for _, c := range p.coveredBy(i) {
						extra[c] += p.w[i]
					}
				}
			}
			best, bj := p.eps, -1
			for j := 0; j < p.nc; j++ {
				if st.in[j] {
					continue
				}
				if d := gain0[j] + extra[j] - loss; d > best && r.fits(st.chosen, j, s) {
					best, bj = d, j
				}
			}
			for _, i := range p.cover(s) {
				if st.cnt[i] == 1 {
					for _, c := range p.coveredBy(i) {
						extra[c] = 0
					}
				}
			}
			if bj < 0 {
				continue
			}
			remove(s)
			add(bj)
			st.chosen[pos] = bj
			swaps = append(swaps, p.swap(s, bj, best))
			improved = true
		}
	}
	st.value = p.value(st.chosen) // drop rounding drift from the incremental updates
	return swaps
}

func (p *coverProblem) swap(out, in int, delta float64) Swap {
	return Swap{Out: out, In: in, Delta: delta}
}

// sequence orders the chosen sites for reporting: must-open sites first in the order given, then
// at each step the site that adds the most to those before it (ties to the lower index).
func (p *coverProblem) sequence(inst *Instance, chosen []int, r *rules) []Site {
	st := p.newState()
	sites := make([]Site, 0, len(chosen))
	push := func(j int, g float64) {
		st.add(j)
		c := inst.Candidates[j]
		sites = append(sites, Site{Candidate: j, ID: c.ID, Name: c.Name, MustOpen: r.isMust[j],
			Gain: g, Cumulative: st.value})
	}
	var rest []int
	for _, j := range chosen {
		if !r.isMust[j] {
			rest = append(rest, j)
		}
	}
	for _, j := range r.must {
		push(j, st.gain(j))
	}
	for len(rest) > 0 {
		ba, bg := 0, -1.0
		for a, j := range rest {
			if g := st.gain(j); g > bg+p.eps || (g > bg-p.eps && j < rest[ba]) {
				ba, bg = a, g
			}
		}
		push(rest[ba], bg)
		rest = append(rest[:ba], rest[ba+1:]...)
	}
	for a := range sites {
		u := 0.0
		for _, i := range p.cover(sites[a].Candidate) {
			if st.cnt[i] == 1 {
				u += p.w[i]
			}
		}
		sites[a].Unique = u
	}
	return sites
}

// gainItem is a candidate with an upper bound on its gain.
type gainItem struct {
	g float64
	j int
}

// before orders items: larger gain first, then lower index.
func (a gainItem) before(b gainItem) bool { return a.g > b.g || (a.g == b.g && a.j < b.j) }

// gainHeap is a binary heap with the item that comes first at the top.
type gainHeap []gainItem

func (h gainHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *gainHeap) push(x gainItem) {
	*h = append(*h, x)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / 2
		if !s[i].before(s[parent]) {
			break
		}
		s[i], s[parent] = s[parent], s[i]
		i = parent
	}
}

func (h *gainHeap) pop() gainItem {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	*h = s[:last]
	h.down(0)
	return top
}

func (h gainHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h[r].before(h[l]) {
			m = r
		}
		if !h[m].before(h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
