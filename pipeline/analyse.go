package pipeline

import (
	"context"
	"fmt"

	"hubreach/queries"
)

// sqlStage builds analysis tables from their queries/analysis/*.sql files, in the order given
// (each may read the ones before it).
func sqlStage(name string, tables ...string) Stage {
	return StageFunc{N: name, F: func(ctx context.Context, env *Env) error {
		for _, t := range tables {
			env.Progress.Step("building %s", t)
			q, err := queries.SQL(t)
			if err != nil {
				return err
			}
			if _, err := env.DB.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s (queries/%s.sql): %w", t, dotToSlash(t), err)
			}
		}
		return nil
	}}
}

func dotToSlash(t string) string {
	for i := range t {
		if t[i] == '.' {
			return t[:i] + "/" + t[i+1:]
		}
	}
	return t
}

// Analyse is the analysis stages, in order.
func Analyse() []Stage {
	return []Stage{
		sqlStage("need", "analysis.lsoa_need", "analysis.ward_profile",
			"analysis.la_summary", "analysis.la_summary_ltla", "analysis.la_summary_utla"),
		// la_summary is both levels in one working table; the two published tables are enough.
		StageFunc{N: "drop working tables", F: func(ctx context.Context, env *Env) error {
			_, err := env.DB.Exec(ctx, "DROP TABLE IF EXISTS analysis.la_summary")
			return err
		}},
		Hotspots(),
		Access(),
		Reach(), // before siting: its fitted distance decay can weight the siting scenarios
		Siting(),
	}
}
