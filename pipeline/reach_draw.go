package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"sort"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"hubreach/pipeline/disclosure"
	"hubreach/pipeline/distdecay"
	"hubreach/pipeline/render"
)

// pctText is a percentage for a label: one decimal under 10%, none above.
func pctText(p float64) string {
	if p < 10 {
		return fmt.Sprintf("%.1f%%", p)
	}
	return fmt.Sprintf("%.0f%%", p)
}

// Reach map palette: five sequential blues (ColorBrewer Blues, colour-blind safe; not green,
// which the satellite and network-point markers use) and a
// mid grey for suppressed LSOAs (lighter grey = no population estimate).
var (
	reachPalette = []color.Color{
		color.RGBA{0xef, 0xf3, 0xff, 0xff}, color.RGBA{0xbd, 0xd7, 0xe7, 0xff}, color.RGBA{0x6b, 0xae, 0xd6, 0xff},
		color.RGBA{0x31, 0x82, 0xbd, 0xff}, color.RGBA{0x08, 0x51, 0x9c, 0xff},
	}
	suppressedColor color.Color = color.RGBA{0x96, 0x96, 0x96, 0xff}
)

// drawReachOutputs draws the reach map by LSOA, the equity chart by IDACI decile and the
// distance-decay chart from the published (disclosure-controlled) tables analysis.reach_by_lsoa,
// reach_by_decile, reach_by_deprivation, distance_decay and distance_decay_venue, and the run's
// period, age band and threshold in private.reach_params, so `hubreach render` redraws them
// without the unsuppressed counts. It draws nothing when the reach stage has not run.
func drawReachOutputs(ctx context.Context, env *Env) error {
	ok, err := env.DB.TableExists(ctx, "analysis", "reach_by_lsoa")
	if err != nil || !ok {
		return err
	}
	run, err := readReachParams(ctx, env)
	if err != nil {
		return err
	}
	if err := drawReachMap(ctx, env, run); err != nil {
		return fmt.Errorf("reach map: %w", err)
	}
	if err := drawReachDecile(ctx, env, run); err != nil {
		return fmt.Errorf("reach by decile chart: %w", err)
	}
	if err := drawDecay(ctx, env, run); err != nil {
		return fmt.Errorf("distance decay chart: %w", err)
	}
	return nil
}

// readReachParams reads the period, age band and disclosure threshold the reach tables were
// made with (private.reach_params, written by reachSetup).
func readReachParams(ctx context.Context, env *Env) (*reachRun, error) {
	run := &reachRun{}
	err := env.DB.QueryRow(ctx, `SELECT strftime(period_start, '%Y-%m-%d'), strftime(period_end, '%Y-%m-%d'), age_band, disclosure_threshold
		FROM private.reach_params`).Scan(&run.from, &run.to, &run.band, &run.rule.Threshold)
	if err != nil {
		return nil, fmt.Errorf("private.reach_params: %w", err)
	}
	return run, nil
}

// reachBreaks are class breaks for the map: quintiles of the published rates rounded to whole
// per cent, kept only where they split the values (so no class is empty at the bottom and equal
// breaks merge).
func reachBreaks(pcts []float64) []float64 {
	sort.Float64s(pcts)
	var br []float64
	for k := 1; k < 5; k++ {
		v := math.Round(pcts[(len(pcts)*k)/5])
		if v > pcts[0] && (len(br) == 0 || v > br[len(br)-1]) {
			br = append(br, v)
		}
	}
	return br
}

