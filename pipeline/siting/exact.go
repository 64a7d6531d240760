package siting

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"math"
	"slices"
	"time"
)

// ExactOptions tune ExactMaxCover.
type ExactOptions struct {
	// Constraints restrict the sets that may be chosen; nil means none.
	Constraints *Constraints
	// NodeLimit stops the search after this many nodes; 0 means DefaultNodeLimit.
	NodeLimit int
	// TimeLimit stops the search after this long; 0 means no limit.
	TimeLimit time.Duration
	// BoundIterations caps the iterations for the root bound; 0 means DefaultBoundIterations.
	BoundIterations int
	// Tolerance is the relative gap at which a node is dropped: when its bound exceeds the best
	// value found by no more than Tolerance × that value. 0 means DefaultTolerance. When every
	// weight is a whole number, bounds are rounded down to whole numbers as well, so the answer
	// is exactly optimal whatever the tolerance.
	Tolerance float64
}

// DefaultTolerance is the default relative optimality tolerance of ExactMaxCover.
const DefaultTolerance = 1e-6

// DefaultNodeLimit is the default node limit of ExactMaxCover.
const DefaultNodeLimit = 2_000_000

// ExactMaxCover solves the maximal covering problem to optimality by best-first branch and
// bound, for instances small enough (up to a hundred or so candidates and about ten sites; it
// depends on how tight the LP relaxation is). When a limit stops it first, the result holds the
// best answer found, Optimal is false, Stopped says why, and Bound is the best bound proven. A
// cancelled context stops the search the same way and is returned as the error alongside the
// result.
//
// Steps:
//  1. the MaxCover answer (greedy, swaps and the Lagrangian heuristic) is the first incumbent;
//  2. the Lagrangian relaxation at the root gives multipliers λ and a global bound;
//  3. candidates are ordered by reduced weight Σ λ over what they cover, and each node fixes the
//     next candidate in or out;
//  4. a node with chosen set S, r places left and the candidates after it is bounded by the
//     smaller of two valid bounds: value(S) plus the r largest marginal gains (submodularity),
//     and value(S) plus the Lagrangian bound of what is left (weak duality), from the root λ
//     improved by a few subgradient steps; both respect the group caps, and nodes whose bound
//     cannot beat the incumbent are dropped.
func ExactMaxCover(ctx context.Context, inst *Instance, k int, opts ExactOptions) (*Result, error) {
	warns, p, r, err := prepareCover(inst, k, opts.Constraints)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	st, res, root := p.heuristic(k, r, Options{BoundIterations: opts.BoundIterations})
	res.Method, res.Warnings = "branch-and-bound", warns
	inc, incValue := slices.Clone(st.chosen), st.value

	b := newBnB(p, r, k, root.lam)
	if b.tol = opts.Tolerance; b.tol <= 0 {
		b.tol = DefaultTolerance
	}
	nodeLimit := opts.NodeLimit
	if nodeLimit <= 0 {
		nodeLimit = DefaultNodeLimit
	}
	rootValue, rootBound := b.evaluate(r.must, 0, incValue)
	if rootValue > incValue {
		inc, incValue = slices.Clone(r.must), rootValue
	}
	open := &nodeHeap{}
	if len(r.must) < k && len(b.order) > 0 {
		*open = append(*open, bbNode{chosen: slices.Clone(r.must), pos: 0, bound: min(rootBound, root.bound)})
	}
	res.Nodes = 1
	// dropped is the largest bound of a subtree left unexplored because it could not beat the
	// incumbent by more than the tolerance: with the incumbent, it bounds the optimum.
	dropped := math.Inf(-1)
	drop := func(ub float64) { dropped = max(dropped, b.p.roundBound(ub)) }
	var ctxErr error
	for step := 1; open.Len() > 0 && b.beats((*open)[0].bound, incValue); step++ {
		switch {
		case res.Nodes >= nodeLimit:
			res.Stopped = fmt.Sprintf("node limit %d reached", nodeLimit)
		case opts.TimeLimit > 0 && (step-1)%64 == 0 && time.Since(start) > opts.TimeLimit:
			res.Stopped = fmt.Sprintf("time limit %v reached", opts.TimeLimit)
		case (step-1)%64 == 0 && ctx.Err() != nil:
			ctxErr = ctx.Err()
			res.Stopped = ctxErr.Error()
		}
		if res.Stopped != "" {
			break
		}
		nd := heap.Pop(open).(bbNode)
		c := b.order[nd.pos]
		if r.fits(nd.chosen, c, -1) {
			with := append(slices.Clone(nd.chosen), c)
			v, ub := b.evaluate(with, nd.pos+1, incValue)
			res.Nodes++
			if v > incValue+p.eps {
				inc, incValue = with, v
			}
			if ub = min(ub, nd.bound); b.beats(ub, incValue) && len(with) < k && nd.pos+1 < len(b.order) {
				heap.Push(open, bbNode{chosen: with, pos: nd.pos + 1, bound: ub})
			} else {
				drop(ub)
			}
		}
		_, ub := b.evaluate(nd.chosen, nd.pos+1, incValue)
		res.Nodes++
		if ub = min(ub, nd.bound); b.beats(ub, incValue) && nd.pos+1 < len(b.order) {
			heap.Push(open, bbNode{chosen: nd.chosen, pos: nd.pos + 1, bound: ub})
		} else {
			drop(ub)
		}
	}
	bound := max(incValue, dropped)
	if open.Len() > 0 {
		bound = max(bound, b.p.roundBound((*open)[0].bound))
	}
	bound = min(bound, root.bound)
	res.Optimal = res.Stopped == ""
	p.finish(inst, res, inc, r, bound)
	return res, ctxErr
}

