package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"image/color"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"hubreach/internal/numfmt"
	"hubreach/pipeline/render"
)

// sitingWeightName is how a weight reads on a map or chart.
func sitingWeightName(w string) string {
	switch w {
	case "deprived_children":
		return "income-deprived children"
	case "children_0_4":
		return "children aged 0-4"
	case "children_0_15":
		return "children aged 0-15"
	case "expected_uptake":
		return "expected extra users"
	}
	return w
}

func sitingModeName(mode string) string {
	return map[string]string{"walk": "walk", "drive": "drive", "crow": "straight-line"}[mode]
}

// sitingView is one scenario as the siting stage wrote it to analysis.siting_scenarios: all the
// maps and charts need, so that the render stage draws them from the database.
type sitingView struct {
	name, objective, modeAsked, mode, modeNote, weight, method string
	k, order                                                   int
	minutes, weightTotal, coveredBefore, pctBefore, pctAfter   float64
	chosen                                                     int
	bound, gap                                                 sql.NullFloat64
	optimal                                                    bool
	lsoasUnmeasured                                            int     // LSOAs whose travel time cannot be measured (off the network)
	weightUnmeasured                                           float64 // and their weight
}

// weightKey is the siting.scenarios weight the scenario asked for ("expected_uptake: children
// 0-4 x ..." is stored with its formula).
func (v *sitingView) weightKey() string {
	k, _, _ := strings.Cut(v.weight, ":")
	return k
}

