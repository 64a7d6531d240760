package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"hubreach/config"
	"hubreach/internal/store"
	"hubreach/pipeline"
	"hubreach/pipeline/siting"
	"hubreach/queries"
)

// A 6 x 6 grid of LSOAs 500 m apart with whole-number weights, 10 candidate buildings, one hub at
// the corner; crow-fly at 6 km/h (100 m a minute), threshold 8 minutes = 800 m.
const (
	gridN   = 6
	gridM   = 500.0
	reachM  = 800.0
	hubX    = 0.0
	hubY    = 0.0
	sitingK = 3
)

var gridCands = [][2]float64{{1000, 1000}, {2000, 500}, {2500, 2500}, {500, 2000}, {1500, 2000},
	{2400, 1300}, {700, 1600}, {2000, 2000}, {1200, 300}, {300, 2500}}

func gridWeight(i int) float64 { return float64((i*7)%5 + 1) }

// writeSitingDB makes the published database of area "fx" under out: the core and analysis tables
// the siting stage reads.
func writeSitingDB(t *testing.T, out string) {
	ctx := context.Background()
	os.MkdirAll(filepath.Join(out, "fx"), 0o755)
	db, err := store.Open(ctx, filepath.Join(out, "fx", "hubreach.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	must := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range queries.Tables("core") {
		must(queries.MustSQL(table))
	}
	must(`CREATE SCHEMA IF NOT EXISTS analysis`)
	must(`CREATE TABLE analysis.lsoa_need (lsoa_code VARCHAR, area_role VARCHAR, ward_code VARCHAR, ward_name VARCHAR, locality VARCHAR,
		demand_x DOUBLE, demand_y DOUBLE, deprived_children DOUBLE, children_0_4 DOUBLE, children_0_15 DOUBLE, children_0_19 DOUBLE)`)
	must(queries.MustSQL("analysis.lsoa_distance"))
	for i := 0; i < gridN*gridN; i++ {
		x, y := float64(i%gridN)*gridM, float64(i/gridN)*gridM
		code := fmt.Sprintf("L%02d", i)
		must(`INSERT INTO analysis.lsoa_need VALUES (?, 'area', 'W1', 'Ward', NULL, ?, ?, ?, 1, 1, 1)`, code, x, y, gridWeight(i))
		m := math.Hypot(x-hubX, y-hubY)
		must(`INSERT INTO analysis.lsoa_distance VALUES (?, 'area', 'crow', 'any', 'H', ?, ?, 0, 'ok')`, code, m, m/100)
	}
	for j, c := range gridCands {
		must(`INSERT INTO core.site (site_id, name, role, x, y, location_from, source_file, line) VALUES (?, ?, 'candidate', ?, ?, 'easting/northing', 'c.csv', ?)`,
			fmt.Sprintf("C-%d", j+1), fmt.Sprintf("Building %d", j+1), c[0], c[1], j+2)
	}
	must(`INSERT INTO core.site (site_id, name, role, tier, x, y, location_from) VALUES ('H', 'Hub', 'hub', 'plus', ?, ?, 'easting/northing')`, hubX, hubY)
}

// bruteForce enumerates every set of k candidates from the coordinates: the best weight newly
// within reachM, optionally with candidate must (index) forced in.
func bruteForce(k, must int) float64 {
	best := 0.0
	n := len(gridCands)
	var rec func(start int, set []int)
	rec = func(start int, set []int) {
		if len(set) == k {
			if must >= 0 {
				found := false
				for _, j := range set {
					found = found || j == must
				}
				if !found {
					return
				}
			}
			v := 0.0
			for i := 0; i < gridN*gridN; i++ {
				x, y := float64(i%gridN)*gridM, float64(i/gridN)*gridM
				if math.Hypot(x-hubX, y-hubY) <= reachM {
					continue
				}
				for _, j := range set {
					if math.Hypot(x-gridCands[j][0], y-gridCands[j][1]) <= reachM {
						v += gridWeight(i)
						break
					}
				}
			}
			best = math.Max(best, v)
			return
		}
		for j := start; j < n; j++ {
			rec(j+1, append(set, j))
		}
	}
	rec(0, nil)
	return best
}

// readLPInstance reads back an LP file written by siting.WriteLP (the subset it writes:
// objective terms "w y_i", rows "cov_i: y_i - x_a - x_b <= 0", "budget: x + x ... <= k",
// "must_n: x = 1") into a covering instance over the y variables of the file.
func readLPInstance(t *testing.T, path string) (*siting.Instance, int, *siting.Constraints) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var toks []string
	for _, line := range strings.Split(string(b), "\n") {
		if c := strings.IndexByte(line, '\\'); c >= 0 {
			line = line[:c]
		}
		toks = append(toks, strings.Fields(line)...)
	}
	yIdx, xIdx := map[string]int{}, map[string]int{}
	inst := &siting.Instance{}
	xOf := func(name string) int {
		if j, ok := xIdx[name]; ok {
			return j
		}
		xIdx[name] = len(inst.Candidates)
		inst.Candidates = append(inst.Candidates, siting.Candidate{ID: name})
		inst.Covers = append(inst.Covers, nil)
		return xIdx[name]
	}
	k := -1
	cons := &siting.Constraints{}
	section, row := "", ""
	var rowVars []string
	sign := 1.0
	coef := 1.0
	endRow := func(op, rhs string) {
		switch {
		case strings.HasPrefix(row, "cov_"):
			if len(rowVars) == 0 || !strings.HasPrefix(rowVars[0], "y_") {
				t.Fatalf("row %s: %v", row, rowVars)
			}
			i, ok := yIdx[rowVars[0]]
			if !ok {
				t.Fatalf("row %s: %s not in the objective", row, rowVars[0])
			}
			for _, x := range rowVars[1:] {
				j := xOf(x)
				inst.Covers[j] = append(inst.Covers[j], int32(i))
			}
		case row == "budget":
			k, _ = strconv.Atoi(rhs)
			for _, x := range rowVars {
				xOf(x)
			}
		case strings.HasPrefix(row, "must_"):
			cons.MustOpen = append(cons.MustOpen, rowVars[0])
		default:
			t.Fatalf("unexpected row %q", row)
		}
		rowVars, row = nil, ""
	}
	for p := 0; p < len(toks); p++ {
		tok := toks[p]
		switch tok {
		case "Maximize", "Bounds", "Binary", "End":
			section = tok
			continue
		case "Subject":
			section = "Subject"
			p++ // "To"
			continue
		}
		switch section {
		case "Maximize":
			switch {
			case strings.HasSuffix(tok, ":"), tok == "+":
			default:
				if w, err := strconv.ParseFloat(tok, 64); err == nil {
					coef = w
					continue
				}
				yIdx[tok] = len(inst.Weights)
				inst.Weights = append(inst.Weights, coef)
				coef = 1
			}
		case "Subject":
			switch {
			case strings.HasSuffix(tok, ":"):
				row = strings.TrimSuffix(tok, ":")
			case tok == "+" || tok == "-":
				sign = map[string]float64{"+": 1, "-": -1}[tok]
			case tok == "<=" || tok == "=" || tok == ">=":
				endRow(tok, toks[p+1])
				p++
			default:
				rowVars = append(rowVars, tok)
				_ = sign
			}
		case "Binary":
			xOf(tok)
		}
	}
	if k < 0 {
		t.Fatal("no budget row")
	}
	return inst, k, cons
}

