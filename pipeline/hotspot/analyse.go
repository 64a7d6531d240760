package hotspot

import (
	"fmt"
	"math"
)

// DefaultPermutations is the number of local Moran permutations when Options.Permutations is 0.
const DefaultPermutations = 999

// Options tune Analyse. The zero value is the recommended setting: Benjamini-Hochberg on,
// 999 permutations, seed 0. They mirror the config keys hotspot.fdr, hotspot.permutations and
// hotspot.seed (set SkipFDR to !fdr).
type Options struct {
	// SkipFDR classifies on the raw Gi* p-values instead of Benjamini-Hochberg adjusted ones;
	// PFDR is then NaN. Leave it false unless you are reproducing an uncorrected analysis:
	// with 32,844 tests at 5%, some 1,600 LSOAs would be flagged by chance alone.
	SkipFDR bool
	// Permutations for the local Moran test; 0 means DefaultPermutations.
	Permutations int
	// Seed for the permutation test; the same seed gives the same p-values.
	Seed uint64
}

// Unit is one row of lsoa_hotspots (without the LSOA code, which the caller holds at the same
// index).
type Unit struct {
	GiStarZ      float64  // gi_star_z: Getis-Ord Gi* z-score, NaN for islands
	PValue       float64  // p_value: two-sided normal p of GiStarZ, NaN for islands
	PFDR         float64  // p_fdr: Benjamini-Hochberg adjusted PValue; NaN for islands or with SkipFDR
	Class        Class    // class: from GiStarZ and PFDR (PValue with SkipFDR)
	LisaI        float64  // lisa_i: local Moran's I, NaN for islands
	LisaP        float64  // lisa_p: folded permutation pseudo p-value, NaN for islands
	LisaQuadrant Quadrant // lisa_quadrant: HH, LL, HL, LH or island (not filtered by LisaP)
}

// Result is the output of Analyse.
type Result struct {
	Units   []Unit
	Islands []int // units with no neighbours (their statistics are NaN), ascending
	// Counts of units per Gi* class, for the run report.
	ClassCounts map[Class]int
}

// Analyse runs the whole hotspot analysis on one value per unit: Gi* z-scores and p-values,
// Benjamini-Hochberg adjustment (unless opts.SkipFDR), the hotspot class, and local Moran's I
// with its permutation test. See GiStar, BenjaminiHochberg, Classify and LocalMoran.
func Analyse(x []float64, w Weights, opts Options) (Result, error) {
	perms := opts.Permutations
	if perms == 0 {
		perms = DefaultPermutations
	}
	gi, err := GiStar(x, w)
	if err != nil {
		return Result{}, fmt.Errorf("hotspot analysis: %w", err)
	}
	padj := make([]float64, len(x))
	if opts.SkipFDR {
		for i := range padj {
			padj[i] = math.NaN()
		}
	} else if padj, err = BenjaminiHochberg(gi.P); err != nil {
		return Result{}, fmt.Errorf("hotspot analysis: %w", err)
	}
	lm, err := LocalMoran(x, w, perms, opts.Seed)
	if err != nil {
		return Result{}, fmt.Errorf("hotspot analysis: %w", err)
	}
	res := Result{Units: make([]Unit, len(x)), Islands: w.Islands(), ClassCounts: map[Class]int{}}
	for i := range x {
		p := padj[i]
		if opts.SkipFDR {
			p = gi.P[i]
		}
		u := Unit{
			GiStarZ:      gi.Z[i],
			PValue:       gi.P[i],
			PFDR:         padj[i],
			Class:        Classify(gi.Z[i], p),
			LisaI:        lm.I[i],
			LisaP:        lm.P[i],
			LisaQuadrant: lm.Quadrant[i],
		}
		res.Units[i] = u
		res.ClassCounts[u.Class]++
	}
	return res, nil
}
