package render

import (
	"image/color"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Label placement. Ward names are anchored at each ward's interior point, and hub sites are often
// placed at the same point (Rotherham's hubs sit at the ONS ward label points), so a label drawn
// at its anchor can vanish under a marker or under its neighbour's label. Each label instead takes
// the first of a fixed list of candidate positions around its anchor (at the anchor, then above,
// below, right and left of it, clear of the largest marker, then the corners, then further out)
// that lies inside the map frame and overlaps no marker, no furniture (scale bar, north arrow) and
// no label already placed. Only when no candidate is free at full size is the label shrunk, and
// only when none is free shrunk is it left off. Labels are placed in the order given, so the
// layout is deterministic.

// rect is an axis-aligned box in canvas points.
type rect struct{ minX, minY, maxX, maxY vg.Length }

func (a rect) overlaps(b rect) bool {
	return a.minX < b.maxX && b.minX < a.maxX && a.minY < b.maxY && b.minY < a.maxY
}

func (a rect) inside(b rect) bool {
	return a.minX >= b.minX && a.maxX <= b.maxX && a.minY >= b.minY && a.maxY <= b.maxY
}

func around(p vg.Point, halfW, halfH vg.Length) rect {
	return rect{p.X - halfW, p.Y - halfH, p.X + halfW, p.Y + halfH}
}

// labelRequest is one label to place: text, anchor, font size, and whether it may sit on its
// anchor (an area label may; a point's own label goes beside its marker, clear by radius).
type labelRequest struct {
	text     string
	anchor   vg.Point
	size     vg.Length
	onAnchor bool
	radius   vg.Length // clearance around the anchor for the off-anchor candidates
}

// placedLabel is where a label went: its centre and the size drawn at; dropped when no candidate
// was free even shrunk.
type placedLabel struct {
	text    string
	at      vg.Point
	size    vg.Length
	dropped bool
}

const (
	labelGap    = 1.5 // points between a label's box and a marker or another label
	haloRadius  = 0.9 // points of white around each glyph
	shrinkRatio = 0.8 // a label that fits nowhere is tried once more at this fraction of its size
)

// labelBox is the box a label of this size occupies when centred at p, halo included.
func labelBox(s string, size vg.Length, p vg.Point) rect {
	ts := textStyle(size, false)
	return around(p, ts.Width(s)/2+haloRadius, ts.Height(s)/2+haloRadius)
}

// candidates lists the centres to try for a label of half-size hw x hh, in order of preference.
func candidates(r labelRequest, hw, hh vg.Length) []vg.Point {
	a := r.anchor
	d := r.radius + labelGap
	dx, dy := d+hw, d+hh
	cx, cy := 0.7*d+hw, 0.7*d+hh // corners: the box's corner just clear of a round marker
	offs := []vg.Point{
		{X: 0, Y: dy}, {X: 0, Y: -dy}, {X: dx, Y: 0}, {X: -dx, Y: 0},
		{X: cx, Y: cy}, {X: -cx, Y: cy}, {X: cx, Y: -cy}, {X: -cx, Y: -cy},
		{X: 0, Y: dy + 2*hh + labelGap}, {X: 0, Y: -dy - 2*hh - labelGap},
	}
	out := make([]vg.Point, 0, len(offs)+1)
	if r.onAnchor {
		out = append(out, a)
	} else {
		// a point's own label: right of the marker first, as a reader looks for it
		offs[0], offs[2] = offs[2], offs[0]
		offs[1], offs[3] = offs[3], offs[1]
	}
	for _, o := range offs {
		out = append(out, a.Add(o))
	}
	return out
}

// placeLabels places each request in turn, avoiding the obstacles (markers, furniture) and the
// labels placed before it, inside frame.
func placeLabels(reqs []labelRequest, obstacles []rect, frame rect) []placedLabel {
	taken := append([]rect(nil), obstacles...)
	out := make([]placedLabel, len(reqs))
	for i, r := range reqs {
		out[i] = placedLabel{text: r.text, dropped: true}
		for _, size := range []vg.Length{r.size, r.size * shrinkRatio} {
			if p, box, ok := firstFree(r, size, taken, frame); ok {
				out[i] = placedLabel{text: r.text, at: p, size: size}
				taken = append(taken, box)
				break
			}
		}
	}
	return out
}

func firstFree(r labelRequest, size vg.Length, taken []rect, frame rect) (vg.Point, rect, bool) {
	b0 := labelBox(r.text, size, vg.Point{})
	hw, hh := b0.maxX, b0.maxY
	for _, p := range candidates(r, hw, hh) {
		box := around(p, hw, hh)
		if !box.inside(frame) {
			continue
		}
		free := true
		for _, t := range taken {
			if box.overlaps(rect{t.minX - labelGap, t.minY - labelGap, t.maxX + labelGap, t.maxY + labelGap}) {
				free = false
				break
			}
		}
		if free {
			return p, box, true
		}
	}
	return vg.Point{}, rect{}, false
}

// haloText draws small text centred at p with a white halo: the text drawn in white at offsets
// around each glyph, then in black on top, so it reads over any fill without hiding the fill
// behind a box.
func haloText(c draw.Canvas, p vg.Point, s string, size vg.Length) {
	ts := textStyle(size, false)
	ts.XAlign, ts.YAlign = draw.XCenter, draw.YCenter
	halo := ts
	halo.Color = color.White
	for _, o := range haloOffsets {
		c.FillText(halo, p.Add(vg.Point{X: o.X * haloRadius, Y: o.Y * haloRadius}), s)
	}
	c.FillText(ts, p, s)
}

// haloOffsets are unit offsets in 16 directions (and half-way in 8), which fill a round halo at
// the sizes maps use.
var haloOffsets = []vg.Point{
	{X: 1, Y: 0}, {X: 0.924, Y: 0.383}, {X: 0.707, Y: 0.707}, {X: 0.383, Y: 0.924},
	{X: 0, Y: 1}, {X: -0.383, Y: 0.924}, {X: -0.707, Y: 0.707}, {X: -0.924, Y: 0.383},
	{X: -1, Y: 0}, {X: -0.924, Y: -0.383}, {X: -0.707, Y: -0.707}, {X: -0.383, Y: -0.924},
	{X: 0, Y: -1}, {X: 0.383, Y: -0.924}, {X: 0.707, Y: -0.707}, {X: 0.924, Y: -0.383},
	{X: 0.5, Y: 0}, {X: 0.354, Y: 0.354}, {X: 0, Y: 0.5}, {X: -0.354, Y: 0.354},
	{X: -0.5, Y: 0}, {X: -0.354, Y: -0.354}, {X: 0, Y: -0.5}, {X: 0.354, Y: -0.354},
}

// scaleBarAt and northArrowAt give the map furniture's reference points for a map area whose
// lower left corner is (x0, y0); furnitureBoxes gives the boxes labels keep clear of.
func scaleBarAt(x0, y0 vg.Length) (vg.Length, vg.Length) { return x0 + 8, y0 + 10 }

func northArrowAt(x0, y0, mapW, mapH vg.Length) (vg.Length, vg.Length) {
	return x0 + mapW - 14, y0 + mapH - 30
}

func (m *Map) furnitureBoxes(x0, y0 vg.Length) []rect {
	_, _, mapW, mapH := m.Size()
	e := m.extent()
	bx, by := scaleBarAt(x0, y0)
	blen := vg.Length(NiceScale(e.Max[0]-e.Min[0]) * float64(mapW) / (e.Max[0] - e.Min[0]))
	ax, ay := northArrowAt(x0, y0, mapW, mapH)
	return []rect{
		{bx - 2, by - 2, bx + blen + 2, by + 15}, // bar and its "2 km"
		{ax - 8, ay - 2, ax + 8, ay + 30},        // arrow and its "N"
	}
}

// markerHalf is half the side of the square that holds a point marker with its black outline.
func markerHalf(st PointStyle) vg.Length {
	r := st.Size + 0.8
	if _, ok := st.Shape.(draw.PyramidGlyph); ok {
		return 1.25 * r // the pyramid's apex stands 1.25 radii above its point
	}
	return r
}

// layoutLabels places the map's labels for a map area whose lower left corner is (x0, y0): the
// points' own labels (Points.Numbers) first, beside their markers, then the outline labels (ward
// names) at or around their anchors.
func (m *Map) layoutLabels(x0, y0 vg.Length) []placedLabel {
	_, _, mapW, mapH := m.Size()
	e := m.extent()
	sx := float64(mapW) / (e.Max[0] - e.Min[0])
	tr := func(x, y float64) vg.Point {
		return vg.Point{X: x0 + vg.Length((x-e.Min[0])*sx), Y: y0 + vg.Length((y-e.Min[1])*sx)}
	}
	obstacles := m.furnitureBoxes(x0, y0)
	var reqs []labelRequest
	var maxHalf vg.Length
	if pts := m.Points; pts != nil {
		for i, p := range pts.Pts {
			st := pts.Styles[pts.Category[i]]
			h := markerHalf(st)
			maxHalf = max(maxHalf, h)
			at := tr(p[0], p[1])
			obstacles = append(obstacles, around(at, h, h))
			if i < len(pts.Numbers) && pts.Numbers[i] != "" {
				reqs = append(reqs, labelRequest{text: pts.Numbers[i], anchor: at, size: 8, radius: h})
			}
		}
	}
	for _, o := range m.Outlines {
		for i, l := range o.Labels {
			if l == "" || i >= len(o.LabelAt) {
				continue
			}
			reqs = append(reqs, labelRequest{text: l, anchor: tr(o.LabelAt[i][0], o.LabelAt[i][1]), size: 6, onAnchor: true, radius: maxHalf})
		}
	}
	return placeLabels(reqs, obstacles, rect{x0, y0, x0 + mapW, y0 + mapH})
}

// DroppedLabels lists the labels that found no free place even shrunk and are left off the map,
// so the caller can say so.
func (m *Map) DroppedLabels() []string {
	var out []string
	for _, l := range m.layoutLabels(pad, pad+footerHeight) {
		if l.dropped {
			out = append(out, l.text)
		}
	}
	return out
}
