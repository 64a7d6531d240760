package pipeline

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"hubreach/pipeline/siting"
)

// SitingExport is one file set written by ExportSitingLP.
type SitingExport struct {
	Scenario string
	LP       string // the CPLEX LP file; "" when the scenario was skipped
	Skipped  string // why no LP was written
}

// ExportSitingLP writes each covering (mclp) scenario of siting.scenarios as a mixed-integer
// program in CPLEX LP format (siting.WriteLP: CBC, GLPK and HiGHS read it), from the database in
// env (it needs the tables the siting stage reads, analysis.lsoa_distance among them), into dir:
//
//	<scenario>.lp              the model: maximise the weight newly covered, at most k sites,
//	                           with the scenario's must-open and spacing constraints
//	<scenario>.demand.csv      y_<index> -> LSOA code, weight, already covered
//	<scenario>.candidates.csv  LP variable -> site id, name
//
// p-median scenarios are skipped (WriteLP writes the covering model only), and say so.
func ExportSitingLP(ctx context.Context, env *Env, dir string) ([]SitingExport, error) {
	d, probs, err := sitingProblems(ctx, env)
	if err != nil {
		return nil, err
	}
	if len(probs) == 0 {
		return nil, fmt.Errorf("no scenarios in siting.scenarios: nothing to export")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []SitingExport
	for _, pr := range probs {
		ex := SitingExport{Scenario: pr.sc.Name}
		if pr.sc.Objective != "mclp" {
			ex.Skipped = "p-median scenario: the LP export writes the maximal covering model only"
			out = append(out, ex)
			continue
		}
		var buf bytes.Buffer
		fmt.Fprintf(&buf, "\\ scenario %q: k = %d, %s %g minutes (mode used: %s), weight %s\n", pr.sc.Name, pr.k, pr.sc.Mode, pr.sc.Minutes, pr.mode, pr.weight)
		if err := siting.WriteLP(&buf, pr.inst, pr.k, pr.cons); err != nil {
			return out, fmt.Errorf("siting.scenarios[%d] (%q): %w", pr.index, pr.sc.Name, kError(pr, err))
		}
		base := filepath.Join(dir, sitingSlug(pr.sc.Name))
		if err := WriteFileAtomic(base+".lp", buf.Bytes()); err != nil {
			return out, err
		}
		var dem [][]string
		dem = append(dem, []string{"lp_variable", "lsoa_code", "weight", "already_covered"})
		for i, l := range d.lsoas {
			dem = append(dem, []string{"y_" + strconv.Itoa(i), l.code, strconv.FormatFloat(pr.inst.Weights[i], 'g', -1, 64), strconv.FormatBool(pr.already[i])})
		}
		var cand [][]string
		cand = append(cand, []string{"lp_variable", "site_id", "name"})
		for j, name := range siting.LPNames(pr.inst) {
			cand = append(cand, []string{name, d.cands[j].id, d.cands[j].name})
		}
		for _, f := range []struct {
			path string
			rows [][]string
		}{{base + ".demand.csv", dem}, {base + ".candidates.csv", cand}} {
			var b bytes.Buffer
			w := csv.NewWriter(&b)
			w.WriteAll(f.rows)
			if err := w.Error(); err != nil {
				return out, err
			}
			if err := WriteFileAtomic(f.path, b.Bytes()); err != nil {
				return out, err
			}
		}
		ex.LP = base + ".lp"
		out = append(out, ex)
	}
	return out, nil
}
