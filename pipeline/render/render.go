// Package render draws hubreach's static maps and charts for committee papers with gonum plot, as
// PNG and SVG: title, subtitle, legend panel beside the map (never over the data), source and
// licence line, north arrow, scale bar, and equal aspect — gonum plot has no equal-aspect option,
// so the canvas height is set from the map's British National Grid extent.
package render

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb"
	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Layout constants (points).
const (
	legendWidth  = 5.2 * vg.Centimeter
	headerHeight = 1.6 * vg.Centimeter
	footerHeight = 1.3 * vg.Centimeter
	pad          = 0.3 * vg.Centimeter
	dpi          = 150
)

// Map is a map to draw.
type Map struct {
	Title, Subtitle string
	Source          string // attribution and licence lines, "\n"-separated
	Synthetic       bool   // draw a "SYNTHETIC DEMO DATA" banner
	WidthCm         float64
	Choropleth      *Choropleth
	Outlines        []Outlines
	Points          *Points
}

// Choropleth fills polygons by class.
type Choropleth struct {
	Polys       []orb.MultiPolygon
	Class       []int // index into Palette; -1 = no data
	Palette     []color.Color
	Labels      []string // legend text per class
	LegendTitle string
	NoDataLabel string // legend text for class -1; "" = "no data"
}

// Outlines draws polygon boundaries, optionally labelled.
type Outlines struct {
	Polys       []orb.MultiPolygon
	Labels      []string // optional, drawn at LabelAt
	LabelAt     []orb.Point
	Width       vg.Length
	Color       color.Color
	LegendLabel string
}

// PointStyle is how one category of points looks.
type PointStyle struct {
	Label string
	Shape draw.GlyphDrawer
	Size  vg.Length
	Fill  color.Color
}

// Points draws sites by category.
type Points struct {
	Pts      []orb.Point
	Category []int
	Styles   []PointStyle
	Numbers  []string // optional text beside each point
}

var noData color.Color = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}

// extent is the union bound of every layer, padded by 3%.
func (m *Map) extent() orb.Bound {
	var b orb.Bound
	first := true
	add := func(x orb.Bound) {
		if first {
			b, first = x, false
			return
		}
		b = b.Union(x)
	}
	if m.Choropleth != nil {
		for _, p := range m.Choropleth.Polys {
			add(p.Bound())
		}
	}
	for _, o := range m.Outlines {
		for _, p := range o.Polys {
			add(p.Bound())
		}
	}
	if m.Points != nil {
		for _, p := range m.Points.Pts {
			add(orb.Bound{Min: p, Max: p})
		}
	}
	dx, dy := (b.Max[0]-b.Min[0])*0.03, (b.Max[1]-b.Min[1])*0.03
	return orb.Bound{Min: orb.Point{b.Min[0] - dx, b.Min[1] - dy}, Max: orb.Point{b.Max[0] + dx, b.Max[1] + dy}}
}

// Size returns the canvas size: the map area is WidthCm wide and as tall as the extent's aspect
// requires, so a metre is a metre both ways; the legend panel, header and footer are added.
func (m *Map) Size() (w, h, mapW, mapH vg.Length) {
	e := m.extent()
	wcm := m.WidthCm
	if wcm == 0 {
		wcm = 16
	}
	mapW = vg.Length(wcm) * vg.Centimeter
	mapH = mapW * vg.Length((e.Max[1]-e.Min[1])/(e.Max[0]-e.Min[0]))
	return mapW + legendWidth + 2*pad, mapH + headerHeight + footerHeight + 2*pad, mapW, mapH
}

// NiceScale returns the scale bar length in metres: the largest 1, 2 or 5 x 10^n not above a
// fifth of the map width.
func NiceScale(widthM float64) float64 {
	target := widthM / 5
	if target <= 0 {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(target)))
	best := p
	for _, f := range []float64{1, 2, 5} {
		if f*p <= target {
			best = f * p
		}
	}
	return best
}