func cbcOptimum(t *testing.T, cbc, path string) float64 {
	sol := filepath.Join(t.TempDir(), "cbc.sol")
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
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(head, "Optimal - objective value ")), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// `hubreach siting --export DIR` writes each scenario as an LP file. The covering ones, read back
// and solved (with the project's exact method, and with CBC when installed), have the optimum
// that enumerating every set of candidates from the coordinates gives; the p-median one, solved
// with CBC, has the enumeration's optimum and the siting stage's value.
func TestSitingExportLP(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	writeSitingDB(t, out)
	cfg := filepath.Join(dir, "fx.yaml")
	os.WriteFile(cfg, []byte(`
area: {name: fx, codes: [E06000017]}
data_dir: `+dir+`
output: `+out+`
inputs: {iod: [x.csv], lsoa_boundaries: [x.geojson], hubs: h.csv}
access: {modes: [crow], walk_speed_kph: 6}
siting:
  scenarios:
    - {name: "three sites", k: 3, objective: mclp, mode: crow, minutes: 8, weight: deprived_children}
    - {name: "with C-10", k: 2, objective: mclp, mode: crow, minutes: 8, weight: deprived_children, must_open: [C-10]}
    - {name: "pm", k: 2, objective: pmedian, mode: crow, minutes: 8, weight: deprived_children}
`), 0o644)
	lpDir := filepath.Join(dir, "lp")
	stdout, err := execute(t, "siting", "--config", cfg, "--export", lpDir)
	if err != nil {
		t.Fatalf("siting --export: %v\n%s", err, stdout)
	}
	if strings.Contains(stdout, "skipped") || !strings.Contains(stdout, `pm.lp ("pm")`) {
		t.Errorf("output does not say the p-median scenario was written:\n%s", stdout)
	}
	cbc, _ := exec.LookPath("cbc")
	for _, c := range []struct {
		file    string
		k, must int
	}{{"three-sites.lp", 3, -1}, {"with-c-10.lp", 2, 9}} {
		want := bruteForce(c.k, c.must)
		path := filepath.Join(lpDir, c.file)
		inst, k, cons := readLPInstance(t, path)
		if k != c.k {
			t.Errorf("%s: budget %d, want %d", c.file, k, c.k)
		}
		res, err := siting.ExactMaxCover(context.Background(), inst, k, siting.ExactOptions{Constraints: cons})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Optimal || res.Value != want {
			t.Errorf("%s read back: exact optimum %g (optimal %v), enumeration %g", c.file, res.Value, res.Optimal, want)
		}
		if cbc != "" {
			if got := cbcOptimum(t, cbc, path); math.Abs(got-want) > 1e-6 {
				t.Errorf("%s: CBC optimum %g, enumeration %g", c.file, got, want)
			}
		} else {
			t.Log("cbc not installed: solved with the exact method only")
		}
		for _, f := range []string{".demand.csv", ".candidates.csv"} {
			if _, err := os.Stat(strings.TrimSuffix(path, ".lp") + f); err != nil {
				t.Error(err)
			}
		}
	}

	// The p-median scenario: CBC's optimum of pm.lp is the enumeration's, and the value that the
	// siting stage publishes for it in analysis.siting_scenarios.
	pm := filepath.Join(lpDir, "pm.lp")
	for _, f := range []string{".lp", ".demand.csv", ".candidates.csv"} {
		if _, err := os.Stat(strings.TrimSuffix(pm, ".lp") + f); err != nil {
			t.Error(err)
		}
	}
	want := bruteMedianGrid(2)
	// The siting stage alone: the command re-renders every output after it, which this fixture
	// (only the tables the stage reads) cannot feed.
	c, err := config.LoadFile(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Run(context.Background(), c, []pipeline.Stage{pipeline.Siting()}, pipeline.Options{}); err != nil {
		t.Fatalf("siting stage: %v", err)
	}
	stage := scenarioValue(t, out, "pm")
	if !nearRel(stage, want) {
		t.Errorf("pm: the siting stage's value %g, enumeration %g", stage, want)
	}
	if cbc == "" {
		t.Skip("cbc not installed (apt-get install coinor-cbc): pm.lp not solved")
	}
	got := cbcOptimum(t, cbc, pm)
	t.Logf("pm: CBC optimum %g, enumeration %g, the siting stage's value %g", got, want, stage)
	if !nearRel(got, want) || !nearRel(got, stage) {
		t.Errorf("pm.lp: CBC optimum %g, enumeration %g, the siting stage's value %g", got, want, stage)
	}
}

// bruteMedianGrid enumerates every set of at most k candidates from the coordinates: the least
// total of weight x minutes (100 m a minute) to the nearest of the hub and the chosen sites,
// capped at 3 x 8 = 24 minutes, as the "pm" scenario counts it.
func bruteMedianGrid(k int) float64 {
	best := math.Inf(1)
	var rec func(start int, set []int)
	rec = func(start int, set []int) {
		total := 0.0
		for i := 0; i < gridN*gridN; i++ {
			x, y := float64(i%gridN)*gridM, float64(i/gridN)*gridM
			m := math.Min(24, math.Hypot(x-hubX, y-hubY)/100)
			for _, j := range set {
				m = math.Min(m, math.Hypot(x-gridCands[j][0], y-gridCands[j][1])/100)
			}
			total += gridWeight(i) * m
		}
		best = math.Min(best, total)
		if len(set) == k {
			return
		}
		for j := start; j < len(gridCands); j++ {
			rec(j+1, append(set, j))
		}
	}
	rec(0, nil)
	return best
}

// scenarioValue reads a scenario's value from the published analysis.siting_scenarios of area fx.
func scenarioValue(t *testing.T, out, scenario string) float64 {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(out, "fx", "hubreach.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v float64
	if err := db.QueryRow(ctx, `SELECT value FROM analysis.siting_scenarios WHERE scenario = ?`, scenario).Scan(&v); err != nil {
		t.Fatalf("analysis.siting_scenarios, scenario %q: %v", scenario, err)
	}
	return v
}

// nearRel reports whether a and b agree to 1e-6 relative: CBC prints its objective to 8 decimals.
func nearRel(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}
