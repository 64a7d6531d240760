package siting

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// lpModel is what readLP understands of a CPLEX LP file: the subset that WriteLP emits.
type lpModel struct {
	maximize bool
	obj      map[string]float64
	objOrder []string
	rows     []lpRow
	bounds   map[string][2]float64
	binary   []string
}

type lpRow struct {
	name  string
	vars  []string
	coefs []float64
	op    string
	rhs   float64
}

// readLP parses an LP file written by WriteLP, strictly: anything else is an error.
func readLP(text string) (*lpModel, error) {
	var toks []string
	for _, line := range strings.Split(text, "\n") {
		if len(line) > 255 {
			return nil, fmt.Errorf("line of %d characters, more than 255", len(line))
		}
		if c := strings.IndexByte(line, '\\'); c >= 0 {
			line = line[:c]
		}
		toks = append(toks, strings.Fields(line)...)
	}
	m := &lpModel{obj: map[string]float64{}, bounds: map[string][2]float64{}}
	pos := 0
	next := func() string {
		if pos >= len(toks) {
			return ""
		}
		pos++
		return toks[pos-1]
	}
	peek := func() string {
		if pos >= len(toks) {
			return ""
		}
		return toks[pos]
	}
	isSection := func(s string) bool {
		return s == "Subject" || s == "Bounds" || s == "Binary" || s == "End" || s == ""
	}
	// terms reads [+|-] [number] name ... up to a comparison or a section.
	terms := func() (vars []string, coefs []float64, err error) {
		for {
			t := peek()
			if t == "<=" || t == "=" || t == ">=" || isSection(t) || strings.HasSuffix(t, ":") {
				return vars, coefs, nil
			}
			sign := 1.0
			if t == "+" || t == "-" {
				if t == "-" {
					sign = -1
				}
				next()
			}
			coef := 1.0
			if v, err := strconv.ParseFloat(peek(), 64); err == nil {
				coef = v
				next()
			}
			name := next()
			if !regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`).MatchString(name) {
				return nil, nil, fmt.Errorf("bad variable name %q", name)
			}
			vars, coefs = append(vars, name), append(coefs, sign*coef)
		}
	}
	switch sense := next(); sense {
	case "Maximize", "Minimize":
		m.maximize = sense == "Maximize"
	default:
		return nil, fmt.Errorf("want Maximize or Minimize, got %q", sense)
	}
	if next() != "obj:" {
		return nil, fmt.Errorf("want obj:")
	}
	vars, coefs, err := terms()
	if err != nil {
		return nil, err
	}
	for a, v := range vars {
		m.obj[v] += coefs[a]
		m.objOrder = append(m.objOrder, v)
	}
	if next() != "Subject" || next() != "To" {
		return nil, fmt.Errorf("want Subject To")
	}
	for strings.HasSuffix(peek(), ":") {
		row := lpRow{name: strings.TrimSuffix(next(), ":")}
		if row.vars, row.coefs, err = terms(); err != nil {
			return nil, err
		}
		row.op = next()
		if row.rhs, err = strconv.ParseFloat(next(), 64); err != nil {
			return nil, fmt.Errorf("row %s: %w", row.name, err)
		}
		m.rows = append(m.rows, row)
	}
	if next() != "Bounds" {
		return nil, fmt.Errorf("want Bounds")
	}
	for peek() != "Binary" {
		lo, e1 := strconv.ParseFloat(next(), 64)
		op1, name, op2 := next(), next(), next()
		hi, e2 := strconv.ParseFloat(next(), 64)
		if e1 != nil || e2 != nil || op1 != "<=" || op2 != "<=" {
			return nil, fmt.Errorf("bad bound near %q", name)
		}
		m.bounds[name] = [2]float64{lo, hi}
	}
	next()
	for peek() != "End" {
		if peek() == "" {
			return nil, fmt.Errorf("no End")
		}
		m.binary = append(m.binary, next())
	}
	return m, nil
}

// instanceFromLP turns a model read back from an LP file into a covering instance and constraints:
// the y variables are demand points (weights from the objective), the binaries are candidates (ids
// are their names), and the rows give coverage, k, must-open sites, spacing pairs and group caps.
func instanceFromLP(m *lpModel) (*Instance, int, *Constraints, error) {
	if !m.maximize {
		return nil, 0, nil, fmt.Errorf("the covering model maximises")
	}
	inst := &Instance{}
	demand := map[string]int32{}
	for _, v := range m.objOrder {
		if b := m.bounds[v]; b != [2]float64{0, 1} {
			return nil, 0, nil, fmt.Errorf("%s: bounds %v, want 0..1", v, b)
		}
		demand[v] = int32(len(inst.Weights))
		inst.Weights = append(inst.Weights, m.obj[v])
	}
	cand := candidatesFromLP(m, inst)
	inst.Covers = make([][]int32, len(m.binary))
	k, cons, rest, err := siteRowsFromLP(m, inst, cand)
	if err != nil {
		return nil, 0, nil, err
	}
	for _, row := range rest {
		if !strings.HasPrefix(row.name, "cov_") {
			return nil, 0, nil, fmt.Errorf("unknown row %s", row.name)
		}
		i, ok := demand[row.vars[0]]
		if !ok || row.coefs[0] != 1 || row.op != "<=" || row.rhs != 0 {
			return nil, 0, nil, fmt.Errorf("row %s is not a coverage row", row.name)
		}
		for a, v := range row.vars[1:] {
			j, ok := cand[v]
			if !ok || row.coefs[a+1] != -1 {
				return nil, 0, nil, fmt.Errorf("row %s: %g %s", row.name, row.coefs[a+1], v)
			}
			inst.Covers[j] = append(inst.Covers[j], i)
		}
	}
	return inst, k, cons, nil
}

// candidatesFromLP makes a candidate of each binary variable (the id is its name) and returns
// the index of each.
func candidatesFromLP(m *lpModel, inst *Instance) map[string]int {
	cand := map[string]int{}
	for j, v := range m.binary {
		cand[v] = j
		inst.Candidates = append(inst.Candidates, Candidate{ID: v})
	}
	return cand
}

// siteRowsFromLP reads the rows on the candidates that both models share (budget, must-open,
// spacing, group caps) and returns k, the constraints and the other rows.
func siteRowsFromLP(m *lpModel, inst *Instance, cand map[string]int) (int, *Constraints, []lpRow, error) {
	cons := &Constraints{GroupMax: map[string]int{}}
	close := map[[2]int]bool{}
	k := -1
	var rest []lpRow
	for _, row := range m.rows {
		switch {
		case row.name == "budget":
			if len(row.vars) != len(m.binary) || row.op != "<=" {
				return 0, nil, nil, fmt.Errorf("budget row has %d of %d candidates", len(row.vars), len(m.binary))
			}
			k = int(row.rhs)
		case strings.HasPrefix(row.name, "must_"):
			if len(row.vars) != 1 || row.op != "=" || row.rhs != 1 {
				return 0, nil, nil, fmt.Errorf("row %s is not a must-open row", row.name)
			}
			cons.MustOpen = append(cons.MustOpen, row.vars[0])
		case strings.HasPrefix(row.name, "sep_"):
			if len(row.vars) != 2 || row.op != "<=" || row.rhs != 1 {
				return 0, nil, nil, fmt.Errorf("row %s is not a spacing row", row.name)
			}
			a, b := cand[row.vars[0]], cand[row.vars[1]]
			close[[2]int{a, b}], close[[2]int{b, a}] = true, true
		case strings.HasPrefix(row.name, "grp_"):
			for _, v := range row.vars {
				inst.Candidates[cand[v]].Group = row.name
			}
			cons.GroupMax[row.name] = int(row.rhs)
		default:
			rest = append(rest, row)
		}
	}
	if k < 0 {
		return 0, nil, nil, fmt.Errorf("no budget row")
	}
	if len(close) > 0 {
		cons.MinSpacing = 0.5
		cons.Distance = func(a, b int) float64 {
			if close[[2]int{a, b}] {
				return 0
			}
			return 1
		}
	}
	return k, cons, rest, nil
}

func TestLPNames(t *testing.T) {
	inst := &Instance{Candidates: []Candidate{
		{ID: "LIB-01"}, {ID: "LIB_01"}, {ID: "St Mary's"}, {ID: "école 1"}, {ID: "LIB 01"},
		{ID: strings.Repeat("a", 100)},
	}}
	want := []string{"x_LIB_01", "x_LIB_01_r2", "x_St_Mary_s", "x__cole_1", "x_LIB_01_r5", "x_" + strings.Repeat("a", 60)}
	if got := LPNames(inst); !slices.Equal(got, want) {
		t.Errorf("LPNames\n got %q\nwant %q", got, want)
	}
}

// TestLPRoundTrip writes instances as LP files, reads them back, and solves what was read with
// the exact method (and with CBC and GLPK when they are installed): all must find the optimum
// that enumeration finds on the original instance.
func TestLPRoundTrip(t *testing.T) {
	cbc, _ := exec.LookPath("cbc")
	glpsol, _ := exec.LookPath("glpsol")
	if cbc == "" {
		t.Log("cbc not on PATH: CBC checks skipped (apt-get install coinor-cbc)")
	}
	if glpsol == "" {
		t.Log("glpsol not on PATH: GLPK checks skipped (apt-get install glpk-utils)")
	}
	dir := t.TempDir()
	for seed := uint64(1); seed <= 6; seed++ {
		inst := randomInstance(genSpec{seed: seed, nc: 10, nd: 30, side: 10000, radius: 2800, existing: 1, groups: 3})
		inst.Candidates[0].ID = "LIB-01 (Central)"
		inst.Weights[1] = 2.5
		for _, c := range []*Constraints{nil,
			{MustOpen: []string{inst.Candidates[3].ID}, MinSpacing: 2500, MaxPerGroup: 1, GroupMax: map[string]int{"g1": 2}}} {
			k := 2 + int(seed%3)
			name := fmt.Sprintf("seed%d-k%d-constrained%v", seed, k, c != nil)
			t.Run(name, func(t *testing.T) {
				opt, _ := bruteCover(inst, k, c)
				var sb strings.Builder
				if err := WriteLP(&sb, inst, k, c); err != nil {
					t.Fatal(err)
				}
				m, err := readLP(sb.String())
				if err != nil {
					t.Fatalf("reading the LP back: %v\n%s", err, sb.String())
				}
				back, backK, backCons, err := instanceFromLP(m)
				if err != nil {
					t.Fatal(err)
				}
				if backK != k {
					t.Errorf("k = %d read back, want %d", backK, k)
				}
				res, err := ExactMaxCover(context.Background(), back, backK, ExactOptions{Constraints: backCons})
				if err != nil {
					t.Fatal(err)
				}
				if !res.Optimal || !near(res.Value, opt) {
					t.Errorf("exact on the LP read back: %g (optimal %v), enumeration on the instance: %g", res.Value, res.Optimal, opt)
				}
				path := filepath.Join(dir, name+".lp")
				if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				if cbc != "" {
					obj, x := solveCBC(t, cbc, path)
					if !near(obj, opt) {
						t.Errorf("CBC objective %g, enumeration %g", obj, opt)
					}
					checkSolverSets(t, inst, k, c, x, opt)
				}
				if glpsol != "" {
					obj, x := solveGLPK(t, glpsol, path)
					if !near(obj, opt) {
						t.Errorf("GLPK objective %g, enumeration %g", obj, opt)
					}
					checkSolverSets(t, inst, k, c, x, opt)
				}
			})
		}
	}
}

// checkSolverSets maps a solver's chosen variables back to candidates and checks the set.
func checkSolverSets(t *testing.T, inst *Instance, k int, c *Constraints, chosen []string, opt float64) {
	t.Helper()
	names := LPNames(inst)
	var set []int
	for _, v := range chosen {
		j := slices.Index(names, v)
		if j < 0 {
			t.Fatalf("solver chose %s, no such candidate", v)
		}
		set = append(set, j)
	}
	if len(set) > k || !feasibleRef(inst, set, c) || !near(coverValueRef(inst, set), opt) {
		t.Errorf("solver's sites %v: feasible %v, value %g, want the optimum %g", set, feasibleRef(inst, set, c), coverValueRef(inst, set), opt)
	}
}

// solveCBC runs CBC on an LP file and returns the objective and the x variables set to 1.
func solveCBC(t *testing.T, cbc, path string) (float64, []string) {
	t.Helper()
	sol := path + ".cbc.sol"
	if out, err := exec.Command(cbc, path, "solve", "solu", sol).CombinedOutput(); err != nil {
		t.Fatalf("cbc: %v\n%s", err, out)
	}
	f, err := os.Open(sol)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	head := sc.Text()
	if !strings.HasPrefix(head, "Optimal - objective value ") {
		t.Fatalf("cbc: %q", head)
	}
	obj, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(head, "Optimal - objective value ")), 64)
	if err != nil {
		t.Fatal(err)
	}
	var x []string
	for sc.Scan() {
		f := strings.Fields(strings.TrimPrefix(sc.Text(), "**"))
		if len(f) >= 3 && strings.HasPrefix(f[1], "x_") {
			if v, _ := strconv.ParseFloat(f[2], 64); v > 0.5 {
				x = append(x, f[1])
			}
		}
	}
	return math.Round(obj*1e6) / 1e6, x
}

// solveGLPK runs glpsol on an LP file and returns the objective and the x variables set to 1.
func solveGLPK(t *testing.T, glpsol, path string) (float64, []string) {
	t.Helper()
	sol := path + ".glpk.sol"
	if out, err := exec.Command(glpsol, "--lp", path, "-w", sol).CombinedOutput(); err != nil {
		t.Fatalf("glpsol: %v\n%s", err, out)
	}
	text, err := os.ReadFile(sol)
	if err != nil {
		t.Fatal(err)
	}
	// The plain-text solution: "s mip ROWS COLS STATUS OBJ", then "j COL VALUE" lines in column
	// order; the LP file gives the column order (objective variables first, then by appearance).
	var obj float64
	var values []float64
	for _, line := range strings.Split(string(text), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 6 && f[0] == "s" && f[1] == "mip":
			if f[4] != "o" {
				t.Fatalf("glpsol status %q, want o (optimal)", f[4])
			}
			obj, _ = strconv.ParseFloat(f[5], 64)
		case len(f) == 3 && f[0] == "j":
			v, _ := strconv.ParseFloat(f[2], 64)
			values = append(values, v)
		}
	}
	cols := lpColumnOrder(t, path)
	if len(cols) != len(values) {
		t.Fatalf("glpsol gave %d columns, the LP has %d", len(values), len(cols))
	}
	var x []string
	for c, name := range cols {
		if strings.HasPrefix(name, "x_") && values[c] > 0.5 {
			x = append(x, name)
		}
	}
	return obj, x
}

var (
	lpVarName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	lpKeywords = map[string]bool{"Maximize": true, "Minimize": true, "Subject": true, "To": true,
		"Bounds": true, "Binary": true, "End": true}
)

// lpColumnOrder lists the variables of an LP file in order of first appearance, as GLPK numbers
// its columns.
func lpColumnOrder(t *testing.T, path string) []string {
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var cols []string
	for _, line := range strings.Split(string(text), "\n") {
		if c := strings.IndexByte(line, '\\'); c >= 0 {
			line = line[:c]
		}
		for _, tok := range strings.Fields(line) {
			if lpVarName.MatchString(tok) && !lpKeywords[tok] && !seen[tok] {
				seen[tok] = true
				cols = append(cols, tok)
			}
		}
	}
	return cols
}

// medianFromLP turns a p-median model read back from an LP file into an equivalent instance and
// returns the constant F carried by fixed_cost. Each assignment row asg_i (s_i + Σ z = 1) is a
// demand point of weight 1 whose current cost is the objective coefficient of s_i (w_i d0_i) and
// whose arcs are the z in it, at their objective coefficients (w_i c_ij), to the candidate that
// their link row (z - x <= 0) names. The cap is set above every coefficient, so that it never
// binds: the optimum of the instance plus F is the optimum of the LP.
func medianFromLP(m *lpModel) (*Instance, int, *Constraints, float64, error) {
	if m.maximize {
		return nil, 0, nil, 0, fmt.Errorf("the p-median model minimises")
	}
	if b := m.bounds["fixed_cost"]; b != [2]float64{1, 1} {
		return nil, 0, nil, 0, fmt.Errorf("fixed_cost: bounds %v, want 1..1", b)
	}
	inst := &Instance{}
	cand := candidatesFromLP(m, inst)
	inst.Costs = make([][]Arc, len(m.binary))
	k, cons, rest, err := siteRowsFromLP(m, inst, cand)
	if err != nil {
		return nil, 0, nil, 0, err
	}
	link := map[string]int{} // z -> candidate
	for _, row := range rest {
		if !strings.HasPrefix(row.name, "lnk_") {
			continue
		}
		if len(row.vars) != 2 || row.coefs[0] != 1 || row.coefs[1] != -1 || row.op != "<=" || row.rhs != 0 {
			return nil, 0, nil, 0, fmt.Errorf("row %s is not a link row", row.name)
		}
		j, ok := cand[row.vars[1]]
		if _, dup := link[row.vars[0]]; dup || !ok || row.name != "lnk"+strings.TrimPrefix(row.vars[0], "z") {
			return nil, 0, nil, 0, fmt.Errorf("row %s: link %s to %s", row.name, row.vars[0], row.vars[1])
		}
		link[row.vars[0]] = j
	}
	used := map[string]bool{}
	top := 0.0
	for _, row := range rest {
		switch {
		case strings.HasPrefix(row.name, "lnk_"):
		case strings.HasPrefix(row.name, "asg_"):
			i := strings.TrimPrefix(row.name, "asg_")
			if row.op != "=" || row.rhs != 1 || row.vars[0] != "s_"+i {
				return nil, 0, nil, 0, fmt.Errorf("row %s is not an assignment row", row.name)
			}
			n := int32(len(inst.Weights))
			inst.Weights = append(inst.Weights, 1)
			inst.CurrentCost = append(inst.CurrentCost, m.obj[row.vars[0]])
			top = max(top, m.obj[row.vars[0]])
			for a, z := range row.vars[1:] {
				j, ok := link[z]
				if !ok || used[z] || row.coefs[a+1] != 1 || !strings.HasPrefix(z, "z_"+i+"_") {
					return nil, 0, nil, 0, fmt.Errorf("row %s: %g %s (linked %v, used before %v)", row.name, row.coefs[a+1], z, ok, used[z])
				}
				used[z] = true
				inst.Costs[j] = append(inst.Costs[j], Arc{n, m.obj[z]})
			}
		default:
			return nil, 0, nil, 0, fmt.Errorf("unknown row %s", row.name)
		}
	}
	if len(used) != len(link) {
		return nil, 0, nil, 0, fmt.Errorf("%d link rows but %d assignment variables", len(link), len(used))
	}
	inst.CostCap = top + 1
	return inst, k, cons, m.obj["fixed_cost"], nil
}

// handMedian is worked by hand. Five demand points D0..D4 with weights 2, 1, 3, 1, 0; cost cap
// 10; existing sites at costs 4, none, 12, 1, none, so the base costs d0 are 4, 10, 10, 1, 10.
// Candidates (arcs not listed cost the cap):
//
//	A       (0, 0): D0 1, D1 7, D2 11 (above the cap: useless), D3 3 (dearer than now: useless)
//	"Hall B" (2000, 0): D1 2, D2 5, D4 1 (weight 0)
//	C     (400, 0): D0 3, D2 2
//
// Cost with existing sites only: 2·4 + 1·10 + 3·10 + 1·1 + 0 = 49. D3 and D4 cannot gain, so
// they are the constant F = 1·1 + 0·10 = 1. Every set of at most 3 (D0, D1, D2 terms, + 1):
//
//	{A} 2·1+1·7+3·10+1 = 40   {B} 2·4+1·2+3·5+1 = 26   {C} 2·3+1·10+3·2+1 = 23
//	{A,B} 2+2+15+1 = 20       {A,C} 2+7+6+1 = 16        {B,C} 6+2+6+1 = 15
//	{A,B,C} 2+2+6+1 = 11
//
// So k=1: 23 ({C}); k=2: 15 ({B,C}); k=3: 11; k=2 with A open: 16 ({A,C}); k=3 with B and C in
// one group capped at 1: 16 ({A,C}); k=3 with sites at least 600 apart (A and C are 400 apart):
// 15 ({B,C}).
func handMedian() *Instance {
	return &Instance{
		Weights:     []float64{2, 1, 3, 1, 0},
		CurrentCost: []float64{4, math.Inf(1), 12, 1, math.Inf(1)},
		CostCap:     10,
		Candidates: []Candidate{{ID: "A", X: 0}, {ID: "Hall B", X: 2000, Group: "east"},
			{ID: "C", X: 400, Group: "east"}},
		Costs: [][]Arc{
			{{0, 1}, {1, 7}, {2, 11}, {3, 3}},
			{{1, 2}, {2, 5}, {4, 1}},
			{{0, 3}, {2, 2}},
		},
	}
}

func TestMedianLPHandWorked(t *testing.T) {
	cbc, _ := exec.LookPath("cbc")
	glpsol, _ := exec.LookPath("glpsol")
	if cbc == "" {
		t.Log("cbc not on PATH: CBC checks skipped (apt-get install coinor-cbc)")
	}
	if glpsol == "" {
		t.Log("glpsol not on PATH: GLPK checks skipped (apt-get install glpk-utils)")
	}
	inst := handMedian()
	// The objective of the model, term by term, from the table above: w_i d0_i for s_i,
	// w_i c_ij for the arcs cheaper than d0_i, and F.
	wantObj := map[string]float64{"s_0": 8, "z_0_A": 2, "z_0_C": 6, "s_1": 10, "z_1_A": 7, "z_1_Hall_B": 2,
		"s_2": 30, "z_2_Hall_B": 15, "z_2_C": 6, "fixed_cost": 1}
	dir := t.TempDir()
	for _, c := range []struct {
		name  string
		k     int
		cons  *Constraints
		want  float64
		sites []string
	}{
		{"k1", 1, nil, 23, []string{"x_C"}},
		{"k2", 2, nil, 15, []string{"x_C", "x_Hall_B"}},
		{"k3", 3, nil, 11, []string{"x_A", "x_C", "x_Hall_B"}},
		{"k2-must-A", 2, &Constraints{MustOpen: []string{"A"}}, 16, []string{"x_A", "x_C"}},
		{"k3-group-cap", 3, &Constraints{GroupMax: map[string]int{"east": 1}}, 16, []string{"x_A", "x_C"}},
		{"k3-spacing", 3, &Constraints{MinSpacing: 600}, 15, []string{"x_C", "x_Hall_B"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if opt, _ := bruteMedian(inst, c.k, c.cons); opt != c.want {
				t.Fatalf("enumeration %g, worked by hand %g", opt, c.want)
			}
			res, err := PMedian(inst, c.k, Options{Constraints: c.cons})
			if err != nil {
				t.Fatal(err)
			}
			if res.Cost != c.want || res.BaseCost != 49 {
				t.Errorf("PMedian cost %g base %g, want %g and 49", res.Cost, res.BaseCost, c.want)
			}
			var sb strings.Builder
			if err := WriteMedianLP(&sb, inst, c.k, c.cons); err != nil {
				t.Fatal(err)
			}
			m, err := readLP(sb.String())
			if err != nil {
				t.Fatalf("reading the LP back: %v\n%s", err, sb.String())
			}
			if m.maximize || fmt.Sprint(m.obj) != fmt.Sprint(wantObj) {
				t.Errorf("objective (maximise %v)\n got %v\nwant %v", m.maximize, m.obj, wantObj)
			}
			if !slices.Equal(m.binary, []string{"x_A", "x_Hall_B", "x_C"}) {
				t.Errorf("binaries %v", m.binary)
			}
			// Links: one per arc kept, 6 of them (D0-A, D0-C, D1-A, D1-B, D2-B, D2-C).
			back, k, cons, fixed, err := medianFromLP(m)
			if err != nil {
				t.Fatalf("%v\n%s", err, sb.String())
			}
			arcs := 0
			for _, a := range back.Costs {
				arcs += len(a)
			}
			if k != c.k || fixed != 1 || len(back.Weights) != 3 || arcs != 6 {
				t.Errorf("read back k %d, F %g, %d demand points, %d arcs; want %d, 1, 3, 6", k, fixed, len(back.Weights), arcs, c.k)
			}
			if opt, _ := bruteMedian(back, k, cons); opt+fixed != c.want {
				t.Errorf("enumeration on the LP read back: %g + %g, want %g", opt, fixed, c.want)
			}
			path := filepath.Join(dir, c.name+".lp")
			if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			if cbc != "" {
				obj, x := solveCBC(t, cbc, path)
				if slices.Sort(x); obj != c.want || !slices.Equal(x, c.sites) {
					t.Errorf("CBC objective %g sites %v, want %g %v", obj, x, c.want, c.sites)
				}
			}
			if glpsol != "" {
				obj, x := solveGLPK(t, glpsol, path)
				if slices.Sort(x); obj != c.want || !slices.Equal(x, c.sites) {
					t.Errorf("GLPK objective %g sites %v, want %g %v", obj, x, c.want, c.sites)
				}
			}
		})
	}
}

// TestMedianLPRoundTrip writes random p-median instances (existing sites, costs in whole units
// of 100 m so that the objective is exact, some above the cap) as LP files, reads them back,
// and checks that enumeration on what was read, CBC and GLPK all find the optimum that
// enumeration finds on the original instance, and that PMedian does not beat it.
func TestMedianLPRoundTrip(t *testing.T) {
	cbc, _ := exec.LookPath("cbc")
	glpsol, _ := exec.LookPath("glpsol")
	if cbc == "" && glpsol == "" {
		t.Log("neither cbc nor glpsol on PATH: solver checks skipped")
	}
	dir := t.TempDir()
	for seed := uint64(1); seed <= 6; seed++ {
		inst := randomInstance(genSpec{seed: seed, nc: 10, nd: 25, side: 10000, radius: 2500, existing: int(seed % 3), groups: 3})
		inst.Covers = nil
		inst.Candidates[0].ID = "LIB-01 (Central)"
		inst.Weights[1] = 2.5
		inst.Weights[2] = 0
		inst.CostCap = 40 // 4 km: arcs go to 5 km, so some are above the cap
		for _, arcs := range inst.Costs {
			for a := range arcs {
				arcs[a].Cost = math.Round(arcs[a].Cost / 100)
			}
		}
		for i, c := range inst.CurrentCost {
			inst.CurrentCost[i] = math.Round(c / 100)
		}
		for _, c := range []*Constraints{nil,
			{MustOpen: []string{inst.Candidates[3].ID}, MinSpacing: 2500, MaxPerGroup: 1, GroupMax: map[string]int{"g1": 2}}} {
			k := 2 + int(seed%3)
			name := fmt.Sprintf("seed%d-k%d-constrained%v", seed, k, c != nil)
			t.Run(name, func(t *testing.T) {
				opt, _ := bruteMedian(inst, k, c)
				res, err := PMedian(inst, k, Options{Constraints: c})
				if err != nil {
					t.Fatal(err)
				}
				if res.Cost < opt-1e-9 || res.LowerBound > opt+1e-9 {
					t.Errorf("PMedian cost %g bound %g, optimum %g", res.Cost, res.LowerBound, opt)
				}
				var sb strings.Builder
				if err := WriteMedianLP(&sb, inst, k, c); err != nil {
					t.Fatal(err)
				}
				m, err := readLP(sb.String())
				if err != nil {
					t.Fatalf("reading the LP back: %v\n%s", err, sb.String())
				}
				back, backK, backCons, fixed, err := medianFromLP(m)
				if err != nil {
					t.Fatal(err)
				}
				if backK != k {
					t.Errorf("k = %d read back, want %d", backK, k)
				}
				if got, _ := bruteMedian(back, backK, backCons); !near(got+fixed, opt) {
					t.Errorf("enumeration on the LP read back: %g + %g, on the instance: %g", got, fixed, opt)
				}
				path := filepath.Join(dir, name+".lp")
				if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				if cbc != "" {
					obj, x := solveCBC(t, cbc, path)
					if !near(obj, opt) {
						t.Errorf("CBC objective %g, enumeration %g", obj, opt)
					}
					checkMedianSets(t, inst, k, c, x, opt)
				}
				if glpsol != "" {
					obj, x := solveGLPK(t, glpsol, path)
					if !near(obj, opt) {
						t.Errorf("GLPK objective %g, enumeration %g", obj, opt)
					}
					checkMedianSets(t, inst, k, c, x, opt)
				}
			})
		}
	}
}

// checkMedianSets maps a solver's chosen variables back to candidates and checks the set.
func checkMedianSets(t *testing.T, inst *Instance, k int, c *Constraints, chosen []string, opt float64) {
	t.Helper()
	names := LPNames(inst)
	var set []int
	for _, v := range chosen {
		j := slices.Index(names, v)
		if j < 0 {
			t.Fatalf("solver chose %s, no such candidate", v)
		}
		set = append(set, j)
	}
	if len(set) > k || !feasibleRef(inst, set, c) || !near(medianCostRef(inst, set), opt) {
		t.Errorf("solver's sites %v: feasible %v, cost %g, want the optimum %g", set, feasibleRef(inst, set, c), medianCostRef(inst, set), opt)
	}
}

func TestMedianLPErrors(t *testing.T) {
	inst := handMedian()
	var sb strings.Builder
	for _, c := range []struct {
		k    int
		cons *Constraints
		want string
	}{
		{4, nil, "only 3 candidate sites"},
		{0, nil, "at least one site"},
		{2, &Constraints{MustOpen: []string{"Z"}}, `"Z" is not a candidate`},
	} {
		if err := WriteMedianLP(&sb, inst, c.k, c.cons); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("k %d %+v: error %v, want one saying %q", c.k, c.cons, err, c.want)
		}
	}
	inst.Costs = nil
	inst.Covers = [][]int32{{0}, {1}, {2}}
	if err := WriteMedianLP(&sb, inst, 1, nil); err == nil || !strings.Contains(err.Error(), "no costs") {
		t.Errorf("no costs: error %v", err)
	}
}
