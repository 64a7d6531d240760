package hotspot

import (
	"math"
	"strings"
	"testing"
)

// TestGiStarGrid3x3 checks Gi* on a 3x3 grid of unit squares with queen weights (built from
// the geometry by Queen) against values worked out by hand.
//
// Cells are numbered row-major (cell k at column k%3, row k/3):
//
//	0 1 2
//	3 4 5
//	6 7 8
//
// Queen neighbourhoods including the cell itself (the "star", self weight 1, binary weights):
// a corner has 4 cells, an edge cell 6, the centre all 9. So W_i = S1_i = 4, 6 or 9.
//
// x = 3 0 7 / 1 4 9 / 2 8 5, n = 9:
//
//	sum x = 39, xbar = 13/3; sum x^2 = 249, so sum (x-xbar)^2 = 249 - 9*(13/3)^2 = 80 and
//	S^2 = 80/9 (population variance), S = sqrt(80)/3.
//
// Corner 0, star {0,1,3,4}: sum = 3+0+1+4 = 8, W = 4, numerator = 8 - 4*13/3 = -28/3;
//
//	n*S1 - W^2 = 36 - 16 = 20, /(n-1) = 2.5; denominator = S*sqrt(2.5) = sqrt(200)/3;
//	z = -28/sqrt(200) = -1.9798989873...
//
// Corner 6, star {3,4,6,7}: sum = 1+4+2+8 = 15, numerator = 15 - 52/3 = -7/3, z = -7/sqrt(200).
//
// Edge 5, star {1,2,4,5,7,8}: sum = 0+7+4+9+8+5 = 33, W = 6, numerator = 33 - 26 = 7;
//
//	n*S1 - W^2 = 54 - 36 = 18, /8 = 2.25; denominator = S*1.5 = sqrt(80)/2;
//	z = 14/sqrt(80) = 1.5652475842...
//
// Edge 1, star {0,1,2,3,4,5}: sum = 3+0+7+1+4+9 = 24, numerator = 24 - 26 = -2, z = -4/sqrt(80).
//
// Centre 4, star = all 9 cells: sum = 39 = xbar*W exactly, and n*S1 - W^2 = 81 - 81 = 0: the
// local sum cannot vary, so GiStar reports z = 0, p = 1 (documented special case).
//
// The second vector x = 1..9 (xbar = 5, sum (x-xbar)^2 = 60, S^2 = 20/3) gives corner 0:
// (1+2+4+5) - 20 = -8, z = -8/sqrt(20/3*2.5) = -8/sqrt(50/3); edge 1: 21 - 30 = -9,
// z = -9/(sqrt(20/3)*1.5) = -9/sqrt(15); edge 3: (1+2+4+5+7+8) - 30 = -3, z = -3/sqrt(15);
// corner 8: 28 - 20 = 8, z = 8/sqrt(50/3).
func TestGiStarGrid3x3(t *testing.T) {
	w, err := Queen(gridSquares(3, 3), 0)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		x    []float64
		want map[int]float64 // cell -> hand-worked z
	}{
		{"3 0 7 / 1 4 9 / 2 8 5", []float64{3, 0, 7, 1, 4, 9, 2, 8, 5}, map[int]float64{
			0: -28 / math.Sqrt(200),
			6: -7 / math.Sqrt(200),
			5: 14 / math.Sqrt(80),
			1: -4 / math.Sqrt(80),
			4: 0,
		}},
		{"1..9", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, map[int]float64{
			0: -8 / math.Sqrt(50.0/3),
			1: -9 / math.Sqrt(15),
			3: -3 / math.Sqrt(15),
			8: 8 / math.Sqrt(50.0/3),
			4: 0,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := GiStar(tc.x, w)
			if err != nil {
				t.Fatal(err)
			}
			for cell, z := range tc.want {
				if !near(got.Z[cell], z, 1e-9) {
					t.Errorf("cell %d: z = %.12f, want %.12f", cell, got.Z[cell], z)
				}
				// Two-sided normal p from the complementary error function:
				// 2*(1-Phi(|z|)) = erfc(|z|/sqrt 2).
				if p := math.Erfc(math.Abs(z) / math.Sqrt2); !near(got.P[cell], p, 1e-12) {
					t.Errorf("cell %d: p = %.15f, want erfc(|z|/sqrt2) = %.15f", cell, got.P[cell], p)
				}
			}
		})
	}
	// Known normal quantiles: z = 1.959963984540054 has two-sided p = 0.05.
	if p := twoSidedP(-1.959963984540054); !near(p, 0.05, 1e-12) {
		t.Errorf("twoSidedP(-1.96) = %v, want 0.05", p)
	}
	if p := twoSidedP(2.5758293035489004); !near(p, 0.01, 1e-12) {
		t.Errorf("twoSidedP(2.576) = %v, want 0.01", p)
	}
}