// bbNode is a subproblem: the chosen sites, and the position in the branching order from which
// candidates may still be added (those before it are fixed out).
type bbNode struct {
	chosen []int
	pos    int
	bound  float64
}

// nodeHeap keeps open nodes with the largest bound on top.
type nodeHeap []bbNode

func (h nodeHeap) Len() int           { return len(h) }
func (h nodeHeap) Less(a, b int) bool { return h[a].bound > h[b].bound }
func (h nodeHeap) Swap(a, b int)      { h[a], h[b] = h[b], h[a] }
func (h *nodeHeap) Push(x any)        { *h = append(*h, x.(bbNode)) }
func (h *nodeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// bnb holds what node evaluation needs and its scratch space.
type bnb struct {
	p       *coverProblem
	r       *rules
	k       int
	order   []int     // branching order
	lam     []float64 // root multipliers
	nodeLam []float64 // multipliers at the node
	cnt     []int32   // chosen sites covering each demand point
	xcnt    []int32   // relaxed sites covering each demand point
	mark    []bool    // demand point is in resid
	resid   []int32   // residual demand at the node
	gain    []float64 // marginal gain of each candidate at the node
	red     []float64 // reduced weight of each candidate at the node: Σ λ over residual demand
	cands   []int     // candidates that may still join at the node
	scratch []int
	picked  []int
	tol     float64 // relative optimality tolerance
}

// beats reports whether a node with this bound may hold something better than inc.
func (b *bnb) beats(bound, inc float64) bool {
	return b.p.roundBound(bound) > inc+max(b.p.eps, b.tol*inc)
}

func newBnB(p *coverProblem, r *rules, k int, lam []float64) *bnb {
	n := len(p.w)
	b := &bnb{p: p, r: r, k: k, lam: lam, nodeLam: make([]float64, n), cnt: make([]int32, n),
		xcnt: make([]int32, n), mark: make([]bool, n), gain: make([]float64, p.nc), red: make([]float64, p.nc)}
	single := make([]float64, p.nc)
	for j := 0; j < p.nc; j++ {
		if r.isMust[j] || p.covStart[j] == p.covStart[j+1] {
			continue // must-open sites are in every node; empty sites never add anything
		}
		b.order = append(b.order, j)
		for _, i := range p.cover(j) {
			b.red[j] += lam[i]
			single[j] += p.w[i]
		}
	}
	// Candidates with the largest reduced weight are the likeliest to be chosen: branch on them first.
	slices.SortFunc(b.order, func(x, y int) int {
		if c := cmp.Compare(b.red[y], b.red[x]); c != 0 {
			return c
		}
		if c := cmp.Compare(single[y], single[x]); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	})
	return b
}

// evaluate returns the value of the chosen sites and a bound on the best value reachable by
// adding candidates from order[pos:]. Work on the bound stops once it cannot beat inc.
func (b *bnb) evaluate(chosen []int, pos int, inc float64) (value, bound float64) {
	p := b.p
	for _, j := range chosen {
		for _, i := range p.cover(j) {
			if b.cnt[i] == 0 {
				value += p.w[i]
			}
			b.cnt[i]++
		}
	}
	bound = value
	if rem := b.k - len(chosen); rem > 0 && pos < len(b.order) {
		b.cands, b.resid = b.cands[:0], b.resid[:0]
		for _, j := range b.order[pos:] {
			if !b.r.fits(chosen, j, -1) {
				continue
			}
			g := 0.0
			for _, i := range p.cover(j) {
				if b.cnt[i] == 0 {
					g += p.w[i]
				}
			}
			b.gain[j] = g
			if g <= p.eps {
				continue
			}
			b.cands = append(b.cands, j)
			for _, i := range p.cover(j) {
				if b.cnt[i] == 0 && !b.mark[i] {
					b.mark[i] = true
					b.resid = append(b.resid, i)
				}
			}
		}
		used := b.r.groupUse(chosen, -1)
		var ubGain float64
		ubGain, b.picked, b.scratch = b.r.topR(b.gain, b.cands, rem, used, b.scratch, b.picked[:0])
		bound = value + ubGain
		if b.beats(bound, inc) {
			bound = value + min(ubGain, b.residualBound(rem, used, value, inc))
		}
		for _, i := range b.resid {
			b.mark[i] = false
		}
	}
	for _, j := range chosen {
		for _, i := range p.cover(j) {
			b.cnt[i] = 0
		}
	}
	return value, bound
}

// nodeIterations is the number of subgradient iterations of the bound at each node.
const nodeIterations = 30

// residualBound is the Lagrangian bound of what is left at a node: the residual demand (not covered
// by the chosen sites, within reach of a remaining candidate), the remaining candidates and rem
// places. It starts from the root multipliers and takes a few subgradient steps, stopping once
// value + bound cannot beat inc. Every L(λ) is a valid bound, so the least one met is returned.
func (b *bnb) residualBound(rem int, used []int, value, inc float64) float64 {
	target := inc - value
	p := b.p
	lam := b.nodeLam
	for _, i := range b.resid {
		lam[i] = b.lam[i]
	}
	best := math.Inf(1)
	step, stall := 1.0, 0
	for it := 0; it < nodeIterations; it++ {
		for _, j := range b.cands {
			s := 0.0
			for _, i := range p.cover(j) {
				if b.cnt[i] == 0 {
					s += lam[i]
				}
			}
			b.red[j] = s
		}
		var l float64
		l, b.picked, b.scratch = b.r.topR(b.red, b.cands, rem, used, b.scratch, b.picked[:0])
		for _, i := range b.resid {
			l += max(0, p.w[i]-lam[i])
		}
		if l < best {
			best, stall = l, 0
		} else if stall++; stall >= 5 {
			step, stall = step/2, 0
		}
		if !b.beats(value+best, inc) {
			break
		}
		for _, j := range b.picked {
			for _, i := range p.cover(j) {
				if b.cnt[i] == 0 {
					b.xcnt[i]++
				}
			}
		}
		norm := 0.0
		for _, i := range b.resid {
			g := float64(b.xcnt[i])
			if p.w[i] > lam[i] {
				g--
			}
			norm += g * g
		}
		if norm == 0 {
			break
		}
		t := step * (l - target) / norm
		for _, i := range b.resid {
			g := float64(b.xcnt[i])
			if p.w[i] > lam[i] {
				g--
			}
			lam[i] = min(max(lam[i]-t*g, 0), p.w[i])
			b.xcnt[i] = 0
		}
	}
	for _, i := range b.resid {
		b.xcnt[i] = 0
	}
	return best
}
