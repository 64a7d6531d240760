package render

import (
	"image/color"
	"math"
	"testing"
)

// Published test pairs from Sharma, Wu and Dalal (2005), table 1 (pairs 1, 2, 7, 17, 19, 25, 31, 34).
func TestDeltaE2000Sharma(t *testing.T) {
	cases := []struct {
		l1, l2 [3]float64
		want   float64
	}{
		{[3]float64{50, 2.6772, -79.7751}, [3]float64{50, 0, -82.7485}, 2.0425},
		{[3]float64{50, 3.1571, -77.2803}, [3]float64{50, 0, -82.7485}, 2.8615},
		{[3]float64{50, 0, 0}, [3]float64{50, -1, 2}, 2.3669},
		{[3]float64{50, 2.5, 0}, [3]float64{73, 25, -18}, 27.1492},
		{[3]float64{50, 2.5, 0}, [3]float64{50, 3.1736, 0.5854}, 1.0000},
		{[3]float64{60.2574, -34.0099, 36.2677}, [3]float64{60.4626, -34.1751, 39.4387}, 1.2644},
		{[3]float64{22.7233, 20.0904, -46.6940}, [3]float64{23.0331, 14.9730, -42.5619}, 2.0373},
		{[3]float64{90.8027, -2.0831, 1.4410}, [3]float64{91.1528, -1.6435, 0.0447}, 1.4441},
	}
	for _, c := range cases {
		for _, pair := range [][2][3]float64{{c.l1, c.l2}, {c.l2, c.l1}} { // symmetric
			if got := deltaE2000(pair[0], pair[1]); math.Abs(got-c.want) > 1e-4 {
				t.Errorf("deltaE2000(%v, %v) = %.4f, want %.4f", pair[0], pair[1], got, c.want)
			}
		}
	}
}

// sRGB to CIELAB against published values (D65): white, black, and the sRGB primaries.
func TestCIELab(t *testing.T) {
	cases := []struct {
		c    color.Color
		want [3]float64
	}{
		{color.White, [3]float64{100, 0, 0}},
		{color.Black, [3]float64{0, 0, 0}},
		{color.RGBA{0xff, 0, 0, 0xff}, [3]float64{53.24, 80.09, 67.20}},
		{color.RGBA{0, 0xff, 0, 0xff}, [3]float64{87.73, -86.18, 83.18}},
		{color.RGBA{0, 0, 0xff, 0xff}, [3]float64{32.30, 79.19, -107.86}},
	}
	for _, c := range cases {
		got := cieLab(c.c)
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 0.02 {
				t.Errorf("cieLab(%v) = %.2f, want %v", c.c, got, c.want)
				break
			}
		}
	}
}

// Every pair of adjacent classes is at least 10 CIEDE2000 units apart, and lightness runs one way
// (sequential) or falls away from a light centre (diverging), so the classes read in order.
func TestPaletteSteps(t *testing.T) {
	cases := []struct {
		name    string
		pal     []color.Color
		n       int
		centre  int // -1: sequential
		minStep float64
	}{
		{"IDACIDecile", IDACIDecile(), 10, -1, 10},
		{"TravelTime8", TravelTime8(), 8, -1, 10},
		{"Diverging7", Diverging7(), 7, 3, 10},
	}
	for _, c := range cases {
		if len(c.pal) != c.n {
			t.Errorf("%s: %d classes, want %d", c.name, len(c.pal), c.n)
			continue
		}
		for i := 0; i+1 < len(c.pal); i++ {
			a, b := cieLab(c.pal[i]), cieLab(c.pal[i+1])
			if d := deltaE2000(a, b); d < c.minStep {
				t.Errorf("%s: classes %d and %d differ by %.1f CIEDE2000 units, want at least %v", c.name, i+1, i+2, d, c.minStep)
			}
			lighter := b[0] > a[0]
			if want := c.centre < 0 && cieLab(c.pal[0])[0] < cieLab(c.pal[c.n-1])[0] || c.centre >= 0 && i < c.centre; lighter != want {
				t.Errorf("%s: lightness of classes %d and %d (%.0f, %.0f) breaks the order", c.name, i+1, i+2, a[0], b[0])
			}
		}
	}
	// The 90% classes stand clear of "not significant", well beyond the adjacent-class minimum.
	d := Diverging7()
	for _, k := range []int{2, 4} {
		if got := deltaE2000(cieLab(d[k]), cieLab(d[3])); got < 20 {
			t.Errorf("Diverging7: class %d is %.1f CIEDE2000 units from not significant, want at least 20", k+1, got)
		}
	}
}

// Bars in the palest IDACI decile (10, #fffcf2) are outlined; the darkest (1) are not.
func TestPaleBarsOutlined(t *testing.T) {
	cols := IDACIDecile()
	if !pale(cols[9]) || pale(cols[0]) || pale(color.RGBA{0xbd, 0xbd, 0xbd, 0xff}) {
		t.Errorf("pale: decile 10 %v, decile 1 %v, grey #bdbdbd %v; want true, false, false", pale(cols[9]), pale(cols[0]), pale(color.RGBA{0xbd, 0xbd, 0xbd, 0xff}))
	}
}