// TestGiStarWeighted checks the general-weight form of the formula on a hand example: three
// units in a line, 0 - 1 - 2, with weights w01 = w10 = 2 and w12 = w21 = 0.5, x = (1, 2, 6).
//
//	n = 3, xbar = 3, sum (x-xbar)^2 = 4+1+9 = 14, S = sqrt(14/3).
//
// Unit 0: star weights {self 1, unit 1: 2}: sum w x = 1 + 4 = 5, W = 3, S1 = 1 + 4 = 5;
//
//	numerator = 5 - 9 = -4; n*S1 - W^2 = 15 - 9 = 6, /(n-1) = 3;
//	z = -4 / (sqrt(14/3)*sqrt(3)) = -4/sqrt(14).
//
// Unit 2: {self 1, unit 1: 0.5}: sum = 6 + 1 = 7, W = 1.5, S1 = 1.25; numerator = 7 - 4.5 = 2.5;
//
//	n*S1 - W^2 = 3.75 - 2.25 = 1.5, /2 = 0.75; z = 2.5/(sqrt(14/3)*sqrt(0.75)) = 2.5/sqrt(3.5).
//
// Unit 1: {0: 2, self 1, 2: 0.5}: sum = 2 + 2 + 3 = 7, W = 3.5, S1 = 4 + 1 + 0.25 = 5.25;
//
//	numerator = 7 - 10.5 = -3.5; n*S1 - W^2 = 15.75 - 12.25 = 3.5, /2 = 1.75;
//	z = -3.5/(sqrt(14/3)*sqrt(1.75)) = -3.5/sqrt(49/6) = -3.5*sqrt(6)/7 = -sqrt(6)/2.
func TestGiStarWeighted(t *testing.T) {
	w := Weights{
		Kind:       "test",
		Neighbours: [][]int{{1}, {0, 2}, {1}},
		Weights:    [][]float64{{2}, {2, 0.5}, {0.5}},
	}
	got, err := GiStar([]float64{1, 2, 6}, w)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{-4 / math.Sqrt(14), -math.Sqrt(6) / 2, 2.5 / math.Sqrt(3.5)}
	for i := range want {
		if !near(got.Z[i], want[i], 1e-9) {
			t.Errorf("unit %d: z = %.12f, want %.12f", i, got.Z[i], want[i])
		}
	}
}

func TestGiStarIslandIsNaN(t *testing.T) {
	// Squares 0-1-2 in a row touch; square 3 is far away.
	polys := append(gridSquares(1, 3), square(100, 100, 1))
	w, err := Queen(polys, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := GiStar([]float64{1, 5, 2, 9}, w)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(got.Z[3]) || !math.IsNaN(got.P[3]) {
		t.Errorf("island: z, p = %v, %v; want NaN, NaN", got.Z[3], got.P[3])
	}
	for i := 0; i < 3; i++ {
		if math.IsNaN(got.Z[i]) {
			t.Errorf("unit %d has neighbours but z is NaN", i)
		}
	}
	if c := Classify(got.Z[3], got.P[3]); c != ClassIsland {
		t.Errorf("island class = %q, want %q", c, ClassIsland)
	}
}

func TestGiStarErrors(t *testing.T) {
	w3 := gridQueen(1, 3)
	cases := []struct {
		name string
		x    []float64
		w    Weights
		want string
	}{
		{"length mismatch", []float64{1, 2}, w3, "2 values but weights for 3 units"},
		{"constant", []float64{4, 4, 4}, w3, "all 3 values are equal"},
		{"NaN value", []float64{1, math.NaN(), 3}, w3, "value 1 is NaN"},
		{"too few", []float64{1, 2}, gridQueen(1, 2), "need at least 3"},
		{"self neighbour", []float64{1, 2, 3}, Weights{Neighbours: [][]int{{0}, {}, {}}, Weights: [][]float64{{1}, {}, {}}}, "own neighbour"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := GiStar(tc.x, tc.w)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}