// readSitingViews reads analysis.siting_scenarios in scenario order; none when the table is absent.
func readSitingViews(ctx context.Context, env *Env) ([]*sitingView, error) {
	ok, err := env.DB.TableExists(ctx, "analysis", "siting_scenarios")
	if err != nil || !ok {
		return nil, err
	}
	rows, err := env.DB.Query(ctx, `SELECT scenario, objective, mode_asked, mode, coalesce(mode_note, ''), weight, method,
		k, scenario_order, chosen, minutes, weight_total, covered_before, coalesce(pct_before, 0), coalesce(pct_after, 0),
		bound, gap, optimal, lsoas_unmeasured, weight_unmeasured
		FROM analysis.siting_scenarios ORDER BY scenario_order`)
	if err != nil {
		return nil, fmt.Errorf("analysis.siting_scenarios: %w", err)
	}
	defer rows.Close()
	var out []*sitingView
	for rows.Next() {
		v := &sitingView{}
		if err := rows.Scan(&v.name, &v.objective, &v.modeAsked, &v.mode, &v.modeNote, &v.weight, &v.method,
			&v.k, &v.order, &v.chosen, &v.minutes, &v.weightTotal, &v.coveredBefore, &v.pctBefore, &v.pctAfter,
			&v.bound, &v.gap, &v.optimal, &v.lsoasUnmeasured, &v.weightUnmeasured); err != nil {
			return nil, fmt.Errorf("analysis.siting_scenarios: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// drawSitingOutputs draws every scenario's map and, for covering scenarios, its k-versus-coverage
// curve, from the siting tables (nothing when the siting stage has not run).
func drawSitingOutputs(ctx context.Context, env *Env) error {
	views, err := readSitingViews(ctx, env)
	if err != nil {
		return err
	}
	for _, v := range views {
		if err := drawSitingMap(ctx, env, v); err != nil {
			return fmt.Errorf("siting map %q: %w", v.name, err)
		}
		if err := drawSitingCurve(ctx, env, v); err != nil {
			return fmt.Errorf("siting curve %q: %w", v.name, err)
		}
	}
	return nil
}

// Classes of an LSOA on a siting map (the Choropleth palette index; -1 is drawn grey, as on the
// gap maps).
const (
	sitingAlready     = 0  // an existing hub reaches it
	sitingNewly       = 1  // a chosen site newly reaches it
	sitingBeyond      = 2  // measured, still beyond reach, no weight
	sitingGap         = 3  // measured, still beyond reach, with weight: drawn as sitingBeyond, outlined red
	sitingNotMeasured = -1 // travel time unknown: the demand point is off the network
)

// sitingMapLSOAs reads the area LSOAs of a scenario with their class on the map.
func sitingMapLSOAs(ctx context.Context, env *Env, scenario string) ([]polyRow, error) {
	return readPolys(ctx, env, `SELECT l.lsoa_code, NULL, l.geom,
			CASE WHEN NOT s.measured THEN -1 WHEN s.covered_before THEN 0 WHEN s.covered_after THEN 1 WHEN s.weight > 0 THEN 3 ELSE 2 END
		FROM analysis.siting_lsoa s JOIN core.lsoa l USING (lsoa_code)
		WHERE s.scenario = ? AND l.area_role = 'area' ORDER BY l.lsoa_code`, scenario)
}

// sitingSubtitle says what a scenario achieves.
func sitingSubtitle(v *sitingView) string {
	sub := fmt.Sprintf("%s: %s within %g min by %s: %.0f%% reached now, %.0f%% with %s",
		v.name, sitingWeightName(v.weightKey()), v.minutes, sitingModeName(v.mode), v.pctBefore, v.pctAfter,
		numfmt.Plural(int64(v.chosen), "this site", fmt.Sprintf("these %d sites", v.chosen)))
	if v.chosen == 0 {
		sub = fmt.Sprintf("%s: no candidate adds anything; %.0f%% of %s are within %g min by %s now", v.name,
			v.pctBefore, sitingWeightName(v.weightKey()), v.minutes, sitingModeName(v.mode))
	}
	if v.modeNote != "" {
		sub += " (no " + v.modeAsked + " network: straight-line)"
	}
	return sub
}

// drawSitingMap draws a scenario's recommended sites: LSOAs shaded by whether existing hubs reach
// them, the chosen sites newly reach them, or they stay beyond reach (outlined in red when they
// hold any weight), and grey when their travel time cannot be measured (off the network, as on
// the gap maps); ward outlines and names; existing hubs; the chosen candidates numbered in order
// of selection with their names; the other candidates as small grey rings.
func drawSitingMap(ctx context.Context, env *Env, v *sitingView) error {
	lsoas, err := sitingMapLSOAs(ctx, env, v.name)
	if err != nil {
		return err
	}
	ch := &render.Choropleth{
		Palette: []color.Color{
			color.RGBA{0xc6, 0xdb, 0xef, 0xff}, // already within reach
			color.RGBA{0x31, 0xa3, 0x54, 0xff}, // newly within reach
			color.RGBA{0xff, 0xf7, 0xec, 0xff}, // beyond reach
		},
		Labels:      []string{"Already within reach of a hub", "Newly within reach (chosen sites)", "Still beyond reach"},
		LegendTitle: fmt.Sprintf("LSOAs, %s %g minutes", sitingModeName(v.mode), v.minutes),
		NoDataLabel: "Not measured (off the network)",
	}
	gaps := render.Outlines{Width: 1.6, Color: color.RGBA{0xcb, 0x18, 0x1d, 0xff}, LegendLabel: "Gap: need still beyond reach"}
	for _, l := range lsoas {
		class := l.class
		if class == sitingGap { // beyond reach and holding weight: a gap
			class = sitingBeyond
			gaps.Polys = append(gaps.Polys, l.mp)
		}
		ch.Polys = append(ch.Polys, l.mp)
		ch.Class = append(ch.Class, class)
	}
	wards, hubs, err := mapContext(ctx, env)
	if err != nil {
		return err
	}
	chosenStyle := len(hubs.Styles)
	otherStyle := chosenStyle + 1
	hubs.Styles = append(hubs.Styles,
		render.PointStyle{Label: "Recommended site, in order", Shape: draw.PyramidGlyph{}, Size: 7, Fill: color.RGBA{0x08, 0x51, 0x9c, 0xff}},
		render.PointStyle{Label: "Other candidate building", Shape: draw.RingGlyph{}, Size: 2, Fill: color.RGBA{0x80, 0x80, 0x80, 0xff}})
	// Other candidates underneath, then hubs, then the chosen sites on top.
	var pts []orb.Point
	var cats []int
	var nums []string
	others, err := env.DB.Query(ctx, `SELECT x, y FROM core.site
		WHERE role = 'candidate' AND site_id NOT IN (SELECT site_id FROM analysis.siting_choice WHERE scenario = ?)
		ORDER BY source_file, line, site_id`, v.name)
	if err != nil {
		return fmt.Errorf("candidates (core.site): %w", err)
	}
	for others.Next() {
		var p orb.Point
		if err := others.Scan(&p[0], &p[1]); err != nil {
			others.Close()
			return fmt.Errorf("candidates (core.site): %w", err)
		}
		pts, cats, nums = append(pts, p), append(cats, otherStyle), append(nums, "")
	}
	others.Close()
	for i, p := range hubs.Pts {
		pts, cats, nums = append(pts, p), append(cats, hubs.Category[i]), append(nums, "")
	}
	chosen, err := env.DB.Query(ctx, `SELECT selection_order, site_id, coalesce(name, ''), x, y FROM analysis.siting_choice
		WHERE scenario = ? ORDER BY selection_order`, v.name)
	if err != nil {
		return fmt.Errorf("analysis.siting_choice: %w", err)
	}
	for chosen.Next() {
		var n int
		var id, name string
		var p orb.Point
		if err := chosen.Scan(&n, &id, &name, &p[0], &p[1]); err != nil {
			chosen.Close()
			return fmt.Errorf("analysis.siting_choice: %w", err)
		}
		if name == "" {
			name = id
		}
		if r := []rune(name); len(r) > 30 {
			name = string(r[:29]) + "…"
		}
		pts, cats, nums = append(pts, p), append(cats, chosenStyle), append(nums, fmt.Sprintf("%d %s", n, name))
	}
	chosen.Close()
	hubs.Pts, hubs.Category, hubs.Numbers = pts, cats, nums
	m := &render.Map{
		Title:      fmt.Sprintf("%s: recommended new sites", areaTitle(env)),
		Subtitle:   sitingSubtitle(v),
		Source:     sitingSourceLine(env, v),
		Synthetic:  env.Config.Area.Synthetic,
		Choropleth: ch, Outlines: append(wardLayers(wards), gaps), Points: hubs,
	}
	return render.Save(m, filepath.Join(env.Dir, "maps", "siting_"+sitingSlug(v.name)))
}

// sitingUnmeasuredText says how much of a scenario's weight could not be measured (the grey
// LSOAs); "" when all of it was.
func sitingUnmeasuredText(v *sitingView) string {
	if v.lsoasUnmeasured == 0 {
		return ""
	}
	return fmt.Sprintf("Grey: %s %s (%s) not measured, off the %s network: not counted as within reach.", fmtWeight(v.weightUnmeasured),
		sitingWeightName(v.weightKey()), numfmt.Count(int64(v.lsoasUnmeasured), "LSOA", "LSOAs"), sitingModeName(v.mode))
}

// sitingSourceLine puts the method and its bound first, then what could not be measured, then
// the usual source lines. (The subtitle is one line that does not wrap, so the count of what
// could not be measured goes here, on the method's line, which is short.)
func sitingSourceLine(env *Env, v *sitingView) string {
	how := fmt.Sprintf("Method: %s; ", v.method)
	switch {
	case v.optimal:
		how += "proven optimal."
	case v.objective == "pmedian":
		how += fmt.Sprintf("within %.1f%% of the least possible weighted travel time (Lagrangian bound).", 100*v.gap.Float64)
	default:
		how += fmt.Sprintf("within %.1f%% of the best possible (upper bound %.0f).", 100*v.gap.Float64, v.bound.Float64)
	}
	if u := sitingUnmeasuredText(v); u != "" {
		how += " " + u
	}
	return how + "\n" + sourceLine(env)
}

// sitingFlatBelow is the step (percentage points) under which the curve counts as flat.
const sitingFlatBelow = 1.0

// flatK is the smallest k after which every further site adds less than below percentage points.
func flatK(base float64, ks []int, vals []float64, below float64) int {
	flat := 0
	prev := base
	for i := range ks {
		if vals[i]-prev >= below {
			flat = 0
		} else if flat == 0 && i > 0 {
			flat = ks[i-1]
		}
		prev = vals[i]
	}
	return flat
}

// drawSitingCurve draws the k-versus-coverage chart of a covering scenario from
// analysis.siting_curve; nothing when the scenario has no curve (p-median, or no candidate adds
// anything).
func drawSitingCurve(ctx context.Context, env *Env, v *sitingView) error {
	rows, err := env.DB.Query(ctx, `SELECT k, coverage, coalesce(bound, 0) FROM analysis.siting_curve WHERE scenario = ? ORDER BY k`, v.name)
	if err != nil {
		return fmt.Errorf("analysis.siting_curve: %w", err)
	}
	defer rows.Close()
	share := func(x float64) float64 {
		if v.weightTotal <= 0 {
			return 0
		}
		return 100 * x / v.weightTotal
	}
	var ks []int
	var vals, bounds []float64
	for rows.Next() {
		var k int
		var value, bound float64
		if err := rows.Scan(&k, &value, &bound); err != nil {
			return fmt.Errorf("analysis.siting_curve: %w", err)
		}
		ks = append(ks, k)
		vals = append(vals, share(v.coveredBefore+value))
		b := 0.0
		if bound > 0 {
			b = share(v.coveredBefore + bound)
		}
		bounds = append(bounds, b)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("analysis.siting_curve: %w", err)
	}
	if len(ks) == 0 {
		return nil
	}
	base := share(v.coveredBefore)
	flat := flatK(base, ks, vals, sitingFlatBelow)
	p, err := render.CoverageCurve(render.CurveOptions{K: ks, Value: vals, Bound: bounds, Base: base, Chosen: v.k,
		Flat: flat, FlatBelow: sitingFlatBelow,
		XLabel: "new sites (k); 0 = existing hubs only",
		YLabel: fmt.Sprintf("%% of %s within reach", sitingWeightName(v.weightKey()))})
	if err != nil {
		return err
	}
	chart := &render.Chart{
		Title:    fmt.Sprintf("%s: coverage as new sites are added", areaTitle(env)),
		Subtitle: fmt.Sprintf("%s: within %g min by %s of a hub or a new site (best k sites found)", v.name, v.minutes, sitingModeName(v.mode)),
		Source:   sourceLine(env), Synthetic: env.Config.Area.Synthetic, Plot: p, Height: 11 * vg.Centimeter,
	}
	return render.Save(chart, filepath.Join(env.Dir, "charts", "siting_curve_"+sitingSlug(v.name)))
}
