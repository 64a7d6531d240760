package siting

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
)

// smallInstance has four demand points and three candidates, valid for both models.
func smallInstance() *Instance {
	return &Instance{
		Weights:        []float64{5, 3, 2, 1},
		AlreadyCovered: []bool{false, false, false, true},
		Candidates: []Candidate{
			{ID: "LIB-01", Name: "Central Library", Group: "Abbey", X: 0, Y: 0},
			{ID: "SCH-02", Name: "St Mary's School", Group: "Abbey", X: 300, Y: 0},
			{ID: "CC-03", Name: "Moor Community Centre", Group: "Moor", X: 0, Y: 4000},
		},
		Covers:      [][]int32{{0, 1}, {1, 2}, {3}},
		Costs:       [][]Arc{{{0, 1}, {1, 2}}, {{1, 1}, {2, 1}}, {{3, 1}}},
		CurrentCost: []float64{9, 9, 9, 2},
		CostCap:     10,
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(inst *Instance)
		k     int
		cons  *Constraints
		model string // "cover" (default) or "median"
		want  string
	}{
		{name: "k above candidates", edit: func(inst *Instance) {
			for j := 3; j < 18; j++ {
				inst.Candidates = append(inst.Candidates, Candidate{ID: fmt.Sprintf("X%d", j)})
				inst.Covers = append(inst.Covers, []int32{0})
				inst.Costs = append(inst.Costs, nil)
			}
		}, k: 25, want: "k = 25 but only 18 candidate sites"},
		{name: "k zero", k: 0, want: "k = 0: at least one site must be chosen"},
		{name: "duplicate id", edit: func(inst *Instance) { inst.Candidates[2].ID = "LIB-01" }, k: 1,
			want: `siting instance: duplicate candidate id "LIB-01": rows 1 ("Central Library") and 3 ("Moor Community Centre")`},
		{name: "empty id", edit: func(inst *Instance) { inst.Candidates[1].ID = "" }, k: 1,
			want: `siting instance: candidate row 2 ("St Mary's School") has an empty id`},
		{name: "cover out of range", edit: func(inst *Instance) { inst.Covers[1] = []int32{1, 9} }, k: 1,
			want: `siting instance: candidate "SCH-02" (row 2) covers demand point 9, outside 0..3`},
		{name: "cover listed twice", edit: func(inst *Instance) { inst.Covers[0] = []int32{0, 1, 0} }, k: 1,
			want: `siting instance: candidate "LIB-01" (row 1) lists demand point 0 twice`},
		{name: "negative weight", edit: func(inst *Instance) { inst.Weights[2] = -1 }, k: 1,
			want: "siting instance: demand point 2: weight -1 is not a finite non-negative number"},
		{name: "NaN weight", edit: func(inst *Instance) { inst.Weights[0] = math.NaN() }, k: 1,
			want: "siting instance: demand point 0: weight NaN is not a finite non-negative number"},
		{name: "AlreadyCovered length", edit: func(inst *Instance) { inst.AlreadyCovered = inst.AlreadyCovered[:3] }, k: 1,
			want: "siting instance: AlreadyCovered has 3 entries but there are 4 demand points"},
		{name: "Covers length", edit: func(inst *Instance) { inst.Covers = inst.Covers[:2] }, k: 1,
			want: "siting instance: Covers has 2 lists but there are 3 candidates"},
		{name: "nothing at all", edit: func(inst *Instance) { *inst = Instance{} }, k: 1,
			want: "siting instance: no demand points\nno candidate sites\nno coverage lists (Covers) and no costs (Costs): nothing to choose by"},
		{name: "covering model without covers", edit: func(inst *Instance) { inst.Covers = nil }, k: 1,
			want: "siting instance: no coverage lists (Covers) for the covering model"},
		{name: "must-open unknown", k: 2, cons: &Constraints{MustOpen: []string{"LIB-01", "LIB-99"}},
			want: `siting constraints: must-open site "LIB-99" is not a candidate`},
		{name: "must-open twice", k: 2, cons: &Constraints{MustOpen: []string{"LIB-01", "LIB-01"}},
			want: `siting constraints: must-open site "LIB-01" is listed twice`},
		{name: "must-open above k", k: 1, cons: &Constraints{MustOpen: []string{"LIB-01", "CC-03"}},
			want: "siting constraints: 2 must-open sites but k = 1"},
		{name: "must-open too close", k: 2, cons: &Constraints{MustOpen: []string{"LIB-01", "SCH-02"}, MinSpacing: 500},
			want: `siting constraints: must-open sites "LIB-01" and "SCH-02" are 300 apart, closer than the minimum spacing 500`},
		{name: "must-open over group cap", k: 2, cons: &Constraints{MustOpen: []string{"LIB-01", "SCH-02"}, MaxPerGroup: 1},
			want: `siting constraints: 2 must-open sites are in group "Abbey", more than its cap of 1`},
		{name: "negative spacing", k: 1, cons: &Constraints{MinSpacing: -5},
			want: "siting constraints: minimum spacing -5 is not a finite non-negative distance"},
		{name: "cap for unknown group", k: 1, cons: &Constraints{GroupMax: map[string]int{"Abey": 1}},
			want: `siting constraints: group "Abey" has a cap but no candidate is in it`},
		{name: "negative group cap", k: 1, cons: &Constraints{GroupMax: map[string]int{"Moor": -1}, MaxPerGroup: -2},
			want: "siting constraints: MaxPerGroup = -2: a cap cannot be negative\n" + `group "Moor": cap -1 cannot be negative`},
		{name: "negative cost", model: "median", edit: func(inst *Instance) { inst.Costs[2][0].Cost = -3 }, k: 1,
			want: `siting instance: candidate "CC-03" (row 3): cost -3 to demand point 3 is not a finite non-negative number`},
		{name: "cost listed twice", model: "median", edit: func(inst *Instance) { inst.Costs[1] = append(inst.Costs[1], Arc{1, 4}) }, k: 1,
			want: `siting instance: candidate "SCH-02" (row 2) lists a cost to demand point 1 twice`},
		{name: "no cost cap", model: "median", edit: func(inst *Instance) { inst.CostCap = 0 }, k: 1,
			want: "siting instance: CostCap 0 must be a positive finite cost, charged to demand with no site within reach"},
		{name: "CurrentCost length", model: "median", edit: func(inst *Instance) { inst.CurrentCost = []float64{1} }, k: 1,
			want: "siting instance: CurrentCost has 1 entries but there are 4 demand points"},
		{name: "median model without costs", model: "median", edit: func(inst *Instance) { inst.Costs = nil }, k: 1,
			want: "siting instance: no costs (Costs) for the p-median model"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inst := smallInstance()
			if tc.edit != nil {
				tc.edit(inst)
			}
			var errs []error
			if tc.model == "median" {
				_, err := PMedian(inst, tc.k, Options{Constraints: tc.cons})
				errs = append(errs, err)
			} else {
				_, err := MaxCover(inst, tc.k, Options{Constraints: tc.cons})
				_, errX := ExactMaxCover(context.Background(), inst, tc.k, ExactOptions{Constraints: tc.cons})
				_, errC := CoverageCurve(inst, tc.k, CurveOptions{Options: Options{Constraints: tc.cons}})
				errL := WriteLP(&strings.Builder{}, inst, tc.k, tc.cons)
				errs = append(errs, err, errX, errC, errL)
			}
			for _, err := range errs {
				if err == nil {
					t.Fatalf("no error, want %q", tc.want)
				}
				if err.Error() != tc.want {
					t.Errorf("error\n got %q\nwant %q", err.Error(), tc.want)
				}
			}
		})
	}
}

