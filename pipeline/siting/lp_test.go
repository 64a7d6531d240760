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
	if next() != "Maximize" || next() != "obj:" {
		return nil, fmt.Errorf("want Maximize and obj:")
	}
	m.maximize = true
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
	inst := &Instance{}
	cons := &Constraints{GroupMax: map[string]int{}}
	demand := map[string]int32{}
	for _, v := range m.objOrder {
		if b := m.bounds[v]; b != [2]float64{0, 1} {
			return nil, 0, nil, fmt.Errorf("%s: bounds %v, want 0..1", v, b)
		}
		demand[v] = int32(len(inst.Weights))
		inst.Weights = append(inst.Weights, m.obj[v])
	}
	cand := map[string]int{}
	for j, v := range m.binary {
		cand[v] = j
		inst.Candidates = append(inst.Candidates, Candidate{ID: v})
	}
	inst.Covers = make([][]int32, len(m.binary))
	close := map[[2]int]bool{}
	k := -1
	for _, row := range m.rows {
		switch {
		case strings.HasPrefix(row.name, "cov_"):
			i, ok := demand[row.vars[0]]
			if !ok || row.coefs[0] != 1 || row.op != "<=" || row.rhs != 0 {
				return nil, 0, nil, fmt.Errorf("row %s is not a coverage row", row.name)
			}
			for a, v := range row.vars[1:] {
				if row.coefs[a+1] != -1 {
					return nil, 0, nil, fmt.Errorf("row %s: coefficient %g", row.name, row.coefs[a+1])
				}
				inst.Covers[cand[v]] = append(inst.Covers[cand[v]], i)
			}
		case row.name == "budget":
			if len(row.vars) != len(m.binary) || row.op != "<=" {
				return nil, 0, nil, fmt.Errorf("budget row has %d of %d candidates", len(row.vars), len(m.binary))
			}
			k = int(row.rhs)
		case strings.HasPrefix(row.name, "must_"):
			if len(row.vars) != 1 || row.op != "=" || row.rhs != 1 {
				return nil, 0, nil, fmt.Errorf("row %s is not a must-open row", row.name)
			}
			cons.MustOpen = append(cons.MustOpen, row.vars[0])
		case strings.HasPrefix(row.name, "sep_"):
			if len(row.vars) != 2 || row.op != "<=" || row.rhs != 1 {
				return nil, 0, nil, fmt.Errorf("row %s is not a spacing row", row.name)
			}
			a, b := cand[row.vars[0]], cand[row.vars[1]]
			close[[2]int{a, b}], close[[2]int{b, a}] = true, true
		case strings.HasPrefix(row.name, "grp_"):
			for _, v := range row.vars {
				inst.Candidates[cand[v]].Group = row.name
			}
			cons.GroupMax[row.name] = int(row.rhs)
		default:
			return nil, 0, nil, fmt.Errorf("unknown row %s", row.name)
		}
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
	return inst, k, cons, nil
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
			if (strings.HasPrefix(tok, "x_") || strings.HasPrefix(tok, "y_")) && !seen[tok] {
				seen[tok] = true
				cols = append(cols, tok)
			}
		}
	}
	return cols
}
