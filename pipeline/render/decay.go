package render

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// DecaySeries is one set of binned rates with its fitted curve.
type DecaySeries struct {
	Label      string
	X, Y       []float64               // bin mean travel time (minutes) and rate (per cent)
	Curve      func(t float64) float64 // fitted rate (per cent) at t; nil = none
	CurveLabel string                  // legend text for the curve, e.g. its formula
	Color      color.Color
	Shape      draw.GlyphDrawer
}

// DecayOptions describes a distance-decay chart: observed rates by travel-time band as points,
// fitted curves as lines.
type DecayOptions struct {
	Series         []DecaySeries
	XMax           float64 // right end of the time axis; 0 = the largest X
	XLabel, YLabel string
}

// DecayChart builds the distance-decay plot.
func DecayChart(o DecayOptions) (*plot.Plot, error) {
	if len(o.Series) == 0 {
		return nil, fmt.Errorf("decay chart: no series")
	}
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = o.XLabel, o.YLabel
	p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = vg.Points(9), vg.Points(9)
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = vg.Points(8), vg.Points(8)
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	xmax, ymax := o.XMax, 0.0
	for _, s := range o.Series {
		for i := range s.X {
			if o.XMax == 0 {
				xmax = math.Max(xmax, s.X[i])
			}
			ymax = math.Max(ymax, s.Y[i])
		}
	}
	if xmax <= 0 {
		xmax = 1
	}
	for _, s := range o.Series {
		if len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("decay chart %q: %d times and %d rates", s.Label, len(s.X), len(s.Y))
		}
		pts := make(plotter.XYs, len(s.X))
		for i := range s.X {
			pts[i] = plotter.XY{X: s.X[i], Y: s.Y[i]}
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: s.Color, Radius: vg.Points(3.5), Shape: s.Shape}
		if sc.GlyphStyle.Shape == nil {
			sc.GlyphStyle.Shape = draw.CircleGlyph{}
		}
		p.Add(sc)
		p.Legend.Add(s.Label+": observed (travel-time bands)", sc)
		if s.Curve != nil {
			var line plotter.XYs
			for i := 0; i <= 100; i++ {
				t := xmax * float64(i) / 100
				y := s.Curve(t)
				ymax = math.Max(ymax, y)
				line = append(line, plotter.XY{X: t, Y: y})
			}
			l, err := plotter.NewLine(line)
			if err != nil {
				return nil, err
			}
			l.LineStyle = draw.LineStyle{Color: s.Color, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
			p.Add(l)
			p.Legend.Add(s.Label+": fitted "+s.CurveLabel, l)
		}
	}
	p.X.Min, p.X.Max = 0, xmax*1.02
	p.Y.Min, p.Y.Max = 0, math.Max(ymax*1.15, 1)
	return p, nil
}
