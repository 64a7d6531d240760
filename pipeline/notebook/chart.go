package notebook

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"regexp"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"hubreach/pipeline/render"
)

var lineColours = []color.Color{
	color.RGBA{0x54, 0x27, 0x8f, 0xff}, color.RGBA{0xe6, 0x55, 0x0d, 0xff}, color.RGBA{0x31, 0xa3, 0x54, 0xff},
	color.RGBA{0x21, 0x66, 0xac, 0xff}, color.RGBA{0xb2, 0x18, 0x2b, 0xff}, color.RGBA{0x66, 0x66, 0x66, 0xff},
}

// chartData is what a chart draws: labels (bars) or x values (lines), and one series per y column.
// Values that are NULL or suppressed are drawn as 0 and labelled with the marker.
type chartData struct {
	labels []string
	xs     []float64
	ys     [][]float64
	marks  [][]string // the value label of each point, formatted like the table
}

func (r *runner) chartData(c *Cell, res *result) chartData {
	xi := indexOf(res.cols, c.Opts["x"])
	var d chartData
	ycols := splitList(c.Opts["y"])
	d.ys = make([][]float64, len(ycols))
	d.marks = make([][]string, len(ycols))
	for i, row := range res.rows {
		d.labels = append(d.labels, res.cellText(i, xi, r.opt.Threshold))
		x := float64(i)
		if row[xi].num {
			x = row[xi].f
		}
		d.xs = append(d.xs, x)
		for k, name := range ycols {
			j := indexOf(res.cols, name)
			v := row[j]
			text := res.cellText(i, j, r.opt.Threshold)
			y := v.f
			if !v.num || text == Suppressed || v.null {
				y = 0
			}
			d.ys[k] = append(d.ys[k], y)
			d.marks[k] = append(d.marks[k], text)
		}
	}
	return d
}

func indexOf(cols []string, name string) int {
	for i, c := range cols {
		if c == name {
			return i
		}
	}
	return -1
}

// chart draws the cell's chart from its result with pipeline/render and returns inline SVG.
func (r *runner) chart(c *Cell, res *result) ([]byte, error) {
	if len(res.rows) == 0 {
		return nil, fmt.Errorf("the query returned no rows to draw")
	}
	d := r.chartData(c, res)
	var p *plot.Plot
	var err error
	height := 10 * vg.Centimeter
	switch c.Opts["chart"] {
	case "bar":
		p, err = render.Bars(render.BarsOptions{Labels: d.labels, Values: d.ys[0], XLabel: c.Opts["xlabel"], YLabel: c.Opts["ylabel"]})
		if err == nil {
			err = addValueLabels(p, d.ys[0], d.marks[0], false)
		}
	case "hbar":
		if len(d.ys) > 1 {
			p, err = groupedHBars(c, d)
			height = vg.Length(math.Max(8, 4.5+0.45*float64(len(d.labels)*len(d.ys)))) * vg.Centimeter
			break
		}
		// First row at the top: gonum draws the first category at the bottom.
		n := len(d.labels)
		labels, vals, marks := make([]string, n), make([]float64, n), make([]string, n)
		for i := range n {
			labels[n-1-i], vals[n-1-i], marks[n-1-i] = d.labels[i], d.ys[0][i], d.marks[0][i]
		}
		p, err = render.Bars(render.BarsOptions{Labels: labels, Values: vals, Horizontal: true, XLabel: c.Opts["ylabel"], YLabel: c.Opts["xlabel"]})
		if err == nil {
			hi := 0.0
			for _, v := range vals {
				hi = math.Max(hi, v)
			}
			p.X.Max = hi * 1.15
			err = addValueLabels(p, vals, marks, true)
		}
		height = vg.Length(math.Max(8, 3.5+0.55*float64(n))) * vg.Centimeter
	case "line":
		p, err = linePlot(c, d)
	}
	if err != nil {
		return nil, err
	}
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font.Size = vg.Points(9)
		ax.Tick.Label.Font.Size = vg.Points(8)
	}
	source := c.Opts["source"]
	if source == "" {
		source = r.opt.Source
	}
	name := c.Opts["name"]
	if name == "" {
		name = fmt.Sprintf("cell %d", c.N)
	}
	drawn := fmt.Sprintf("Drawn by hubreach from query %s in %s.", name, r.nb.Path)
	if source == "" {
		source = drawn
	} else {
		source += "\n" + drawn
	}
	ch := &render.Chart{Title: c.Opts["title"], Subtitle: c.Opts["subtitle"], Source: source, Synthetic: r.opt.Synthetic, Plot: p, Height: height}
	return drawSVG(ch)
}

