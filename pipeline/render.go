package pipeline

import (
	"context"
	"fmt"
	"slices"
)

// Render is the output stages: tables (CSV and Parquet), maps and charts, then the GIS layers
// (GeoJSON and GeoParquet) and the offline web map, then the report notebooks (which place the
// maps, charts and web map). Everything is drawn from the database, so `hubreach render` redraws
// every figure of a published run without re-running the analysis.
func Render() []Stage {
	return []Stage{Export(), StageFunc{N: "maps and charts", F: drawOutputs}, Layers(), Report()}
}

// drawOutputs draws every map and chart: the IDACI and need figures, then, where their stage
// has written its tables, the coverage-gap maps and travel-time chart (access), the hotspot map,
// the reach map and charts (from the disclosure-controlled tables only) and the siting maps and
// curves.
func drawOutputs(ctx context.Context, env *Env) error {
	env.Progress.Step("IDACI map and need charts")
	if err := drawFirstOutputs(ctx, env); err != nil {
		return err
	}
	modes, err := accessModes(ctx, env)
	if err != nil {
		return err
	}
	if len(modes) > 0 {
		env.Progress.Step("coverage-gap maps and travel-time chart")
		if err := drawAccessOutputs(ctx, env, modes); err != nil {
			return err
		}
	}
	if ok, err := env.DB.TableExists(ctx, "analysis", "lsoa_hotspots"); err != nil {
		return err
	} else if ok {
		env.Progress.Step("hotspot map")
		var variable string
		if err := env.DB.QueryRow(ctx, `SELECT coalesce(any_value(variable), '') FROM analysis.lsoa_hotspots`).Scan(&variable); err != nil {
			return fmt.Errorf("analysis.lsoa_hotspots: %w", err)
		}
		if err := drawHotspotMap(ctx, env, variable); err != nil {
			return fmt.Errorf("hotspot map: %w", err)
		}
	}
	env.Progress.Step("reach map and charts")
	if err := drawReachOutputs(ctx, env); err != nil {
		return err
	}
	env.Progress.Step("siting maps and curves")
	return drawSitingOutputs(ctx, env)
}

// accessModes are the travel modes the access stage worked out (analysis.lsoa_distance), crow
// first and then in the order of access.modes; none when the stage has not run.
func accessModes(ctx context.Context, env *Env) ([]string, error) {
	ok, err := env.DB.TableExists(ctx, "analysis", "lsoa_distance")
	if err != nil || !ok {
		return nil, err
	}
	ok, err = env.DB.TableExists(ctx, "analysis", "access_standard")
	if err != nil || !ok {
		return nil, err
	}
	rows, err := env.DB.Query(ctx, `SELECT DISTINCT mode FROM analysis.lsoa_distance`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var have []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		have = append(have, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(have)
	var modes []string
	for _, m := range append([]string{"crow"}, env.Config.Access.Modes...) {
		if slices.Contains(have, m) && !slices.Contains(modes, m) {
			modes = append(modes, m)
		}
	}
	for _, m := range have { // a mode the configuration no longer lists
		if !slices.Contains(modes, m) {
			modes = append(modes, m)
		}
	}
	return modes, nil
}
