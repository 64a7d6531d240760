package render

import (
	"image/color"
	"testing"

	"github.com/paulmach/orb"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A ward label whose anchor is a hub site (Rotherham's hubs stand on the ONS ward label points),
// two wards whose labels share a point, and a site's own label: none may cover a marker or another
// label, and every label stays inside the map frame and near its anchor.
func TestLabelsAvoidMarkersAndEachOther(t *testing.T) {
	m := &Map{Title: "t", WidthCm: 10,
		Outlines: []Outlines{{Polys: []orb.MultiPolygon{square(0, 0, 20000)}, Width: 1, Color: color.Black,
			Labels:  []string{"Rotherham East", "Barleythorpe", "Oakham North East"},
			LabelAt: []orb.Point{{10000, 10000}, {5000, 5000}, {5000, 5000}}}},
		Points: &Points{Pts: []orb.Point{{10000, 10000}, {15000, 15000}}, Category: []int{0, 0},
			Styles:  []PointStyle{{Label: "hub", Shape: draw.BoxGlyph{}, Size: 6, Fill: color.Black}},
			Numbers: []string{"", "1 Village Hall"}},
	}
	x0, y0 := vg.Length(0), vg.Length(0)
	_, _, mapW, mapH := m.Size()
	got := m.layoutLabels(x0, y0)
	if len(got) != 4 {
		t.Fatalf("%d labels placed, want 4", len(got))
	}
	sx := float64(mapW) / (m.extent().Max[0] - m.extent().Min[0])
	e := m.extent()
	at := func(p orb.Point) vg.Point {
		return vg.Point{X: vg.Length((p[0] - e.Min[0]) * sx), Y: vg.Length((p[1] - e.Min[1]) * sx)}
	}
	markers := []rect{around(at(orb.Point{10000, 10000}), 6.8, 6.8), around(at(orb.Point{15000, 15000}), 6.8, 6.8)}
	frame := rect{0, 0, mapW, mapH}
	var boxes []rect
	for _, l := range got {
		if l.dropped {
			t.Errorf("%q dropped: there is room for it", l.text)
			continue
		}
		b := labelBox(l.text, l.size, l.at)
		for _, mk := range markers {
			if b.overlaps(mk) {
				t.Errorf("%q at %v covers a marker %v", l.text, b, mk)
			}
		}
		for _, o := range boxes {
			if b.overlaps(o) {
				t.Errorf("%q at %v overlaps another label %v", l.text, b, o)
			}
		}
		if !b.inside(frame) {
			t.Errorf("%q at %v is outside the frame", l.text, b)
		}
		boxes = append(boxes, b)
	}
	// the site's label sits to the right of its marker, as a reader looks for it
	if l := got[0]; l.text != "1 Village Hall" || l.at.X <= at(orb.Point{15000, 15000}).X || l.at.Y != at(orb.Point{15000, 15000}).Y {
		t.Errorf("site label %q at %v, want it right of its marker at %v", l.text, l.at, at(orb.Point{15000, 15000}))
	}
	// the first of two labels at one point keeps the point; the second moves just above it
	if got[2].at != at(orb.Point{5000, 5000}) {
		t.Errorf("Barleythorpe moved to %v though its anchor %v was free", got[2].at, at(orb.Point{5000, 5000}))
	}
	if d := got[3].at.Y - got[2].at.Y; got[3].at.X != got[2].at.X || d <= 0 || d > 20 {
		t.Errorf("Oakham North East at %v, want just above Barleythorpe at %v", got[3].at, got[2].at)
	}
	if len(m.DroppedLabels()) != 0 {
		t.Errorf("dropped %v", m.DroppedLabels())
	}
}

// A label with no free place at full size is shrunk; with none even shrunk it is dropped and
// listed, never drawn over a marker.
func TestLabelShrinkThenDrop(t *testing.T) {
	frame := rect{0, 0, 100, 100}
	long := labelRequest{text: "A rather long ward name", anchor: vg.Point{X: 50, Y: 50}, size: 6, onAnchor: true}
	w6 := labelBox(long.text, 6, vg.Point{}).maxX * 2
	w5 := labelBox(long.text, 6*shrinkRatio, vg.Point{}).maxX * 2
	// a frame just wide enough for the shrunk label
	narrow := rect{50 - (w5+w6)/4, 0, 50 + (w5+w6)/4, 100}
	if got := placeLabels([]labelRequest{long}, nil, narrow)[0]; got.dropped || got.size > 5 {
		t.Errorf("in a frame %v wide (label %v at full size, %v shrunk): got %+v, want it shrunk", narrow.maxX-narrow.minX, w6, w5, got)
	}
	// everything around the anchor taken
	if got := placeLabels([]labelRequest{long}, []rect{frame}, frame)[0]; !got.dropped {
		t.Errorf("with no free place: got %+v, want dropped", got)
	}
}
