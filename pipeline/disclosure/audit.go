package disclosure

// The audit: what can a reader work out about a withheld count by combining every published
// figure of every linked table?
//
// Solve's secondary suppression looks at one margin at a time. Margins overlap (an LSOA is in a
// ward, a decile and a travel-time band), so a reader who writes down every group's equation
// (total = sum of members) with the published counts filled in gets a linear system whose
// unknowns are the withheld cells; with all counts ≥ 0 that system can pin a withheld cell down
// even when every margin on its own looks safe. The standard check (τ-ARGUS's audit, the
// "feasibility interval" of the Handbook on Statistical Disclosure Control) solves two linear
// programmes per withheld cell — minimise and maximise it subject to the published figures —
// giving the interval [lo, hi] a reader can deduce.
//
// Protection requirement. τ-ARGUS gives an unsafe cell a lower and an upper protection level
// (LPL, UPL) and calls it protected when lo ≤ value − LPL and hi ≥ value + UPL (its audit
// reports these "realised" bounds); for a cell that fails a minimum-frequency (threshold) rule
// in a frequency table, libtauargus (CTable::SetProtectionLevelCellFrequency) sets the LPL to
// the cell's own value, so the interval must reach down to zero. For the upper level we take
// UPL = Threshold − value, the "upper protection level" of a threshold rule: the interval must
// reach a count that would have been published. So a primary cell is protected when its
// interval contains [1, Threshold]:
//
//   - hi ≥ Threshold: the published figures allow a count that would have been published, so
//     they do not show the count is small, let alone which small count;
//   - lo ≤ 1 (LPL = value − 1): one less than τ-ARGUS's zero, because the published "<T" marker
//     already tells every reader the count is at least 1: with the marker, the reader learns
//     exactly "1 to Threshold−1" and nothing more.
//
// This implies the weaker forms (hi > lo, so the cell is not exactly determined, and
// hi − lo ≥ Threshold − 1). The linear programme uses only published values, group equations
// and non-negativity; it does not use the markers themselves (that "<5" cells are 1..4, or that
// a "[c]" cell is 0 or at least the threshold), nor integrality. Because the requirement is
// stated so that the "<T" marker of the audited cell adds nothing, the first omission does not
// weaken it for that cell; the others could let a determined reader narrow a little further in
// contrived cases.
//
// Rounding. When RoundTo > 1 a reader sees a published count only to the nearest RoundTo, so
// the exact feasible set is wider than with the counts themselves. The audit nevertheless fixes
// every published cell at its true (unrounded) count, as if the reader knew it: a stricter
// reader than the real one, so a pattern that passes is safe with rounding too, at the cost of
// sometimes withholding a cell that rounding alone would have protected. (Treating published
// cells as unknowns within their rounding intervals makes every cell of a linked problem one
// linear programme: 88 s for Solve and Protect on a 200-LSOA problem with gonum's dense simplex,
// against under 0.1 s this way.)
//
// Size. Only the groups connected to withheld cells matter: the cells are split into the
// connected components of the unknowns (two unknowns are connected when they share a group),
// and each component is one small linear programme. Components with no primary cell are not
// solved. A solution of one programme often already shows that other primary cells can reach 1
// or the threshold (a feasible table in which they do), which saves their programmes.

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// Interval is what a reader can work out about a cell from the published figures: the smallest
// and largest value it takes over all non-negative tables that agree with every published
// figure (at its unrounded count: see the notes on rounding at the top of audit.go) and add up
// in every group. Hi is +Inf when nothing bounds the cell from above.
type Interval struct {
	Cell   int
	Value  int64 // the true count (private)
	Lo, Hi float64
}

// tol is how far a linear programme's optimum may miss a whole number and still count as it.
const tol = 1e-6

// Protected reports whether a withheld small count's interval meets the protection
// requirement: it contains [1, Threshold] (why: the notes at the top of audit.go).
func (r Rule) Protected(iv Interval) bool {
	return iv.Lo <= 1+tol && iv.Hi >= float64(r.Threshold)-tol
}

// Audit returns the interval of every primary cell whose interval fails the protection
// requirement (in cell order): nil when the suppression pattern st is safe across all the
// problem's linked groups.
func Audit(p *Problem, st []Status, r Rule) ([]Interval, error) {
	if len(st) != p.Len() {
		return nil, fmt.Errorf("disclosure: audit of %d statuses for %d cells", len(st), p.Len())
	}
	v := newView(p, st, r)
	var out []Interval
	for _, comp := range v.components() {
		var prim []int
		for _, c := range comp.cells {
			if st[c] == Primary {
				prim = append(prim, c)
			}
		}
		if len(prim) == 0 {
			continue
		}
		m, err := v.model(comp)
		if err != nil {
			return nil, err
		}
		m.warm = true
		exp, err := m.audit(prim, r)
		if err != nil {
			return nil, err
		}
		out = append(out, exp...)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Cell < out[b].Cell })
	return out, nil
}

