// Package distdecay fits distance-decay curves: how the share of children who use a service falls
// with travel time. The model is the negative exponential r(t) = a·exp(−b·t) (t in minutes),
// fitted by weighted least squares (weights: the children behind each rate, so a rate from 500
// children counts more than one from 20), started from the weighted log-linear fit and refined
// with gonum's BFGS on (ln a, b).
package distdecay

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/optimize"
)

// Point is one observed rate: a share (0..1) at a travel time, with its weight.
type Point struct {
	T, Rate, Weight float64
}

// Curve is a fitted r(t) = A·exp(−B·t).
type Curve struct {
	A, B float64
}

// At evaluates the curve at t minutes; an unreachable place (t = +Inf) gets 0.
func (c Curve) At(t float64) float64 {
	if math.IsInf(t, 1) {
		return 0
	}
	return c.A * math.Exp(-c.B*t)
}

// Fit is a fitted curve and how well it fits.
type Fit struct {
	Curve
	R2     float64 // weighted: 1 − Σw(r − r̂)² / Σw(r − r̄)²
	RMSE   float64 // weighted root mean square error: √(Σw(r − r̂)² / Σw)
	Points int     // points with positive weight
}

// Exponential fits r = a·exp(−b·t) to the points by weighted least squares.
func Exponential(pts []Point) (Fit, error) {
	var use []Point
	for _, p := range pts {
		if p.Weight > 0 && !math.IsNaN(p.Rate) && !math.IsNaN(p.T) && !math.IsInf(p.T, 0) {
			use = append(use, p)
		}
	}
	if len(use) < 3 {
		return Fit{}, fmt.Errorf("distdecay: %d usable points: need at least 3 to fit a and b", len(use))
	}
	a0, b0, err := logLinear(use)
	if err != nil {
		return Fit{}, err
	}
	sse := func(x []float64) float64 {
		a := math.Exp(x[0])
		s := 0.0
		for _, p := range use {
			d := p.Rate - a*math.Exp(-x[1]*p.T)
			s += p.Weight * d * d
		}
		return s
	}
	prob := optimize.Problem{
		Func: sse,
		Grad: func(g, x []float64) {
			a := math.Exp(x[0])
			g[0], g[1] = 0, 0
			for _, p := range use {
				e := a * math.Exp(-x[1]*p.T)
				d := p.Rate - e
				g[0] += -2 * p.Weight * d * e      // ∂/∂(ln a)
				g[1] += 2 * p.Weight * d * e * p.T // ∂/∂b
			}
		},
	}
	res, err := optimize.Minimize(prob, []float64{math.Log(a0), b0}, &optimize.Settings{GradientThreshold: 1e-12}, &optimize.BFGS{})
	x := []float64{math.Log(a0), b0}
	if res != nil && res.F <= sse(x) && !math.IsNaN(res.F) {
		x = res.X
	} else if err != nil {
		return Fit{}, fmt.Errorf("distdecay: %w", err)
	}
	c := Curve{A: math.Exp(x[0]), B: x[1]}
	return Fit{Curve: c, R2: R2(use, c.At), RMSE: RMSE(use, c.At), Points: len(use)}, nil
}

// logLinear is the weighted least-squares line through (t, ln r) for the points with r > 0.
func logLinear(pts []Point) (a, b float64, err error) {
	var sw, st, sy, stt, sty float64
	n := 0
	for _, p := range pts {
		if p.Rate <= 0 {
			continue
		}
		w, y := p.Weight, math.Log(p.Rate)
		sw += w
		st += w * p.T
		sy += w * y
		stt += w * p.T * p.T
		sty += w * p.T * y
		n++
	}
	if n == 0 {
		return 0, 0, errors.New("distdecay: every rate is zero: no curve to fit")
	}
	den := sw*stt - st*st
	if n < 2 || den <= 1e-12*sw*stt {
		return sy / sw, 0, nil // one travel time only: a flat start
	}
	slope := (sw*sty - st*sy) / den
	return math.Exp((sy - slope*st) / sw), -slope, nil
}

// R2 is the weighted coefficient of determination of f on the points.
func R2(pts []Point, f func(float64) float64) float64 {
	var sw, sr float64
	for _, p := range pts {
		sw += p.Weight
		sr += p.Weight * p.Rate
	}
	mean := sr / sw
	var ssr, sst float64
	for _, p := range pts {
		d := p.Rate - f(p.T)
		ssr += p.Weight * d * d
		m := p.Rate - mean
		sst += p.Weight * m * m
	}
	if sst == 0 {
		return math.NaN()
	}
	return 1 - ssr/sst
}

// RMSE is the weighted root mean square error of f on the points.
func RMSE(pts []Point, f func(float64) float64) float64 {
	var sw, ssr float64
	for _, p := range pts {
		d := p.Rate - f(p.T)
		ssr += p.Weight * d * d
		sw += p.Weight
	}
	return math.Sqrt(ssr / sw)
}
