package render

import (
	"bytes"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

func TestNiceScale(t *testing.T) {
	// Rule: the largest 1, 2 or 5 x 10^n metres not above a fifth of the map width.
	cases := []struct{ width, want float64 }{
		{7300, 1000},    // 1,460 m -> 1 km
		{12000, 2000},   // 2,400 m -> 2 km
		{30000, 5000},   // 6,000 m -> 5 km
		{26000, 5000},   // 5,200 m -> 5 km
		{2400, 200},     // 480 m -> 200 m
		{100000, 20000}, // 20 km exactly
	}
	for _, c := range cases {
		if got := NiceScale(c.width); got != c.want {
			t.Errorf("NiceScale(%v) = %v, want %v", c.width, got, c.want)
		}
	}
}

func square(x, y, s float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}}}
}

func testMap() *Map {
	hole := orb.MultiPolygon{{
		{{10000, 0}, {20000, 0}, {20000, 10000}, {10000, 10000}, {10000, 0}},
		{{13000, 3000}, {13000, 7000}, {17000, 7000}, {17000, 3000}, {13000, 3000}},
	}}
	return &Map{
		Title: "Test", Source: "source line", WidthCm: 10,
		Choropleth: &Choropleth{Polys: []orb.MultiPolygon{square(0, 0, 10000), hole}, Class: []int{0, -1},
			Palette: IDACIDecile()[:2], Labels: []string{"one", "two"}, LegendTitle: "classes"},
		Outlines: []Outlines{{Polys: []orb.MultiPolygon{square(0, 0, 20000)}, Width: 1, Color: color.Black, LegendLabel: "outline"}},
		Points: &Points{Pts: []orb.Point{{5000, 5000}}, Category: []int{0},
			Styles: []PointStyle{{Label: "hub", Shape: draw.BoxGlyph{}, Size: 4, Fill: color.Black}}},
	}
}

// A metre is a metre both ways: the map area's aspect is the extent's (the extent is padded by
// 3% each way, which keeps the ratio).
func TestEqualAspect(t *testing.T) {
	m := testMap() // extent 20 km x 10 km (the outline square is 20 km x 20 km: use a wide one)
	m.Outlines[0].Polys = []orb.MultiPolygon{{{{{0, 0}, {20000, 0}, {20000, 10000}, {0, 10000}, {0, 0}}}}}
	_, _, w, h := m.Size()
	if math.Abs(float64(w/h)-2) > 1e-9 {
		t.Errorf("map area %v x %v, want 2:1", w, h)
	}
	if w != 10*vg.Centimeter {
		t.Errorf("map width %v, want 10 cm", w)
	}
}

// Rendering is deterministic, and writes both formats.
func TestSaveDeterministic(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a", "b"} {
		if err := Save(testMap(), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, ext := range []string{".png", ".svg"} {
		a, _ := os.ReadFile(filepath.Join(dir, "a"+ext))
		b, _ := os.ReadFile(filepath.Join(dir, "b"+ext))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: %d bytes, identical %v", ext, len(a), bytes.Equal(a, b))
		}
	}
	p, err := Bars(BarsOptions{Labels: []string{"1", "2"}, Values: []float64{3, 5}, ValueFormat: "%.0f"})
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(&Chart{Title: "t", Source: "s", Synthetic: true, Plot: p}, filepath.Join(dir, "chart")); err != nil {
		t.Fatal(err)
	}
}