func drawReachMap(ctx context.Context, env *Env, run *reachRun) error {
	polys, err := readPolys(ctx, env, `SELECT lsoa_code, NULL, geom, NULL FROM core.lsoa WHERE area_role = 'area' ORDER BY lsoa_code`)
	if err != nil {
		return err
	}
	pct := map[string]float64{}
	supp := map[string]bool{}
	var all []float64
	rows, err := env.DB.Query(ctx, `SELECT lsoa_code, reach_pct, suppressed FROM analysis.reach_by_lsoa ORDER BY lsoa_code`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var p sql.NullFloat64
		var s bool
		if err := rows.Scan(&code, &p, &s); err != nil {
			return err
		}
		switch {
		case s:
			supp[code] = true
		case p.Valid:
			pct[code] = p.Float64
			all = append(all, p.Float64)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var br []float64
	if len(all) > 0 {
		sort.Float64s(all)
		br = reachBreaks(append([]float64(nil), all...))
	}
	nc := len(br) + 1
	pal := append(append([]color.Color{}, reachPalette[5-nc:]...), suppressedColor)
	if nc == 1 { // one class (e.g. every published LSOA at 0%): the lightest green
		pal[0] = reachPalette[0]
	}
	var labels []string
	for k := 0; k < nc; k++ {
		switch {
		case nc == 1 && len(all) > 0 && all[0] == all[len(all)-1]:
			labels = append(labels, fmt.Sprintf("%.0f%%", all[0]))
		case nc == 1:
			labels = append(labels, "all published LSOAs")
		case k == 0:
			labels = append(labels, fmt.Sprintf("under %.0f%%", br[0]))
		case k == nc-1:
			labels = append(labels, fmt.Sprintf("%.0f%% or more", br[k-1]))
		default:
			labels = append(labels, fmt.Sprintf("%.0f%% to under %.0f%%", br[k-1], br[k]))
		}
	}
	labels = append(labels, fmt.Sprintf("suppressed (under %d children)", run.rule.Threshold))
	ch := &render.Choropleth{Palette: pal, Labels: labels, LegendTitle: "Children reached, % of age " + run.band, NoDataLabel: "no population estimate"}
	for _, pl := range polys {
		k := -1
		if supp[pl.code] {
			k = nc
		} else if p, ok := pct[pl.code]; ok {
			k = sort.Search(len(br), func(j int) bool { return br[j] > p })
		}
		ch.Polys = append(ch.Polys, pl.mp)
		ch.Class = append(ch.Class, k)
	}
	wards, hubs, err := mapContext(ctx, env)
	if err != nil {
		return err
	}
	m := &render.Map{
		Title:    fmt.Sprintf("%s: children aged %s reached by family hub services", areaTitle(env), run.band),
		Subtitle: fmt.Sprintf("Unique children seen %s to %s as %% of children aged %s living there; counts under %d suppressed", run.from, run.to, run.band, run.rule.Threshold),
		Source:   sourceLine(env), Synthetic: env.Config.Area.Synthetic,
		Choropleth: ch, Outlines: wardLayers(wards), Points: hubs,
	}
	return render.Save(m, filepath.Join(env.Dir, "maps", "reach_by_lsoa"))
}

func drawReachDecile(ctx context.Context, env *Env, run *reachRun) error {
	cols := render.IDACIDecile()
	var labels, valText []string
	var vals []float64
	anySupp := false
	var colors []color.Color
	rows, err := env.DB.Query(ctx, `SELECT idaci_decile, reach_pct, children_reached_text, suppressed
		FROM analysis.reach_by_decile WHERE idaci_decile IS NOT NULL ORDER BY idaci_decile`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d int
		var pct sql.NullFloat64
		var text sql.NullString
		var s bool
		if err := rows.Scan(&d, &pct, &text, &s); err != nil {
			return err
		}
		lab := fmt.Sprint(d)
		switch d {
		case 1:
			lab = "1\nmost\ndeprived"
		case 10:
			lab = "10\nleast\ndeprived"
		}
		switch {
		case s:
			valText = append(valText, text.String)
			anySupp = true
		case !pct.Valid:
			valText = append(valText, "n/a")
		default:
			valText = append(valText, pctText(pct.Float64))
		}
		labels = append(labels, lab)
		vals = append(vals, pct.Float64)
		colors = append(colors, cols[(d-1+10)%10])
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(vals) == 0 {
		return nil
	}
	p, err := render.Bars(render.BarsOptions{Labels: labels, Values: vals, Colors: colors,
		XLabel: "National IDACI decile of the child's home LSOA", YLabel: "% of children aged " + run.band + " reached"})
	if err != nil {
		return err
	}
	var pts plotter.XYs
	for i, v := range vals {
		pts = append(pts, plotter.XY{X: float64(i), Y: v})
	}
	lab, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: valText})
	if err != nil {
		return err
	}
	for i := range lab.TextStyle {
		lab.TextStyle[i].XAlign = draw.XCenter
		lab.TextStyle[i].Font.Size = vg.Points(8)
	}
	lab.Offset = vg.Point{Y: 3}
	p.Add(lab)
	p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = vg.Points(9), vg.Points(9)
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = vg.Points(8), vg.Points(8)
	sub := fmt.Sprintf("%% of the decile's children aged %s reached, %s to %s", run.band, run.from, run.to)
	var areaPct sql.NullFloat64
	err = env.DB.QueryRow(ctx, `SELECT any_value(reach_pct) FILTER (WHERE NOT suppressed)
		FROM analysis.reach_by_deprivation WHERE lsoa_group = 'whole area'`).Scan(&areaPct)
	if err != nil {
		return fmt.Errorf("analysis.reach_by_deprivation: %w", err)
	}
	{
		if a, ok := areaPct.Float64, areaPct.Valid; ok {
			line, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: a}, {X: float64(len(vals)) - 0.5, Y: a}})
			if err != nil {
				return err
			}
			line.LineStyle = draw.LineStyle{Color: color.RGBA{0xe6, 0x55, 0x0d, 0xff}, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
			p.Add(line)
			sub += "; dashed: whole area (" + pctText(a) + ")"
			p.Y.Max = math.Max(p.Y.Max, a*1.12)
		}
	}
	for _, v := range vals {
		p.Y.Max = math.Max(p.Y.Max, v*1.15)
	}
	if p.Y.Max <= 0 {
		p.Y.Max = 1
	}
	if anySupp {
		sub += fmt.Sprintf("; %s, %s: suppressed", run.rule.Marker(disclosure.Primary), run.rule.Marker(disclosure.Secondary))
	}
	chart := &render.Chart{
		Title:    fmt.Sprintf("%s: reach by IDACI decile", areaTitle(env)),
		Subtitle: sub,
		Source:   sourceLine(env), Synthetic: env.Config.Area.Synthetic, Plot: p, Height: 11 * vg.Centimeter, Width: 19 * vg.Centimeter,
	}
	return render.Save(chart, filepath.Join(env.Dir, "charts", "reach_by_decile"))
}