func addValueLabels(p *plot.Plot, vals []float64, marks []string, horizontal bool) error {
	var pts plotter.XYs
	for i, v := range vals {
		if horizontal {
			pts = append(pts, plotter.XY{X: v, Y: float64(i)})
		} else {
			pts = append(pts, plotter.XY{X: float64(i), Y: v})
		}
	}
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: marks})
	if err != nil {
		return err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font.Size = vg.Points(8)
		if horizontal {
			l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = draw.XLeft, draw.YCenter
			l.Offset = vg.Point{X: 3}
		} else {
			l.TextStyle[i].XAlign = draw.XCenter
			l.Offset = vg.Point{Y: 3}
		}
	}
	p.Add(l)
	return nil
}

// groupedHBars draws one group of horizontal bars per row, one bar per y column (the first
// column's bar on top, each in its own colour, named in the legend), each labelled with its value
// as the table shows it. The first row's group is at the top.
func groupedHBars(c *Cell, d chartData) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = c.Opts["ylabel"], c.Opts["xlabel"]
	p.Legend.Top, p.Legend.Left = true, false
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	n, k := len(d.labels), len(d.ys)
	labels := make([]string, n)
	for i := range n {
		labels[n-1-i] = d.labels[i]
	}
	p.Add(plotter.NewGrid())
	w := vg.Points(11)
	hi := 0.0
	for s, name := range splitList(c.Opts["y"]) {
		vals := make(plotter.Values, n)
		var pts plotter.XYs
		var marks []string
		for i := range n {
			vals[n-1-i] = d.ys[s][i]
			hi = math.Max(hi, d.ys[s][i])
		}
		// Series s sits (k-1)/2 - s bar widths above the group's centre, so the first is on top.
		off := (float64(k-1)/2 - float64(s)) * float64(w)
		b, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, err
		}
		b.Horizontal = true
		b.Offset = vg.Length(off)
		b.Color = lineColours[s%len(lineColours)]
		b.LineStyle.Width = 0
		p.Add(b)
		p.Legend.Add(name, b)
		for i := range n {
			pts = append(pts, plotter.XY{X: vals[i], Y: float64(i)})
			marks = append(marks, d.marks[s][n-1-i])
		}
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: marks})
		if err != nil {
			return nil, err
		}
		for j := range l.TextStyle {
			l.TextStyle[j].Font.Size = vg.Points(7.5)
			l.TextStyle[j].XAlign, l.TextStyle[j].YAlign = draw.XLeft, draw.YCenter
		}
		l.Offset = vg.Point{X: 3, Y: vg.Length(off)}
		p.Add(l)
	}
	p.NominalY(labels...)
	// An empty band above the first group holds the legend, clear of the bars.
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4+0.25*float64(k)
	p.X.Min = 0
	p.X.Max = math.Max(hi, 1) * 1.15
	return p, nil
}

func linePlot(c *Cell, d chartData) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = c.Opts["xlabel"], c.Opts["ylabel"]
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	for k, name := range splitList(c.Opts["y"]) {
		xy := make(plotter.XYs, len(d.xs))
		for i := range d.xs {
			xy[i] = plotter.XY{X: d.xs[i], Y: d.ys[k][i]}
		}
		l, s, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, err
		}
		col := lineColours[k%len(lineColours)]
		l.Color, l.Width = col, vg.Points(1.6)
		s.Color, s.Shape, s.Radius = col, draw.CircleGlyph{}, vg.Points(2.2)
		p.Add(l, s)
		p.Legend.Add(name, l, s)
	}
	p.Y.Min = 0
	return p, nil
}

var svgHeadRE = regexp.MustCompile(`(?s)^.*?<svg width="([0-9.]+)pt" height="([0-9.]+)pt"`)

// drawSVG draws d with gonum plot's SVG canvas and returns markup ready to inline in HTML: no XML
// prolog, scaled to the figure column (see inlineSVG), text in the page's font stack.
func drawSVG(d render.Drawer) ([]byte, error) {
	w, h := d.CanvasSize()
	c := vgsvg.New(w, h)
	d.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return inlineSVG(buf.Bytes())
}

// maxScale is how far a figure may be enlarged on the page beyond its drawn size: maps label wards
// in 6 pt type, which needs about 1.5 times to read comfortably on a laptop screen (9 pt, 12 px);
// a figure never grows past the figure column (see page.css).
const maxScale = 1.5

// inlineSVG turns an SVG file drawn by gonum plot into an inline <svg> element, as wide as the
// figure column up to maxScale times its drawn width.
func inlineSVG(b []byte) ([]byte, error) {
	m := svgHeadRE.FindSubmatchIndex(b)
	if m == nil {
		return nil, fmt.Errorf("not an SVG drawn by hubreach (no <svg width=... height=...>)")
	}
	w, err := strconv.ParseFloat(string(b[m[2]:m[3]]), 64)
	if err != nil || w <= 0 {
		return nil, fmt.Errorf("not an SVG drawn by hubreach (width %q)", b[m[2]:m[3]])
	}
	out := []byte(fmt.Sprintf(`<svg class="drawn" style="max-width:%spt" width="100%%"`, strconv.FormatFloat(math.Round(w*maxScale*100)/100, 'f', -1, 64)))
	return append(out, b[m[1]:]...), nil
}
