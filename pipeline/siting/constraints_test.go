package siting

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestConstraintsAgainstEnumeration checks must-open sites, spacing (by coordinates and by a given
// distance function) and group caps against enumeration of every feasible set.
func TestConstraintsAgainstEnumeration(t *testing.T) {
	cases := []struct {
		name string
		cons func(inst *Instance, rng *rand.Rand) *Constraints
	}{
		{"must-open", func(inst *Instance, rng *rand.Rand) *Constraints {
			return &Constraints{MustOpen: []string{inst.Candidates[rng.IntN(4)].ID, inst.Candidates[4+rng.IntN(4)].ID}}
		}},
		{"spacing by coordinates", func(*Instance, *rand.Rand) *Constraints {
			return &Constraints{MinSpacing: 3500}
		}},
		{"spacing by distance function", func(inst *Instance, rng *rand.Rand) *Constraints {
			n := len(inst.Candidates)
			d := make([][]float64, n)
			for a := range d {
				d[a] = make([]float64, n)
			}
			for a := range d {
				for b := a + 1; b < n; b++ {
					d[a][b] = rng.Float64() * 10
					d[b][a] = d[a][b]
				}
			}
			return &Constraints{MinSpacing: 4, Distance: func(a, b int) float64 { return d[a][b] }}
		}},
		{"one per group", func(*Instance, *rand.Rand) *Constraints {
			return &Constraints{MaxPerGroup: 1}
		}},
		{"group caps", func(*Instance, *rand.Rand) *Constraints {
			return &Constraints{MaxPerGroup: 2, GroupMax: map[string]int{"g0": 0, "g1": 1}}
		}},
		{"all together", func(inst *Instance, rng *rand.Rand) *Constraints {
			return &Constraints{MustOpen: []string{inst.Candidates[rng.IntN(len(inst.Candidates))].ID},
				MinSpacing: 2000, MaxPerGroup: 1, GroupMax: map[string]int{"g2": 2}}
		}},
	}
	for _, tc := range cases {
		binding := 0
		for seed := uint64(1); seed <= 12; seed++ {
			inst := randomInstance(genSpec{seed: seed, nc: 11, nd: 36, side: 10000, radius: 3000, existing: 1, groups: 3})
			rng := rand.New(rand.NewPCG(seed, 7))
			c := tc.cons(inst, rng)
			for k := 2; k <= 4; k++ {
				t.Run(fmt.Sprintf("%s/seed%d/k%d", tc.name, seed, k), func(t *testing.T) {
					opt, _ := bruteCover(inst, k, c)
					free, _ := bruteCover(inst, k, nil)
					if opt < free {
						binding++
					}
					heur, err := MaxCover(inst, k, Options{Constraints: c})
					if err != nil {
						t.Fatal(err)
					}
					checkResult(t, inst, k, c, heur)
					if heur.Value > opt+1e-9 || heur.Bound < opt-1e-9 {
						t.Errorf("heuristic %g, bound %g, optimum %g", heur.Value, heur.Bound, opt)
					}
					for a, id := range c.MustOpen {
						if heur.Sites[a].ID != id || !heur.Sites[a].MustOpen {
							t.Errorf("site %d is %+v, want must-open %s", a, heur.Sites[a], id)
						}
					}
					ex, err := ExactMaxCover(context.Background(), inst, k, ExactOptions{Constraints: c})
					if err != nil {
						t.Fatal(err)
					}
					checkResult(t, inst, k, c, ex)
					if !ex.Optimal || !near(ex.Value, opt) {
						t.Errorf("exact %g (optimal %v), enumeration %g", ex.Value, ex.Optimal, opt)
					}
				})
			}
		}
		if binding == 0 {
			t.Errorf("%s: the constraints never changed the optimum, so the test shows nothing", tc.name)
		}
	}
}
