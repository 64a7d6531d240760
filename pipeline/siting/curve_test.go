package siting

import (
	"fmt"
	"testing"
)

func TestCoverageCurveHandWorked(t *testing.T) {
	// From the worked table of handInstance: greedy takes B (19), C (36), D (38); then nothing
	// adds anything, so the curve stops at k = 3.
	curve, err := CoverageCurve(handInstance(), 4, CurveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := "[{1 19 19 false 0 0} {2 36 36 false 0 0} {3 38 38 false 0 0}]"
	if got := fmt.Sprint(curve); got != want {
		t.Errorf("curve %s, want %s", got, want)
	}
	// The greedy trap: greedy 4 then 5; with swaps k = 2 reaches 6.
	curve, err = CoverageCurve(greedyTrap(), 2, CurveOptions{Improve: true, Bound: true})
	if err != nil {
		t.Fatal(err)
	}
	want = "[{1 4 4 true 4 0} {2 5 6 true 6 0}]"
	if got := fmt.Sprint(curve); got != want {
		t.Errorf("curve %s, want %s", got, want)
	}
}

func TestCoverageCurveAgainstEnumeration(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		inst := randomInstance(genSpec{seed: seed, nc: 12, nd: 40, side: 10000, radius: 2500, existing: 1})
		for _, opts := range []CurveOptions{{}, {Improve: true, Bound: true}} {
			curve, err := CoverageCurve(inst, 5, opts)
			if err != nil {
				t.Fatal(err)
			}
			prev := 0.0
			for _, pt := range curve {
				opt, _ := bruteCover(inst, pt.K, nil)
				if pt.Greedy < prev || pt.Greedy > pt.Value || pt.Value > opt+1e-9 || pt.Improved != opts.Improve {
					t.Errorf("seed %d k %d: greedy %g (previous %g), value %g, optimum %g, improved %v",
						seed, pt.K, pt.Greedy, prev, pt.Value, opt, pt.Improved)
				}
				if opts.Bound && (pt.Bound < opt-1e-9 || !near(pt.Gap, (pt.Bound-pt.Value)/pt.Bound)) {
					t.Errorf("seed %d k %d: bound %g gap %g, optimum %g", seed, pt.K, pt.Bound, pt.Gap, opt)
				}
				plain, err := MaxCover(inst, pt.K, Options{NoSwap: true})
				if err != nil {
					t.Fatal(err)
				}
				if !near(plain.Value, pt.Greedy) {
					t.Errorf("seed %d k %d: curve greedy %g, greedy for k alone %g: the greedy order is not nested", seed, pt.K, pt.Greedy, plain.Value)
				}
				prev = pt.Greedy
			}
		}
	}
}
