package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/paulmach/orb"

	"hubreach/datasets"
	"hubreach/pipeline/hotspot"
	"hubreach/pipeline/render"
)

// Hotspots is the stage that finds statistically significant clusters of need: Getis-Ord Gi*
// (with the Benjamini-Hochberg false discovery rate correction unless turned off) and local
// Moran's I with a seeded permutation test, over the area's LSOAs and its neighbour buffer (the
// buffer gives edge LSOAs their real neighbours; a run note says when no buffer LSOA was loaded,
// so the statistics are within the area only). It writes analysis.lsoa_hotspots (one row per
// LSOA), analysis.weights_<kind> (the neighbour list used, so anyone can check the result); the
// render stage draws the hotspot map from them.
//
// The variable is hotspot.variable: the IDACI score, or income-deprived children per hectare.
// When the input has no IDACI scores (the IoD2019 files here have national ranks; scores only
// for Warrington), the IDACI score is replaced by the reversed national IDACI rank (N + 1 - rank,
// so that high means deprived): Gi* on ranks finds the same clusters of deprived LSOAs, but its
// z-scores are not those of the scores, and the table and report say which was used.
func Hotspots() Stage { return StageFunc{N: "hotspots", F: hotspots} }

type hotUnit struct {
	code, role string
	mp         orb.MultiPolygon
	pt         orb.Point
	value      float64
}

