package disclosure

import (
	"fmt"
	"slices"
	"testing"
)

const (
	P = Published
	X = Primary
	S = Secondary
)

// grid builds a table with row and column totals and a grand total, each margin a group.
func grid(p *Problem, cells [][]int64) (in [][]int, rowTot, colTot []int, grand int) {
	in = make([][]int, len(cells))
	colSum := make([]int64, len(cells[0]))
	var all int64
	for i, row := range cells {
		var rs int64
		for j, v := range row {
			in[i] = append(in[i], p.Cell(fmt.Sprintf("c%d%d", i, j), v))
			rs += v
			colSum[j] += v
			all += v
		}
		rowTot = append(rowTot, p.Cell(fmt.Sprintf("r%d", i), rs))
	}
	for j, s := range colSum {
		colTot = append(colTot, p.Cell(fmt.Sprintf("k%d", j), s))
	}
	grand = p.Cell("all", all)
	for i := range cells {
		must(p.Group(rowTot[i], in[i]...))
	}
	for j := range colSum {
		var col []int
		for i := range cells {
			col = append(col, in[i][j])
		}
		must(p.Group(colTot[j], col...))
	}
	must(p.Group(grand, rowTot...))
	must(p.Group(grand, colTot...))
	return
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// One margin, worked by hand (threshold 5).
func TestSolveOneMargin(t *testing.T) {
	for _, c := range []struct {
		name    string
		members []int64
		want    []Status // members, then the total
	}{
		// 3 is withheld; alone it would be 20 - 10 - 7 - 0, so the next-smallest non-zero (7) goes too.
		{"one small cell", []int64{3, 10, 7, 0}, []Status{X, P, S, P, P}},
		// 1 and 2 are both small but their sum (3) would still be a small count: add 30.
		{"two small cells summing below the threshold", []int64{1, 2, 30}, []Status{X, X, S, P}},
		// 4 and 6: sum 10, safe after one complement.
		{"complement makes the sum safe", []int64{4, 6, 50}, []Status{X, S, P, P}},
		// Total 2 is itself small: withheld, nothing to work out.
		{"small total", []int64{2, 0, 0}, []Status{X, P, P, X}},
		// Zero is published and never picked as a complement.
		{"zeros are not small", []int64{0, 0, 12}, []Status{P, P, P, P}},
		{"nothing small", []int64{5, 9, 12}, []Status{P, P, P, P}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var p Problem
			var m []int
			var sum int64
			for i, v := range c.members {
				m = append(m, p.Cell(fmt.Sprint(i), v))
				sum += v
			}
			tot := p.Cell("total", sum)
			must(p.Group(tot, m...))
			got := p.Solve(Rule{Threshold: 5})
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// Two-way tables with all margins published.
func TestSolveTwoWay(t *testing.T) {
	// 2x2: the 3 needs a complement in its row (8) and in its column (9); then column 2 has one
	// withheld cell (8), so 12 goes too: all four inner cells, margins published.
	var p Problem
	in, rows, cols, grand := grid(&p, [][]int64{{3, 8}, {9, 12}})
	st := p.Solve(Rule{Threshold: 5})
	for _, c := range []struct {
		i    int
		want Status
	}{{in[0][0], X}, {in[0][1], S}, {in[1][0], S}, {in[1][1], S}, {rows[0], P}, {rows[1], P}, {cols[0], P}, {cols[1], P}, {grand, P}} {
		if st[c.i] != c.want {
			t.Errorf("%s: %v, want %v", p.Key(c.i), st[c.i], c.want)
		}
	}
	// 3x3: the 2 at (0,0) takes (0,1)=10 for its row and (1,0)=15 for its column; column 1 then
	// has 10 alone, so (1,1)=30 goes; row 1 has 15 and 30 (safe). A rectangle of four.
	var q Problem
	in, _, _, _ = grid(&q, [][]int64{{2, 10, 20}, {15, 30, 40}, {25, 35, 50}})
	st = q.Solve(Rule{Threshold: 5})
	want := [][]Status{{X, S, P}, {S, S, P}, {P, P, P}}
	for i := range want {
		for j := range want[i] {
			if st[in[i][j]] != want[i][j] {
				t.Errorf("3x3 cell (%d,%d): %v, want %v", i, j, st[in[i][j]], want[i][j])
			}
		}
	}
}

// A cell shared by two margins: LSOA b is the complement in ward W, which leaves it alone in
// decile D, so D's other LSOA (c) is withheld too.
func TestSolveSharedCells(t *testing.T) {
	var p Problem
	a, b, c := p.Cell("a", 4), p.Cell("b", 20), p.Cell("c", 30)
	w, d := p.Cell("W", 24), p.Cell("D", 50)
	e := p.Cell("e", 40)
	must(p.Group(w, a, b))
	must(p.Group(d, b, c))
	must(p.Group(p.Cell("D2", 44), a, e))
	st := p.Solve(Rule{Threshold: 5})
	want := map[int]Status{a: X, b: S, c: S, e: S, w: P, d: P}
	for i, s := range want {
		if st[i] != s {
			t.Errorf("%s: %v, want %v", p.Key(i), st[i], s)
		}
	}
}

func TestGroupMustAddUp(t *testing.T) {
	var p Problem
	a, b := p.Cell("a", 1), p.Cell("b", 2)
	if err := p.Group(p.Cell("t", 4), a, b); err == nil {
		t.Error("1 + 2 accepted as a total of 4")
	}
}

func TestRuleValues(t *testing.T) {
	r := Rule{Threshold: 5, RoundTo: 5}
	for _, c := range []struct {
		v    int64
		s    Status
		text string
		pub  int64
		ok   bool
	}{
		{0, P, "0", 0, true}, {7, P, "5", 5, true}, {8, P, "10", 10, true}, {12, P, "10", 10, true},
		{13, P, "15", 15, true}, {3, X, "<5", 0, false}, {40, S, "[c]", 0, false},
	} {
		if got := r.Text(c.v, c.s); got != c.text {
			t.Errorf("Text(%d, %v) = %q, want %q", c.v, c.s, got, c.text)
		}
		if v, ok := r.Publish(c.v, c.s); v != c.pub || ok != c.ok {
			t.Errorf("Publish(%d, %v) = %d, %v", c.v, c.s, v, ok)
		}
	}
	for v, small := range map[int64]bool{0: false, 1: true, 4: true, 5: false} {
		if (Rule{Threshold: 5}).Small(v) != small {
			t.Errorf("Small(%d) != %v", v, small)
		}
	}
	// Threshold 1 withholds nothing; no rounding without RoundTo.
	var p Problem
	p.Group(p.Cell("t", 3), p.Cell("a", 1), p.Cell("b", 2))
	if st := p.Solve(Rule{Threshold: 1}); !slices.Equal(st, []Status{P, P, P}) {
		t.Errorf("threshold 1: %v", st)
	}
	if (Rule{Threshold: 5}).Round(7) != 7 {
		t.Error("rounded without round_to")
	}
}