// Bounds returns the interval of each of the given cells under the suppression pattern st: a
// withheld cell's feasible interval, or for a published cell its count.
func Bounds(p *Problem, st []Status, r Rule, cells ...int) ([]Interval, error) {
	if len(st) != p.Len() {
		return nil, fmt.Errorf("disclosure: bounds with %d statuses for %d cells", len(st), p.Len())
	}
	v := newView(p, st, r)
	comps := v.components()
	byCell := map[int]int{}
	for k, comp := range comps {
		for _, c := range comp.cells {
			byCell[c] = k
		}
	}
	models := map[int]*model{}
	out := make([]Interval, len(cells))
	for i, c := range cells {
		out[i] = Interval{Cell: c, Value: p.values[c]}
		k, ok := byCell[c]
		if !ok { // known exactly
			out[i].Lo, out[i].Hi = v.lb[c], v.ub[c]
			continue
		}
		m := models[k]
		if m == nil {
			var err error
			if m, err = v.model(comps[k]); err != nil {
				return nil, err
			}
			models[k] = m
		}
		var err error
		if out[i].Lo, _, err = m.solve(c, false); err != nil {
			return nil, err
		}
		if out[i].Hi, _, err = m.solve(c, true); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Protect makes the suppression pattern st (from Solve) pass the audit: while a primary cell's
// interval fails the protection requirement, it withholds one more published cell for it (as
// Secondary) and audits again. It changes st in place and returns the exposed cells of the first
// audit (nil when st was already safe) and how many cells it withheld.
//
// The cell to withhold for an exposed cell is looked for among the published cells of the
// groups around it — first the groups it is in, then the groups reached from those through
// withheld cells — smaller non-zero counts first, zeros last; the first that on its own gives
// the exposed cell a protected interval is taken, otherwise the one that widens the interval
// most (the nearest, smallest on ties), and the audit is repeated. Every round withholds at
// least one more cell, so it ends; it fails only when an exposed cell has no published
// neighbour left to withhold.
func Protect(p *Problem, st []Status, r Rule) (exposed []Interval, added int, err error) {
	if r.Threshold < 2 {
		return nil, 0, nil
	}
	in := p.cellGroups()
	for round := 0; ; round++ {
		exp, err := Audit(p, st, r)
		if err != nil {
			return exposed, added, err
		}
		if round == 0 {
			exposed = exp
		}
		if len(exp) == 0 {
			return exposed, added, nil
		}
		for _, e := range exp {
			iv, err := Bounds(p, st, r, e.Cell)
			if err != nil {
				return exposed, added, err
			}
			if r.Protected(iv[0]) { // an earlier step of this round protected it
				continue
			}
			c, err := p.complement(st, r, in, iv[0])
			if err != nil {
				return exposed, added, err
			}
			st[c] = Secondary
			added++
		}
	}
}

// maxTries is how many candidate cells Protect tests (two linear programmes each) for one
// exposed cell before taking the best of them.
const maxTries = 12

// complement picks the published cell to withhold for the exposed cell of iv.
func (p *Problem) complement(st []Status, r Rule, in [][]int, iv Interval) (int, error) {
	cands := p.neighbours(st, in, iv.Cell)
	if len(cands) == 0 {
		return -1, fmt.Errorf("disclosure: %s can be narrowed down to %s from the published figures and no published cell around it is left to withhold", p.keys[iv.Cell], iv.text())
	}
	deficit := func(iv Interval) float64 {
		return math.Max(0, iv.Lo-1) + math.Max(0, float64(r.Threshold)-iv.Hi)
	}
	best, bestDef := cands[0], deficit(iv)
	for k, c := range cands {
		if k == maxTries {
			break
		}
		st[c] = Secondary
		got, err := Bounds(p, st, r, iv.Cell)
		st[c] = Published
		if err != nil {
			return -1, err
		}
		if r.Protected(got[0]) {
			return c, nil
		}
		if d := deficit(got[0]); d < bestDef-tol {
			best, bestDef = c, d
		}
	}
	return best, nil
}

// neighbours lists the published cells around cell j in the order complement tries them: the
// cells of j's own groups, then of the groups reached through withheld cells of those, and so
// on; within a distance, non-zero counts smallest first, then zeros (a withheld zero still
// widens an interval, but tells a reader less when left published).
func (p *Problem) neighbours(st []Status, in [][]int, j int) []int {
	seenCell := map[int]bool{j: true}
	seenGroup := map[int]bool{}
	frontier := []int{j}
	var out []int
	for len(frontier) > 0 {
		var next, level []int
		for _, c := range frontier {
			for _, gi := range in[c] {
				if seenGroup[gi] {
					continue
				}
				seenGroup[gi] = true
				g := p.groups[gi]
				for _, m := range append([]int{g.total}, g.members...) {
					if seenCell[m] {
						continue
					}
					seenCell[m] = true
					if st[m] == Published {
						level = append(level, m)
					} else {
						next = append(next, m)
					}
				}
			}
		}
		sort.SliceStable(level, func(a, b int) bool {
			va, vb := p.values[level[a]], p.values[level[b]]
			if (va == 0) != (vb == 0) {
				return vb == 0
			}
			return va < vb
		})
		out = append(out, level...)
		frontier = next
	}
	return out
}

// cellGroups lists, for every cell, the groups (with a published total) it is a member or the
// total of.
func (p *Problem) cellGroups() [][]int {
	in := make([][]int, len(p.values))
	for gi, g := range p.groups {
		if g.total < 0 {
			continue
		}
		in[g.total] = append(in[g.total], gi)
		for _, m := range g.members {
			in[m] = append(in[m], gi)
		}
	}
	return in
}

func (iv Interval) text() string {
	return fmt.Sprintf("[%s, %s] (true %d)", num(iv.Lo), num(iv.Hi), iv.Value)
}

func num(x float64) string {
	if math.IsInf(x, 1) {
		return "∞"
	}
	return fmt.Sprintf("%.4g", x)
}

// view is the reader's view of the problem: which cells are unknown (the withheld ones), and
// the bounds of each (for a published cell, lb = ub = its count).
type view struct {
	p       *Problem
	unknown []bool
	lb, ub  []float64
}

func newView(p *Problem, st []Status, r Rule) *view {
	n := len(p.values)
	v := &view{p: p, unknown: make([]bool, n), lb: make([]float64, n), ub: make([]float64, n)}
	for i, x := range p.values {
		switch {
		case st[i] != Published:
			v.unknown[i], v.lb[i], v.ub[i] = true, 0, math.Inf(1)
		default:
			v.lb[i], v.ub[i] = float64(x), float64(x)
		}
	}
	return v
}

// component is a connected set of unknown cells and the groups that hold them.
type component struct {
	cells  []int
	groups []int
}

// components splits the unknown cells into connected components through the groups with a
// published total (a group without one constrains nothing).
func (v *view) components() []component {
	parent := make([]int, len(v.unknown))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	first := make([]int, len(v.p.groups)) // an unknown cell of each group, or -1
	for gi, g := range v.p.groups {
		first[gi] = -1
		if g.total < 0 {
			continue
		}
		for _, c := range append([]int{g.total}, g.members...) {
			if !v.unknown[c] {
				continue
			}
			if first[gi] < 0 {
				first[gi] = c
			} else {
				parent[find(c)] = find(first[gi])
			}
		}
	}
	index := map[int]int{}
	var out []component
	for c, u := range v.unknown {
		if !u {
			continue
		}
		root := find(c)
		k, ok := index[root]
		if !ok {
			k = len(out)
			index[root] = k
			out = append(out, component{})
		}
		out[k].cells = append(out[k].cells, c)
	}
	for gi, c := range first {
		if c >= 0 {
			k := index[find(c)]
			out[k].groups = append(out[k].groups, gi)
		}
	}
	return out
}

// model is one component as a linear programme in standard form: variables y = x − lb ≥ 0 for
// the unknown cells, then one slack per unknown with a finite upper bound; rows are a linearly
// independent subset of the group equations, then y + slack = ub − lb.
type model struct {
	cells []int       // cell of each variable
	col   map[int]int // cell -> variable
	lb    []float64   // lower bound of each variable's cell
	ub    []float64
	value []int64    // true count of each variable's cell
	a     *mat.Dense // nil when there are no rows
	b     []float64
	keys  []string // key of each variable's cell, for messages
	basis []int    // a feasible basis of a (see start)
	tried bool     // start has looked for it
	warm  bool     // start every programme from basis
}

func (m *model) key(c int) string { return m.keys[m.col[c]] }

func (v *view) model(comp component) (*model, error) {
	m := &model{cells: comp.cells, col: map[int]int{}}
	for k, c := range comp.cells {
		m.col[c] = k
		m.lb = append(m.lb, v.lb[c])
		m.ub = append(m.ub, v.ub[c])
		m.value = append(m.value, v.p.values[c])
		m.keys = append(m.keys, v.p.keys[c])
	}
	n := len(comp.cells)
	var rows [][]float64
	var rhs []float64
	var basis []echelonRow
	for _, gi := range comp.groups {
		g := v.p.groups[gi]
		row := make([]float64, n)
		b := 0.0
		add := func(c int, coef float64) {
			if k, ok := m.col[c]; ok {
				row[k] += coef
				b -= coef * v.lb[c]
			} else {
				b -= coef * v.lb[c] // known: lb = ub = the published value
			}
		}
		for _, c := range g.members {
			add(c, 1)
		}
		add(g.total, -1)
		if !independent(&basis, row, b) {
			continue
		}
		rows, rhs = append(rows, row), append(rhs, b)
	}
	var slack []int // variables with a finite upper bound
	for k := range comp.cells {
		if !math.IsInf(m.ub[k], 1) {
			slack = append(slack, k)
		}
	}
	nr, nc := len(rows)+len(slack), n+len(slack)
	if nr == 0 {
		return m, nil
	}
	m.a = mat.NewDense(nr, nc, nil)
	for i, row := range rows {
		m.a.SetRow(i, append(row, make([]float64, len(slack))...))
	}
	m.b = append(m.b, rhs...)
	for s, k := range slack {
		i := len(rows) + s
		m.a.Set(i, k, 1)
		m.a.Set(i, n+s, 1)
		m.b = append(m.b, m.ub[k]-m.lb[k])
	}
	return m, nil
}

// echelonRow is a row of [A | b] reduced to echelon form, with its pivot column.
type echelonRow struct {
	pivot int
	row   []float64
	b     float64
}

// independent reports whether the equation row·y = b is linearly independent of the ones in
// basis, and if so adds it. A dependent equation must also agree with the others (the true
// counts satisfy every group), so a disagreement is a bug and panics.
func independent(basis *[]echelonRow, row []float64, b float64) bool {
	r := slices.Clone(row)
	for _, e := range *basis {
		if f := r[e.pivot]; f != 0 {
			for j, x := range e.row {
				if x != 0 {
					r[j] -= f * x
				}
			}
			b -= f * e.b
		}
	}
	piv, big := -1, 1e-9
	for j, x := range r {
		if math.Abs(x) > big {
			piv, big = j, math.Abs(x)
		}
	}
	if piv < 0 {
		if math.Abs(b) > 1e-6 {
			panic(fmt.Sprintf("disclosure: group equations disagree by %g", b))
		}
		return false
	}
	f := r[piv]
	for j := range r {
		r[j] /= f
	}
	*basis = append(*basis, echelonRow{pivot: piv, row: r, b: b / f})
	return true
}

// solve returns the minimum (or maximum) of cell c over the component's feasible tables, and
// the optimal variables (nil when unbounded or when the component has no rows).
func (m *model) solve(c int, maximise bool) (float64, []float64, error) {
	k := m.col[c]
	if m.a == nil { // the cell is in no equation
		if maximise {
			return m.ub[k], nil, nil
		}
		return m.lb[k], nil, nil
	}
	_, nc := m.a.Dims()
	obj := make([]float64, nc)
	if maximise {
		obj[k] = -1
	} else {
		obj[k] = 1
	}
	// Many programmes on one component (an audit) start from its feasible basis, found once; a
	// few (Bounds) let gonum find its own start (its Phase I), which is quicker for one or two.
	// When one way fails, the other is tried.
	first, second := m.start, func() []int { return nil }
	if !m.warm {
		first, second = second, first
	}
	f, x, err := m.simplex(obj, first())
	if err != nil && !errors.Is(err, lp.ErrUnbounded) {
		if b := second(); b != nil || m.warm {
			f, x, err = m.simplex(obj, b)
		}
	}
	switch {
	case errors.Is(err, lp.ErrUnbounded) && maximise:
		return math.Inf(1), nil, nil
	case err != nil:
		return 0, nil, fmt.Errorf("disclosure: audit of %s: %w", m.key(c), err)
	}
	if maximise {
		f = -f
	}
	return whole(m.lb[k] + f), x, nil
}

// simplex runs gonum's simplex method, turning its panics (an initial basis that is not
// feasible after all) into errors.
func (m *model) simplex(obj []float64, basis []int) (f float64, x []float64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("lp: %v", p)
		}
	}()
	return lp.Simplex(obj, m.a, m.b, 1e-10, slices.Clone(basis))
}

