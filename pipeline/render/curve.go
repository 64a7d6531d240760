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

// CurveOptions describes a k-versus-coverage chart: the share of demand within reach as new
// sites are added one by one, with an upper bound on the best possible at each k.
type CurveOptions struct {
	K      []int     // number of new sites
	Value  []float64 // coverage reached with K sites (per cent)
	Bound  []float64 // upper bound on the best coverage with K sites (per cent); nil or NaN = none
	Base   float64   // coverage by existing sites only (per cent), drawn at k = 0
	Chosen int       // the scenario's k, marked with a vertical line; 0 = none
	// Flat is the k after which each further site adds less than FlatBelow percentage points;
	// 0 = not marked.
	Flat      int
	FlatBelow float64
	XLabel    string
	YLabel    string
}

var (
	curveColor = color.RGBA{0x54, 0x27, 0x8f, 0xff}
	boundColor = color.RGBA{0x99, 0x99, 0x99, 0xff}
	chosenCol  = color.RGBA{0xe6, 0x55, 0x0d, 0xff}
)

// CoverageCurve builds the k-versus-coverage plot: a line with a point per k (labelled with its
// value), the bound as a dashed grey line, the coverage of the existing sites at k = 0, the
// scenario's k as a vertical orange line and, when Flat is set, where the curve flattens.
func CoverageCurve(o CurveOptions) (*plot.Plot, error) {
	if len(o.K) == 0 || len(o.K) != len(o.Value) {
		return nil, fmt.Errorf("coverage curve: %d values of k and %d coverages", len(o.K), len(o.Value))
	}
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = o.XLabel, o.YLabel
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.YOffs = vg.Points(4)
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = vg.Points(9), vg.Points(9)
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = vg.Points(8), vg.Points(8)
	pts := plotter.XYs{{X: 0, Y: o.Base}}
	for i, k := range o.K {
		pts = append(pts, plotter.XY{X: float64(k), Y: o.Value[i]})
	}
	hi := 0.0
	for _, q := range pts {
		hi = math.Max(hi, q.Y)
	}
	var bpts plotter.XYs
	for i, b := range o.Bound {
		if i < len(o.K) && b > 0 && !math.IsNaN(b) {
			bpts = append(bpts, plotter.XY{X: float64(o.K[i]), Y: b})
			hi = math.Max(hi, b)
		}
	}
	if len(bpts) > 0 {
		bl, err := plotter.NewLine(bpts)
		if err != nil {
			return nil, err
		}
		bl.Color, bl.Width, bl.Dashes = boundColor, vg.Points(1.2), []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(bl)
		p.Legend.Add("upper bound on the best possible", bl)
	}
	line, points, err := plotter.NewLinePoints(pts)
	if err != nil {
		return nil, err
	}
	line.Color, line.Width = curveColor, vg.Points(2)
	points.Color, points.Shape, points.Radius = curveColor, draw.CircleGlyph{}, vg.Points(3)
	p.Add(line, points)
	p.Legend.Add("coverage with the sites chosen", line, points)
	labels := make([]string, len(pts))
	for i, q := range pts {
		labels[i] = fmt.Sprintf("%.0f%%", q.Y)
	}
	if len(pts) > 16 { // label every other point when crowded
		for i := range labels {
			if i%2 == 1 && i != len(labels)-1 {
				labels[i] = ""
			}
		}
	}
	lab, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: labels})
	if err != nil {
		return nil, err
	}
	for i := range lab.TextStyle {
		lab.TextStyle[i].XAlign = draw.XCenter
		lab.TextStyle[i].Font.Size = vg.Points(7.5)
	}
	lab.Offset = vg.Point{Y: 5}
	p.Add(lab)
	top := math.Min(100, hi*1.12+2)
	vline := func(k int, col color.Color, text string, y float64) error {
		l, err := plotter.NewLine(plotter.XYs{{X: float64(k), Y: 0}, {X: float64(k), Y: top}})
		if err != nil {
			return err
		}
		l.Color, l.Width = col, vg.Points(1.2)
		if col == boundColor {
			l.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		}
		p.Add(l)
		t, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: float64(k), Y: y}}, Labels: []string{text}})
		if err != nil {
			return err
		}
		t.TextStyle[0].XAlign = draw.XLeft
		t.TextStyle[0].Color = col
		t.TextStyle[0].Font.Size = vg.Points(8)
		t.Offset = vg.Point{X: 3}
		p.Add(t)
		return nil
	}
	if o.Chosen > 0 {
		if err := vline(o.Chosen, chosenCol, fmt.Sprintf("k = %d in this scenario", o.Chosen), top*0.4); err != nil {
			return nil, err
		}
	}
	if o.Flat > 0 && o.Flat != o.Chosen {
		if err := vline(o.Flat, color.RGBA{0x33, 0x33, 0x33, 0xff}, fmt.Sprintf("flattens: each further site adds < %g points", o.FlatBelow), top*0.3); err != nil {
			return nil, err
		}
	}
	p.Y.Min, p.Y.Max = 0, top
	p.X.Min, p.X.Max = 0, float64(o.K[len(o.K)-1])+0.5
	ticks := make([]plot.Tick, 0, len(o.K)+1)
	step := 1
	if n := o.K[len(o.K)-1]; n > 20 {
		step = int(math.Ceil(float64(n) / 20))
	}
	for k := 0; k <= o.K[len(o.K)-1]; k += step {
		ticks = append(ticks, plot.Tick{Value: float64(k), Label: fmt.Sprint(k)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Add(plotter.NewGrid())
	return p, nil
}
