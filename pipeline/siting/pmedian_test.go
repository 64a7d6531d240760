package siting

import (
	"fmt"
	"math"
	"testing"
)

// lineInstance is worked by hand. Demand points on a line at 0, 2, 6 and 10 km with weights
// 1, 2, 3, 1; candidates at 1, 5 and 9 km; cost = distance; no existing site; cap 20.
//
//	base cost (nothing open): 20 × (1+2+3+1) = 140
//	k = 1:  @1: 1·1 + 2·1 + 3·5 + 1·9 = 27
//	        @5: 1·5 + 2·3 + 3·1 + 1·5 = 19   <- best, saving 121
//	        @9: 1·9 + 2·7 + 3·3 + 1·1 = 33
//	k = 2:  {@1,@5}: 1·1 + 2·1 + 3·1 + 1·5 = 11   <- best
//	        {@1,@9}: 1·1 + 2·1 + 3·3 + 1·1 = 13
//	        {@5,@9}: 1·5 + 2·3 + 3·1 + 1·1 = 15
//
// Greedy takes @5 (19), then @1 saves 8 (to 11) and @9 saves 4 (to 15), so @1: optimal.
func lineInstance() *Instance {
	dem := []float64{0, 2, 6, 10}
	inst := &Instance{Weights: []float64{1, 2, 3, 1}, CostCap: 20}
	for _, x := range []float64{1, 5, 9} {
		inst.Candidates = append(inst.Candidates, Candidate{ID: fmt.Sprintf("@%g", x)})
		var arcs []Arc
		for i, d := range dem {
			arcs = append(arcs, Arc{int32(i), math.Abs(x - d)})
		}
		inst.Costs = append(inst.Costs, arcs)
	}
	return inst
}

func TestPMedianHandWorked(t *testing.T) {
	inst := lineInstance()
	res, err := PMedian(inst, 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.BaseCost != 140 || res.Cost != 19 || res.Sites[0].ID != "@5" || res.Sites[0].Saving != 121 {
		t.Errorf("k = 1: base %g cost %g site %+v, want 140, 19, @5 saving 121", res.BaseCost, res.Cost, res.Sites[0])
	}
	res, err = PMedian(inst, 2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []MedianSite{
		{Candidate: 1, ID: "@5", Saving: 121, Cost: 19},
		{Candidate: 0, ID: "@1", Saving: 8, Cost: 11},
	}
	if fmt.Sprint(res.Sites) != fmt.Sprint(want) {
		t.Errorf("sites\n got %+v\nwant %+v", res.Sites, want)
	}
	if res.Cost != 11 || res.MeanCost != 11.0/7 || res.LowerBound > 11 || res.LowerBound < 0 {
		t.Errorf("cost %g mean %g lower bound %g, want 11, 11/7 and a bound at most 11", res.Cost, res.MeanCost, res.LowerBound)
	}

	// With an existing site at 10 km (cost to each demand point 10, 8, 4, 0), @9 is useless
	// and {@1, @5} gives 1·1 + 2·1 + 3·1 + 0 = 6; base cost 1·10 + 2·8 + 3·4 = 38.
	inst.CurrentCost = []float64{10, 8, 4, 0}
	res, err = PMedian(inst, 2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.BaseCost != 38 || res.Cost != 6 {
		t.Errorf("with an existing site: base %g cost %g, want 38 and 6", res.BaseCost, res.Cost)
	}
}

// TestPMedianAgainstEnumeration: the heuristic never beats the optimum, the lower bound never
// exceeds it, the gap is as documented, and the reported cost is that of the sites.
func TestPMedianAgainstEnumeration(t *testing.T) {
	hits, runs := 0, 0
	for seed := uint64(1); seed <= 25; seed++ {
		inst := randomInstance(genSpec{seed: seed, nc: 8 + int(seed%5), nd: 20 + int(seed*3%21), side: 10000, radius: 2000, existing: int(seed % 3), groups: 3})
		for k := 2; k <= 4; k++ {
			for _, c := range []*Constraints{nil, {MaxPerGroup: 1}} {
				opt, _ := bruteMedian(inst, k, c)
				res, err := PMedian(inst, k, Options{Constraints: c})
				if err != nil {
					t.Fatal(err)
				}
				set := make([]int, len(res.Sites))
				cost := medianCostRef(inst, nil)
				for a, s := range res.Sites {
					set[a] = s.Candidate
					after := medianCostRef(inst, set[:a+1])
					if !near(s.Saving, cost-after) || !near(s.Cost, after) {
						t.Errorf("seed %d k %d site %d: saving %g cost %g, want %g %g", seed, k, a, s.Saving, s.Cost, cost-after, after)
					}
					cost = after
				}
				if !near(res.Cost, medianCostRef(inst, set)) || !feasibleRef(inst, set, c) || len(set) > k {
					t.Errorf("seed %d k %d: cost %g for sites %v (cost %g), feasible %v", seed, k, res.Cost, set, medianCostRef(inst, set), feasibleRef(inst, set, c))
				}
				if res.Cost < opt-1e-9 || res.LowerBound > opt+1e-9 {
					t.Errorf("seed %d k %d %+v: cost %g lower bound %g, optimum %g", seed, k, c, res.Cost, res.LowerBound, opt)
				}
				if want := (res.Cost - res.LowerBound) / res.Cost; !near(res.Gap, want) {
					t.Errorf("gap %g, want %g", res.Gap, want)
				}
				// The bound holds for any multipliers, so also after very few iterations.
				for _, iters := range []int{1, 3} {
					few, err := PMedian(inst, k, Options{Constraints: c, BoundIterations: iters, NoSwap: true})
					if err != nil {
						t.Fatal(err)
					}
					if few.LowerBound > opt+1e-9 {
						t.Errorf("seed %d k %d, %d iterations: lower bound %g above the optimum %g", seed, k, iters, few.LowerBound, opt)
					}
				}
				runs++
				if near(res.Cost, opt) {
					hits++
				}
			}
		}
	}
	t.Logf("heuristic optimal on %d of %d instances", hits, runs)
	if hits < runs*9/10 {
		t.Errorf("heuristic optimal on only %d of %d small instances", hits, runs)
	}
}
