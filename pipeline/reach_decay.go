package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"hubreach/internal/store"
	"hubreach/pipeline/disclosure"
	"hubreach/pipeline/distdecay"
)

// ReadDecayCurve reads the fitted distance-decay curve r(t) = a·exp(−b·t) for a mode (crow, walk
// or drive) from analysis.distance_decay (the reach stage's fit of reach against travel minutes
// to the nearest hub; r is a share 0..1, t in minutes). Evaluate it with Curve.At(minutes);
// At(+Inf) is 0 for places with no route. It is an error when the table or the mode's fit is
// missing.
func ReadDecayCurve(ctx context.Context, db *store.DB, mode string) (distdecay.Curve, error) {
	ok, err := db.TableExists(ctx, "analysis", "distance_decay")
	if err != nil {
		return distdecay.Curve{}, err
	}
	if !ok {
		return distdecay.Curve{}, fmt.Errorf("no analysis.distance_decay: run the reach stage (it needs a service-use extract)")
	}
	var a, b sql.NullFloat64
	err = db.QueryRow(ctx, `SELECT a, b FROM analysis.distance_decay WHERE row_type = 'fit' AND mode = ? AND a IS NOT NULL`, mode).Scan(&a, &b)
	if err == sql.ErrNoRows {
		return distdecay.Curve{}, fmt.Errorf("analysis.distance_decay has no fitted curve for mode %q", mode)
	}
	if err != nil {
		return distdecay.Curve{}, err
	}
	return distdecay.Curve{A: a.Float64, B: b.Float64}, nil
}

// decayEdges are the travel-time bands (minutes) of the decay tables, by mode.
func decayEdges(mode string) []float64 {
	if mode == "drive" {
		return []float64{0, 2, 4, 6, 8, 10, 12, 15, 20, 30, math.Inf(1)}
	}
	return []float64{0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 90, math.Inf(1)}
}

type decayBin struct {
	from, to     float64
	units        int
	lsoas        []int // nearest-hub table: the LSOAs in the bin
	denom, tw    float64
	children     int64
	key          string
	weightedMean float64
}

// decayTable is one measure and mode: bins and the fit.
type decayTable struct {
	table, measure, mode string
	bins                 []*decayBin
	outside              []int // nearest-hub table: area LSOAs not in any bin (no route or no population)
	fit                  *distdecay.Fit
	fitErr               error
	denom                float64
}

// cells adds the bin counts to the disclosure problem. A nearest-hub bin is the sum of its
// LSOAs, and the bins with the LSOAs outside them add up to the area; venue-used bins count
// LSOA x hub pairs, which are not published elsewhere, and get primary suppression only.
func (d *decayTable) cells(p *disclosure.Problem, lsoaCell []int, areaChildren int, group func(int, ...int)) {
	var bins []int
	for _, b := range d.bins {
		c := p.Cell(b.key, b.children)
		bins = append(bins, c)
		if d.measure == "nearest hub" {
			var ls []int
			for _, i := range b.lsoas {
				ls = append(ls, lsoaCell[i])
			}
			group(c, ls...)
		}
	}
	if d.measure == "nearest hub" {
		for _, i := range d.outside {
			bins = append(bins, lsoaCell[i])
		}
		group(areaChildren, bins...)
	}
}

type decayObs struct {
	lsoa     int
	t        float64
	children int64
}

// reachDecayData reads travel times and builds the bins and fits of both decay tables.
func reachDecayData(ctx context.Context, env *Env, lsoas []reachLSOA) ([]decayTable, error) {
	idx := map[string]int{}
	for i, l := range lsoas {
		idx[l.code] = i
	}
	var out []decayTable
	if ok, err := env.DB.TableExists(ctx, "analysis", "lsoa_distance"); err != nil {
		return nil, err
	} else if ok {
		obs, err := decayRead(ctx, env, idx, `SELECT lsoa_code, mode, minutes, 0 FROM analysis.lsoa_distance
			WHERE tier_group = 'any' AND status = 'ok' AND minutes IS NOT NULL ORDER BY mode, lsoa_code`)
		if err != nil {
			return nil, err
		}
		for _, mode := range sortedModes(obs) {
			os := obs[mode]
			for k := range os {
				os[k].children = lsoas[os[k].lsoa].children
			}
			out = append(out, buildDecay("distance_decay", "nearest hub", mode, os, lsoas))
		}
	} else {
		env.Note("reach: no analysis.lsoa_distance (access stage not run): no distance decay to the nearest hub")
	}
	if ok, err := env.DB.TableExists(ctx, "analysis", "lsoa_site_time"); err != nil {
		return nil, err
	} else if ok {
		obs, err := decayRead(ctx, env, idx, `SELECT t.lsoa_code, t.mode, t.minutes, coalesce(pc.children, 0)
			FROM analysis.lsoa_site_time t
			LEFT JOIN private.reach_pair_counts pc ON pc.lsoa_code = t.lsoa_code AND pc.venue_id = t.site_id
			WHERE t.minutes IS NOT NULL ORDER BY t.mode, t.lsoa_code, t.site_id`)
		if err != nil {
			return nil, err
		}
		for _, mode := range sortedModes(obs) {
			out = append(out, buildDecay("distance_decay_venue", "venue used", mode, obs[mode], lsoas))
		}
	} else {
		env.Note("reach: no analysis.lsoa_site_time (access stage not run): no distance decay to the venue used")
	}
	for _, d := range out {
		if d.fitErr != nil {
			env.Note("reach: %s, %s: no curve fitted: %v", d.measure, d.mode, d.fitErr)
		}
	}
	return out, nil
}

