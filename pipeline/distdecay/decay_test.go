package distdecay

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.6g, want %.6g ± %g", what, got, want, tol)
	}
}

// Rates exactly on r = 0.4·exp(−0.05 t): the fit returns a and b, R² = 1, RMSE = 0.
func TestExponentialExact(t *testing.T) {
	var pts []Point
	for tm := 0.0; tm <= 60; tm += 5 {
		pts = append(pts, Point{T: tm, Rate: 0.4 * math.Exp(-0.05*tm), Weight: 100 + tm})
	}
	f, err := Exponential(pts)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "a", f.A, 0.4, 1e-9)
	near(t, "b", f.B, 0.05, 1e-9)
	near(t, "R2", f.R2, 1, 1e-12)
	near(t, "RMSE", f.RMSE, 0, 1e-10)
	near(t, "r(20)", f.At(20), 0.4*math.Exp(-1), 1e-9)
	if f.At(math.Inf(1)) != 0 || f.Points != 13 {
		t.Error("unreachable must give 0; 13 points")
	}
}

// Children drawn from known parameters (a = 0.3, b = 0.08) with binomial noise: 400 LSOAs at
// 0-40 minutes with 50-450 children each. Least squares on ~100,000 children recovers a and b
// within a few per cent; the fit beats the log-linear start.
func TestExponentialRecoversKnownParameters(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 4231))
	var pts []Point
	for i := 0; i < 400; i++ {
		tm := 40 * r.Float64()
		n := 50 + r.IntN(400)
		p := 0.3 * math.Exp(-0.08*tm)
		k := 0
		for j := 0; j < n; j++ {
			if r.Float64() < p {
				k++
			}
		}
		pts = append(pts, Point{T: tm, Rate: float64(k) / float64(n), Weight: float64(n)})
	}
	f, err := Exponential(pts)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "a", f.A, 0.3, 0.3*0.04)
	near(t, "b", f.B, 0.08, 0.08*0.06)
	a0, b0, _ := logLinear(pts)
	start := Curve{a0, b0}
	if RMSE(pts, f.At) > RMSE(pts, start.At) {
		t.Errorf("fit RMSE %g worse than the log-linear start's %g", RMSE(pts, f.At), RMSE(pts, start.At))
	}
	if f.R2 < 0.5 || f.R2 > 1 {
		t.Errorf("R2 = %g", f.R2)
	}
}

// Weighted R² and RMSE worked by hand: points (0, 0.5, w 1), (10, 0.2, w 3), (20, 0.1, w 1)
// against the curve r = 0.5·exp(−0.1 t): fitted 0.5, 0.18394, 0.06767.
func TestFitQualityByHand(t *testing.T) {
	pts := []Point{{0, 0.5, 1}, {10, 0.2, 3}, {20, 0.1, 1}}
	c := Curve{0.5, 0.1}
	// weighted mean = (0.5 + 0.6 + 0.1)/5 = 0.24
	// SST = 1(0.26²) + 3(0.04²) + 1(0.14²) = 0.0676 + 0.0048 + 0.0196 = 0.092
	// SSR = 0 + 3(0.2 − 0.183940)² + (0.1 − 0.067668)² = 0.00077377 + 0.00104536 = 0.00181913
	// R² = 1 − 0.00181913/0.092 = 0.980227
	e1, e2 := 0.2-0.5*math.Exp(-1), 0.1-0.5*math.Exp(-2)
	ssr := 3*e1*e1 + e2*e2
	near(t, "R2", R2(pts, c.At), 1-ssr/0.092, 1e-12)
	near(t, "RMSE", RMSE(pts, c.At), math.Sqrt(ssr/5), 1e-12)
	near(t, "R2 (number)", R2(pts, c.At), 0.980227, 1e-6)
}

func TestExponentialNeedsData(t *testing.T) {
	if _, err := Exponential([]Point{{0, 0.1, 1}, {5, 0.1, 1}}); err == nil {
		t.Error("two points accepted")
	}
	if _, err := Exponential([]Point{{0, 0, 1}, {5, 0, 1}, {9, 0, 2}}); err == nil {
		t.Error("all-zero rates accepted")
	}
}
