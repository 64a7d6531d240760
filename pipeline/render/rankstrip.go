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

// RankStripOptions describes a rank dot plot: every unit (e.g. local authority) as a dot at its
// rank (x, 1 = most deprived, at the left) and its measure (y), with some units highlighted and
// labelled, and optionally a dashed line after the Cut-th rank.
type RankStripOptions struct {
	Names  []string
	Values []float64 // the measure, one per unit
	Ranks  []int     // rank among the units, 1 = first; ties share a rank
	// Highlight lists the indices of the units to mark in red and label "<name>: <rank> of <n>".
	Highlight []int
	// Context lists indices labelled quietly in grey (e.g. the first and last), for orientation.
	Context        []int
	Cut            int    // a dashed line between ranks Cut and Cut+1; 0 = none
	CutLabel       string // printed beside the line, at the top
	XLabel, YLabel string
}

var highlightRed color.Color = color.RGBA{0xb2, 0x18, 0x2b, 0xff}

// RankStrip builds the rank dot plot.
func RankStrip(o RankStripOptions) (*plot.Plot, error) {
	n := len(o.Values)
	if n == 0 || len(o.Names) != n || len(o.Ranks) != n {
		return nil, fmt.Errorf("rank strip: %d names, %d values, %d ranks; want the same number, at least one", len(o.Names), n, len(o.Ranks))
	}
	for _, i := range append(append([]int(nil), o.Highlight...), o.Context...) {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("rank strip: unit %d to label is out of range (%d units)", i, n)
		}
	}
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = o.XLabel, o.YLabel
	axisFonts(p)
	p.Y.Tick.Marker = thousandsTicks{}
	xys := make(plotter.XYs, n)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range o.Values {
		xys[i] = plotter.XY{X: float64(o.Ranks[i]), Y: o.Values[i]}
		lo, hi = math.Min(lo, o.Values[i]), math.Max(hi, o.Values[i])
	}
	all, err := plotter.NewScatter(xys)
	if err != nil {
		return nil, err
	}
	all.GlyphStyle = draw.GlyphStyle{Color: color.Gray{0x99}, Radius: 1.8, Shape: draw.CircleGlyph{}}
	p.Add(all)
	maxRank := 0
	for _, r := range o.Ranks {
		maxRank = max(maxRank, r)
	}
	span := hi - lo
	if span == 0 {
		span = math.Max(math.Abs(hi), 1)
	}
	p.X.Min, p.X.Max = 0, float64(maxRank)+1
	p.Y.Min, p.Y.Max = lo-0.04*span, hi+0.22*span // room above the curve for the labels
	if o.Cut > 0 && o.Cut < maxRank {
		x := float64(o.Cut) + 0.5
		line, err := plotter.NewLine(plotter.XYs{{X: x, Y: p.Y.Min}, {X: x, Y: p.Y.Max}})
		if err != nil {
			return nil, err
		}
		line.LineStyle = draw.LineStyle{Color: color.Gray{0x55}, Width: 0.8, Dashes: []vg.Length{4, 3}}
		p.Add(line)
		if o.CutLabel != "" {
			p.Add(&annotations{items: []annotation{{x: x, y: p.Y.Max, text: o.CutLabel, dx: -3, dy: -8, align: draw.XRight, size: 7, col: color.Gray{0x33}}}})
		}
	}
	var ann annotations
	for k, i := range o.Context {
		ann.items = append(ann.items, placeLabel(o, i, maxRank, k, color.Gray{0x55}, 7, false))
	}
	var marks plotter.XYs
	for k, i := range o.Highlight {
		marks = append(marks, xys[i])
		ann.items = append(ann.items, placeLabel(o, i, maxRank, k, highlightRed, 9, true))
	}
	p.Add(&ann)
	if len(marks) > 0 {
		hs, err := plotter.NewScatter(marks)
		if err != nil {
			return nil, err
		}
		hs.GlyphStyle = draw.GlyphStyle{Color: highlightRed, Radius: 4.2, Shape: draw.CircleGlyph{}}
		p.Add(hs)
	}
	return p, nil
}

// placeLabel puts a label up and to the right of its dot (the curve falls away to the right, so
// that side is clear), or up and to the left for dots in the right third; the k-th label of a
// kind is stepped up so that neighbours do not overprint.
func placeLabel(o RankStripOptions, i, maxRank, k int, col color.Color, size vg.Length, bold bool) annotation {
	a := annotation{x: float64(o.Ranks[i]), y: o.Values[i], col: col, size: size, bold: bold, leader: true,
		text: fmt.Sprintf("%s: %s of %d", o.Names[i], Ordinal(o.Ranks[i]), maxRank)}
	a.dx, a.dy, a.align = 10, 14+vg.Length(k)*13, draw.XLeft
	if o.Ranks[i] > maxRank*2/3 {
		a.dx, a.align = -10, draw.XRight
	}
	if !bold {
		a.text = fmt.Sprintf("%s (%s)", o.Names[i], Ordinal(o.Ranks[i]))
		a.dy = 8 + vg.Length(k)*10
	}
	return a
}

// Ordinal writes 1 as "1st", 2 as "2nd", 11 as "11th", 23 as "23rd".
func Ordinal(n int) string {
	suffix := "th"
	switch n % 100 {
	case 11, 12, 13:
	default:
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// annotation is text at a data point, shifted by (dx, dy) points, on a white box, with an
// optional leader line back to the point.
type annotation struct {
	x, y   float64
	dx, dy vg.Length
	text   string
	align  draw.XAlignment
	size   vg.Length
	bold   bool
	leader bool
	col    color.Color
}

type annotations struct{ items []annotation }

// Plot implements plot.Plotter.
func (a *annotations) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, it := range a.items {
		at := vg.Point{X: trX(it.x), Y: trY(it.y)}
		to := at.Add(vg.Point{X: it.dx, Y: it.dy})
		if it.leader {
			c.StrokeLines(draw.LineStyle{Color: it.col, Width: 0.6}, []vg.Point{at, to})
		}
		ts := textStyle(it.size, it.bold, it.col)
		ts.XAlign, ts.YAlign = it.align, draw.YCenter
		w, h := ts.Width(it.text), ts.Height(it.text)
		x0 := to.X + vg.Length(it.align)*w
		c.FillPolygon(color.NRGBA{0xff, 0xff, 0xff, 0xe0}, []vg.Point{
			{X: x0 - 2, Y: to.Y - h/2 - 1}, {X: x0 + w + 2, Y: to.Y - h/2 - 1}, {X: x0 + w + 2, Y: to.Y + h/2 + 1}, {X: x0 - 2, Y: to.Y + h/2 + 1}})
		c.FillText(ts, to, it.text)
	}
}