func sortedModes(m map[string][]decayObs) []string {
	var modes []string
	for k := range m {
		modes = append(modes, k)
	}
	sort.Strings(modes)
	return modes
}

func decayRead(ctx context.Context, env *Env, idx map[string]int, q string) (map[string][]decayObs, error) {
	rows, err := env.DB.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]decayObs{}
	for rows.Next() {
		var code, mode string
		var o decayObs
		if err := rows.Scan(&code, &mode, &o.t, &o.children); err != nil {
			return nil, err
		}
		i, ok := idx[code]
		if !ok { // buffer LSOAs: not in the area's figures
			continue
		}
		o.lsoa = i
		out[mode] = append(out[mode], o)
	}
	return out, rows.Err()
}

func buildDecay(table, measure, mode string, obs []decayObs, lsoas []reachLSOA) decayTable {
	d := decayTable{table: table, measure: measure, mode: mode}
	edges := decayEdges(mode)
	bins := make([]*decayBin, len(edges)-1)
	for i := range bins {
		bins[i] = &decayBin{from: edges[i], to: edges[i+1], key: fmt.Sprintf("decay/%s/%s/%d/children", measure, mode, i)}
	}
	in := map[int]bool{}
	var pts []distdecay.Point
	for _, o := range obs {
		den := lsoas[o.lsoa].denom
		if !den.Valid || den.Float64 <= 0 {
			continue
		}
		k := sort.Search(len(edges), func(j int) bool { return edges[j] > o.t }) - 1
		k = max(0, min(k, len(bins)-1))
		b := bins[k]
		b.units++
		b.denom += den.Float64
		b.tw += den.Float64 * o.t
		b.children += o.children
		if measure == "nearest hub" {
			b.lsoas = append(b.lsoas, o.lsoa)
			in[o.lsoa] = true
		}
		d.denom += den.Float64
		pts = append(pts, distdecay.Point{T: o.t, Rate: float64(o.children) / den.Float64, Weight: den.Float64})
	}
	for _, b := range bins {
		if b.units > 0 {
			b.weightedMean = b.tw / b.denom
			d.bins = append(d.bins, b)
		}
	}
	if measure == "nearest hub" {
		for i := range lsoas {
			if !in[i] {
				d.outside = append(d.outside, i)
			}
		}
	}
	f, err := distdecay.Exponential(pts)
	if err != nil {
		d.fitErr = err
	} else {
		d.fit = &f
	}
	return d
}