// Draw draws the map onto c.
func (m *Map) Draw(c draw.Canvas) {
	_, _, mapW, mapH := m.Size()
	e := m.extent()
	x0 := c.Min.X + pad
	y0 := c.Min.Y + pad + footerHeight
	sx := float64(mapW) / (e.Max[0] - e.Min[0])
	tr := func(p orb.Point) vg.Point {
		return vg.Point{X: x0 + vg.Length((p[0]-e.Min[0])*sx), Y: y0 + vg.Length((p[1]-e.Min[1])*sx)}
	}
	// background and frame
	frame := []vg.Point{{X: x0, Y: y0}, {X: x0 + mapW, Y: y0}, {X: x0 + mapW, Y: y0 + mapH}, {X: x0, Y: y0 + mapH}}
	c.FillPolygon(color.White, frame)
	if ch := m.Choropleth; ch != nil {
		for i, mp := range ch.Polys {
			col := noData
			if k := ch.Class[i]; k >= 0 && k < len(ch.Palette) {
				col = ch.Palette[k]
			}
			fillMulti(c, mp, tr, col)
			strokeMulti(c, mp, tr, draw.LineStyle{Color: color.Gray{0xff}, Width: 0.3})
		}
	}
	for _, o := range m.Outlines {
		for _, mp := range o.Polys {
			strokeMulti(c, mp, tr, draw.LineStyle{Color: o.Color, Width: o.Width})
		}
	}
	if pts := m.Points; pts != nil {
		for i, p := range pts.Pts {
			st := pts.Styles[pts.Category[i]]
			gs := draw.GlyphStyle{Color: st.Fill, Radius: st.Size, Shape: st.Shape}
			outline := draw.GlyphStyle{Color: color.Black, Radius: st.Size + 0.8, Shape: st.Shape}
			c.DrawGlyph(outline, tr(p))
			c.DrawGlyph(gs, tr(p))
		}
	}
	// labels last, each where it covers no marker, no map furniture and no other label
	for _, l := range m.layoutLabels(x0, y0) {
		if !l.dropped {
			haloText(c, l.at, l.text, l.size)
		}
	}
	c.StrokeLines(draw.LineStyle{Color: color.Gray{0x60}, Width: 0.6}, append(frame, frame[0]))
	// scale bar, bottom left inside the frame
	bar := NiceScale(e.Max[0] - e.Min[0])
	bx, by := scaleBarAt(x0, y0)
	blen := vg.Length(bar * sx)
	c.FillPolygon(color.Black, []vg.Point{{X: bx, Y: by}, {X: bx + blen/2, Y: by}, {X: bx + blen/2, Y: by + 3}, {X: bx, Y: by + 3}})
	c.FillPolygon(color.White, []vg.Point{{X: bx + blen/2, Y: by}, {X: bx + blen, Y: by}, {X: bx + blen, Y: by + 3}, {X: bx + blen/2, Y: by + 3}})
	c.StrokeLines(draw.LineStyle{Color: color.Black, Width: 0.5}, []vg.Point{{X: bx, Y: by}, {X: bx + blen, Y: by}, {X: bx + blen, Y: by + 3}, {X: bx, Y: by + 3}, {X: bx, Y: by}})
	haloText(c, vg.Point{X: bx + blen/2, Y: by + 9}, fmtKm(bar), 7)
	// north arrow, top right inside the frame
	ax, ay := northArrowAt(x0, y0, mapW, mapH)
	c.FillPolygon(color.Black, []vg.Point{{X: ax, Y: ay + 18}, {X: ax - 5, Y: ay}, {X: ax, Y: ay + 5}, {X: ax + 5, Y: ay}})
	haloText(c, vg.Point{X: ax, Y: ay + 24}, "N", 9)
	// header
	top := c.Max.Y - pad
	text(c, vg.Point{X: x0, Y: top - 14}, m.Title, 14, draw.XLeft, true)
	if m.Subtitle != "" {
		text(c, vg.Point{X: x0, Y: top - 30}, m.Subtitle, 9, draw.XLeft, false)
	}
	if m.Synthetic {
		text(c, vg.Point{X: c.Max.X - pad, Y: c.Min.Y + pad + footerHeight - 12}, "SYNTHETIC DEMO DATA: not a real place", 10, draw.XRight, true, color.RGBA{0xb2, 0x18, 0x2b, 0xff})
	}
	// footer
	for i, line := range strings.Split(m.Source, "\n") {
		text(c, vg.Point{X: x0, Y: c.Min.Y + pad + footerHeight - 10 - vg.Length(i)*9}, line, 6.5, draw.XLeft, false)
	}
	m.drawLegend(c, x0+mapW+pad, y0+mapH)
}

