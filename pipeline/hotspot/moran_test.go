package hotspot

import (
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// chain5 is five units in a line, 0 - 1 - 2 - 3 - 4, with binary weights.
func chain5() Weights { return gridQueen(1, 5) }

// TestLocalMoranHand checks local Moran's I on the 5-unit chain against hand arithmetic.
//
// x = (1, 2, 6, 11, 0): xbar = 4, z = (-3, -2, 2, 7, -4), sum z^2 = 9+4+4+49+16 = 82,
// m2 = 82/5 = 16.4. Row-standardised weights average the neighbours:
//
//	unit 0: N = {1},   lag = -2,              I = (-3)(-2)/16.4 =  6/16.4   LL
//	unit 1: N = {0,2}, lag = (-3+2)/2 = -0.5, I = (-2)(-0.5)/16.4 = 1/16.4  LL
//	unit 2: N = {1,3}, lag = (-2+7)/2 = 2.5,  I = (2)(2.5)/16.4 =  5/16.4   HH
//	unit 3: N = {2,4}, lag = (2-4)/2 = -1,    I = (7)(-1)/16.4 = -7/16.4    HL
//	unit 4: N = {3},   lag = 7,               I = (-4)(7)/16.4 = -28/16.4   LH
//
// Check: with row-standardised weights global Moran's I = sum_i I_i / n = -23/82.
func TestLocalMoranHand(t *testing.T) {
	x := []float64{1, 2, 6, 11, 0}
	got, err := LocalMoran(x, chain5(), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	wantI := []float64{6 / 16.4, 1 / 16.4, 5 / 16.4, -7 / 16.4, -28 / 16.4}
	wantLag := []float64{-2, -0.5, 2.5, -1, 7}
	wantQ := []Quadrant{LL, LL, HH, HL, LH}
	sum := 0.0
	for i := range x {
		if !near(got.I[i], wantI[i], 1e-12) || !near(got.Lag[i], wantLag[i], 1e-12) || got.Quadrant[i] != wantQ[i] {
			t.Errorf("unit %d: I %v lag %v %s, want %v %v %s", i, got.I[i], got.Lag[i], got.Quadrant[i], wantI[i], wantLag[i], wantQ[i])
		}
		if !math.IsNaN(got.P[i]) {
			t.Errorf("unit %d: p = %v without permutations, want NaN", i, got.P[i])
		}
		sum += got.I[i]
	}
	if !near(sum/5, -23.0/82, 1e-12) {
		t.Errorf("mean local I = %v, want global I -23/82", sum/5)
	}

	// Non-binary weights are row-standardised: unit 1 with weights 3 (to 0) and 1 (to 2) has
	// lag = (3*(-3) + 1*2)/4 = -7/4 and I = (-2)(-7/4)/16.4 = 3.5/16.4.
	w := chain5()
	w.Weights[1] = []float64{3, 1}
	got, err = LocalMoran(x, w, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !near(got.I[1], 3.5/16.4, 1e-12) {
		t.Errorf("weighted unit 1: I = %v, want 3.5/16.4", got.I[1])
	}
}

// TestLocalMoranPermutationHand checks two pseudo p-values worked out by hand.
//
// In the chain x = (1, 2, 6, 11, 0), unit 4 (z = -4) has one neighbour whose z = 7 is the
// largest of the other values {-3, -2, 2, 7}. A simulated I = (-4/16.4) z_s is as extreme as
// (<=) the observed -28/16.4 only when 7 itself is drawn, so the exact p is 1/4; with 20,000
// permutations the pseudo p must be within 0.02 of it (5 standard errors: sqrt(3/16/20000) =
// 0.003). (PySAL's formula, which counts ties only as larger, would give 1/20001 here.)
//
// In the chain x = (1, 4, 7), unit 1 equals the mean (z = 0), so every simulated I is 0, tied
// with the observed: there is no evidence either way and p must be exactly 1.
func TestLocalMoranPermutationHand(t *testing.T) {
	for _, seed := range []uint64{1, 2, 99} {
		got, err := LocalMoran([]float64{1, 2, 6, 11, 0}, chain5(), 20_000, seed)
		if err != nil {
			t.Fatal(err)
		}
		if !near(got.P[4], 0.25, 0.02) {
			t.Errorf("seed %d: unit 4 p = %v, want 1/4", seed, got.P[4])
		}
		got, err = LocalMoran([]float64{1, 4, 7}, gridQueen(1, 3), 999, seed)
		if err != nil {
			t.Fatal(err)
		}
		if got.P[1] != 1 {
			t.Errorf("seed %d: unit at the mean p = %v, want 1", seed, got.P[1])
		}
	}
}

// TestLocalMoranPermutationExact compares the Monte Carlo pseudo p-values with the exact
// conditional randomisation distribution, found by enumerating every set of |N_i| values that
// can be drawn from the other n-1 (with binary row-standardised weights the order of the
// draw does not matter). The values are integers, so the comparison is done exactly in
// integers: I_sim >= I_obs exactly when z_i * (sum of drawn x - sum of neighbours' x) >= 0
// (the mean and 1/(k m2) cancel). With q_ge and q_le the exact probabilities of >= and <=,
// the pseudo p estimates min(q_ge, q_le); with 20,000 permutations its standard error is at
// most 0.0036, and the tolerance is 5 standard errors.
func TestLocalMoranPermutationExact(t *testing.T) {
	// A 4x4 queen grid (3, 5 or 8 neighbours) with hand-picked values, many sums tie.
	x := []int{
		12, 15, 3, 4,
		14, 18, 6, 2,
		9, 11, 7, 5,
		1, 8, 10, 13,
	}
	xf := make([]float64, len(x))
	sum := 0
	for i, v := range x {
		xf[i] = float64(v)
		sum += v
	}
	w := gridQueen(4, 4)
	const perms = 20_000
	got, err := LocalMoran(xf, w, perms, 42)
	if err != nil {
		t.Fatal(err)
	}
	for i, nb := range w.Neighbours {
		var others []int
		for j := range x {
			if j != i {
				others = append(others, x[j])
			}
		}
		obs := 0
		for _, j := range nb {
			obs += x[j]
		}
		sign := len(x)*x[i] - sum // n*z_i, same sign as z_i
		ge, le, total := 0, 0, 0
		forEachSubset(len(others), len(nb), func(s []int) {
			d := -obs
			for _, a := range s {
				d += others[a]
			}
			if sign*d >= 0 {
				ge++
			}
			if sign*d <= 0 {
				le++
			}
			total++
		})
		q := float64(min(ge, le)) / float64(total)
		se := math.Sqrt(max(q*(1-q), 1e-4) / perms)
		if math.Abs(got.P[i]-q) > 5*se+1.0/perms {
			t.Errorf("unit %d (k = %d): pseudo p %.4f, exact %.4f (>= %d, <= %d of %d)", i, len(nb), got.P[i], q, ge, le, total)
		}
	}
}

// forEachSubset calls f with every k-subset of {0..n-1}, as ascending indices.
func forEachSubset(n, k int, f func([]int)) {
	s := make([]int, k)
	var rec func(start, depth int)
	rec = func(start, depth int) {
		if depth == k {
			f(s)
			return
		}
		for a := start; a <= n-(k-depth); a++ {
			s[depth] = a
			rec(a+1, depth+1)
		}
	}
	rec(0, 0)
}

// TestLocalMoranReproducible: the same seed gives identical p-values, also with a different
// number of CPUs (each unit has its own random stream); another seed gives different ones.
func TestLocalMoranReproducible(t *testing.T) {
	const rows, cols = 20, 20 // 400 units: enough for the parallel path
	w := gridQueen(rows, cols)
	x := make([]float64, rows*cols)
	for i := range x {
		r, c := i/cols, i%cols
		x[i] = math.Sin(float64(r)/3) + math.Cos(float64(c)/4) + float64((i*7919)%13)/10
	}
	run := func(procs int, seed uint64) []float64 {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		res, err := LocalMoran(x, w, 199, seed)
		if err != nil {
			t.Fatal(err)
		}
		return res.P
	}
	a := run(1, 7)
	b := run(4, 7)
	if !slices.Equal(a, b) {
		t.Error("same seed, 1 vs 4 CPUs: p-values differ")
	}
	c := run(2, 8)
	differ := 0
	for i := range a {
		if a[i] != c[i] {
			differ++
		}
	}
	if differ < len(a)/4 {
		t.Errorf("seeds 7 and 8 give different p-values for only %d of %d units", differ, len(a))
	}
}

func TestLocalMoranIslandsAndErrors(t *testing.T) {
	w := Weights{Kind: "test", Neighbours: [][]int{{1}, {0}, {}}, Weights: [][]float64{{1}, {1}, {}}}
	got, err := LocalMoran([]float64{1, 2, 3}, w, 99, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(got.I[2]) || !math.IsNaN(got.P[2]) || !math.IsNaN(got.Lag[2]) || got.Quadrant[2] != QuadrantIsland {
		t.Errorf("island: I %v p %v lag %v quadrant %q", got.I[2], got.P[2], got.Lag[2], got.Quadrant[2])
	}
	if math.IsNaN(got.P[0]) {
		t.Error("unit 0 has a neighbour but no p-value")
	}
	for _, tc := range []struct {
		perms int
		x     []float64
		want  string
	}{
		{-1, []float64{1, 2, 3}, "-1 permutations"},
		{99, []float64{2, 2, 2}, "all 3 values are equal"},
		{99, []float64{1, math.Inf(1), 3}, "value 1 is +Inf"},
	} {
		if _, err := LocalMoran(tc.x, w, tc.perms, 1); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("perms %d x %v: err = %v, want %q", tc.perms, tc.x, err, tc.want)
		}
	}
}

func TestSignificantQuadrant(t *testing.T) {
	cases := []struct {
		q    Quadrant
		p    float64
		want Quadrant
	}{
		{HH, 0.001, HH},
		{LH, 0.05, LH},
		{LL, 0.2, QuadrantNotSignificant},
		{HL, math.NaN(), QuadrantNotSignificant},
		{QuadrantIsland, math.NaN(), QuadrantIsland},
	}
	for _, tc := range cases {
		if got := SignificantQuadrant(tc.q, tc.p, 0.05); got != tc.want {
			t.Errorf("SignificantQuadrant(%s, %v) = %s, want %s", tc.q, tc.p, got, tc.want)
		}
	}
}
