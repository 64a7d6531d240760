package hotspot

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// line puts points on the x axis.
func line(xs ...float64) []orb.Point {
	pts := make([]orb.Point, len(xs))
	for i, x := range xs {
		pts[i] = orb.Point{x, 0}
	}
	return pts
}

func TestDistanceBandHand(t *testing.T) {
	// Points at x = 0, 1, 2.5, 10, 10 (the last two coincide). With d = 1.5:
	// 0-1 (1) yes, 1-2.5 (1.5) yes, boundary inclusive, 0-2.5 (2.5) no, 3-4 (0) yes.
	w, err := DistanceBand(line(0, 1, 2.5, 10, 10), 1.5)
	if err != nil {
		t.Fatal(err)
	}
	sameNeighbours(t, w, [][]int{{1}, {0, 2}, {1}, {4}, {3}})
	if w.Kind != KindDistance || !w.IsSymmetric() {
		t.Errorf("kind %q, symmetric %v", w.Kind, w.IsSymmetric())
	}
	// d = 0.9 leaves 0, 1 and 2 without neighbours.
	w, err = DistanceBand(line(0, 1, 2.5, 10, 10), 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if got := w.Islands(); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("islands %v, want [0 1 2]", got)
	}
}

func TestKNNHand(t *testing.T) {
	// Points at x = 0, 1, 2, 3, 10, k = 2. Distances by hand:
	//   0: to 1 (1), 2 (2)          -> {1, 2}
	//   1: to 0 (1), 2 (1)          -> {0, 2}
	//   2: to 1 (1), 3 (1)          -> {1, 3}
	//   3: to 2 (1), 1 (2)          -> {1, 2}
	//   4: to 3 (7), 2 (8)          -> {2, 3}
	w, err := KNN(line(0, 1, 2, 3, 10), 2)
	if err != nil {
		t.Fatal(err)
	}
	sameNeighbours(t, w, [][]int{{1, 2}, {0, 2}, {1, 3}, {1, 2}, {2, 3}})
	if w.IsSymmetric() {
		t.Error("these KNN weights are asymmetric (4 lists 2 and 3, neither lists 4)")
	}
	// Ties: from x = 0, the points at -1 (index 1), +1 (index 2) and +1 (index 3) are all at
	// distance 1; k = 1 takes the lowest index, k = 2 the two lowest.
	pts := line(0, -1, 1, 1)
	for k, want := range map[int][]int{1: {1}, 2: {1, 2}} {
		w, err := KNN(pts, k)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(w.Neighbours[0], want) {
			t.Errorf("k = %d: row 0 = %v, want %v", k, w.Neighbours[0], want)
		}
	}
}

// bruteKNN sorts all other points by (distance, index), the definition directly, and keeps
// the first k of each row in that order.
func bruteKNN(pts []orb.Point, k int) [][]int {
	out := make([][]int, len(pts))
	for i, p := range pts {
		type cand struct {
			d2 float64
			j  int
		}
		var cs []cand
		for j, q := range pts {
			if j != i {
				dx, dy := p[0]-q[0], p[1]-q[1]
				cs = append(cs, cand{dx*dx + dy*dy, j})
			}
		}
		slices.SortFunc(cs, func(a, b cand) int {
			if c := cmp.Compare(a.d2, b.d2); c != 0 {
				return c
			}
			return cmp.Compare(a.j, b.j)
		})
		for _, c := range cs[:k] {
			out[i] = append(out[i], c.j)
		}
	}
	return out
}

func bruteBand(pts []orb.Point, d float64) [][]int {
	out := make([][]int, len(pts))
	for i, p := range pts {
		for j, q := range pts {
			dx, dy := p[0]-q[0], p[1]-q[1]
			if j != i && dx*dx+dy*dy <= d*d {
				out[i] = append(out[i], j)
			}
		}
	}
	return out
}

// testPoints makes n points: a clustered random set in BNG-like coordinates, plus points on an
// integer lattice so that many distances tie exactly.
func testPoints(n int, seed uint64) []orb.Point {
	rng := rand.New(rand.NewPCG(seed, 1))
	pts := make([]orb.Point, 0, n)
	for len(pts) < n/2 {
		// Three clusters of different density, like towns in a district.
		c := []orb.Point{{430_000, 390_000}, {445_000, 395_000}, {438_000, 400_000}}[rng.IntN(3)]
		s := []float64{500, 2000, 6000}[rng.IntN(3)]
		pts = append(pts, orb.Point{c[0] + rng.NormFloat64()*s, c[1] + rng.NormFloat64()*s})
	}
	for len(pts) < n {
		pts = append(pts, orb.Point{float64(420_000 + 250*rng.IntN(40)), float64(380_000 + 250*rng.IntN(40))})
	}
	return pts
}

func TestPointWeightsMatchBruteForce(t *testing.T) {
	for _, n := range []int{2, 7, 300, 1500} { // 300 and 1500 take the parallel path
		pts := testPoints(n, uint64(n))
		nearest := bruteKNN(pts, min(8, n-1))
		for _, k := range []int{1, 4, 8} {
			if k >= n {
				continue
			}
			got, err := KNN(pts, k)
			if err != nil {
				t.Fatal(err)
			}
			want := make([][]int, n)
			for i := range want {
				want[i] = slices.Sorted(slices.Values(nearest[i][:k]))
			}
			sameNeighbours(t, got, want)
		}
		for _, d := range []float64{250, 1000, 5000} {
			got, err := DistanceBand(pts, d)
			if err != nil {
				t.Fatal(err)
			}
			sameNeighbours(t, got, bruteBand(pts, d))
		}
	}
	// All points equal: every distance is 0 and ties go to the lowest indices.
	same := []orb.Point{{5, 5}, {5, 5}, {5, 5}, {5, 5}}
	got, err := KNN(same, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := bruteKNN(same, 2); !slices.Equal(want[3], []int{0, 1}) {
		t.Fatalf("brute force itself is off: %v", want)
	}
	sameNeighbours(t, got, [][]int{{1, 2}, {0, 2}, {0, 1}, {0, 1}})
}

func TestPointWeightErrors(t *testing.T) {
	pts := line(0, 1, 2)
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"k too large", func() error { _, err := KNN(pts, 3); return err }, "want 1 <= k <= 2"},
		{"k zero", func() error { _, err := KNN(pts, 0); return err }, "k = 0"},
		{"d zero", func() error { _, err := DistanceBand(pts, 0); return err }, "distance 0 m"},
		{"d NaN", func() error { _, err := DistanceBand(pts, math.NaN()); return err }, "distance NaN m"},
		{"NaN point", func() error { _, err := KNN(line(0, math.NaN(), 2), 1); return err }, "point 1"},
		{"unknown kind", func() error { _, err := NewWeights(Spec{Kind: "rook"}, nil, nil); return err }, `"rook"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %s", err, tc.want)
			}
		})
	}
}
