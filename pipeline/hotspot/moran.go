package hotspot

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Quadrant is the Moran scatterplot quadrant of a unit: its own value against the weighted
// average of its neighbours', each relative to the mean. Stored in lsoa_hotspots.lisa_quadrant.
type Quadrant string

// Quadrants: the first letter is the unit (High or Low, above or below the mean), the second
// its neighbours. HH and LL are clusters; HL and LH are spatial outliers.
const (
	HH Quadrant = "HH"
	LL Quadrant = "LL"
	HL Quadrant = "HL"
	LH Quadrant = "LH"
	// QuadrantIsland marks a unit with no neighbours.
	QuadrantIsland Quadrant = "island"
	// QuadrantNotSignificant is what SignificantQuadrant returns for a unit whose pseudo
	// p-value is above the chosen level.
	QuadrantNotSignificant Quadrant = "not-significant"
)

// MaxPermutations bounds the permutations LocalMoran accepts.
const MaxPermutations = 1_000_000

// LocalMoranResult holds local Moran's I statistics, one entry per unit.
type LocalMoranResult struct {
	// I is the local Moran's I; positive in clusters (HH, LL), negative for outliers (HL, LH).
	// NaN for islands.
	I []float64
	// P is the folded pseudo p-value of the conditional permutation test (see LocalMoran).
	// NaN for islands, and for every unit when no permutations were asked for.
	P []float64
	// Lag is the spatial lag sum_j w_ij z_j of the centred values with row-standardised
	// weights (the y axis of a Moran scatterplot). NaN for islands.
	Lag []float64
	// Quadrant is the scatterplot quadrant, from the signs of z_i and Lag_i (z = 0 counts as
	// Low, as in spdep and PySAL). QuadrantIsland for islands.
	Quadrant []Quadrant
}

// LocalMoran computes Anselin's (1995) local Moran's I with row-standardised weights:
//
//	I_i = (z_i / m2) sum_j w_ij z_j,   z = x - xbar,   m2 = sum_k z_k^2 / n,
//
// with w_ij = v_ij / sum_j v_ij for the given weights v (so binary weights give the mean of
// the neighbours' z). This is R spdep's localmoran(x, nb2listw(nb, style = "W"))[, "Ii"] and
// PySAL esda.Moran_Local(x, w, transformation = "r").Is.
//
// Significance is a conditional permutation test (Anselin 1995): for unit i, x_i stays put
// and its |N_i| neighbours' values are replaced by a random draw, without replacement, from
// the other n-1 values; this is repeated `permutations` times. With `larger` and `smaller`
// the numbers of simulated I_i >= and <= the observed I_i, the pseudo p-value is
//
//	p_i = (min(larger, smaller) + 1) / (permutations + 1),
//
// the folded p-value of PySAL esda.Moran_Local (p_sim) and spdep localmoran_perm
// ("Pr(folded) Sim"): a test in the direction of the observed value (one-sided toward the
// nearer tail), between 1/(permutations+1) and about 0.5 (up to 1 with ties), to be compared
// with alpha directly.
//
// Without ties this is exactly PySAL's and spdep's formula, which take smaller =
// permutations - larger. Ties (a simulated I equal to the observed one, to within 1e-10 of
// the scale of I) are common with discrete values and small neighbourhoods, since a unit's
// own neighbours can be drawn again; counting them on both sides is conservative where
// PySAL's formula is not. Two cases worked in the tests: a unit with one neighbour that holds
// the largest of the 4 other values gets p = 1/4 here (a quarter of all draws match it)
// where PySAL's formula gives 1/(permutations+1); a unit whose value equals the mean (I = 0
// in every draw) gets p = 1 here and the smallest possible p there. Draws are without
// replacement as in PySAL and Anselin's paper (spdep 1.2's localmoran_perm draws with
// replacement).
//
// Reproducibility: unit i draws from its own PCG stream seeded from (seed, i), so results
// depend only on the inputs, the permutation count and the seed, not on goroutine scheduling
// or the number of CPUs; a different seed gives different (equally valid) p-values. The units
// are shared among one goroutine per CPU.
//
// Islands have no lag: I, P and Lag are NaN and Quadrant is QuadrantIsland. permutations = 0
// skips the test (P all NaN). It fails on mismatched lengths, non-finite values, fewer than 3
// units, invalid weights, values that do not vary, or permutations outside [0,
// MaxPermutations].
func LocalMoran(x []float64, w Weights, permutations int, seed uint64) (LocalMoranResult, error) {
	if err := checkInputs("local Moran's I", x, w); err != nil {
		return LocalMoranResult{}, err
	}
	if permutations < 0 || permutations > MaxPermutations {
		return LocalMoranResult{}, fmt.Errorf("local Moran's I: %d permutations, want 0 to %d (999 is usual)", permutations, MaxPermutations)
	}
	n := len(x)
	mean, sd := meanSD(x)
	if !(sd > 1e-13*maxAbs(x)) {
		return LocalMoranResult{}, fmt.Errorf("local Moran's I: all %d values are equal (%v); clusters need values that vary", n, x[0])
	}
	z := make([]float64, n)
	for i, v := range x {
		z[i] = v - mean
	}
	m2 := sd * sd
	zMax := maxAbs(z)
	rowW := rowStandardised(w)

	res := LocalMoranResult{
		I:        make([]float64, n),
		P:        make([]float64, n),
		Lag:      make([]float64, n),
		Quadrant: make([]Quadrant, n),
	}
	for i, nb := range w.Neighbours {
		if len(nb) == 0 {
			res.I[i], res.P[i], res.Lag[i], res.Quadrant[i] = math.NaN(), math.NaN(), math.NaN(), QuadrantIsland
			continue
		}
		lag := 0.0
		for k, j := range nb {
			lag += rowW[i][k] * z[j]
		}
		res.Lag[i] = lag
		res.I[i] = z[i] / m2 * lag
		res.Quadrant[i] = quadrant(z[i], lag)
	}
	if permutations == 0 {
		for i := range res.P {
			res.P[i] = math.NaN()
		}
		return res, nil
	}
	parallelRange(n, func(lo, hi int) {
		perm := newConditionalSampler(n)
		for i := lo; i < hi; i++ {
			if len(w.Neighbours[i]) == 0 {
				continue
			}
			res.P[i] = perm.pseudoP(i, z, zMax, m2, rowW[i], res.I[i], permutations, seed)
		}
	})
	return res, nil
}

