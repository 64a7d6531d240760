package disclosure

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// bridge is two wards and two deciles where margin-by-margin suppression leaves a small count
// exactly determined. LSOAs a, b are in ward W1 and decile D1; c in W1 and D2; d, e in W2 and
// D2 (no LSOA is in W2 and D1):
//
//	        D1          D2          ward
//	W1      a 10, b 12  c 3         25
//	W2      -           d 9, e 11   20
//	decile  22          23          45
//
// Threshold 5, worked by hand through Solve (groups in the order W1, W2, D1, D2, area):
// W1 has c (3) alone, so its next-smallest a (10) is withheld; W2 has nothing withheld; D1 then
// has a alone, so b goes; D2 has c alone, so d (9) goes; on the second pass W2 has d alone, so e
// goes. Every margin has two or more withheld cells summing to at least 5 and every total is
// published — yet W1 − D1 = (a + b + c) − (a + b) = c, so c = 25 − 22 = 3. In the bipartite
// graph of wards and deciles with the withheld LSOAs as edges, c is a bridge between the cycle
// a-b and the cycle d-e, and a bridge's value is fixed by the margins. (A plain 2x2 table with
// all margins cannot do this: every row and column with a withheld cell needs two, so all four
// go and they form a cycle; TestSolveTwoWay's 2x2 audits clean.)
func bridge() (p *Problem, cell map[string]int) {
	p = &Problem{}
	cell = map[string]int{}
	for _, c := range []struct {
		k string
		v int64
	}{{"a", 10}, {"b", 12}, {"c", 3}, {"d", 9}, {"e", 11}, {"W1", 25}, {"W2", 20}, {"D1", 22}, {"D2", 23}, {"area", 45}} {
		cell[c.k] = p.Cell(c.k, c.v)
	}
	must(p.Group(cell["W1"], cell["a"], cell["b"], cell["c"]))
	must(p.Group(cell["W2"], cell["d"], cell["e"]))
	must(p.Group(cell["D1"], cell["a"], cell["b"]))
	must(p.Group(cell["D2"], cell["c"], cell["d"], cell["e"]))
	must(p.Group(cell["area"], cell["W1"], cell["W2"]))
	must(p.Group(cell["area"], cell["D1"], cell["D2"]))
	return p, cell
}

