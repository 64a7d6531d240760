package siting

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Independent reference implementations for the tests: plain enumeration of every set of at most
// k candidates, straight from the Instance fields, sharing no code with the package.

// subsets calls visit with every subset of 0..n-1 with at most k members, in lexicographic order.
func subsets(n, k int, visit func(set []int)) {
	set := make([]int, 0, k)
	var rec func(from int)
	rec = func(from int) {
		visit(set)
		if len(set) == k {
			return
		}
		for j := from; j < n; j++ {
			set = append(set, j)
			rec(j + 1)
			set = set[:len(set)-1]
		}
	}
	rec(0)
}

// coverValueRef is the weight of demand points that some site in set covers and no existing hub does.
func coverValueRef(inst *Instance, set []int) float64 {
	hit := make([]bool, len(inst.Weights))
	for _, j := range set {
		for _, i := range inst.Covers[j] {
			hit[i] = true
		}
	}
	v := 0.0
	for i, h := range hit {
		if h && (inst.AlreadyCovered == nil || !inst.AlreadyCovered[i]) {
			v += inst.Weights[i]
		}
	}
	return v
}

// feasibleRef checks a set against the constraints directly.
func feasibleRef(inst *Instance, set []int, c *Constraints) bool {
	if c == nil {
		return true
	}
	in := map[string]bool{}
	for _, j := range set {
		in[inst.Candidates[j].ID] = true
	}
	for _, id := range c.MustOpen {
		if !in[id] {
			return false
		}
	}
	for a := range set {
		for b := a + 1; b < len(set); b++ {
			ja, jb := set[a], set[b]
			var d float64
			if c.Distance != nil {
				d = c.Distance(ja, jb)
			} else {
				d = math.Hypot(inst.Candidates[ja].X-inst.Candidates[jb].X, inst.Candidates[ja].Y-inst.Candidates[jb].Y)
			}
			if c.MinSpacing > 0 && d < c.MinSpacing {
				return false
			}
		}
	}
	count := map[string]int{}
	for _, j := range set {
		if g := inst.Candidates[j].Group; g != "" {
			count[g]++
		}
	}
	for g, n := range count {
		limit, ok := c.GroupMax[g]
		if !ok {
			limit = c.MaxPerGroup
			if limit == 0 {
				continue
			}
		}
		if n > limit {
			return false
		}
	}
	return true
}

// bruteCover returns the best covering value over feasible sets of at most k sites.
func bruteCover(inst *Instance, k int, c *Constraints) (float64, []int) {
	best, bestSet := -1.0, []int(nil)
	subsets(len(inst.Candidates), k, func(set []int) {
		if !feasibleRef(inst, set, c) {
			return
		}
		if v := coverValueRef(inst, set); v > best {
			best, bestSet = v, append([]int(nil), set...)
		}
	})
	return best, bestSet
}

// medianCostRef is Σ_i w_i × min(current cost, cap, cost from each open site).
func medianCostRef(inst *Instance, set []int) float64 {
	cur := make([]float64, len(inst.Weights))
	for i := range cur {
		cur[i] = inst.CostCap
		if inst.CurrentCost != nil {
			cur[i] = math.Min(cur[i], inst.CurrentCost[i])
		}
	}
	for _, j := range set {
		for _, a := range inst.Costs[j] {
			cur[a.Demand] = math.Min(cur[a.Demand], a.Cost)
		}
	}
	total := 0.0
	for i, c := range cur {
		total += inst.Weights[i] * c
	}
	return total
}

func bruteMedian(inst *Instance, k int, c *Constraints) (float64, []int) {
	best, bestSet := math.Inf(1), []int(nil)
	subsets(len(inst.Candidates), k, func(set []int) {
		if !feasibleRef(inst, set, c) {
			return
		}
		if v := medianCostRef(inst, set); v < best {
			best, bestSet = v, append([]int(nil), set...)
		}
	})
	return best, bestSet
}