// decayChartMode is the mode the chart shows: walk when the area has a road network, else crow.
func decayChartMode(modes []string) string {
	if slices.Contains(modes, "walk") {
		return "walk"
	}
	return "crow"
}

// decayRow is one row of analysis.distance_decay or distance_decay_venue.
type decayRow struct {
	measure, mode, rowType string
	mean, pct, a, b, r2    sql.NullFloat64
	suppressed             bool
}

func readDecayRows(ctx context.Context, env *Env) ([]decayRow, error) {
	var out []decayRow
	for _, t := range []string{"distance_decay", "distance_decay_venue"} {
		ok, err := env.DB.TableExists(ctx, "analysis", t)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		rows, err := env.DB.Query(ctx, `SELECT measure, mode, row_type, mean_minutes, reach_pct, a, b, r2, suppressed
			FROM analysis.`+t+` ORDER BY mode, row_type, minutes_from`)
		if err != nil {
			return nil, fmt.Errorf("analysis.%s: %w", t, err)
		}
		for rows.Next() {
			var r decayRow
			if err := rows.Scan(&r.measure, &r.mode, &r.rowType, &r.mean, &r.pct, &r.a, &r.b, &r.r2, &r.suppressed); err != nil {
				rows.Close()
				return nil, fmt.Errorf("analysis.%s: %w", t, err)
			}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("analysis.%s: %w", t, err)
		}
	}
	return out, nil
}

func drawDecay(ctx context.Context, env *Env, run *reachRun) error {
	rows, err := readDecayRows(ctx, env)
	if err != nil {
		return err
	}
	var modes, measures []string
	for _, r := range rows {
		modes = append(modes, r.mode)
		if !slices.Contains(measures, r.measure) {
			measures = append(measures, r.measure)
		}
	}
	mode := decayChartMode(modes)
	var series []render.DecaySeries
	var xmax float64
	for _, measure := range measures { // nearest hub, then venue used
		s := render.DecaySeries{Label: "to the nearest hub", Color: color.RGBA{0x54, 0x27, 0x8f, 0xff}, Shape: draw.CircleGlyph{}}
		if measure == "venue used" {
			s = render.DecaySeries{Label: "to the venue used", Color: color.RGBA{0xe6, 0x55, 0x0d, 0xff}, Shape: draw.TriangleGlyph{}}
		}
		found := false
		for _, r := range rows {
			if r.measure != measure || r.mode != mode {
				continue
			}
			found = true
			switch {
			case r.rowType == "bin" && !r.suppressed && r.pct.Valid && r.mean.Valid:
				s.X = append(s.X, r.mean.Float64)
				s.Y = append(s.Y, r.pct.Float64)
				xmax = math.Max(xmax, r.mean.Float64)
			case r.rowType == "fit" && r.a.Valid && r.b.Valid:
				f := distdecay.Curve{A: r.a.Float64, B: r.b.Float64}
				r2 := math.NaN()
				if r.r2.Valid {
					r2 = r.r2.Float64
				}
				s.Curve = func(t float64) float64 { return 100 * f.At(t) }
				s.CurveLabel = fmt.Sprintf("%s × exp(%+.3f t), R² %s", pctText(100*f.A), -f.B, fmtR2(r2))
			}
		}
		if found {
			series = append(series, s)
		}
	}
	if len(series) == 0 || xmax == 0 {
		return nil
	}
	how := map[string]string{"walk": "walking minutes on the road and path network", "crow": "minutes at walking speed as the crow flies", "drive": "driving minutes"}[mode]
	p, err := render.DecayChart(render.DecayOptions{Series: series, XMax: xmax * 1.1,
		XLabel: "Travel time from the home LSOA (" + how + ")", YLabel: "Children reached (% of children aged " + run.band + ")"})
	if err != nil {
		return err
	}
	sub := fmt.Sprintf("%% of children aged %s seen %s to %s, by travel time (points); dashed: fitted r(t) = a·exp(−b·t)", run.band, run.from, run.to)
	chart := &render.Chart{
		Title:    fmt.Sprintf("%s: reach and travel time (distance decay)", areaTitle(env)),
		Subtitle: sub,
		Source:   sourceLine(env), Synthetic: env.Config.Area.Synthetic, Plot: p, Height: 12 * vg.Centimeter, Width: 22 * vg.Centimeter,
	}
	return render.Save(chart, filepath.Join(env.Dir, "charts", "distance_decay"))
}
