package siting_test

import (
	"fmt"

	"hubreach/pipeline/siting"
)

// Four neighbourhoods, one already within reach of an existing hub, and three candidate
// buildings; choose two satellites.
func ExampleMaxCover() {
	inst := &siting.Instance{
		Weights:        []float64{120, 80, 60, 40}, // income-deprived children per LSOA
		AlreadyCovered: []bool{false, false, false, true},
		Candidates: []siting.Candidate{
			{ID: "LIB-01", Name: "Central Library"},
			{ID: "SCH-02", Name: "St Mary's Primary"},
			{ID: "CC-03", Name: "Moor Community Centre"},
		},
		Covers: [][]int32{{0, 1}, {1, 2}, {2, 3}},
	}
	res, err := siting.MaxCover(inst, 2, siting.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range res.Sites {
		fmt.Printf("%s adds %g (total %g)\n", s.Name, s.Gain, s.Cumulative)
	}
	fmt.Printf("newly covered %g of %g not yet covered; bound %g, gap %g\n",
		res.Value, res.TotalWeight-res.AlreadyCovered, res.Bound, res.Gap)
	// Output:
	// Central Library adds 200 (total 200)
	// St Mary's Primary adds 60 (total 260)
	// newly covered 260 of 260 not yet covered; bound 260, gap 0
}

func ExampleMaxCover_badInput() {
	inst := &siting.Instance{
		Weights:    []float64{1, 2},
		Candidates: []siting.Candidate{{ID: "A"}, {ID: "B"}},
		Covers:     [][]int32{{0}, {1}},
	}
	_, err := siting.MaxCover(inst, 3, siting.Options{})
	fmt.Println(err)
	// Output: k = 3 but only 2 candidate sites
}