func TestAuditFindsBridge(t *testing.T) {
	p, cell := bridge()
	r := Rule{Threshold: 5}
	st := p.Solve(r)
	want := map[string]Status{"a": S, "b": S, "c": X, "d": S, "e": S, "W1": P, "W2": P, "D1": P, "D2": P, "area": P}
	for k, s := range want {
		if st[cell[k]] != s {
			t.Fatalf("Solve: %s is %v, want %v (the hand-worked pattern)", k, st[cell[k]], s)
		}
	}
	exp, err := Audit(p, st, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(exp) != 1 || exp[0].Cell != cell["c"] || exp[0].Lo != 3 || exp[0].Hi != 3 || exp[0].Value != 3 {
		t.Fatalf("Audit = %+v, want c exactly determined: [3, 3]", exp)
	}

	// Protect, by hand. Round 1: c's own groups W1 and D2 have only their totals published (D2 23,
	// W1 25), then through the withheld LSOAs come W2 (20) and D1 (22). None of them alone helps:
	// each total is the area (45) minus the other total of its margin, so it can still be worked
	// out. With nothing better, the first candidate, D2, is withheld. Round 2: the candidates are
	// W1 (25), then W2 (20), D1 (22) and the area (45); W1 and W2 still leave c = 3, but with D1
	// and D2 both withheld a + b = D1 and c + d + e = D2 are free: a + b + c = 25 and d + e = 20
	// give c = 25 − D1 for any D1 from 0 to 25, so c is anywhere in [0, 25]. D1 is withheld and
	// the audit is clean.
	first, added, err := Protect(p, st, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 1 || first[0] != exp[0] {
		t.Errorf("Protect's first audit %+v, want Audit's %+v", first, exp)
	}
	if added != 2 || st[cell["D1"]] != S || st[cell["D2"]] != S {
		t.Errorf("Protect withheld %d cells (D1 %v, D2 %v), want 2: D1 and D2", added, st[cell["D1"]], st[cell["D2"]])
	}
	for _, k := range []string{"W1", "W2", "area"} {
		if st[cell[k]] != P {
			t.Errorf("%s withheld too", k)
		}
	}
	if exp, err := Audit(p, st, r); err != nil || len(exp) != 0 {
		t.Errorf("after Protect: Audit = %+v, %v; want clean", exp, err)
	}
	iv, err := Bounds(p, st, r, cell["c"])
	if err != nil || iv[0].Lo != 0 || iv[0].Hi != 25 {
		t.Errorf("c after Protect: %+v, %v; want [0, 25]", iv, err)
	}
}

// Intervals known by hand.
func TestBoundsByHand(t *testing.T) {
	inf := math.Inf(1)
	t.Run("two small cells in one margin", func(t *testing.T) {
		// 3 and 4 are both small and sum to 7 ≥ 5: safe. Each is 27 − 20 − the other, the other
		// anything from 0 to 7: both in [0, 7].
		var p Problem
		a, b, c := p.Cell("a", 3), p.Cell("b", 4), p.Cell("c", 20)
		must(p.Group(p.Cell("t", 27), a, b, c))
		r := Rule{Threshold: 5}
		st := p.Solve(r)
		if st[a] != X || st[b] != X || st[c] != P {
			t.Fatalf("Solve: %v", st)
		}
		ivs, err := Bounds(&p, st, r, a, b)
		if err != nil {
			t.Fatal(err)
		}
		for _, iv := range ivs {
			if iv.Lo != 0 || iv.Hi != 7 {
				t.Errorf("%s: [%g, %g], want [0, 7]", p.Key(iv.Cell), iv.Lo, iv.Hi)
			}
		}
		if exp, err := Audit(&p, st, r); err != nil || exp != nil {
			t.Errorf("Audit = %v, %v; want clean", exp, err)
		}
	})
	t.Run("2x2 all withheld", func(t *testing.T) {
		// TestSolveTwoWay's table: rows 11, 21, columns 12, 20. With x11 = t the others are
		// 11 − t, 12 − t and 9 + t, all ≥ 0 for t in [0, 11]; x22 = 9 + t is in [9, 20].
		var p Problem
		in, _, _, _ := grid(&p, [][]int64{{3, 8}, {9, 12}})
		r := Rule{Threshold: 5}
		st := p.Solve(r)
		ivs, err := Bounds(&p, st, r, in[0][0], in[0][1], in[1][0], in[1][1])
		if err != nil {
			t.Fatal(err)
		}
		want := [][2]float64{{0, 11}, {0, 11}, {1, 12}, {9, 20}}
		for i, iv := range ivs {
			if iv.Lo != want[i][0] || iv.Hi != want[i][1] {
				t.Errorf("%s: [%g, %g], want %v", p.Key(iv.Cell), iv.Lo, iv.Hi, want[i])
			}
		}
		if exp, err := Audit(&p, st, r); err != nil || exp != nil {
			t.Errorf("Audit = %v, %v; want clean", exp, err)
		}
	})
	t.Run("cell in no group", func(t *testing.T) {
		var p Problem
		a := p.Cell("a", 2)
		r := Rule{Threshold: 5}
		ivs, err := Bounds(&p, p.Solve(r), r, a)
		if err != nil || ivs[0].Lo != 0 || ivs[0].Hi != inf {
			t.Errorf("%+v, %v; want [0, +Inf]", ivs, err)
		}
	})
	t.Run("rounded to 5", func(t *testing.T) {
		// 3 is small, so 20 is withheld with it. A reader sees 22 as 20 and the total 45 as 45, but
		// the audit lets the reader know 22 and 45 exactly (stricter than rounding): 3 + 20 =
		// 45 − 22 = 23, so the small cell is in [0, 23], as without rounding.
		var p Problem
		a, b, c := p.Cell("a", 3), p.Cell("b", 20), p.Cell("c", 22)
		must(p.Group(p.Cell("t", 45), a, b, c))
		r := Rule{Threshold: 5, RoundTo: 5}
		st := p.Solve(r)
		ivs, err := Bounds(&p, st, r, a, c)
		if err != nil {
			t.Fatal(err)
		}
		if ivs[0].Lo != 0 || ivs[0].Hi != 23 {
			t.Errorf("small cell: [%g, %g], want [0, 23]", ivs[0].Lo, ivs[0].Hi)
		}
		if ivs[1].Lo != 22 || ivs[1].Hi != 22 {
			t.Errorf("published 22 (shown as 20): [%g, %g], want [22, 22]", ivs[1].Lo, ivs[1].Hi)
		}
	})
}

// A small count that can be bounded away from 1: in the 2x2 table 4, 20 / 30, 2 (threshold 5)
// all four cells are withheld (4 takes 20 and 30; 2 takes 30 and 20). The margins fix
// x11 − x22 = column 1 − row 2 = 34 − 32 = 2, so x11 ≥ 2: a reader who also sees "<5" knows it
// is 2, 3 or 4, never 1. With x11 = t the cells are t, 24 − t, 34 − t, t − 2: t in [2, 24].
//
// Protect, by hand: x11's own groups have only their totals published (row 1: 24, column 1:
// 34), then column 2 (22) and row 2 (32) through the withheld cells; each total alone is the
// grand total (56) minus the other total of its margin, so none helps and row 1, the first, is
// withheld. Next round the candidates are column 1 (34), then column 2 (22), row 2 (32) and the
// grand total (56): column 1 and column 2 still leave t ≥ 2, but with both row totals withheld
// x11 = t, x21 = 34 − t, x12 = s, x22 = 22 − s for any t in [0, 34] and s in [0, 22]. Two cells
// added: both row totals.
func TestAuditLowerSide(t *testing.T) {
	var p Problem
	in, rows, cols, grand := grid(&p, [][]int64{{4, 20}, {30, 2}})
	r := Rule{Threshold: 5}
	st := p.Solve(r)
	for i := range in {
		for j := range in[i] {
			if st[in[i][j]] == P {
				t.Fatalf("Solve left cell (%d,%d) published: %v", i, j, st)
			}
		}
	}
	exp, err := Audit(&p, st, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(exp) != 1 || exp[0].Cell != in[0][0] || exp[0].Lo != 2 || exp[0].Hi != 24 {
		t.Fatalf("Audit = %+v, want x11 in [2, 24]", exp)
	}
	_, added, err := Protect(&p, st, r)
	if err != nil {
		t.Fatal(err)
	}
	if added != 2 || st[rows[0]] != S || st[rows[1]] != S || st[cols[0]] != P || st[cols[1]] != P || st[grand] != P {
		t.Errorf("Protect added %d: rows %v %v, columns %v %v, grand %v; want the two row totals", added, st[rows[0]], st[rows[1]], st[cols[0]], st[cols[1]], st[grand])
	}
	ivs, err := Bounds(&p, st, r, in[0][0], in[1][1])
	if err != nil || ivs[0].Lo != 0 || ivs[0].Hi != 34 || ivs[1].Lo != 0 || ivs[1].Hi != 22 {
		t.Errorf("after Protect: %+v, %v; want x11 in [0, 34], x22 in [0, 22]", ivs, err)
	}
}

// The linear programmes against brute force: on small two-way tables (whose equations are
// totally unimodular, so the bounds are whole numbers and every value between is reached) the
// interval of every withheld cell equals the smallest and largest value over all whole-number
// tables with the published margins.
func TestBoundsMatchEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	compared, wide := 0, 0
	for n := 0; n < 60; n++ {
		nr, nc := 2+rng.IntN(2), 2+rng.IntN(2)
		cells := make([][]int64, nr)
		for i := range cells {
			for range nc {
				cells[i] = append(cells[i], int64(rng.IntN(7)))
			}
		}
		var p Problem
		in, rows, cols, grand := grid(&p, cells)
		r := Rule{Threshold: 3 + rng.IntN(2)}
		st := p.Solve(r)
		if st[grand] != P { // nothing bounds the cells: the enumeration below needs a ceiling
			continue
		}
		// Enumerate the withheld inner cells (totals withheld too are unknown as well).
		var free [][2]int
		for i := range in {
			for j := range in[i] {
				if st[in[i][j]] != P {
					free = append(free, [2]int{i, j})
				}
			}
		}
		if len(free) == 0 {
			continue
		}
		lo, hi := enumerate(cells, free, st, in, rows, cols)
		for k, f := range free {
			ivs, err := Bounds(&p, st, r, in[f[0]][f[1]])
			if err != nil {
				t.Fatal(err)
			}
			compared++
			if lo[k] < hi[k] {
				wide++
			}
			if ivs[0].Lo != float64(lo[k]) || ivs[0].Hi != float64(hi[k]) {
				t.Errorf("table %v, statuses %v: cell (%d,%d) LP [%g, %g], enumeration [%d, %d]",
					cells, st, f[0], f[1], ivs[0].Lo, ivs[0].Hi, lo[k], hi[k])
			}
		}
	}
	if wide == 0 {
		t.Error("no withheld cell had a wide interval: the comparison tested nothing")
	}
	t.Logf("%d withheld cells compared, %d with lo < hi", compared, wide)
}

// enumerate tries every whole-number value (0 to the largest table total) for the free cells and
// keeps the tables in which every published total still adds up; it returns each free cell's
// smallest and largest value over them. A withheld total constrains nothing except through the
// grand total, which is checked when both it and all its parts are known.
func enumerate(cells [][]int64, free [][2]int, st []Status, in [][]int, rows, cols []int) (lo, hi []int64) {
	var top int64
	for _, row := range cells {
		for _, v := range row {
			top += v
		}
	}
	val := make([][]int64, len(cells))
	for i := range cells {
		val[i] = append([]int64(nil), cells[i]...)
	}
	for _, f := range free {
		val[f[0]][f[1]] = 0 // not yet tried
	}
	lo, hi = make([]int64, len(free)), make([]int64, len(free))
	for k := range free {
		lo[k], hi[k] = math.MaxInt64, -1
	}
	rowSum := func(i int) (s int64) {
		for _, v := range val[i] {
			s += v
		}
		return
	}
	colSum := func(j int) (s int64) {
		for i := range val {
			s += val[i][j]
		}
		return
	}
	var rec func(k int)
	rec = func(k int) {
		if k == len(free) {
			var gr, gc int64 = 0, 0
			for i := range val {
				s := rowSum(i)
				if st[rows[i]] == P && s != cells2sum(cells[i]) {
					return
				}
				gr += s
			}
			for j := range val[0] {
				s := colSum(j)
				if st[cols[j]] == P && s != colTotal(cells, j) {
					return
				}
				gc += s
			}
			if gr != top || gc != top {
				return
			}
			for q, f := range free {
				v := val[f[0]][f[1]]
				lo[q], hi[q] = min(lo[q], v), max(hi[q], v)
			}
			return
		}
		f := free[k]
		for v := int64(0); v <= top; v++ {
			val[f[0]][f[1]] = v
			if st[rows[f[0]]] == P && rowSum(f[0]) > cells2sum(cells[f[0]]) ||
				st[cols[f[1]]] == P && colSum(f[1]) > colTotal(cells, f[1]) {
				break
			}
			rec(k + 1)
		}
		val[f[0]][f[1]] = 0
	}
	rec(0)
	return lo, hi
}

func cells2sum(row []int64) (s int64) {
	for _, v := range row {
		s += v
	}
	return
}

func colTotal(cells [][]int64, j int) (s int64) {
	for i := range cells {
		s += cells[i][j]
	}
	return
}

// linked builds a random reach-like problem: LSOAs in wards, deciles and travel-time bands, each
// margin a group, and the area total of each margin. small is the chance of a count 1 to 4.
func linked(rng *rand.Rand, lsoas, wards, deciles, bands int, small float64) *Problem {
	p := &Problem{}
	type margin struct {
		name  string
		n     int
		of    func(i int) int
		cells [][]int
	}
	ms := []*margin{
		{name: "ward", n: wards, of: func(i int) int { return i * wards / lsoas }},
		{name: "decile", n: deciles, of: func(int) int { return rng.IntN(deciles) }},
		{name: "band", n: bands, of: func(int) int { return rng.IntN(bands) }},
	}
	var all int64
	vals := make([]int64, lsoas)
	for i := range vals {
		switch x := rng.Float64(); {
		case x < small:
			vals[i] = 1 + int64(rng.IntN(4))
		case x < small+0.1:
			vals[i] = 0
		default:
			vals[i] = 5 + int64(rng.IntN(40))
		}
		all += vals[i]
	}
	lsoaCell := make([]int, lsoas)
	for i, v := range vals {
		lsoaCell[i] = p.Cell(fmt.Sprintf("lsoa/%d", i), v)
	}
	area := p.Cell("area", all)
	for _, m := range ms {
		m.cells = make([][]int, m.n)
		sums := make([]int64, m.n)
		for i := range vals {
			u := m.of(i)
			m.cells[u] = append(m.cells[u], lsoaCell[i])
			sums[u] += vals[i]
		}
		var tots []int
		for u := range m.n {
			if len(m.cells[u]) == 0 {
				continue
			}
			tot := p.Cell(fmt.Sprintf("%s/%d", m.name, u), sums[u])
			must(p.Group(tot, m.cells[u]...))
			tots = append(tots, tot)
		}
		must(p.Group(area, tots...))
	}
	return p
}

// Property: on random linked problems, after Solve and Protect every primary cell's interval
// meets the protection requirement (checked cell by cell through Bounds, not through Audit's
// shortcuts), and Protect only withholds more: every cell Solve withheld keeps its status, every
// cell Protect changed was published and is now Secondary, and the count of changes is what
// Protect returned.
func TestProtectProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 5))
	exposedBefore := 0
	for n := 0; n < 40; n++ {
		lsoas := 6 + rng.IntN(30)
		p := linked(rng, lsoas, 2+rng.IntN(4), 2+rng.IntN(4), 2+rng.IntN(3), 0.2+0.4*rng.Float64())
		r := Rule{Threshold: 3 + rng.IntN(4)}
		if n%4 == 3 {
			r.RoundTo = 5
		}
		st := p.Solve(r)
		before := append([]Status(nil), st...)
		exp, err := Audit(p, st, r)
		if err != nil {
			t.Fatal(err)
		}
		exposedBefore += len(exp)
		first, added, err := Protect(p, st, r)
		if err != nil {
			t.Fatalf("problem %d: %v", n, err)
		}
		if len(first) != len(exp) {
			t.Errorf("problem %d: Protect's first audit found %d, Audit %d", n, len(first), len(exp))
		}
		if (added == 0) != (len(exp) == 0) {
			t.Errorf("problem %d: %d exposed, %d withheld", n, len(exp), added)
		}
		if exp, err := Audit(p, st, r); err != nil || len(exp) != 0 {
			t.Errorf("problem %d: after Protect Audit = %v, %v", n, exp, err)
		}
		changed := 0
		for i := range st {
			if st[i] == before[i] {
				continue
			}
			changed++
			if before[i] != Published || st[i] != Secondary {
				t.Errorf("problem %d: %s went from %v to %v", n, p.Key(i), before[i], st[i])
			}
		}
		if changed != added {
			t.Errorf("problem %d: Protect reported %d, changed %d", n, added, changed)
		}
		for i := range st {
			if st[i] != Primary {
				continue
			}
			iv, err := Bounds(p, st, r, i)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Protected(iv[0]) {
				t.Errorf("problem %d (threshold %d, round %d): %s still narrowed to %s", n, r.Threshold, r.RoundTo, p.Key(i), iv[0].text())
			}
		}
	}
	// The property is only worth something if Solve alone left exposures to fix.
	if exposedBefore == 0 {
		t.Error("no random problem had an exposed cell after Solve: the property was never exercised")
	}
	t.Logf("%d exposed cells after Solve over the random problems", exposedBefore)
}

// BenchmarkProtect is Solve and Protect (its audits included) on reach-sized problems: 200 LSOAs in 20 wards,
// 10 deciles and 6 travel-time bands, with 15% or 40% small counts, threshold 5.
func BenchmarkProtect(b *testing.B) {
	for _, small := range []float64{0.15, 0.4} {
		b.Run(fmt.Sprintf("small%.0f%%", 100*small), func(b *testing.B) {
			r := Rule{Threshold: 5}
			var exposed, added, withheld int
			for b.Loop() {
				p := linked(rand.New(rand.NewPCG(1, 2)), 200, 20, 10, 6, small)
				st := p.Solve(r)
				exp, n, err := Protect(p, st, r)
				if err != nil {
					b.Fatal(err)
				}
				exposed, added, withheld = len(exp), n, 0
				for _, s := range st {
					if s != Published {
						withheld++
					}
				}
			}
			b.ReportMetric(float64(exposed), "exposed")
			b.ReportMetric(float64(added), "added")
			b.ReportMetric(float64(withheld), "withheld")
		})
	}
}
