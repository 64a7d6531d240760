package siting

import (
	"context"
	"fmt"
	"testing"
)

// handInstance is worked by hand below.
//
//	demand   0   1   2   3   4   5   6   7
//	weight  10   8   6   5   4   3   2   1    (7 is already covered by an existing hub)
//
//	A covers 0 1       = 18
//	B covers 1 2 3     = 19
//	C covers 0 4 5     = 17
//	D covers 2 3 6 7   = 13 (7 counts for nothing)
//	E covers nothing   -> a warning
//
// Coverable weight: 10+8+6+5+4+3+2 = 38. Already covered: 1. Total: 39.
// Greedy, k = 2: B (19), then the gains are A 10, C 17, D 2, so C: 36.
// All pairs: AB 24, AC 25, AD 31, BC 36, BD 21, CD 30, so 36 is optimal.
// B and C overlap nowhere, so each one's unique weight is its own: 19 and 17.
// k = 3: the gains after B, C are A 0, D 2 (demand 6), so 38, everything coverable.
func handInstance() *Instance {
	return &Instance{
		Weights:        []float64{10, 8, 6, 5, 4, 3, 2, 1},
		AlreadyCovered: []bool{false, false, false, false, false, false, false, true},
		Candidates: []Candidate{
			{ID: "A", Name: "Library"}, {ID: "B", Name: "School"}, {ID: "C", Name: "Church hall"},
			{ID: "D", Name: "Community centre"}, {ID: "E", Name: "Off the network"},
		},
		Covers: [][]int32{{0, 1}, {1, 2, 3}, {0, 4, 5}, {2, 3, 6, 7}, {}},
	}
}

