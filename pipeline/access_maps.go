package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"image/color"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"hubreach/datasets"
	"hubreach/internal/numfmt"
	"hubreach/pipeline/render"
)

// travelPalette is render.TravelTime8: warm white -> cyan -> blue -> violet -> dark plum, with
// adjacent classes at least 10 CIEDE2000 apart; clear of the red gap outlines and the
// orange/green hub markers.
func travelPalette() []color.Color { return render.TravelTime8() }

// travelBreaks are the upper bounds of the map classes: minutes, or kilometres for a standard
// in metres. The last class is open.
var (
	minuteBreaks = []float64{5, 10, 15, 20, 30, 45, 60}
	kmBreaks     = []float64{0.4, 0.8, 1.2, 1.6, 2.4, 3.2, 4.8}
)

func classOf(v float64, breaks []float64) int {
	for i, b := range breaks {
		if v <= b {
			return i
		}
	}
	return len(breaks)
}

func breakLabels(breaks []float64, unit string) []string {
	out := make([]string, 0, len(breaks)+1)
	prev := 0.0
	for _, b := range breaks {
		out = append(out, fmt.Sprintf("%g–%g %s", prev, b, unit))
		prev = b
	}
	return append(out, fmt.Sprintf("over %g %s", prev, unit))
}

type standardRow struct {
	id                      int
	name, requested, mode   string
	group                   string
	minutes, metres, crowKP sql.NullFloat64
}

