package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot/vg"

	"hubreach/config"
	"hubreach/pipeline/render"
)

// drawNeedCharts draws the charts of the need analysis for an area run: the ward league and the
// local authority comparison.
func drawNeedCharts(ctx context.Context, env *Env) error {
	if err := drawWardLeague(ctx, env); err != nil {
		return fmt.Errorf("ward league chart: %w", err)
	}
	if err := drawAreaLAComparison(ctx, env); err != nil {
		return fmt.Errorf("local authority comparison chart: %w", err)
	}
	return nil
}

type leagueWard struct {
	name                 string
	deprived, children   float64
	lsoas, lsoas10       int
	score                sql.NullFloat64
	approximate, hasData bool
}

// drawWardLeague draws the area's wards by income-deprived children (analysis.ward_profile, in
// its league order), each bar labelled with the count, the population-weighted IDACI score where
// the input has scores, and the number of the ward's LSOAs in the most deprived 10% nationally.
func drawWardLeague(ctx context.Context, env *Env) error {
	ok, err := env.DB.TableExists(ctx, "analysis", "ward_profile")
	if err != nil || !ok {
		return err
	}
	rows, err := env.DB.Query(ctx, `SELECT coalesce(ward_name, ward_code), deprived_children, children_0_15, lsoas,
			lsoas_idaci_most_deprived_10, idaci_score_weighted, lsoas_deprived_approximate > 0
		FROM analysis.ward_profile ORDER BY league_rank_deprived_children, ward_code`)
	if err != nil {
		return err
	}
	var wards []leagueWard
	for rows.Next() {
		var w leagueWard
		var deprived, children sql.NullFloat64
		if err := rows.Scan(&w.name, &deprived, &children, &w.lsoas, &w.lsoas10, &w.score, &w.approximate); err != nil {
			rows.Close()
			return err
		}
		w.deprived, w.children, w.hasData = deprived.Float64, children.Float64, deprived.Valid
		wards = append(wards, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(wards) == 0 {
		env.Note("ward league chart not drawn: no ward has LSOAs in the area (give ward boundaries or a ward lookup)")
		return nil
	}
	o := render.LeagueOptions{XLabel: "Children aged 0-15 in income-deprived families", PlotWidth: chartWidth - 6*vg.Centimeter}
	approx, scored, anyDark := false, false, false
	for _, w := range wards {
		o.Names = append(o.Names, w.name)
		o.Values = append(o.Values, w.deprived)
		var parts []string
		if !w.hasData {
			parts = append(parts, "no data")
		} else {
			parts = append(parts, render.Thousands(w.deprived))
		}
		if w.score.Valid {
			parts = append(parts, fmt.Sprintf("score %.2f", w.score.Float64))
			scored = true
		}
		of := fmt.Sprintf("%d of %d LSOAs", w.lsoas10, w.lsoas)
		if w.lsoas == 1 {
			of = fmt.Sprintf("%d of 1 LSOA", w.lsoas10)
		}
		parts = append(parts, of+" in most deprived 10%")
		o.Texts = append(o.Texts, strings.Join(parts, "; "))
		col := render.IDACIDecile()[4]
		if w.lsoas10 > 0 {
			col = render.IDACIDecile()[1]
		}
		o.Colors = append(o.Colors, col)
		approx = approx || w.approximate
		anyDark = anyDark || w.lsoas10 > 0
	}
	switch {
	case scored:
		o.XLabel += "\n(score: IDACI score weighted by children aged 0-15)"
	case approx:
		o.XLabel += "\n(from the published IDACI numerators, rounded to 5 with small counts suppressed: approximate)"
	}
	sub := "Dark bars: wards with at least one LSOA in England's most deprived 10% on IDACI"
	if !anyDark {
		sub = "No ward has an LSOA in England's most deprived 10% on IDACI"
	}
	p, err := render.League(o)
	if err != nil {
		return err
	}
	chart := &render.Chart{
		Title:    fmt.Sprintf("%s: ward league by income-deprived children", areaTitle(env)),
		Subtitle: sub, Source: sourceLine(env), Synthetic: env.Config.Area.Synthetic, Plot: p,
		Width: chartWidth, Height: render.LeagueHeight(len(wards)) + vg.Length(strings.Count(o.XLabel, "\n"))*14,
	}
	return render.Save(chart, filepath.Join(env.Dir, "charts", "ward_league"))
}

// chartWidth is the width of the need charts: an A4 page's text width.
const chartWidth = 17 * vg.Centimeter

// laUnit is one authority on the comparison chart.
type laUnit struct {
	code, name string
	avgRank    float64
	rank       int
}

// minAuthorities is the fewest authorities a comparison chart is worth drawing for; fewer means
// the deprivation input is not the national file.
const minAuthorities = 10

// drawAreaLAComparison draws charts/la_comparison for an area run: the configured area among all
// upper-tier authorities by IDACI average rank (among districts when the area is a district).
// The local authority summaries are built from core.iod (every LSOA in England) if the analysis
// has not built them, and their two published tables exported beside the others.
func drawAreaLAComparison(ctx context.Context, env *Env) error {
	var authorities int
	if err := env.DB.QueryRow(ctx, `SELECT count(DISTINCT lad_code) FROM core.iod`).Scan(&authorities); err != nil {
		return err
	}
	if authorities < minAuthorities {
		env.Note("local authority comparison chart not drawn: the deprivation input covers %d local authorities; it needs the national LSOA file", authorities)
		return nil
	}
	if err := ensureLASummaries(ctx, env); err != nil {
		return err
	}
	level := "utla"
	if slices.ContainsFunc(districtCodes(env.Config), func(c string) bool { return strings.HasPrefix(c, "E07") }) {
		level = "ltla"
	}
	return drawLAComparison(ctx, env, env.Config, level, filepath.Join(env.Dir, "charts", "la_comparison"))
}

// districtCodes is the area's codes as the area filter uses them (counties expanded when the
// lookup allows, else as given).
func districtCodes(cfg config.Config) []string {
	if f, err := areaFilter(cfg); err == nil {
		return f.Codes
	}
	return cfg.Area.Codes
}

// ensureLASummaries builds analysis.la_summary_ltla and la_summary_utla (as `hubreach national`
// does) unless they exist, and exports them to tables/.
func ensureLASummaries(ctx context.Context, env *Env) error {
	have := true
	for _, t := range []string{"la_summary_ltla", "la_summary_utla"} {
		ok, err := env.DB.TableExists(ctx, "analysis", t)
		if err != nil {
			return err
		}
		have = have && ok
	}
	if have {
		return nil
	}
	if err := sqlStage("local authority summaries", "analysis.la_summary", "analysis.la_summary_ltla", "analysis.la_summary_utla").Run(ctx, env); err != nil {
		return err
	}
	if _, err := env.DB.Exec(ctx, "DROP TABLE analysis.la_summary"); err != nil {
		return err
	}
	dir := filepath.Join(env.Dir, "tables")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, t := range []string{"la_summary_ltla", "la_summary_utla"} {
		for _, f := range []struct{ ext, opts string }{{"csv", "FORMAT csv, HEADER true"}, {"parquet", "FORMAT parquet, COMPRESSION zstd"}} {
			path := filepath.Join(dir, t+"."+f.ext)
			if _, err := env.DB.Exec(ctx, fmt.Sprintf("COPY analysis.%s TO '%s' (%s)", t, strings.ReplaceAll(path, "'", "''"), f.opts)); err != nil {
				return fmt.Errorf("export analysis.%s to %s: %w", t, path, err)
			}
		}
	}
	return nil
}

// drawLAComparison draws every authority of a level ("ltla" or "utla") by IDACI average rank,
// with area's authorities highlighted (at the upper tier, the counties of its districts), to
// pathNoExt.png and .svg.
func drawLAComparison(ctx context.Context, env *Env, area config.Config, level, pathNoExt string) error {
	rows, err := env.DB.Query(ctx, fmt.Sprintf(`SELECT la_code, la_name, idaci_avg_rank, idaci_avg_rank_rank
		FROM analysis.la_summary_%s WHERE idaci_avg_rank IS NOT NULL ORDER BY idaci_avg_rank_rank, la_code`, level))
	if err != nil {
		return err
	}
	var las []laUnit
	for rows.Next() {
		var u laUnit
		var name sql.NullString
		if err := rows.Scan(&u.code, &name, &u.avgRank, &u.rank); err != nil {
			rows.Close()
			return err
		}
		u.name = name.String
		if u.name == "" {
			u.name = u.code
		}
		las = append(las, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(las) < minAuthorities {
		env.Note("local authority comparison chart (%s) not drawn: only %d authorities have an IDACI average rank", level, len(las))
		return nil
	}
	want, err := highlightCodes(ctx, env, area, level)
	if err != nil {
		return err
	}
	o := render.RankStripOptions{
		XLabel: fmt.Sprintf("Position among %d %s by IDACI average rank (1 = most deprived)", len(las), levelNoun(level)),
		YLabel: "IDACI average rank (higher = more deprived)",
	}
	for i, u := range las {
		o.Names = append(o.Names, u.name)
		o.Values = append(o.Values, u.avgRank)
		o.Ranks = append(o.Ranks, u.rank)
		if want[u.code] {
			o.Highlight = append(o.Highlight, i)
		}
	}
	if len(o.Highlight) == 0 {
		env.Note("local authority comparison chart (%s): area codes %s match no authority in the deprivation file", level, strings.Join(area.Area.Codes, ", "))
	}
	o.Context = contextLabels(len(las), o.Highlight)
	sub := "Each dot is an authority: the average of its LSOAs' national IDACI ranks, weighted by children aged 0-15"
	source := sourceLine(env)
	if level == "utla" && len(las) > 75 {
		o.Cut, o.CutLabel = 75, "75 most deprived"
		source = "Dashed line: the 75 most deprived on this measure, computed here. The Family Hubs programme chose 75 upper-tier authorities using IDACI;\n" +
			"its published list is not an input to this chart.\n" + source
	}
	var edition sql.NullInt64
	env.DB.QueryRow(ctx, `SELECT max(edition) FROM core.iod`).Scan(&edition)
	name := areaTitle(env)
	if env.Config.Area.Name == NationalName {
		name = areaName(area)
	}
	title := fmt.Sprintf("%s among England's %d %s by IDACI", name, len(las), levelNoun(level))
	if edition.Valid {
		title += fmt.Sprintf(" (IoD%d)", edition.Int64)
	}
	p, err := render.RankStrip(o)
	if err != nil {
		return err
	}
	chart := &render.Chart{Title: title, Subtitle: sub, Source: source, Synthetic: env.Config.Area.Synthetic, Plot: p,
		Width: chartWidth, Height: 12*vg.Centimeter + vg.Length(strings.Count(source, "\n"))*9}
	return render.Save(chart, pathNoExt)
}

func areaName(cfg config.Config) string {
	if cfg.Area.Title != "" {
		return cfg.Area.Title
	}
	return cfg.Area.Name
}

func levelNoun(level string) string {
	if level == "ltla" {
		return "lower-tier authorities"
	}
	return "upper-tier authorities"
}

// highlightCodes is the set of authority codes of area at a level: its districts at the lower
// tier; at the upper tier its county codes as given and the upper tier of each district (from
// core.la_hierarchy; a district absent from it is its own upper tier).
func highlightCodes(ctx context.Context, env *Env, area config.Config, level string) (map[string]bool, error) {
	out := map[string]bool{}
	districts := districtCodes(area)
	if level == "ltla" {
		for _, c := range districts {
			out[strings.ToUpper(strings.TrimSpace(c))] = true
		}
		return out, nil
	}
	for _, c := range area.Area.Codes {
		out[strings.ToUpper(strings.TrimSpace(c))] = true
	}
	for _, c := range districts {
		c = strings.ToUpper(strings.TrimSpace(c))
		var utla sql.NullString
		err := env.DB.QueryRow(ctx, `SELECT utla_code FROM core.la_hierarchy WHERE ltla_code = ?`, c).Scan(&utla)
		switch {
		case err == sql.ErrNoRows:
			out[c] = true
		case err != nil:
			return nil, err
		default:
			out[utla.String] = true
		}
	}
	return out, nil
}

// contextLabels labels the first and last authorities, for orientation, unless highlighted.
func contextLabels(n int, highlight []int) []int {
	var out []int
	for _, i := range []int{0, n - 1} {
		if !slices.Contains(highlight, i) {
			out = append(out, i)
		}
	}
	return out
}

// NationalCharts is the stage of `hubreach national` that draws <out>/england/charts/
// la_comparison_utla and la_comparison_ltla: every authority by IDACI average rank, with the
// configured area highlighted.
func NationalCharts(area config.Config) Stage {
	return StageFunc{N: "local authority comparison charts", F: func(ctx context.Context, env *Env) error {
		for _, level := range []string{"utla", "ltla"} {
			if err := drawLAComparison(ctx, env, area, level, filepath.Join(env.Dir, "charts", "la_comparison_"+level)); err != nil {
				return fmt.Errorf("local authority comparison chart (%s): %w", level, err)
			}
		}
		return nil
	}}
}