// start returns a feasible basis of the component's programme, found once (nil when none could
// be found, and gonum's Simplex is left to find its own every time). Every programme of a
// component has the same constraints, so starting them all from one feasible basis saves each
// its Phase I; it also avoids gonum's Phase I, which can fail on degenerate systems ("matrix
// singular"). The basis comes from the textbook Phase I: minimise the sum of one artificial
// variable per row, starting from the artificial basis; the columns of A that are positive at
// its optimum, completed with independent columns of A (slacks first), give a basis whose
// solution is that feasible point.
func (m *model) start() []int {
	if m.tried {
		return m.basis
	}
	m.tried = true
	rows, cols := m.a.Dims()
	aux := mat.NewDense(rows, cols+rows, nil)
	aux.Slice(0, rows, 0, cols).(*mat.Dense).Copy(m.a)
	obj := make([]float64, cols+rows)
	basis := make([]int, rows)
	for i := range rows {
		s := 1.0
		if m.b[i] < 0 {
			s = -1
		}
		aux.Set(i, cols+i, s)
		obj[cols+i] = 1
		basis[i] = cols + i
	}
	f, x, err := func() (f float64, x []float64, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("lp: %v", p)
			}
		}()
		return lp.Simplex(obj, aux, m.b, 1e-10, basis)
	}()
	if err != nil || f > tol {
		return nil
	}
	var cols2 []int
	var ech []echelonRow
	col := make([]float64, rows)
	add := func(j int) {
		mat.Col(col, j, m.a)
		if len(cols2) < rows && independent(&ech, col, 0) {
			cols2 = append(cols2, j)
		}
	}
	for j := range cols {
		if x[j] > 1e-9 {
			add(j)
		}
	}
	for j := cols - 1; j >= 0 && len(cols2) < rows; j-- {
		if x[j] <= 1e-9 {
			add(j)
		}
	}
	if len(cols2) != rows {
		return nil
	}
	// Check it is feasible as gonum will: the basic solution must be ≥ −1e-13.
	ab := mat.NewDense(rows, rows, nil)
	for i, j := range cols2 {
		ab.SetCol(i, mat.Col(nil, j, m.a))
	}
	var xb mat.VecDense
	if err := xb.SolveVec(ab, mat.NewVecDense(rows, m.b)); err != nil {
		return nil
	}
	for i := range rows {
		if xb.AtVec(i) < -1e-13 {
			return nil
		}
	}
	m.basis = cols2
	return m.basis
}