func (m *Map) drawLegend(c draw.Canvas, x, top vg.Length) {
	y := top - 10
	box := func(col color.Color, label string) {
		c.FillPolygon(col, []vg.Point{{X: x, Y: y}, {X: x + 12, Y: y}, {X: x + 12, Y: y + 8}, {X: x, Y: y + 8}})
		c.StrokeLines(draw.LineStyle{Color: color.Gray{0x80}, Width: 0.3}, []vg.Point{{X: x, Y: y}, {X: x + 12, Y: y}, {X: x + 12, Y: y + 8}, {X: x, Y: y + 8}, {X: x, Y: y}})
		text(c, vg.Point{X: x + 16, Y: y + 1}, label, 7.5, draw.XLeft, false)
		y -= 11
	}
	if ch := m.Choropleth; ch != nil {
		text(c, vg.Point{X: x, Y: y}, ch.LegendTitle, 8.5, draw.XLeft, true)
		y -= 13
		for i, col := range ch.Palette {
			l := ""
			if i < len(ch.Labels) {
				l = ch.Labels[i]
			}
			box(col, l)
		}
		for _, k := range ch.Class {
			if k < 0 {
				l := ch.NoDataLabel
				if l == "" {
					l = "no data"
				}
				box(noData, l)
				break
			}
		}
		y -= 6
	}
	for _, o := range m.Outlines {
		if o.LegendLabel == "" {
			continue
		}
		c.StrokeLines(draw.LineStyle{Color: o.Color, Width: o.Width}, []vg.Point{{X: x, Y: y + 4}, {X: x + 12, Y: y + 4}})
		text(c, vg.Point{X: x + 16, Y: y + 1}, o.LegendLabel, 7.5, draw.XLeft, false)
		y -= 11
	}
	if pts := m.Points; pts != nil {
		y -= 4
		used := make([]bool, len(pts.Styles))
		for _, k := range pts.Category {
			used[k] = true
		}
		for k, st := range pts.Styles {
			if !used[k] {
				continue // only what the map shows
			}
			c.DrawGlyph(draw.GlyphStyle{Color: color.Black, Radius: st.Size + 0.8, Shape: st.Shape}, vg.Point{X: x + 6, Y: y + 4})
			c.DrawGlyph(draw.GlyphStyle{Color: st.Fill, Radius: st.Size, Shape: st.Shape}, vg.Point{X: x + 6, Y: y + 4})
			text(c, vg.Point{X: x + 16, Y: y + 1}, st.Label, 7.5, draw.XLeft, false)
			y -= 13
		}
	}
}

func fmtKm(m float64) string {
	if m >= 1000 {
		return fmt.Sprintf("%g km", m/1000)
	}
	return fmt.Sprintf("%g m", m)
}

func ringPath(r orb.Ring, tr func(orb.Point) vg.Point) vg.Path {
	var p vg.Path
	for i, q := range r {
		if i == 0 {
			p.Move(tr(q))
		} else {
			p.Line(tr(q))
		}
	}
	p.Close()
	return p
}

// fillMulti fills each polygon with its holes: the rings go into one path, and the holes' opposite
// winding (GeoJSON outer rings counter-clockwise, holes clockwise) leaves them empty under the
// non-zero fill rule. Rings are re-oriented here so that holds for any input.
func fillMulti(c draw.Canvas, mp orb.MultiPolygon, tr func(orb.Point) vg.Point, col color.Color) {
	for _, poly := range mp {
		var path vg.Path
		for i, r := range poly {
			ring := r
			ccw := r.Orientation() == orb.CCW
			if (i == 0) != ccw {
				ring = reversed(r)
			}
			path = append(path, ringPath(ring, tr)...)
		}
		c.SetColor(col)
		c.Fill(path)
	}
}

func reversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i := range r {
		out[i] = r[len(r)-1-i]
	}
	return out
}

func strokeMulti(c draw.Canvas, mp orb.MultiPolygon, tr func(orb.Point) vg.Point, ls draw.LineStyle) {
	for _, poly := range mp {
		for _, r := range poly {
			pts := make([]vg.Point, len(r))
			for i, q := range r {
				pts[i] = tr(q)
			}
			c.StrokeLines(ls, pts)
		}
	}
}

func textStyle(size vg.Length, bold bool, col ...color.Color) draw.TextStyle {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	ts := draw.TextStyle{Color: color.Black, Font: font.From(f, size), Handler: plot.DefaultTextHandler}
	if len(col) > 0 {
		ts.Color = col[0]
	}
	return ts
}

func text(c draw.Canvas, p vg.Point, s string, size vg.Length, align draw.XAlignment, bold bool, col ...color.Color) {
	ts := textStyle(size, bold, col...)
	ts.XAlign = align
	c.FillText(ts, p, s)
}

// Drawer is anything drawn onto a canvas of a fixed size: a Map or a Chart.
type Drawer interface {
	CanvasSize() (w, h vg.Length)
	Draw(c draw.Canvas)
}

// CanvasSize implements Drawer.
func (m *Map) CanvasSize() (vg.Length, vg.Length) { w, h, _, _ := m.Size(); return w, h }

// Save writes pathNoExt.png (150 dpi) and pathNoExt.svg, each atomically.
func Save(d Drawer, pathNoExt string) error {
	if err := os.MkdirAll(filepath.Dir(pathNoExt), 0o755); err != nil {
		return err
	}
	w, h := d.CanvasSize()
	png := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))}
	d.Draw(draw.New(png))
	if err := writeAtomic(pathNoExt+".png", png); err != nil {
		return err
	}
	svg := vgsvg.New(w, h)
	d.Draw(draw.New(svg))
	return writeAtomic(pathNoExt+".svg", svg)
}

func writeAtomic(path string, wt io.WriterTo) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(f)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