// SignificantQuadrant returns q when the unit's pseudo p-value is at most alpha, and
// QuadrantNotSignificant otherwise (islands stay QuadrantIsland). This gives the usual LISA
// cluster map categories.
func SignificantQuadrant(q Quadrant, p, alpha float64) Quadrant {
	if q == QuadrantIsland {
		return q
	}
	if p <= alpha {
		return q
	}
	return QuadrantNotSignificant
}

func quadrant(z, lag float64) Quadrant {
	switch {
	case z > 0 && lag > 0:
		return HH
	case z > 0:
		return HL
	case lag > 0:
		return LH
	}
	return LL
}

// rowStandardised divides each row of w by its sum.
func rowStandardised(w Weights) [][]float64 {
	flat := make([]float64, w.NonZero())
	out := make([][]float64, w.N())
	off := 0
	for i, ws := range w.Weights {
		s := 0.0
		for _, v := range ws {
			s += v
		}
		row := flat[off : off+len(ws) : off+len(ws)]
		for k, v := range ws {
			row[k] = v / s
		}
		out[i] = row
		off += len(ws)
	}
	return out
}

// conditionalSampler draws neighbour sets for the conditional permutation test. idx is a
// permutation of 0..n-1 that is the identity between units, so that a unit's draws depend
// only on its own random stream.
type conditionalSampler struct {
	idx   []int32
	swaps []int
	src   *rand.PCG
	rng   *rand.Rand
}

func newConditionalSampler(n int) *conditionalSampler {
	s := &conditionalSampler{idx: make([]int32, n), src: rand.NewPCG(0, 0)}
	for i := range s.idx {
		s.idx[i] = int32(i)
	}
	s.rng = rand.New(s.src)
	return s
}

// pseudoP runs the permutations for unit i, whose row-standardised weights are wi and observed
// statistic obs, and returns the folded pseudo p-value (see LocalMoran). Unit i is moved to the last slot so
// that positions 0..n-2 hold the other units; each permutation is a partial Fisher-Yates
// shuffle of the first len(wi) positions, undone afterwards.
func (s *conditionalSampler) pseudoP(i int, z []float64, maxAbsZ, m2 float64, wi []float64, obs float64, permutations int, seed uint64) float64 {
	n := len(s.idx)
	last := n - 1
	s.idx[i], s.idx[last] = s.idx[last], s.idx[i]
	s.src.Seed(splitmix64(seed), splitmix64(uint64(i)^0x5851f42d4c957f2d))
	k := len(wi)
	if cap(s.swaps) < k {
		s.swaps = make([]int, k)
	}
	swaps := s.swaps[:k]
	zi := z[i] / m2
	// Simulated values this close to obs are ties: summing the same values in another order
	// can move the last bits. |I| is at most |zi| * max|z|, hence the scale.
	tol := 1e-10 * math.Abs(zi) * maxAbsZ
	larger, smaller := 0, 0
	for range permutations {
		lag := 0.0
		for t := range k {
			r := t + s.rng.IntN(last-t)
			s.idx[t], s.idx[r] = s.idx[r], s.idx[t]
			swaps[t] = r
			lag += wi[t] * z[s.idx[t]]
		}
		sim := zi * lag
		if sim >= obs-tol {
			larger++
		}
		if sim <= obs+tol {
			smaller++
		}
		for t := k - 1; t >= 0; t-- {
			r := swaps[t]
			s.idx[t], s.idx[r] = s.idx[r], s.idx[t]
		}
	}
	s.idx[i], s.idx[last] = s.idx[last], s.idx[i]
	return float64(min(larger, smaller)+1) / float64(permutations+1)
}

// splitmix64 is the SplitMix64 finaliser (Steele, Lea and Flood 2014), a bijection that
// spreads nearby seeds and unit numbers over the whole 64-bit range.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