func readStandards(ctx context.Context, env *Env) ([]standardRow, error) {
	rows, err := env.DB.Query(ctx, `SELECT standard_id, name, requested_mode, mode, tier_group, minutes, metres, crow_kph FROM analysis.access_standard ORDER BY standard_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []standardRow
	for rows.Next() {
		var s standardRow
		if err := rows.Scan(&s.id, &s.name, &s.requested, &s.mode, &s.group, &s.minutes, &s.metres, &s.crowKP); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// drawAccessOutputs draws one gap map per standard and the cumulative chart.
func drawAccessOutputs(ctx context.Context, env *Env, modes []string) error {
	standards, err := readStandards(ctx, env)
	if err != nil {
		return err
	}
	wards, hubs, err := mapContext(ctx, env)
	if err != nil {
		return err
	}
	for _, s := range standards {
		if err := drawGapMap(ctx, env, s, wards, hubs); err != nil {
			return fmt.Errorf("gap map for standard %d (%s): %w", s.id, s.name, err)
		}
	}
	return drawCumulativeChart(ctx, env, modes)
}

func modePhrase(s standardRow) string {
	switch {
	case s.mode == "crow" && s.requested != "crow":
		return fmt.Sprintf("straight line at %g km/h (no road network)", s.crowKP.Float64)
	case s.mode == "crow":
		return fmt.Sprintf("straight line at %g km/h", s.crowKP.Float64)
	case s.mode == "walk":
		return "walking on OpenStreetMap paths and roads"
	default:
		return "driving on OpenStreetMap roads"
	}
}

func drawGapMap(ctx context.Context, env *Env, s standardRow, wards render.Outlines, hubs *render.Points) error {
	rows, err := env.DB.Query(ctx, `SELECT a.lsoa_code, a.minutes, a.metres, a.within, l.geom, coalesce(a.children_0_15, 0), coalesce(a.deprived_children, 0)
		FROM analysis.lsoa_access a JOIN core.lsoa l USING (lsoa_code)
		WHERE a.standard_id = ? AND a.area_role = 'area' ORDER BY a.lsoa_code`, s.id)
	if err != nil {
		return err
	}
	inMetres := !s.minutes.Valid
	breaks, unit := minuteBreaks, "min"
	if inMetres {
		breaks, unit = kmBreaks, "km"
	}
	ch := &render.Choropleth{Palette: travelPalette(), Labels: breakLabels(breaks, unit), NoDataLabel: "unknown (off the network)"}
	what := map[string]string{"main": "main hub", "any": "hub site", "plus": "Plus hub", "extra": "Extra hub",
		"satellite": "satellite", "network-point": "network point"}[s.group]
	if what == "" {
		what = "site (" + strings.ReplaceAll(s.group, "+", ", ") + ")"
	}
	if inMetres {
		ch.LegendTitle = "Distance to nearest " + what
	} else {
		ch.LegendTitle = "Time to nearest " + what
	}
	gaps := render.Outlines{Width: 1.8, Color: color.RGBA{0xd7, 0x30, 0x1f, 0xff}, LegendLabel: "Beyond the standard (gap)"}
	n, nGap := 0, 0
	var childrenGap, deprivedGap float64
	for rows.Next() {
		var code string
		var minutes, metres sql.NullFloat64
		var within sql.NullBool
		var wkb []byte
		var children, deprived float64
		if err := rows.Scan(&code, &minutes, &metres, &within, &wkb, &children, &deprived); err != nil {
			rows.Close()
			return err
		}
		mp, err := datasets.DecodeWKB(wkb)
		if err != nil {
			err = fmt.Errorf("LSOA %s geometry: %w", code, err)
			rows.Close()
			return err
		}
		k := -1
		switch {
		case inMetres && metres.Valid:
			k = classOf(metres.Float64/1000, breaks)
		case !inMetres && minutes.Valid:
			k = classOf(minutes.Float64, breaks)
		}
		ch.Polys = append(ch.Polys, mp)
		ch.Class = append(ch.Class, k)
		n++
		if within.Valid && !within.Bool {
			gaps.Polys = append(gaps.Polys, mp)
			nGap++
			childrenGap += children
			deprivedGap += deprived
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	threshold := fmt.Sprintf("%g minutes", s.minutes.Float64)
	if inMetres {
		threshold = fmtKm(s.metres.Float64)
	}
	m := &render.Map{
		Title: fmt.Sprintf("%s: %s", areaTitle(env), s.name),
		Subtitle: fmt.Sprintf("%s; %d of %d LSOAs beyond %s (red): %s children aged 0-15, %s income-deprived",
			strings.ToUpper(modePhrase(s)[:1])+modePhrase(s)[1:], nGap, n, threshold, numfmt.Thousands(childrenGap, 0), numfmt.Thousands(deprivedGap, 0)),
		Source: sourceLine(env), Synthetic: env.Config.Area.Synthetic,
		Choropleth: ch, Outlines: append(wardLayers(wards), gaps), Points: countingHubs(hubs, s.group),
	}
	return render.Save(m, filepath.Join(env.Dir, "maps", fmt.Sprintf("gap_%d_%s", s.id, slug(s.name))))
}

// countingHubs is the hub layer of a gap map: sites of a tier the standard does not count (a
// satellite on a main-hub map) are drawn grey and say so in the legend, so nobody reads a gap
// next to one as a mistake. Categories are hubPoints': plus, extra, satellite, network point.
func countingHubs(hubs *render.Points, group string) *render.Points {
	counts := func(tier string) bool {
		switch group {
		case "any":
			return true
		case "main":
			return tier == "plus" || tier == "extra"
		}
		return slices.Contains(strings.Split(group, "+"), tier)
	}
	out := *hubs
	out.Styles = slices.Clone(hubs.Styles)
	for k := range out.Styles {
		if k < len(hubTiers) && !counts(hubTiers[k]) {
			out.Styles[k].Fill = color.RGBA{0xbd, 0xbd, 0xbd, 0xff}
			// the legend has room for about 30 characters: the location caveat, if any, is on the
			// tiers that count and in the report's list of location notes
			out.Styles[k].Label = hubTierShort[k] + " (not counted)"
		}
	}
	return &out
}

func fmtKm(m float64) string {
	if m >= 1000 {
		return fmt.Sprintf("%g km", m/1000)
	}
	return fmt.Sprintf("%g m", m)
}

// chartMaxMinutes is where the cumulative travel-time chart stops.
const chartMaxMinutes = 60.0

// drawCumulativeChart plots, for each mode, the share of the area's income-deprived children
// whose nearest hub site (of any tier) is within t minutes.

func drawCumulativeChart(ctx context.Context, env *Env, modes []string) error {
	p := plot.New()
	p.X.Label.Text = "Travel time to the nearest hub site (minutes)"
	p.Y.Label.Text = "Share of income-deprived children (%)"
	p.Y.Min, p.Y.Max = 0, 100
	p.X.Min, p.X.Max = 0, chartMaxMinutes
	p.Add(plotter.NewGrid())
	p.Legend.Top = false
	p.Legend.Left = false
	p.Legend.XOffs = -4
	p.Legend.YOffs = 4
	styles := map[string]struct {
		label string
		col   color.Color
		dash  []vg.Length
	}{
		"crow":  {fmt.Sprintf("crow-fly at %g km/h walking pace", env.Config.Access.WalkSpeedKPH), color.RGBA{0x73, 0x73, 0x73, 0xff}, []vg.Length{vg.Points(4), vg.Points(3)}},
		"walk":  {"walking (road and path network)", color.RGBA{0x31, 0xa3, 0x54, 0xff}, nil},
		"drive": {"driving (road network)", color.RGBA{0x3f, 0x00, 0x7d, 0xff}, nil},
	}
	total := 0.0
	for _, mode := range modes {
		rows, err := env.DB.Query(ctx, `SELECT d.minutes, n.deprived_children FROM analysis.lsoa_distance d
			JOIN analysis.lsoa_need n USING (lsoa_code)
			WHERE d.area_role = 'area' AND d.mode = ? AND d.tier_group = 'any' AND n.deprived_children IS NOT NULL ORDER BY d.minutes NULLS LAST`, mode)
		if err != nil {
			return err
		}
		type pt struct{ t, w float64 }
		var pts []pt
		sum := 0.0
		for rows.Next() {
			var t sql.NullFloat64
			var w float64
			if err := rows.Scan(&t, &w); err != nil {
				rows.Close()
				return err
			}
			sum += w
			if t.Valid {
				pts = append(pts, pt{t.Float64, w})
			}
		}
		rows.Close()
		if sum == 0 {
			continue
		}
		total = sum
		// The step curve of the share within t minutes, up to the chart's 60 minutes: children
		// farther away, or with no measured time, are never within, so the line ends below 100%
		// by their share, which the legend states.
		xy := plotter.XYs{{X: 0, Y: 0}}
		cum := 0.0
		for _, q := range pts {
			if q.t > chartMaxMinutes {
				break
			}
			xy = append(xy, plotter.XY{X: q.t, Y: 100 * cum / sum})
			cum += q.w
			xy = append(xy, plotter.XY{X: q.t, Y: 100 * cum / sum})
		}
		xy = append(xy, plotter.XY{X: chartMaxMinutes, Y: 100 * cum / sum})
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		st := styles[mode]
		l.Color, l.Width, l.Dashes = st.col, vg.Points(1.8), st.dash
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s: %s within %g min", st.label, numfmt.Thousands(100*cum/sum, 1)+"%", chartMaxMinutes), l)
	}
	if total == 0 {
		env.Note("access: no income-deprived children figures, so no cumulative travel-time chart")
		return nil
	}
	for _, m := range []float64{15, 20} {
		ref, _ := plotter.NewLine(plotter.XYs{{X: m, Y: 0}, {X: m, Y: 100}})
		ref.Color, ref.Width, ref.Dashes = color.Gray{0xa0}, vg.Points(0.6), []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(ref)
	}
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	sub := fmt.Sprintf("%s income-deprived children; nearest hub site of any tier; dotted lines at 15 and 20 minutes", numfmt.Thousands(total, 0))
	if !slices.Contains(modes, "walk") && !slices.Contains(modes, "drive") {
		sub = fmt.Sprintf("%s income-deprived children; crow-fly only (no road network for this area)", numfmt.Thousands(total, 0))
	}
	chart := &render.Chart{Title: fmt.Sprintf("%s: travel time to the nearest hub", areaTitle(env)), Subtitle: sub,
		Source: sourceLine(env), Synthetic: env.Config.Area.Synthetic, Plot: p, Height: 11 * vg.Centimeter}
	return render.Save(chart, filepath.Join(env.Dir, "charts", "cumulative_travel_time"))
}
