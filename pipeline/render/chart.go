package render

import (
	"fmt"
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Chart is a gonum plot framed like the maps: title, subtitle, synthetic banner, source line.
type Chart struct {
	Title, Subtitle, Source string
	Synthetic               bool
	Width, Height           vg.Length
	Plot                    *plot.Plot
}

// CanvasSize implements Drawer.
func (ch *Chart) CanvasSize() (vg.Length, vg.Length) {
	w, h := ch.Width, ch.Height
	if w == 0 {
		w = 16 * vg.Centimeter
	}
	if h == 0 {
		h = 11 * vg.Centimeter
	}
	return w, h
}

// Draw draws the chart.
func (ch *Chart) Draw(c draw.Canvas) {
	c.FillPolygon(color.White, []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}})
	top := c.Max.Y - pad
	text(c, vg.Point{X: c.Min.X + pad, Y: top - 14}, ch.Title, 13, draw.XLeft, true)
	if ch.Subtitle != "" {
		text(c, vg.Point{X: c.Min.X + pad, Y: top - 29}, ch.Subtitle, 9, draw.XLeft, false)
	}
	if ch.Synthetic {
		text(c, vg.Point{X: c.Max.X - pad, Y: c.Min.Y + pad}, "SYNTHETIC DEMO DATA", 10, draw.XRight, true, color.RGBA{0xb2, 0x18, 0x2b, 0xff})
	}
	lines := strings.Split(ch.Source, "\n")
	for i, l := range lines {
		text(c, vg.Point{X: c.Min.X + pad, Y: c.Min.Y + pad + vg.Length(len(lines)-1-i)*9}, l, 6.5, draw.XLeft, false)
	}
	inner := draw.Crop(c, pad, -pad, pad+vg.Length(len(lines))*9+4, -(headerHeight + 2))
	ch.Plot.Draw(inner)
}

// BarsOptions describes a bar chart.
type BarsOptions struct {
	Labels         []string
	Values         []float64
	Colors         []color.Color // per bar; nil = one colour
	XLabel, YLabel string
	Horizontal     bool
	ValueFormat    string // printed at the end of each bar, e.g. "%.0f"; "" = none
}

// Bars builds a bar chart plot.
func Bars(o BarsOptions) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = o.XLabel, o.YLabel
	vals := make(plotter.Values, len(o.Values))
	copy(vals, o.Values)
	w := vg.Points(16)
	if n := len(o.Values); n > 12 {
		w = vg.Points(200 / float64(n))
	}
	for i := range o.Values {
		b, err := plotter.NewBarChart(plotter.Values{vals[i]}, w)
		if err != nil {
			return nil, err
		}
		b.XMin = float64(i) // its own category: one bar per chart, so each has its colour
		b.Horizontal = o.Horizontal
		b.LineStyle.Width = 0
		b.Color = color.RGBA{0x54, 0x27, 0x8f, 0xff}
		if i < len(o.Colors) && o.Colors[i] != nil {
			b.Color = o.Colors[i]
		}
		if pale(b.Color) { // e.g. IDACI decile 10: outlined, or it vanishes into the page
			b.LineStyle = draw.LineStyle{Color: color.Gray{0x96}, Width: vg.Points(0.6)}
		}
		p.Add(b)
	}
	if o.Horizontal {
		p.NominalY(o.Labels...)
	} else {
		p.NominalX(o.Labels...)
	}
	if o.ValueFormat != "" {
		var pts plotter.XYs
		var labels []string
		for i, v := range o.Values {
			if o.Horizontal {
				pts = append(pts, plotter.XY{X: v, Y: float64(i)})
			} else {
				pts = append(pts, plotter.XY{X: float64(i), Y: v})
			}
			labels = append(labels, fmt.Sprintf(o.ValueFormat, v))
		}
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: labels})
		if err != nil {
			return nil, err
		}
		for i := range l.TextStyle {
			if o.Horizontal {
				l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = draw.XLeft, draw.YCenter
				l.Offset = vg.Point{X: 3}
			} else {
				l.TextStyle[i].XAlign = draw.XCenter
				l.Offset = vg.Point{Y: 3}
			}
		}
		p.Add(l)
	}
	if o.Horizontal {
		p.X.Min = 0
	} else {
		p.Y.Min = 0
		max := 0.0
		for _, v := range o.Values {
			max = maxf(max, v)
		}
		p.Y.Max = max * 1.12
	}
	return p, nil
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

// pale reports whether a fill is so light (every channel above 0xe6) that a bar of it needs an
// outline to be seen on a white page.
func pale(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r > 0xe6e6 && g > 0xe6e6 && b > 0xe6e6
}
