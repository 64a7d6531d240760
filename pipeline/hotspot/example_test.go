package hotspot_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"hubreach/pipeline/hotspot"
)

// A 3x3 block of 100 m squares; the high values sit in the top-right corner.
func ExampleGiStar() {
	var polys []orb.MultiPolygon
	for r := 0; r < 3; r++ {
		for c := 0; c < 3; c++ {
			x, y := float64(c*100), float64(r*100)
			polys = append(polys, orb.MultiPolygon{{{{x, y}, {x + 100, y}, {x + 100, y + 100}, {x, y + 100}, {x, y}}}})
		}
	}
	w, err := hotspot.Queen(polys, 1)
	if err != nil {
		panic(err)
	}
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9} // row-major from the bottom-left square
	gi, err := hotspot.GiStar(x, w)
	if err != nil {
		panic(err)
	}
	for _, i := range []int{0, 4, 8} {
		fmt.Printf("square %d: %d neighbours, z = %+.4f, p = %.4f, %s\n",
			i, w.Cardinality(i), gi.Z[i], gi.P[i], hotspot.Classify(gi.Z[i], gi.P[i]))
	}
	// Output:
	// square 0: 3 neighbours, z = -1.9596, p = 0.0500, cold-90
	// square 4: 8 neighbours, z = +0.0000, p = 1.0000, not-significant
	// square 8: 3 neighbours, z = +1.9596, p = 0.0500, hot-90
}

func ExampleAnalyse() {
	// Five neighbourhoods along a road, the last one cut off by a river (no neighbours).
	w := hotspot.Weights{
		Kind:       "example",
		Neighbours: [][]int{{1}, {0, 2}, {1, 3}, {2}, {}},
		Weights:    [][]float64{{1}, {1, 1}, {1, 1}, {1}, {}},
	}
	// By hand: mean 0.28, S^2 = 0.093/5 = 0.0186. Unit 0's star {0,1} sums to 0.25 against
	// 0.56 expected; its z is -0.31/(S*sqrt((5*2-4)/4)) = -1.86. Its local I is
	// (-0.18)(-0.13)/0.0186 = 1.26. Four units are too few for significance.
	res, err := hotspot.Analyse([]float64{0.10, 0.15, 0.40, 0.45, 0.30}, w, hotspot.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println("islands:", res.Islands)
	for i, u := range res.Units {
		fmt.Printf("%d: z %+.2f class %s, local I %+.2f %s\n", i, u.GiStarZ, u.Class, u.LisaI, u.LisaQuadrant)
	}
	// Output:
	// islands: [4]
	// 0: z -1.86 class not-significant, local I +1.26 LL
	// 1: z -1.14 class not-significant, local I +0.21 LL
	// 2: z +0.96 class not-significant, local I +0.13 HH
	// 3: z +1.74 class not-significant, local I +1.10 HH
	// 4: z +NaN class island, local I +NaN island
}
