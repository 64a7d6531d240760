package hotspot

import (
	"math"
	"strings"
	"testing"
)

// bh1995 are the 15 p-values of the worked example in Benjamini and Hochberg (1995), section
// 4.1 (a study of myocardial infarction treatment), sorted ascending as printed in the paper.
var bh1995 = []float64{0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
	0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000}

// TestBenjaminiHochbergPaperExample checks the adjusted p-values of the paper's example. The
// paper reports that at q = 0.05 the procedure rejects the four smallest (p_(4) = 0.0095 <=
// 4/15*0.05 = 0.0133, while p_(5) = 0.0201 > 5/15*0.05 = 0.0167), against three for Bonferroni.
//
// Adjusted values by hand, m = 15: m*p_(i)/i for i = 1..15 is
//
//	0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.0695, 0.0638571..., 0.0645, 0.0765,
//	0.486, 0.5811818..., 0.714875, 0.7532307..., 0.8132142..., 1
//
// and the running minimum from the top changes only rank 6 (0.0695 -> 0.0638571..., from
// rank 7). R's p.adjust(p, "BH") gives the same (checked by TestAgainstSpdep when R is present).
func TestBenjaminiHochbergPaperExample(t *testing.T) {
	want := []float64{0.0015, 0.003, 0.0095, 0.035625, 0.0603, 15 * 0.0298 / 7, 15 * 0.0298 / 7,
		0.0645, 0.0765, 0.486, 15 * 0.4262 / 11, 0.714875, 15 * 0.6528 / 13, 15 * 0.7590 / 14, 1}
	got, err := BenjaminiHochberg(bh1995)
	if err != nil {
		t.Fatal(err)
	}
	rejected := 0
	for i := range want {
		if !near(got[i], want[i], 1e-12) {
			t.Errorf("rank %d (p = %v): adjusted %v, want %v", i+1, bh1995[i], got[i], want[i])
		}
		if got[i] <= 0.05 {
			rejected++
		}
	}
	if rejected != 4 {
		t.Errorf("%d rejected at q = 0.05, the paper rejects 4", rejected)
	}

	// Input order must not matter: reverse, interleave NaNs (islands), and compare.
	var shuffled []float64
	for i := len(bh1995) - 1; i >= 0; i-- {
		shuffled = append(shuffled, bh1995[i], math.NaN())
	}
	got2, err := BenjaminiHochberg(shuffled)
	if err != nil {
		t.Fatal(err)
	}
	for k := range shuffled {
		if k%2 == 1 {
			if !math.IsNaN(got2[k]) {
				t.Errorf("NaN input %d became %v", k, got2[k])
			}
			continue
		}
		rank := len(bh1995) - 1 - k/2
		if !near(got2[k], want[rank], 1e-12) {
			t.Errorf("shuffled entry %d (p = %v): %v, want %v", k, shuffled[k], got2[k], want[rank])
		}
	}
}

// TestBenjaminiHochbergSmall covers ties and the cap at 1 with small hand-worked lists.
func TestBenjaminiHochbergSmall(t *testing.T) {
	cases := []struct {
		name    string
		p, want []float64
	}{
		// m = 4, all equal: m*p/i is 0.16, 0.08, 0.0533, 0.04; running min from the top gives
		// 0.04 for every rank.
		{"ties", []float64{0.04, 0.04, 0.04, 0.04}, []float64{0.04, 0.04, 0.04, 0.04}},
		// m = 3, sorted 0.01, 0.02, 0.9: 0.03, 0.03, 0.9; unsorted input keeps its order.
		{"unsorted", []float64{0.9, 0.01, 0.02}, []float64{0.9, 0.03, 0.03}},
		// m = 2: 2*0.6/1 = 1.2 would exceed 1; 2*0.7/2 = 0.7 is the running minimum anyway.
		{"cap", []float64{0.6, 0.7}, []float64{0.7, 0.7}},
		// m = 1 leaves p alone.
		{"single", []float64{0.3}, []float64{0.3}},
		{"empty", nil, []float64{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BenjaminiHochberg(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("len = %d, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if !near(got[i], tc.want[i], 1e-12) {
					t.Errorf("entry %d: %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
	if _, err := BenjaminiHochberg([]float64{0.1, 1.2}); err == nil || !strings.Contains(err.Error(), "p-value 1 is 1.2") {
		t.Errorf("p > 1: err = %v", err)
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		z, p float64
		want Class
	}{
		{3.1, 0.002, Hot99},
		{2.3, 0.01, Hot99}, // boundaries are inclusive
		{2.1, 0.03, Hot95},
		{1.7, 0.09, Hot90},
		{1.5, 0.13, NotSignificant},
		{-3.1, 0.002, Cold99},
		{-2.1, 0.05, Cold95},
		{-1.7, 0.10, Cold90},
		{-0.2, 0.84, NotSignificant},
		{0, 1, NotSignificant},
		{math.NaN(), math.NaN(), ClassIsland},
	}
	for _, tc := range cases {
		if got := Classify(tc.z, tc.p); got != tc.want {
			t.Errorf("Classify(%v, %v) = %q, want %q", tc.z, tc.p, got, tc.want)
		}
	}
}