// genSpec describes a random instance: demand points and candidates uniform in a square of side
// metres, coverage within radius, costs (straight-line distances) within 2 × radius.
type genSpec struct {
	seed     uint64
	nc, nd   int
	side     float64
	radius   float64
	existing int // existing hubs: the demand within radius of one is already covered
	groups   int // candidates get Group "g0".."g<groups-1>" when positive
}

func randomInstance(s genSpec) *Instance {
	rng := rand.New(rand.NewPCG(s.seed, 0x5171))
	type pt struct{ x, y float64 }
	dem := make([]pt, s.nd)
	inst := &Instance{Weights: make([]float64, s.nd), CostCap: 3 * s.radius}
	for i := range dem {
		dem[i] = pt{rng.Float64() * s.side, rng.Float64() * s.side}
		inst.Weights[i] = float64(1 + rng.IntN(20))
	}
	if s.existing > 0 {
		inst.AlreadyCovered = make([]bool, s.nd)
		inst.CurrentCost = make([]float64, s.nd)
		for i := range inst.CurrentCost {
			inst.CurrentCost[i] = math.Inf(1)
		}
		for range s.existing {
			h := pt{rng.Float64() * s.side, rng.Float64() * s.side}
			for i, d := range dem {
				dist := math.Hypot(d.x-h.x, d.y-h.y)
				inst.AlreadyCovered[i] = inst.AlreadyCovered[i] || dist <= s.radius
				inst.CurrentCost[i] = math.Min(inst.CurrentCost[i], dist)
			}
		}
	}
	for j := range s.nc {
		c := Candidate{ID: fmt.Sprintf("C%02d", j), Name: fmt.Sprintf("Candidate %d", j),
			X: rng.Float64() * s.side, Y: rng.Float64() * s.side}
		if s.groups > 0 {
			c.Group = fmt.Sprintf("g%d", rng.IntN(s.groups))
		}
		inst.Candidates = append(inst.Candidates, c)
		var cov []int32
		var arcs []Arc
		for i, d := range dem {
			dist := math.Hypot(d.x-c.X, d.y-c.Y)
			if dist <= s.radius {
				cov = append(cov, int32(i))
			}
			if dist <= 2*s.radius {
				arcs = append(arcs, Arc{int32(i), dist})
			}
		}
		inst.Covers = append(inst.Covers, cov)
		inst.Costs = append(inst.Costs, arcs)
	}
	return inst
}

// near reports whether a and b agree to a relative tolerance.
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// checkResult checks what any covering answer must satisfy, independently of how it was found:
// the value is that of the sites, the sites keep the constraints, the gains add up, and the gap
// is computed from the bound as documented.
func checkResult(t *testing.T, inst *Instance, k int, c *Constraints, res *Result) {
	t.Helper()
	set := make([]int, len(res.Sites))
	cum := 0.0
	for a, s := range res.Sites {
		set[a] = s.Candidate
		cum += s.Gain
		if !near(cum, s.Cumulative) {
			t.Errorf("site %d (%s): cumulative %g, gains add to %g", a, s.ID, s.Cumulative, cum)
		}
		if want := coverValueRef(inst, set[:a+1]) - coverValueRef(inst, set[:a]); !near(s.Gain, want) {
			t.Errorf("site %d (%s): gain %g, want %g", a, s.ID, s.Gain, want)
		}
	}
	if len(set) > k {
		t.Errorf("%d sites chosen, k = %d", len(set), k)
	}
	if want := coverValueRef(inst, set); !near(res.Value, want) {
		t.Errorf("value %g, but the sites %v cover %g", res.Value, set, want)
	}
	if !feasibleRef(inst, set, c) {
		t.Errorf("sites %v break the constraints %+v", set, c)
	}
	if res.Value > res.Bound+1e-9 {
		t.Errorf("value %g above bound %g", res.Value, res.Bound)
	}
	wantGap := 0.0
	if res.Bound > 0 {
		wantGap = (res.Bound - res.Value) / res.Bound
	}
	if !near(res.Gap, wantGap) {
		t.Errorf("gap %g, want (bound - value)/bound = %g", res.Gap, wantGap)
	}
}
