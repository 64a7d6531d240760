package hotspot

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestWeightsHelpers(t *testing.T) {
	// 0 - 1 - 2 in a row, 3 alone; hand-listed.
	w, err := Queen(append(gridSquares(1, 3), square(9, 9, 1)), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{{0, 1, 1}, {1, 0, 1}, {1, 2, 1}, {2, 1, 1}}
	if got := w.Pairs(); !slices.Equal(got, want) {
		t.Errorf("Pairs() = %v, want %v", got, want)
	}
	if got := w.Islands(); !slices.Equal(got, []int{3}) {
		t.Errorf("Islands() = %v, want [3]", got)
	}
	if w.N() != 4 || w.NonZero() != 4 || w.MeanNeighbours() != 1 {
		t.Errorf("N %d NonZero %d mean %v, want 4, 4, 1", w.N(), w.NonZero(), w.MeanNeighbours())
	}
	if !w.IsSymmetric() {
		t.Error("queen weights reported asymmetric")
	}
	w.Weights[0][0] = 2 // 0->1 now weighs 2, 1->0 still 1
	if w.IsSymmetric() {
		t.Error("unequal weights reported symmetric")
	}
}

func TestWeightsValidate(t *testing.T) {
	cases := []struct {
		name string
		w    Weights
		want string // "" means valid
	}{
		{"valid", gridQueen(2, 2), ""},
		{"row count", Weights{Neighbours: [][]int{{1}, {0}}, Weights: [][]float64{{1}}}, "2 neighbour rows but 1 weight rows"},
		{"row length", Weights{Neighbours: [][]int{{1}, {0}}, Weights: [][]float64{{1}, {}}}, "row 1: 1 neighbours but 0 weights"},
		{"out of range", Weights{Neighbours: [][]int{{2}, {0}}, Weights: [][]float64{{1}, {1}}}, "row 0: neighbour 2 out of range"},
		{"unsorted", Weights{Neighbours: [][]int{{2, 1}, {0}, {0}}, Weights: [][]float64{{1, 1}, {1}, {1}}}, "not strictly ascending"},
		{"repeat", Weights{Neighbours: [][]int{{1, 1}, {0}}, Weights: [][]float64{{1, 1}, {1}}}, "not strictly ascending"},
		{"zero weight", Weights{Neighbours: [][]int{{1}, {0}}, Weights: [][]float64{{0}, {1}}}, "weight 0 for neighbour 1"},
		{"NaN weight", Weights{Neighbours: [][]int{{1}, {0}}, Weights: [][]float64{{1}, {math.NaN()}}}, "weight NaN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.w.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestNewWeights(t *testing.T) {
	polys := gridSquares(2, 2)
	pts := []orb.Point{{0.5, 0.5}, {1.5, 0.5}, {0.5, 1.5}, {1.5, 1.5}}
	cases := []struct {
		spec Spec
		want [][]int
	}{
		{Spec{Kind: KindQueen}, [][]int{{1, 2, 3}, {0, 2, 3}, {0, 1, 3}, {0, 1, 2}}},
		// Centroids 1 apart along the sides, sqrt 2 along the diagonals.
		{Spec{Kind: KindDistance, DistanceM: 1.2}, [][]int{{1, 2}, {0, 3}, {0, 3}, {1, 2}}},
		{Spec{Kind: KindKNN, K: 1}, [][]int{{1}, {0}, {0}, {1}}},
	}
	for _, tc := range cases {
		t.Run(tc.spec.Kind, func(t *testing.T) {
			w, err := NewWeights(tc.spec, polys, pts)
			if err != nil {
				t.Fatal(err)
			}
			if w.Kind != tc.spec.Kind {
				t.Errorf("Kind = %q, want %q", w.Kind, tc.spec.Kind)
			}
			sameNeighbours(t, w, tc.want)
		})
	}
}
