package hotspot

import (
	"fmt"
	"math"
	"testing"
)

// TestAnalysePlantedHotspot plants a block of high values and a block of low values in an
// otherwise patternless 20x20 grid and checks that Analyse finds them: the hotspot's interior
// is hot-99 after the FDR adjustment, the coldspot's interior cold-99, a far corner is not
// significant, and LISA puts the interiors in HH and LL with small pseudo p-values.
func TestAnalysePlantedHotspot(t *testing.T) {
	const rows, cols = 20, 20
	w, err := Queen(gridSquares(rows, cols), 0)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, rows*cols)
	for i := range x {
		r, c := i/cols, i%cols
		x[i] = float64((i*7919)%17) / 17 // background: 0..1, no spatial pattern
		if r >= 3 && r <= 7 && c >= 3 && c <= 7 {
			x[i] += 3 // hotspot block rows/cols 3..7
		}
		if r >= 12 && r <= 16 && c >= 12 && c <= 16 {
			x[i] -= 3 // coldspot block rows/cols 12..16
		}
	}
	res, err := Analyse(x, w, Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Islands) != 0 {
		t.Fatalf("islands %v in a full grid", res.Islands)
	}
	at := func(r, c int) Unit { return res.Units[r*cols+c] }
	for r := 4; r <= 6; r++ {
		for c := 4; c <= 6; c++ {
			if u := at(r, c); u.Class != Hot99 || u.LisaQuadrant != HH || !(u.LisaP <= 0.01) {
				t.Errorf("hotspot cell (%d,%d): %+v", r, c, u)
			}
			if u := at(r+9, c+9); u.Class != Cold99 || u.LisaQuadrant != LL || !(u.LisaP <= 0.01) {
				t.Errorf("coldspot cell (%d,%d): %+v", r+9, c+9, u)
			}
		}
	}
	if u := at(18, 1); u.Class != NotSignificant {
		t.Errorf("far corner cell: %+v", u)
	}
	for i, u := range res.Units {
		if u.PFDR < u.PValue {
			t.Fatalf("unit %d: adjusted p %v below raw p %v", i, u.PFDR, u.PValue)
		}
	}
	total := 0
	for _, n := range res.ClassCounts {
		total += n
	}
	if total != rows*cols || res.ClassCounts[Hot99] < 9 || res.ClassCounts[Cold99] < 9 {
		t.Errorf("class counts %v", res.ClassCounts)
	}

	// SkipFDR classifies on raw p and leaves PFDR empty; never fewer significant units.
	raw, err := Analyse(x, w, Options{SkipFDR: true, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	sig := func(r Result) int { return len(x) - r.ClassCounts[NotSignificant] }
	if !math.IsNaN(raw.Units[0].PFDR) || sig(raw) < sig(res) {
		t.Errorf("SkipFDR: PFDR %v, %d significant vs %d with FDR", raw.Units[0].PFDR, sig(raw), sig(res))
	}
}

func TestAnalyseIslandsReported(t *testing.T) {
	polys := append(gridSquares(2, 2), square(10, 10, 1))
	w, err := Queen(polys, 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Analyse([]float64{1, 2, 3, 4, 5}, w, Options{Permutations: 99})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Islands) != "[4]" || res.ClassCounts[ClassIsland] != 1 {
		t.Fatalf("islands %v, counts %v", res.Islands, res.ClassCounts)
	}
	u := res.Units[4]
	if u.Class != ClassIsland || u.LisaQuadrant != QuadrantIsland || !math.IsNaN(u.GiStarZ) || !math.IsNaN(u.PFDR) || !math.IsNaN(u.LisaI) {
		t.Errorf("island row %+v", u)
	}
	if _, err := Analyse([]float64{1, 2}, w, Options{}); err == nil {
		t.Error("length mismatch accepted")
	}
}
