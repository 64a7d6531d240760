package siting

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// TestExactLimits: when a node limit or a cancelled context stops the search, the answer is
// still feasible, it says why it stopped, and its bound is still valid.
func TestExactLimits(t *testing.T) {
	stopped := 0
	for seed := uint64(1); seed <= 10; seed++ {
		inst := randomInstance(genSpec{seed: seed, nc: 22, nd: 150, side: 10000, radius: 2200})
		const k = 6
		opt, _ := bruteCover(inst, k, nil)
		// A weak root bound (few iterations) makes the search branch.
		full, err := ExactMaxCover(context.Background(), inst, k, ExactOptions{BoundIterations: 3})
		if err != nil {
			t.Fatal(err)
		}
		if !full.Optimal || !near(full.Value, opt) || full.Stopped != "" {
			t.Errorf("seed %d: exact %g (optimal %v, stopped %q), enumeration %g", seed, full.Value, full.Optimal, full.Stopped, opt)
		}
		if full.Nodes <= 3 {
			continue // solved at the root: no limit can stop it
		}
		stopped++
		res, err := ExactMaxCover(context.Background(), inst, k, ExactOptions{NodeLimit: 3, BoundIterations: 3})
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, inst, k, nil, res)
		if res.Optimal || res.Stopped != "node limit 3 reached" {
			t.Errorf("seed %d: optimal %v stopped %q, want not optimal and \"node limit 3 reached\"", seed, res.Optimal, res.Stopped)
		}
		if res.Bound < opt-1e-9 || res.Value > opt+1e-9 {
			t.Errorf("seed %d: value %g bound %g, optimum %g", seed, res.Value, res.Bound, opt)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res, err = ExactMaxCover(ctx, inst, k, ExactOptions{BoundIterations: 3})
		if !errors.Is(err, context.Canceled) || res == nil || res.Optimal || res.Bound < opt-1e-9 {
			t.Errorf("seed %d: cancelled context: error %v, result %+v", seed, err, res)
		}
	}
	if stopped == 0 {
		t.Error("every instance was solved at the root: the limits were never exercised")
	}
	t.Logf("%d of 10 instances needed branching", stopped)
}

// TestExactEdgeCases: must-open sites filling k, and nothing left to cover.
func TestExactEdgeCases(t *testing.T) {
	inst := handInstance()
	res, err := ExactMaxCover(context.Background(), inst, 2, ExactOptions{Constraints: &Constraints{MustOpen: []string{"D", "A"}}})
	if err != nil {
		t.Fatal(err)
	}
	// D then A: 13 + 18 = 31, the AD pair of the hand-worked table.
	if got := fmt.Sprintf("%s %s %g %v", res.Sites[0].ID, res.Sites[1].ID, res.Value, res.Optimal); got != "D A 31 true" {
		t.Errorf("got %s, want D A 31 true", got)
	}
	inst.AlreadyCovered = []bool{true, true, true, true, true, true, true, true}
	res, err = ExactMaxCover(context.Background(), inst, 2, ExactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Value != 0 || res.Bound != 0 || !res.Optimal || len(res.Sites) != 0 {
		t.Errorf("everything already covered: %+v, want no sites, value 0, bound 0, optimal", res)
	}
}