func TestMaxCoverHandWorked(t *testing.T) {
	inst := handInstance()
	res, err := MaxCover(inst, 2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Site{
		{Candidate: 1, ID: "B", Name: "School", Gain: 19, Cumulative: 19, Unique: 19},
		{Candidate: 2, ID: "C", Name: "Church hall", Gain: 17, Cumulative: 36, Unique: 17},
	}
	if fmt.Sprint(res.Sites) != fmt.Sprint(want) {
		t.Errorf("sites\n got %+v\nwant %+v", res.Sites, want)
	}
	if res.Value != 36 || res.GreedyValue != 36 || res.AlreadyCovered != 1 || res.TotalWeight != 39 || res.Coverable != 38 {
		t.Errorf("value %g greedy %g already %g total %g coverable %g, want 36 36 1 39 38",
			res.Value, res.GreedyValue, res.AlreadyCovered, res.TotalWeight, res.Coverable)
	}
	if res.Bound < 36 || res.Bound > 38 {
		t.Errorf("bound %g, want between the optimum 36 and the coverable 38", res.Bound)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].String() != `candidate "E": covers no demand point within the threshold` {
		t.Errorf("warnings %v", res.Warnings)
	}
	checkResult(t, inst, 2, nil, res)

	res3, err := MaxCover(inst, 3, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res3.Value != 38 || !res3.Optimal || res3.Bound != 38 || res3.Gap != 0 {
		t.Errorf("k = 3: value %g bound %g gap %g optimal %v, want 38 38 0 true", res3.Value, res3.Bound, res3.Gap, res3.Optimal)
	}
	// Once everything coverable is covered, more sites add nothing and are not chosen.
	res4, err := MaxCover(inst, 4, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res4.Sites) != 3 || res4.Value != 38 {
		t.Errorf("k = 4: %d sites covering %g, want 3 covering 38", len(res4.Sites), res4.Value)
	}
}

// greedyTrap is the classic case where greedy goes wrong. Six demand points of weight 1:
//
//	M covers 1 2 3 4     (4, the largest, so greedy takes it first)
//	L covers 1 2 5       (3)
//	R covers 3 4 6       (3)
//
// k = 2: greedy takes M, then L or R adds only 1: 5. L and R together cover all 6. Swapping M out
// for R (with L in) gains 1, so the swap phase reaches 6, which is everything: optimal.
func greedyTrap() *Instance {
	return &Instance{
		Weights:    []float64{0, 1, 1, 1, 1, 1, 1},
		Candidates: []Candidate{{ID: "M"}, {ID: "L"}, {ID: "R"}},
		Covers:     [][]int32{{1, 2, 3, 4}, {1, 2, 5}, {3, 4, 6}},
	}
}

func TestSwapFixesGreedy(t *testing.T) {
	inst := greedyTrap()
	plain, err := MaxCover(inst, 2, Options{NoSwap: true})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Value != 5 || plain.Method != "greedy" || plain.Sites[0].ID != "M" {
		t.Errorf("plain greedy: value %g method %s first %s, want 5 greedy M", plain.Value, plain.Method, plain.Sites[0].ID)
	}
	if plain.Optimal || plain.Bound < 6 {
		t.Errorf("plain greedy: bound %g optimal %v, want a bound of at least the optimum 6", plain.Bound, plain.Optimal)
	}
	res, err := MaxCover(inst, 2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.GreedyValue != 5 || res.Value != 6 || !res.Optimal || res.Gap != 0 {
		t.Errorf("greedy %g, after swap %g, optimal %v, gap %g; want 5, 6, true, 0", res.GreedyValue, res.Value, res.Optimal, res.Gap)
	}
	if len(res.Swaps) != 1 || res.Swaps[0].OutID != "M" || res.Swaps[0].InID != "R" || res.Swaps[0].Delta != 1 {
		t.Errorf("swaps %+v, want M out, R in, +1", res.Swaps)
	}
	checkResult(t, inst, 2, nil, res)
}

// TestRandomAgainstEnumeration compares every method with enumeration on small random instances.
func TestRandomAgainstEnumeration(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		spec := genSpec{seed: seed, nc: 8 + int(seed%5), nd: 20 + int(seed*7%21), side: 10000, radius: 2500, existing: int(seed % 3)}
		inst := randomInstance(spec)
		for k := 2; k <= 4; k++ {
			t.Run(fmt.Sprintf("seed%d/k%d", seed, k), func(t *testing.T) {
				opt, _ := bruteCover(inst, k, nil)
				heur, err := MaxCover(inst, k, Options{})
				if err != nil {
					t.Fatal(err)
				}
				checkResult(t, inst, k, nil, heur)
				if heur.Value > opt+1e-9 {
					t.Errorf("heuristic %g above the optimum %g", heur.Value, opt)
				}
				if heur.Bound < opt-1e-9 {
					t.Errorf("bound %g below the optimum %g", heur.Bound, opt)
				}
				if heur.Optimal && !near(heur.Value, opt) {
					t.Errorf("claims optimal at %g, optimum %g", heur.Value, opt)
				}
				// Default root bound, and a weak one (two iterations) that makes it branch.
				for _, iters := range []int{0, 2} {
					ex, err := ExactMaxCover(context.Background(), inst, k, ExactOptions{BoundIterations: iters})
					if err != nil {
						t.Fatal(err)
					}
					checkResult(t, inst, k, nil, ex)
					if !ex.Optimal || !near(ex.Value, opt) || !near(ex.Bound, opt) {
						t.Errorf("exact (%d iterations): value %g bound %g optimal %v (%s), enumeration %g", iters, ex.Value, ex.Bound, ex.Optimal, ex.Stopped, opt)
					}
				}
			})
		}
	}
}

// TestBoundValidAnyIterations: the Lagrangian bound holds for any multipliers, so it must be
// valid however few iterations are taken.
func TestBoundValidAnyIterations(t *testing.T) {
	for seed := uint64(40); seed < 50; seed++ {
		inst := randomInstance(genSpec{seed: seed, nc: 10, nd: 35, side: 10000, radius: 3000, existing: 1})
		for _, iters := range []int{1, 2, 5, 20, 1000} {
			for k := 1; k <= 4; k++ {
				opt, _ := bruteCover(inst, k, nil)
				res, err := MaxCover(inst, k, Options{NoSwap: true, BoundIterations: iters})
				if err != nil {
					t.Fatal(err)
				}
				if res.Bound < opt-1e-9 {
					t.Errorf("seed %d k %d iterations %d: bound %g below the optimum %g", seed, k, iters, res.Bound, opt)
				}
			}
		}
	}
}

// TestHeuristicNearExact: on instances that the exact method solves, greedy with swaps and the
// Lagrangian heuristic is within 1% of the optimum. The instances overlap heavily (60 candidates
// with 2.5 km radii in a 10 km square), where plain greedy is often several per cent short.
func TestHeuristicNearExact(t *testing.T) {
	if testing.Short() {
		t.Skip("branch and bound on medium instances: skipped with -short")
	}
	worstGreedy, worstHeur := 1.0, 1.0
	for seed := uint64(1); seed <= 10; seed++ {
		inst := randomInstance(genSpec{seed: seed, nc: 60, nd: 400, side: 10000, radius: 2500, existing: int(seed % 2)})
		for _, k := range []int{5, 8, 12} {
			ex, err := ExactMaxCover(context.Background(), inst, k, ExactOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !ex.Optimal {
				t.Fatalf("seed %d k %d: exact stopped: %s", seed, k, ex.Stopped)
			}
			heur, err := MaxCover(inst, k, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if heur.Value < 0.99*ex.Value {
				t.Errorf("seed %d k %d: heuristic %g more than 1%% below the optimum %g", seed, k, heur.Value, ex.Value)
			}
			if heur.Bound < ex.Value-1e-9 {
				t.Errorf("seed %d k %d: bound %g below the optimum %g", seed, k, heur.Bound, ex.Value)
			}
			worstGreedy = min(worstGreedy, heur.GreedyValue/ex.Value)
			worstHeur = min(worstHeur, heur.Value/ex.Value)
			t.Logf("seed %d k %d: optimum %g (%d nodes); greedy %g, heuristic %g (%s), bound %g",
				seed, k, ex.Value, ex.Nodes, heur.GreedyValue, heur.Value, heur.Method, heur.Bound)
		}
	}
	t.Logf("at worst, plain greedy reached %.2f%% of the optimum and the heuristic %.2f%%", 100*worstGreedy, 100*worstHeur)
}
