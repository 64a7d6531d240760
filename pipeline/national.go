package pipeline

import (
	"context"
	"fmt"
	"path/filepath"

	"hubreach/config"
	"hubreach/datasets"
)

// NationalName is the folder of the national outputs: <output>/england.
const NationalName = "england"

// NationalConfig is cfg redirected to the national output folder.
func NationalConfig(cfg config.Config) config.Config {
	n := cfg
	n.Area.Name = NationalName
	return n
}

// National is the stages of `hubreach national`: load the national LSOA files and the district ->
// county lookup, build the local authority summary measures for every authority in England, export
// them (tables/la_summary_ltla.csv, la_summary_utla.csv and .parquet) and draw the comparison chart
// placing the configured area among all authorities.
func National(area config.Config) []Stage {
	load := StageFunc{N: "load national files", F: func(ctx context.Context, env *Env) error {
		if err := datasets.EnsureBookkeeping(ctx, env.DB); err != nil {
			return err
		}
		filter, err := areaFilter(area)
		if err != nil {
			return err
		}
		filter.BufferM = 0
		reps, err := datasets.LoadIoD(ctx, env.DB, datasets.IoDSpec{Files: env.Config.Paths(env.Config.Inputs.IoD), Area: filter})
		for _, r := range reps {
			env.Reports = append(env.Reports, r)
			if err := datasets.SaveReport(ctx, env.DB, r); err != nil {
				return err
			}
		}
		if err != nil {
			return err
		}
		if _, err := env.DB.Exec(ctx, mustSQL("core.la_hierarchy")); err != nil {
			return err
		}
		if p := env.Config.Inputs.LALookup; p != "" {
			r, err := datasets.LoadLAHierarchy(ctx, env.DB, env.Config.Path(p))
			if r != nil {
				env.Reports = append(env.Reports, r)
				if err := datasets.SaveReport(ctx, env.DB, r); err != nil {
					return err
				}
			}
			if err != nil {
				return err
			}
		} else {
			env.Note("no inputs.la_lookup: upper-tier summaries treat every district as its own upper tier")
		}
		var n, scored int
		if err := env.DB.QueryRow(ctx, `SELECT count(*), count(idaci_score) FROM core.iod`).Scan(&n, &scored); err != nil {
			return err
		}
		if scored < n {
			env.Note("IDACI average score left empty: %d of %d LSOAs have an IDACI score (IoD File 5 or 7 gives scores; the ranks-only File 3 does not)", scored, n)
		}
		return writeRejectsCSV(ctx, env.DB, filepath.Join(env.Dir, "rejects.csv"))
	}}
	return []Stage{
		load,
		sqlStage("local authority summaries", "analysis.la_summary", "analysis.la_summary_ltla", "analysis.la_summary_utla"),
		StageFunc{N: "export national tables", F: func(ctx context.Context, env *Env) error {
			// Only the two published tables; la_summary (both levels, long) stays in the database.
			if _, err := env.DB.Exec(ctx, "DROP TABLE IF EXISTS analysis.la_summary"); err != nil {
				return fmt.Errorf("drop long table: %w", err)
			}
			return exportTables(ctx, env)
		}},
		NationalCharts(area),
	}
}