func writeDecay(ctx context.Context, env *Env, run *reachRun, r *reachPublished) error {
	for _, t := range []string{"distance_decay", "distance_decay_venue"} {
		if _, err := env.DB.Exec(ctx, mustSQL("analysis."+t)); err != nil {
			return err
		}
	}
	for _, d := range r.decay {
		err := env.DB.Append(ctx, "analysis", d.table, func(a *duckdb.Appender) error {
			for _, b := range d.bins {
				v, text, supp := r.pub(run.rule, b.key)
				var to, fitted any
				if !math.IsInf(b.to, 1) {
					to = b.to
				}
				if d.fit != nil {
					fitted = 100 * d.fit.At(b.weightedMean)
				}
				if err := a.AppendRow(d.measure, d.mode, "bin", b.from, to, b.weightedMean, int32(b.units), run.band, b.denom,
					v, text, rate(v, b.denom, true), fitted, nil, nil, nil, nil, supp); err != nil {
					return err
				}
			}
			if d.fit != nil {
				f := d.fit
				var r2 any = f.R2
				if math.IsNaN(f.R2) {
					r2 = nil
				}
				return a.AppendRow(d.measure, d.mode, "fit", nil, nil, nil, int32(f.Points), run.band, d.denom,
					nil, "", nil, nil, f.A, f.B, r2, f.RMSE, false)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("analysis.%s: %w", d.table, err)
		}
		if d.fit != nil {
			env.Note("reach: distance decay to the %s (%s): r(t) = %.3g exp(%+.3g t) (r a share, t in minutes); weighted R² %s, RMSE %.3g, %d %s",
				d.measure, d.mode, d.fit.A, -d.fit.B, fmtR2(d.fit.R2), d.fit.RMSE, d.fit.Points, map[bool]string{true: "LSOAs", false: "LSOA x hub pairs"}[d.measure == "nearest hub"])
		}
	}
	return nil
}

func fmtR2(v float64) string {
	if math.IsNaN(v) {
		return "undefined"
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// reachExcl is one reason for leaving contacts out.
type reachExcl struct {
	stage, code, reason, applies string
	contacts                     int64
}

// readExclusions reads the reach stage's exclusions and the loader's rejects of service use.
func readExclusions(ctx context.Context, env *Env, run *reachRun) ([]reachExcl, error) {
	limit := reachBands[run.band].limit
	text := map[string][2]string{
		"future":        {"contact date after the run date (" + run.runDate + ")", "all reach figures"},
		"period":        {"contact date outside the period " + run.from + " to " + run.to, "all reach figures"},
		"no_lsoa":       {"home LSOA missing", "all reach figures"},
		"unknown_lsoa":  {"home LSOA not an LSOA of the area or its neighbour buffer", "all reach figures"},
		"buffer":        {"home LSOA outside the area (neighbour buffer): not in the area's population", "all reach figures"},
		"no_age":        {"child's age at the contact missing", "all reach figures"},
		"age":           {fmt.Sprintf("child aged %d months or more at the contact (outside the %s band)", limit, run.band), "all reach figures"},
		"no_venue":      {"venue missing", "distance decay to the venue used only (counted in reach; row '(venue not recorded)' of reach_by_venue)"},
		"unknown_venue": {"venue is not a site in core.site", "distance decay to the venue used only (counted in reach; row '(not a known site)' of reach_by_venue)"},
	}
	order := []string{"future", "period", "no_lsoa", "unknown_lsoa", "buffer", "no_age", "age", "no_venue", "unknown_venue"}
	got := map[string]int64{}
	rows, err := env.DB.Query(ctx, `SELECT reason, contacts FROM private.reach_exclusion_counts`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var code string
		var n int64
		if err := rows.Scan(&code, &n); err != nil {
			rows.Close()
			return nil, err
		}
		got[code] += n
	}
	rows.Close()
	var out []reachExcl
	if ok, err := env.DB.TableExists(ctx, "raw", "rejects"); err != nil {
		return nil, err
	} else if ok {
		rows, err := env.DB.Query(ctx, `SELECT reason, count(*) FROM raw.rejects WHERE input = 'service_use' GROUP BY reason ORDER BY reason`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var e reachExcl
			if err := rows.Scan(&e.reason, &e.contacts); err != nil {
				rows.Close()
				return nil, err
			}
			e.stage, e.code, e.applies = "load", e.reason, "not loaded (rows with line numbers in rejects.csv)"
			out = append(out, e)
		}
		rows.Close()
	}
	for _, code := range order {
		t := text[code]
		out = append(out, reachExcl{stage: "reach", code: code, reason: t[0], applies: t[1], contacts: got[code]})
	}
	return out, nil
}

func writeExclusions(excl []reachExcl) func(context.Context, *Env, *reachRun, *reachPublished) error {
	return func(ctx context.Context, env *Env, run *reachRun, r *reachPublished) error {
		if _, err := env.DB.Exec(ctx, mustSQL("analysis.reach_exclusions")); err != nil {
			return err
		}
		for _, e := range excl {
			if e.contacts == 0 {
				continue
			}
			_, text, _ := r.pub(run.rule, "exclusion/"+e.stage+"/"+e.code+"/contacts")
			what := "left out of " + e.applies
			if e.stage == "load" {
				what = "rejected when the extract was loaded"
			}
			env.Note("reach: %s contacts %s: %s", text, what, e.reason)
		}
		return env.DB.Append(ctx, "analysis", "reach_exclusions", func(a *duckdb.Appender) error {
			for _, e := range excl {
				v, text, _ := r.pub(run.rule, "exclusion/"+e.stage+"/"+e.code+"/contacts")
				if err := a.AppendRow(e.stage, e.reason, e.applies, v, text); err != nil {
					return err
				}
			}
			return nil
		})
	}
}
