package pipeline

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"hubreach/internal/numfmt"
	"hubreach/pipeline/siting"
)

// Siting is the stage that recommends where the next satellites should go, for each scenario in
// siting.scenarios. It runs after the access stage, whose analysis.lsoa_distance says which LSOAs
// existing hubs already reach.
//
// For each scenario:
//   - demand points are the area's LSOAs (analysis.lsoa_need demand_x/demand_y, area_role 'area'),
//     weighted by the column the scenario names (deprived_children, children_0_4, children_0_15),
//     or by expected_uptake (see below);
//   - candidates are core.site rows with role 'candidate'; their travel minutes to each demand
//     point come from bounded searches on the walking or driving graph (crow-fly at the speeds of
//     analysis.lsoa_distance when the area has no graph for the mode, and the tables and notes say
//     so);
//   - an LSOA is already covered when analysis.lsoa_distance (tier_group 'any', same mode) puts
//     the nearest hub within the scenario's minutes;
//   - mclp: siting.MaxCover (lazy greedy, swaps, Lagrangian bound); when that does not prove its
//     answer optimal and the instance is small (at most exactCandidates candidates that reach
//     anything new, k at most exactK), siting.ExactMaxCover (branch and bound, exactTime at most)
//     proves the optimum or tightens the bound; the method and the bound or gap are reported with
//     every answer. The k-versus-coverage curve comes from siting.CoverageCurve;
//   - pmedian: siting.PMedian minimises weighted travel minutes to the nearest site, existing or
//     new, with travel capped at 3 × minutes; its Lagrangian lower bound gives the gap.
//
// expected_uptake weights each LSOA by the extra use a site within the threshold would bring,
// from the reach stage's fitted distance-decay curve r(t) = a·exp(−b·t) (analysis.distance_decay,
// t in minutes): children in service_use.age_band × max(0, r(minutes) − r(t_now)), where t_now is
// the LSOA's minutes to its nearest existing hub (r = 0 when none is reachable). It is an error
// when the table does not exist.
//
// It writes analysis.siting_choice, siting_scenarios, siting_curve, siting_lsoa, siting_by_ward
// and siting_by_locality; the render stage draws a map per scenario (maps/siting_<scenario>) and a
// curve per covering scenario (charts/siting_curve_<scenario>) from them.
func Siting() Stage { return StageFunc{N: "siting", F: runSiting} }

// Limits for using the exact method.
const (
	exactCandidates = 400
	exactK          = 12
	exactTime       = 30 * time.Second
)

// sitingOutcome is one scenario's answer in a common form for both objectives.
type sitingOutcome struct {
	pr         *sitingProblem
	order      []int     // chosen candidates in order of selection
	gain       []float64 // marginal gain of each
	unique     []float64 // mclp only
	must       []bool
	gainUnit   string
	value      float64
	bound, gap float64
	optimal    bool
	method     string
	heurValue  float64
	heurGap    float64
	hasHeurGap bool
	coverable  float64
	curve      []siting.CurvePoint
	baseCost   float64 // pmedian: weighted minutes with existing hubs only
	totalW     float64
	sens       *sitingSens // mclp with siting.sensitivity_minutes > 0: the answer at minutes ∓ s
}

