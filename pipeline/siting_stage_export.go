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
	Skipped  string // why no LP was written (no objective is skipped now: mclp and pmedian both are written)
}

// ExportSitingLP writes each scenario of siting.scenarios as a mixed-integer program in CPLEX LP
// format (CBC, GLPK and HiGHS read it), from the database in env (it needs the tables the siting
// stage reads, analysis.lsoa_distance among them), into dir:
//
//	<scenario>.lp              the model, with the scenario's must-open, spacing and per-ward
//	                           constraints: for a covering (mclp) scenario, maximise the weight
//	                           newly covered with at most k sites (siting.WriteLP); for a p-median
//	                           scenario, minimise the total weighted minutes to the nearest site,
//	                           existing or new, capped as the siting stage caps them, with at most k
//	                           sites (siting.WriteMedianLP): its optimum is comparable with the
//	                           value in analysis.siting_scenarios
//	<scenario>.demand.csv      LP index -> LSOA code, weight, and already covered (mclp: y_<index>)
//	                           or the capped minutes now (p-median: s_<index>, and z_<index>_<site>)
//	<scenario>.candidates.csv  LP variable -> site id, name
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
		minutes, limit := scenarioMinutes(pr.sc)
		var buf bytes.Buffer
		var err error
		if pr.sc.Objective == "pmedian" {
			fmt.Fprintf(&buf, "\\ scenario %q: k = %d, p-median, minutes by %s (mode used: %s) capped at %g (3 x %g), weight %s\n",
				pr.sc.Name, pr.k, pr.sc.Mode, pr.mode, limit, minutes, pr.weight)
			err = siting.WriteMedianLP(&buf, pr.inst, pr.k, pr.cons)
		} else {
			fmt.Fprintf(&buf, "\\ scenario %q: k = %d, %s %g minutes (mode used: %s), weight %s\n", pr.sc.Name, pr.k, pr.sc.Mode, pr.sc.Minutes, pr.mode, pr.weight)
			err = siting.WriteLP(&buf, pr.inst, pr.k, pr.cons)
		}
		if err != nil {
			return out, fmt.Errorf("siting.scenarios[%d] (%q): %w", pr.index, pr.sc.Name, kError(pr, err))
		}
		base := filepath.Join(dir, sitingSlug(pr.sc.Name))
		if err := WriteFileAtomic(base+".lp", buf.Bytes()); err != nil {
			return out, err
		}
		var dem [][]string
		num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
		if pr.sc.Objective == "pmedian" {
			dem = append(dem, []string{"lp_variable", "lsoa_code", "weight", "minutes_now_capped"})
			for i, l := range d.lsoas {
				dem = append(dem, []string{"s_" + strconv.Itoa(i), l.code, num(pr.inst.Weights[i]), num(min(pr.inst.CurrentCost[i], pr.inst.CostCap))})
			}
		} else {
			dem = append(dem, []string{"lp_variable", "lsoa_code", "weight", "already_covered"})
			for i, l := range d.lsoas {
				dem = append(dem, []string{"y_" + strconv.Itoa(i), l.code, num(pr.inst.Weights[i]), strconv.FormatBool(pr.already[i])})
			}
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