func TestManyProblemsAreCounted(t *testing.T) {
	inst := smallInstance()
	inst.Weights = make([]float64, 30)
	inst.AlreadyCovered = nil
	inst.CurrentCost = nil
	for i := range inst.Weights {
		inst.Weights[i] = -1
	}
	_, err := inst.Validate()
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 26 || lines[25] != "... and 5 more problems" {
		t.Errorf("got %d lines ending %q, want 25 problems and \"... and 5 more problems\"", len(lines), lines[len(lines)-1])
	}
}

func TestWarnings(t *testing.T) {
	inst := smallInstance()
	inst.Candidates = append(inst.Candidates, Candidate{ID: "OFF-04", Name: "Off the network"})
	inst.Covers = append(inst.Covers, nil)
	inst.Costs = append(inst.Costs, nil)
	ws, err := inst.Validate()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`candidate "CC-03": covers only demand points that existing hubs already cover`,
		`candidate "OFF-04": covers no demand point within the threshold`,
	}
	if len(ws) != len(want) {
		t.Fatalf("warnings %v, want %v", ws, want)
	}
	for a := range ws {
		if ws[a].String() != want[a] {
			t.Errorf("warning %d: %q, want %q", a, ws[a].String(), want[a])
		}
	}
	if ws[1].Candidate != 3 {
		t.Errorf("warning names candidate %d, want 3", ws[1].Candidate)
	}
	// A candidate covering nothing is not an error: the run goes on.
	res, err := MaxCover(inst, 2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Value != 10 || len(res.Warnings) != 2 {
		t.Errorf("value %g with %d warnings, want 10 (LIB-01 and SCH-02) with 2", res.Value, len(res.Warnings))
	}
}

func TestCoversWithin(t *testing.T) {
	costs := [][]Arc{{{0, 100}, {1, 1600}, {2, 1600.5}}, {}, {{2, 0}}}
	got := fmt.Sprint(CoversWithin(costs, 1600))
	if want := "[[0 1] [] [2]]"; got != want {
		t.Errorf("CoversWithin = %s, want %s", got, want)
	}
}