// whole rounds an optimum that is a whole number up to floating-point noise.
func whole(x float64) float64 {
	if r := math.Round(x); math.Abs(x-r) < tol {
		return r
	}
	return x
}

// audit returns the exposed primary cells among prim, all in this component. A solution of one
// programme in which another primary cell is at least the threshold (or at most 1) shows that
// cell can reach it, so its own programme for that side is skipped.
func (m *model) audit(prim []int, r Rule) ([]Interval, error) {
	t := float64(r.Threshold)
	upOK, downOK := map[int]bool{}, map[int]bool{}
	note := func(x []float64) {
		if x == nil {
			return
		}
		for _, c := range prim {
			k := m.col[c]
			val := m.lb[k] + x[k]
			if val >= t-tol {
				upOK[c] = true
			}
			if val <= 1+tol {
				downOK[c] = true
			}
		}
	}
	var out []Interval
	for _, c := range prim {
		iv := Interval{Cell: c, Value: m.value[m.col[c]], Lo: math.NaN(), Hi: math.NaN()}
		if !upOK[c] {
			hi, x, err := m.solve(c, true)
			if err != nil {
				return nil, err
			}
			iv.Hi = hi
			upOK[c] = hi >= t-tol
			note(x)
		}
		if !downOK[c] {
			lo, x, err := m.solve(c, false)
			if err != nil {
				return nil, err
			}
			iv.Lo = lo
			downOK[c] = lo <= 1+tol
			note(x)
		}
		if upOK[c] && downOK[c] {
			continue
		}
		var err error
		if math.IsNaN(iv.Hi) {
			iv.Hi, _, err = m.solve(c, true)
		}
		if err == nil && math.IsNaN(iv.Lo) {
			iv.Lo, _, err = m.solve(c, false)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, iv)
	}
	return out, nil
}
