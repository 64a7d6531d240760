package render

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"hubreach/internal/numfmt"
)

// LeagueOptions describes a league table drawn as horizontal bars, the first entry at the top.
type LeagueOptions struct {
	Names  []string  // one per bar, top first
	Values []float64 // bar lengths (not negative)
	// Texts are printed just beyond each bar's end (e.g. "2,315 children; 4 of 9 LSOAs in the
	// most deprived 10%"); nil prints the value with thousands separators.
	Texts  []string
	Colors []color.Color // per bar; nil or a nil entry = the IDACI palette's second darkest
	XLabel string
	// PlotWidth is the width of the plotting area the chart will give the bars, used to leave
	// room for the texts; 0 means 11 cm (a 16 cm chart with ward names on the left).
	PlotWidth vg.Length
}

// leagueRow is the vertical space one bar takes.
const leagueRow = 15 // points

// LeagueHeight is the height of a Chart holding a League of n bars: a fixed row per bar, plus
// the chart's title, axis and source lines.
func LeagueHeight(n int) vg.Length {
	return vg.Length(n)*leagueRow + 4.2*vg.Centimeter
}

// League builds a horizontal bar chart in league order (Names[0] at the top), with a text beyond
// each bar and the x axis stretched so the longest text fits inside the plot.
func League(o LeagueOptions) (*plot.Plot, error) {
	n := len(o.Values)
	if n == 0 || len(o.Names) != n || (o.Texts != nil && len(o.Texts) != n) {
		return nil, fmt.Errorf("league chart: %d names, %d values and %d texts; want the same number, at least one", len(o.Names), n, len(o.Texts))
	}
	texts := o.Texts
	if texts == nil {
		texts = make([]string, n)
		for i, v := range o.Values {
			texts[i] = Thousands(v)
		}
	}
	p := plot.New()
	p.X.Label.Text = o.XLabel
	maxV := 0.0
	for i, v := range o.Values {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("league chart: %s has value %v; want a number not below 0", o.Names[i], v)
		}
		maxV = math.Max(maxV, v)
	}
	// Bars bottom to top: plot row k holds entry n-1-k.
	names := make([]string, n)
	var labels plotter.XYLabels
	for k := 0; k < n; k++ {
		i := n - 1 - k
		names[k] = o.Names[i]
		one := make(plotter.Values, n)
		one[k] = o.Values[i]
		b, err := plotter.NewBarChart(one, vg.Points(leagueRow*0.68))
		if err != nil {
			return nil, err
		}
		b.Horizontal = true
		b.LineStyle.Width = 0
		b.Color = IDACIDecile()[1]
		if i < len(o.Colors) && o.Colors[i] != nil {
			b.Color = o.Colors[i]
		}
		p.Add(b)
		labels.XYs = append(labels.XYs, plotter.XY{X: o.Values[i], Y: float64(k)})
		labels.Labels = append(labels.Labels, texts[i])
	}
	l, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, err
	}
	widest := vg.Length(0)
	for i := range l.TextStyle {
		l.TextStyle[i].Font.Size = 7
		l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = draw.XLeft, draw.YCenter
		widest = max(widest, l.TextStyle[i].Width(l.Labels[i]))
	}
	l.Offset = vg.Point{X: 3}
	p.Add(l)
	p.NominalY(names...)
	axisFonts(p)
	p.Y.Padding = 0
	pw := o.PlotWidth
	if pw == 0 {
		pw = 11 * vg.Centimeter
	}
	// The bars take what the texts leave: maxV sits at (pw - widest - 6 pt) of pw.
	frac := float64((widest + 6) / pw)
	if frac > 0.7 {
		frac = 0.7
	}
	if maxV == 0 {
		maxV = 1
	}
	p.X.Min, p.X.Max = 0, maxV/(1-frac)
	p.X.Tick.Marker = thousandsTicks{}
	return p, nil
}

// Thousands formats a whole number with comma thousands separators: 12345.4 -> "12,345".
func Thousands(v float64) string { return numfmt.Thousands(v, 0) }

// thousandsTicks is gonum's default tick placement with comma-separated labels; when there are
// few ticks, the unlabelled (minor) ones get labels too, so a short axis is not left with one or
// two numbers.
type thousandsTicks struct{}

func (thousandsTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	labelAll := len(ts) <= 9
	for i := range ts {
		if ts[i].Value != math.Trunc(ts[i].Value) {
			continue
		}
		if ts[i].Label != "" || labelAll {
			ts[i].Label = Thousands(ts[i].Value)
		}
	}
	return ts
}

// axisFonts sets the axis label and tick sizes of the need charts, a little smaller than
// gonum's defaults so they sit with the chart frame's 9-point subtitle.
func axisFonts(p *plot.Plot) {
	p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = 9, 9
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = 8, 8
}