func hotspots(ctx context.Context, env *Env) error {
	cfg := env.Config.Hotspot
	rows, err := env.DB.Query(ctx, `SELECT l.lsoa_code, l.area_role, l.geom, l.demand_x, l.demand_y,
			n.idaci_score, n.idaci_rank, n.deprived_children, l.area_ha,
			(SELECT count(*) FROM core.iod) AS n_lsoa
		FROM core.lsoa l JOIN analysis.lsoa_need n USING (lsoa_code) ORDER BY l.lsoa_code`)
	if err != nil {
		return err
	}
	type raw struct {
		hotUnit
		score, rank, deprived, ha sql.NullFloat64
		n                         float64
	}
	var all []raw
	for rows.Next() {
		var r raw
		var wkb []byte
		if err := rows.Scan(&r.code, &r.role, &wkb, &r.pt[0], &r.pt[1], &r.score, &r.rank, &r.deprived, &r.ha, &r.n); err != nil {
			rows.Close()
			return err
		}
		if r.mp, err = datasets.DecodeWKB(wkb); err != nil {
			rows.Close()
			return fmt.Errorf("%s geometry: %w", r.code, err)
		}
		all = append(all, r)
	}
	rows.Close()
	allScores := true
	for _, r := range all {
		if !r.score.Valid {
			allScores = false
			break
		}
	}
	variable := cfg.Variable
	if variable == "idaci_score" && !allScores {
		variable = "idaci_rank_reversed"
		env.Note("hotspots: the input has no IDACI score for every LSOA, so Gi* and local Moran's I use the reversed national IDACI rank (N + 1 - rank; high = deprived) instead")
	}
	var units []hotUnit
	var missing []string
	for _, r := range all {
		var v sql.NullFloat64
		switch variable {
		case "idaci_score":
			v = r.score
		case "idaci_rank_reversed":
			if r.rank.Valid {
				v = sql.NullFloat64{Float64: r.n + 1 - r.rank.Float64, Valid: true}
			}
		case "deprived_children_per_ha":
			if r.deprived.Valid && r.ha.Valid && r.ha.Float64 > 0 {
				v = sql.NullFloat64{Float64: r.deprived.Float64 / r.ha.Float64, Valid: true}
			}
		}
		if !v.Valid {
			missing = append(missing, r.code)
			continue
		}
		u := r.hotUnit
		u.value = v.Float64
		units = append(units, u)
	}
	if len(missing) > 0 {
		env.Note("hotspots: %d LSOAs have no value of %s and are left out: %s", len(missing), variable, strings.Join(missing, ", "))
	}
	if len(units) < 3 {
		return fmt.Errorf("hotspots: only %d LSOAs have a value of %s", len(units), variable)
	}
	if bufferUnits(units) == 0 {
		env.Note("%s", hotspotNoBufferNote)
	}
	polys := make([]orb.MultiPolygon, len(units))
	pts := make([]orb.Point, len(units))
	x := make([]float64, len(units))
	for i, u := range units {
		polys[i], pts[i], x[i] = u.mp, u.pt, u.value
	}
	env.Progress.Step("building %s weights for %d LSOAs", cfg.Weights, len(units))
	w, err := hotspot.NewWeights(hotspot.Spec{Kind: cfg.Weights, Snap: cfg.SnapM, DistanceM: cfg.DistanceM, K: cfg.K}, polys, pts)
	if err != nil {
		return fmt.Errorf("hotspot weights: %w", err)
	}
	env.Progress.Step("Gi* and local Moran's I (%d permutations)", cfg.Permutations)
	res, err := hotspot.Analyse(x, w, hotspot.Options{SkipFDR: !cfg.FDR, Permutations: cfg.Permutations, Seed: cfg.Seed})
	if err != nil {
		return fmt.Errorf("hotspots: %w", err)
	}
	if len(res.Islands) > 0 {
		var codes []string
		for _, i := range res.Islands {
			codes = append(codes, units[i].code)
		}
		env.Note("hotspots: %d LSOAs have no neighbours under %s weights (islands, reported as class 'island'): %s", len(codes), cfg.Weights, strings.Join(codes, ", "))
	}
	if _, err := env.DB.Exec(ctx, mustSQL("analysis.lsoa_hotspots")); err != nil {
		return err
	}
	null := func(v float64) any {
		if math.IsNaN(v) {
			return nil
		}
		return v
	}
	err = env.DB.Append(ctx, "analysis", "lsoa_hotspots", func(a *duckdb.Appender) error {
		for i, u := range res.Units {
			if err := a.AppendRow(units[i].code, units[i].role, variable, x[i], null(u.GiStarZ), null(u.PValue), null(u.PFDR),
				string(u.Class), null(u.LisaI), null(u.LisaP), string(u.LisaQuadrant), int32(len(w.Neighbours[i])), u.Class == hotspot.ClassIsland); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	wt := "weights_" + cfg.Weights
	if _, err := env.DB.Exec(ctx, fmt.Sprintf(`CREATE OR REPLACE TABLE analysis.%s (lsoa_code VARCHAR, neighbour_code VARCHAR, weight DOUBLE)`, wt)); err != nil {
		return err
	}
	err = env.DB.Append(ctx, "analysis", wt, func(a *duckdb.Appender) error {
		for _, p := range w.Pairs() {
			if err := a.AppendRow(units[p.I].code, units[p.J].code, p.W); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

// hotspotNoBufferNote is the run note when no LSOA of the neighbour buffer was loaded.
const hotspotNoBufferNote = "hotspots: no neighbouring LSOAs outside the area were loaded (the LSOA boundary files cover only the area), so edge LSOAs have fewer neighbours and Gi* is computed within the area only"

// bufferUnits counts the units outside the area (area_role other than 'area': the neighbour
// buffer that gives the area's edge LSOAs their real neighbours).
func bufferUnits(units []hotUnit) int {
	n := 0
	for _, u := range units {
		if u.role != "area" {
			n++
		}
	}
	return n
}

var hotClasses = []hotspot.Class{hotspot.Hot99, hotspot.Hot95, hotspot.Hot90, hotspot.NotSignificant, hotspot.Cold90, hotspot.Cold95, hotspot.Cold99}

func drawHotspotMap(ctx context.Context, env *Env, variable string) error {
	lsoas, err := readPolys(ctx, env, `SELECT l.lsoa_code, h.class, l.geom, NULL FROM core.lsoa l
		LEFT JOIN analysis.lsoa_hotspots h USING (lsoa_code) WHERE l.area_role = 'area' ORDER BY l.lsoa_code`)
	if err != nil {
		return err
	}
	idx := map[string]int{}
	for i, c := range hotClasses {
		idx[string(c)] = i
	}
	ch := &render.Choropleth{Palette: render.Diverging7(), LegendTitle: "Getis-Ord Gi* class",
		Labels: []string{"Hotspot, 99% confidence", "Hotspot, 95%", "Hotspot, 90%", "Not significant", "Coldspot, 90%", "Coldspot, 95%", "Coldspot, 99% confidence"}}
	for _, l := range lsoas {
		k, ok := idx[l.name] // readPolys puts the second column in name
		if !ok {
			k = -1
		}
		ch.Polys = append(ch.Polys, l.mp)
		ch.Class = append(ch.Class, k)
	}
	wards, hubs, err := mapContext(ctx, env)
	if err != nil {
		return err
	}
	what := map[string]string{"idaci_score": "IDACI score", "idaci_rank_reversed": "IDACI national rank (no scores in the input)", "deprived_children_per_ha": "income-deprived children per hectare"}[variable]
	fdr := "Benjamini-Hochberg false discovery rate"
	if !env.Config.Hotspot.FDR {
		fdr = "no multiple-testing correction"
	}
	m := &render.Map{
		Title:    fmt.Sprintf("%s: hotspots of income deprivation affecting children", areaTitle(env)),
		Subtitle: fmt.Sprintf("Getis-Ord Gi* on %s, %s weights, %s; no data = no value", what, env.Config.Hotspot.Weights, fdr),
		Source:   sourceLine(env), Synthetic: env.Config.Area.Synthetic,
		Choropleth: ch, Outlines: wardLayers(wards), Points: hubs,
	}
	return render.Save(m, filepath.Join(env.Dir, "maps", "hotspots"))
}