func runSiting(ctx context.Context, env *Env) error {
	d, probs, err := sitingProblems(ctx, env)
	if err != nil {
		return err
	}
	for _, t := range []string{"analysis.siting_choice", "analysis.siting_scenarios", "analysis.siting_curve", "analysis.siting_lsoa"} {
		if _, err := env.DB.Exec(ctx, mustSQL(t)); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	if len(probs) == 0 {
		env.Note("siting: no scenarios in siting.scenarios; the siting tables are empty")
		return sitingDerived(ctx, env)
	}
	for mode, msgs := range d.offNet {
		if len(msgs) > 0 {
			env.Note("siting: %d candidates are farther than access.snap_limit_m from the %s network and can cover nothing by %s: %s", len(msgs), mode, mode, strings.Join(msgs, "; "))
		}
	}
	var outs []*sitingOutcome
	for _, pr := range probs {
		env.Progress.Step("siting scenario %q: %s, k = %d, %s %g minutes", pr.sc.Name, pr.sc.Objective, pr.k, pr.mode, pr.sc.Minutes)
		if pr.modeNote != "" {
			env.Note("siting %q: %s", pr.sc.Name, pr.modeNote)
		}
		var out *sitingOutcome
		if pr.sc.Objective == "pmedian" {
			out, err = solvePMedian(pr)
		} else {
			out, err = solveMCLP(ctx, pr)
		}
		if err != nil {
			return fmt.Errorf("siting.scenarios[%d] (%q): %w", pr.index, pr.sc.Name, err)
		}
		if out.sens, err = d.sensitivity(ctx, env, pr); err != nil {
			return fmt.Errorf("siting.scenarios[%d] (%q): %w", pr.index, pr.sc.Name, err)
		}
		outs = append(outs, out)
	}
	if err := writeSiting(ctx, env, d, outs); err != nil {
		return err
	}
	if err := sitingDerived(ctx, env); err != nil {
		return err
	}
	for _, o := range outs {
		if len(o.curve) == 0 && o.pr.sc.Objective == "mclp" {
			env.Note("siting %q: no candidate reaches any weight that existing hubs do not already reach within %g minutes by %s; nothing to choose, no curve drawn",
				o.pr.sc.Name, o.pr.sc.Minutes, o.pr.mode)
		}
	}
	return nil
}

func sitingDerived(ctx context.Context, env *Env) error {
	for _, t := range []string{"analysis.siting_by_ward", "analysis.siting_by_locality"} {
		if _, err := env.DB.Exec(ctx, mustSQL(t)); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	return nil
}

// candidatesReaching counts the candidates that reach some weight the existing hubs do not.
func (pr *sitingProblem) candidatesReaching() int {
	n := 0
	for _, list := range pr.covers {
		for _, i := range list {
			if !pr.already[i] && pr.inst.Weights[i] > 0 {
				n++
				break
			}
		}
	}
	return n
}

// kError names the scenario's k key in an error about k.
func kError(pr *sitingProblem, err error) error {
	if strings.HasPrefix(err.Error(), "k = ") {
		return fmt.Errorf("siting.scenarios[%d].k: %w", pr.index, err)
	}
	return err
}

func solveMCLP(ctx context.Context, pr *sitingProblem) (*sitingOutcome, error) {
	res, heur, err := mclpAnswer(ctx, pr)
	if err != nil {
		return nil, err
	}
	out := &sitingOutcome{pr: pr, gainUnit: pr.weight + " newly within reach", heurValue: heur}
	out.value, out.bound, out.gap, out.optimal, out.method = res.Value, res.Bound, res.Gap, res.Optimal, res.Method
	out.coverable, out.totalW = res.Coverable, res.TotalWeight
	if res.Value > 0 {
		out.heurGap, out.hasHeurGap = (res.Value-out.heurValue)/res.Value, true
	}
	for _, s := range res.Sites {
		out.order = append(out.order, s.Candidate)
		out.gain = append(out.gain, s.Gain)
		out.unique = append(out.unique, s.Unique)
		out.must = append(out.must, s.MustOpen)
	}
	maxK := min(max(2*pr.k, 10), len(pr.inst.Candidates))
	curve, err := siting.CoverageCurve(pr.inst, maxK, siting.CurveOptions{Options: siting.Options{Constraints: pr.cons}, Improve: true, Bound: true})
	if err != nil {
		return nil, fmt.Errorf("coverage curve: %w", err)
	}
	// The curve's point at k is a heuristic answer; the scenario's answer may be better (exact).
	for n := range curve {
		if curve[n].K == len(out.order) && out.value > curve[n].Value {
			curve[n].Value = out.value
		}
		if curve[n].K == pr.k && out.bound < curve[n].Bound {
			curve[n].Bound = out.bound
		}
		if curve[n].Bound > 0 {
			curve[n].Gap = (curve[n].Bound - curve[n].Value) / curve[n].Bound
		}
	}
	out.curve = curve
	return out, nil
}

// mclpAnswer solves a covering problem: lazy greedy with swaps, then, when that does not prove
// its answer optimal and the instance is small enough, branch and bound. It returns the answer
// and the heuristic's own value.
func mclpAnswer(ctx context.Context, pr *sitingProblem) (*siting.Result, float64, error) {
	res, err := siting.MaxCover(pr.inst, pr.k, siting.Options{Constraints: pr.cons})
	if err != nil {
		return nil, 0, kError(pr, err)
	}
	heur := res.Value
	reaching := pr.candidatesReaching()
	if !res.Optimal && reaching <= exactCandidates && pr.k <= exactK {
		ex, err := siting.ExactMaxCover(ctx, pr.inst, pr.k, siting.ExactOptions{Constraints: pr.cons, TimeLimit: exactTime})
		if err != nil && ex == nil {
			return nil, 0, kError(pr, err)
		}
		if err != nil {
			return nil, 0, err
		}
		res = ex
		if res.Stopped != "" {
			res.Method += " (stopped: " + res.Stopped + ")"
		}
	}
	return res, heur, nil
}

func solvePMedian(pr *sitingProblem) (*sitingOutcome, error) {
	res, err := siting.PMedian(pr.inst, pr.k, siting.Options{Constraints: pr.cons})
	if err != nil {
		return nil, kError(pr, err)
	}
	out := &sitingOutcome{pr: pr, gainUnit: "weighted minutes saved (" + pr.weight + " x minutes)",
		value: res.Cost, bound: res.LowerBound, gap: res.Gap, optimal: res.Optimal,
		method: "greedy+swap (p-median), Lagrangian lower bound", heurValue: res.Cost, baseCost: res.BaseCost}
	for _, w := range pr.inst.Weights {
		out.totalW += w
	}
	for _, s := range res.Sites {
		out.order = append(out.order, s.Candidate)
		out.gain = append(out.gain, s.Saving)
		out.must = append(out.must, s.MustOpen)
	}
	return out, nil
}

// sitingLSOAState is one LSOA under one scenario's answer.
type sitingLSOAState struct {
	after               bool
	newlyBy             int // index into order of the first chosen site that newly reaches it; -1 none
	minBefore, minAfter float64
}

func (o *sitingOutcome) lsoaStates(d *sitingData) []sitingLSOAState {
	pr := o.pr
	st := make([]sitingLSOAState, len(d.lsoas))
	for i := range st {
		st[i] = sitingLSOAState{after: pr.already[i], newlyBy: -1, minBefore: math.Inf(1), minAfter: math.Inf(1)}
	}
	if pr.inst.CurrentCost != nil {
		for i, c := range pr.inst.CurrentCost {
			st[i].minBefore, st[i].minAfter = c, c
		}
	}
	for n, j := range o.order {
		for _, i := range pr.covers[j] {
			if !st[i].after {
				st[i].after, st[i].newlyBy = true, n
			}
		}
	}
	// Minutes after: the nearest chosen site within the searches' reach (arcs of the chosen sites).
	arcs := pr.inst.Costs
	for _, j := range o.order {
		if arcs != nil {
			for _, a := range arcs[j] {
				st[a.Demand].minAfter = math.Min(st[a.Demand].minAfter, a.Cost)
			}
		}
	}
	return st
}

func nullInf(v float64) any {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil
	}
	return v
}

// sitingUnmeasured reads, for a mode evaluated on a network (walk, drive), the area LSOAs whose
// demand point is farther than access.snap_limit_m from it (analysis.lsoa_distance, tier_group
// 'any', status 'too far from the network'): the siting searches snap demand points to the same
// graph at the same limit (computeArcs), so no candidate reaches them and no hub does either.
// Their travel time is unknown: "not measured", never "beyond reach". Crow-fly measures every LSOA.
func sitingUnmeasured(ctx context.Context, env *Env, mode string) (map[string]bool, error) {
	out := map[string]bool{}
	if mode == "crow" {
		return out, nil
	}
	rows, err := env.DB.Query(ctx, `SELECT lsoa_code FROM analysis.lsoa_distance
		WHERE mode = ? AND tier_group = 'any' AND area_role = 'area' AND status = ?`, mode, statusTooFar)
	if err != nil {
		return nil, fmt.Errorf("siting: LSOAs off the %s network (analysis.lsoa_distance): %w", mode, err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return nil, fmt.Errorf("siting: LSOAs off the %s network (analysis.lsoa_distance): %w", mode, err)
		}
		out[code] = true
	}
	return out, rows.Err()
}

// sitingTally adds up one scenario's weight by state: covered before and after, measured and
// beyond the threshold before and after, and not measured (never covered, never beyond), so that
// covered + beyond + unmeasured = the total, before and after.
type sitingTally struct {
	before, after, beyondBefore, beyondAfter, unmeasured float64
	lsoasUnmeasured                                      int
}

func tallySiting(weights []float64, already []bool, st []sitingLSOAState, measured []bool) sitingTally {
	var t sitingTally
	for i, w := range weights {
		switch {
		case !measured[i]:
			t.unmeasured += w
			t.lsoasUnmeasured++
			continue
		case already[i]:
			t.before += w
		default:
			t.beyondBefore += w
		}
		if st[i].after {
			t.after += w
		} else {
			t.beyondAfter += w
		}
	}
	return t
}

// fmtWeight writes a demand weight for a note or a map: whole numbers with thousands separators,
// one decimal otherwise (expected_uptake).
func fmtWeight(x float64) string {
	if x == math.Round(x) {
		return numfmt.Thousands(x, 0)
	}
	return numfmt.Thousands(x, 1)
}

func writeSiting(ctx context.Context, env *Env, d *sitingData, outs []*sitingOutcome) error {
	var choice, scen, curve, lsoa [][]any
	offNet := map[string]map[string]bool{}
	for _, o := range outs {
		pr := o.pr
		minutes, _ := scenarioMinutes(pr.sc)
		st := o.lsoaStates(d)
		off, ok := offNet[pr.mode]
		if !ok {
			var err error
			if off, err = sitingUnmeasured(ctx, env, pr.mode); err != nil {
				return err
			}
			offNet[pr.mode] = off
		}
		measured := make([]bool, len(d.lsoas))
		for i, l := range d.lsoas {
			measured[i] = !off[l.code]
			if !measured[i] && (pr.already[i] || st[i].after) {
				// Cannot happen: an LSOA off the network has no travel time to any site.
				return fmt.Errorf("siting %q: LSOA %s is off the %s network but counted as within reach", pr.sc.Name, l.code, pr.mode)
			}
		}
		tally := tallySiting(pr.inst.Weights, pr.already, st, measured)
		before, after := tally.before, tally.after
		if tally.lsoasUnmeasured > 0 {
			env.Note("siting %q: %s %s in %s could not be measured by %s (demand point farther than access.snap_limit_m from the network): they count as not measured, neither within nor beyond reach, before or after, so the shares within are lower bounds",
				pr.sc.Name, fmtWeight(tally.unmeasured), sitingWeightName(pr.sc.Weight), numfmt.Count(int64(tally.lsoasUnmeasured), "LSOA", "LSOAs"), pr.mode)
		}
		for i, s := range st {
			w := pr.inst.Weights[i]
			l := d.lsoas[i]
			var by any
			if s.newlyBy >= 0 {
				by = d.cands[o.order[s.newlyBy]].id
			}
			lsoa = append(lsoa, []any{pr.sc.Name, l.code, l.ward, l.wardName, l.locality, w, pr.already[i], s.after, by,
				nullInf(s.minBefore), nullInf(s.minAfter), measured[i]})
		}
		// per chosen site
		covered := append([]bool(nil), pr.already...)
		cum := 0.0
		for n, j := range o.order {
			newly := 0
			for _, i := range pr.covers[j] {
				if !covered[i] {
					covered[i] = true
					newly++
					cum += pr.inst.Weights[i]
				}
			}
			c := d.cands[j]
			var uniq any
			if o.unique != nil {
				uniq = o.unique[n]
			}
			cumulative := cum
			if pr.sc.Objective == "mclp" {
				cumulative = 0
				for _, g := range o.gain[:n+1] {
					cumulative += g
				}
			}
			var hubID, hubName, hubM any
			if h, m := d.nearestHub(c.pt); h >= 0 {
				hubID, hubName, hubM = d.hubs[h].id, d.hubs[h].name, m
			}
			var atMinus, atPlus any
			if o.sens != nil && o.sens.minus != nil {
				atMinus = o.sens.minus.chosen[j]
			}
			if o.sens != nil && o.sens.plus != nil {
				atPlus = o.sens.plus.chosen[j]
			}
			choice = append(choice, []any{pr.sc.Name, int32(n + 1), c.id, c.name, c.siteType, c.ward, c.wardName, c.pt[0], c.pt[1],
				o.must[n], o.gain[n], o.gainUnit, cumulative, uniq, int32(len(pr.covers[j])), int32(newly),
				o.method, o.optimal, o.bound, o.gap, pr.mode, minutes,
				hubID, hubName, hubM, sitingMargin(pr, st, n, minutes), atMinus, atPlus})
		}
		reaching := pr.candidatesReaching()
		var pctB, pctA any
		if o.totalW > 0 {
			pctB, pctA = 100*before/o.totalW, 100*after/o.totalW
		}
		var coverable, heurGap, costCap, meanB, meanA any
		if pr.sc.Objective == "mclp" {
			coverable = o.coverable
		} else {
			costCap = pr.costCap
			// Mean minutes with the cap, as the p-median objective counts them.
			if o.totalW > 0 {
				meanB, meanA = o.baseCost/o.totalW, o.value/o.totalW
			}
		}
		if o.hasHeurGap {
			heurGap = o.heurGap
		}
		var modeNote any
		if pr.modeNote != "" {
			modeNote = pr.modeNote
		}
		var sensMin, minMinus, valMinus, minPlus, valPlus any
		if o.sens != nil {
			sensMin = env.Config.Siting.SensitivityMinutes
			if o.sens.minus != nil {
				minMinus, valMinus = o.sens.minus.minutes, o.sens.minus.value
			}
			if o.sens.plus != nil {
				minPlus, valPlus = o.sens.plus.minutes, o.sens.plus.value
			}
		}
		scen = append(scen, []any{pr.sc.Name, int32(pr.index + 1), pr.sc.Objective, int32(pr.k), int32(len(o.order)), pr.sc.Mode, pr.mode, modeNote,
			minutes, pr.weight, strings.Join(pr.sc.MustOpen, ", "), pr.sc.MinSpaceM, int32(len(d.cands)), int32(reaching), int32(len(d.lsoas)),
			o.totalW, before, after, after - before, tally.beyondBefore, tally.beyondAfter, pctB, pctA, coverable,
			o.value, o.bound, o.gap, o.optimal, o.method, o.heurValue, heurGap, costCap, meanB, meanA,
			int32(tally.lsoasUnmeasured), tally.unmeasured, sensMin, minMinus, valMinus, minPlus, valPlus})
		prev := 0.0
		for _, p := range o.curve {
			var pct any
			if o.totalW > 0 {
				pct = 100 * (before + p.Value) / o.totalW
			}
			curve = append(curve, []any{pr.sc.Name, int32(p.K), p.Value, p.Greedy, p.Bound, p.Gap, p.Value - prev, before + p.Value, pct})
			prev = p.Value
		}
	}
	for _, t := range []struct {
		name string
		rows [][]any
	}{{"siting_choice", choice}, {"siting_scenarios", scen}, {"siting_curve", curve}, {"siting_lsoa", lsoa}} {
		err := env.DB.Append(ctx, "analysis", t.name, func(a *duckdb.Appender) error {
			for _, r := range t.rows {
				if err := a.AppendRow(sitingDriverValues(r)...); err != nil {
					return fmt.Errorf("row %v: %w", r, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// sitingDriverValues turns untyped nils and Go ints into what the appender takes.
func sitingDriverValues(r []any) []driver.Value {
	out := make([]driver.Value, len(r))
	for i, v := range r {
		switch v := v.(type) {
		case int:
			out[i] = int32(v)
		default:
			out[i] = v
		}
	}
	return out
}
