package hotspot

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// GiStarResult holds Getis-Ord Gi* statistics, one entry per unit.
type GiStarResult struct {
	// Z is the Gi* z-score: positive where high values cluster, negative where low values do.
	// NaN for islands (see GiStar).
	Z []float64
	// P is the two-sided p-value of Z under the standard normal distribution, 2*(1-Phi(|z|)).
	// NaN for islands.
	P []float64
}

// GiStar computes Getis-Ord Gi* z-scores (Getis and Ord 1992; Ord and Getis 1995).
//
// It is the "star" statistic: the focal unit is part of its own neighbourhood with weight 1,
// added here (w must not list a unit as its own neighbour). With w*_ij = w_ij for j != i and
// w*_ii = 1,
//
//	z_i = (sum_j w*_ij x_j - xbar W_i) / (S sqrt((n S1_i - W_i^2) / (n-1)))
//	W_i = sum_j w*_ij,   S1_i = sum_j w*_ij^2
//
// where xbar and S are the mean and the population standard deviation (divided by n) of all n
// values. This is R spdep's localG(x, nb2listw(include.self(nb), style = "B")) and ArcGIS's
// Hot Spot Analysis with unstandardised weights; use the binary weights that Queen,
// DistanceBand and KNN return.
//
// Special cases:
//   - An island has only itself in its neighbourhood, and z_i reduces to (x_i - xbar)/S, the
//     plain standard score of its own value: that says nothing about clustering, so Z and P
//     are NaN for islands (Classify labels them ClassIsland). Weights.Islands lists them.
//   - When the neighbourhood covers every unit with equal weights (n S1_i = W_i^2, e.g. the
//     centre of a 3x3 grid with queen weights) the local sum always equals its expectation:
//     the variance is zero and z is reported as 0 with p = 1.
//
// It fails when the lengths differ, a value is not finite, fewer than 3 units are given, the
// weights are invalid, or the values do not vary (S = 0), since no z-score is defined then.
func GiStar(x []float64, w Weights) (GiStarResult, error) {
	n := len(x)
	if err := checkInputs("Gi*", x, w); err != nil {
		return GiStarResult{}, err
	}
	mean, sd := meanSD(x)
	if !(sd > 1e-13*maxAbs(x)) {
		return GiStarResult{}, fmt.Errorf("Gi*: all %d values are equal (%v); hotspots need values that vary", n, x[0])
	}
	res := GiStarResult{Z: make([]float64, n), P: make([]float64, n)}
	fn := float64(n)
	for i, nb := range w.Neighbours {
		if len(nb) == 0 {
			res.Z[i], res.P[i] = math.NaN(), math.NaN()
			continue
		}
		sum, wSum, w2Sum := x[i], 1.0, 1.0 // the self weight
		for k, j := range nb {
			wij := w.Weights[i][k]
			sum += wij * x[j]
			wSum += wij
			w2Sum += wij * wij
		}
		v := fn*w2Sum - wSum*wSum
		if v <= 1e-12*fn*w2Sum {
			res.Z[i], res.P[i] = 0, 1
			continue
		}
		z := (sum - mean*wSum) / (sd * math.Sqrt(v/(fn-1)))
		res.Z[i] = z
		res.P[i] = twoSidedP(z)
	}
	return res, nil
}

// twoSidedP is 2*(1-Phi(|z|)), computed from the upper tail so that it keeps its precision
// for large |z|.
func twoSidedP(z float64) float64 {
	return 2 * distuv.UnitNormal.Survival(math.Abs(z))
}

// checkInputs validates values and weights for the local statistics.
func checkInputs(stat string, x []float64, w Weights) error {
	if len(x) != w.N() {
		return fmt.Errorf("%s: %d values but weights for %d units", stat, len(x), w.N())
	}
	if len(x) < 3 {
		return fmt.Errorf("%s: %d units, need at least 3", stat, len(x))
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: value %d is %v, want a finite number (drop or impute missing values before the analysis)", stat, i, v)
		}
	}
	if err := w.Validate(); err != nil {
		return fmt.Errorf("%s: %s weights: %w", stat, w.Kind, err)
	}
	return nil
}

// meanSD returns the mean and the population standard deviation (divided by n), in two passes.
func meanSD(x []float64) (mean, sd float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	var ss float64
	for _, v := range x {
		d := v - mean
		ss += d * d
	}
	return mean, math.Sqrt(ss / float64(len(x)))
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = max(m, math.Abs(v))
	}
	return m
}
