package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"hubreach/internal/store"
	"hubreach/pipeline"
)

func newSitingCmd(g *globalFlags) *cobra.Command {
	var export string
	cmd := &cobra.Command{
		Use:   "siting",
		Short: "Re-run the satellite siting scenarios, or export them as LP files (--export DIR)",
		Long: `siting re-runs the siting stage (the scenarios in siting.scenarios) on the published database and
publishes the new tables, maps, charts and report (it runs the render stages after it).

With --export DIR it changes nothing: it writes each scenario (covering or p-median) as a mixed-integer
program in CPLEX LP format (DIR/<scenario>.lp, which CBC, GLPK and HiGHS read), with
DIR/<scenario>.demand.csv and DIR/<scenario>.candidates.csv naming the LP variables, so an analyst
can check or extend the model with their own solver, e.g. cbc DIR/<scenario>.lp solve solution out.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, g)
			if err != nil {
				return err
			}
			if export == "" {
				return runStages(cmd, cfg, append([]pipeline.Stage{pipeline.Siting()}, pipeline.Render()...), false)
			}
			path := filepath.Join(cfg.AreaDir(), pipeline.DBFile)
			if _, err := os.Stat(path); err != nil {
				return fmt.Errorf("no published database for %q at %s: run `hubreach run` first", cfg.Area.Name, path)
			}
			db, err := store.Open(cmd.Context(), path)
			if err != nil {
				return err
			}
			defer db.Close()
			env := &pipeline.Env{Config: cfg, DB: db, Dir: cfg.AreaDir(), Progress: newProgress(os.Stderr)}
			files, err := pipeline.ExportSitingLP(cmd.Context(), env, export)
			if err != nil {
				return err
			}
			for _, f := range files {
				if f.LP == "" {
					fmt.Fprintf(cmd.OutOrStdout(), "skipped %q: %s\n", f.Scenario, f.Skipped)
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%q)\n", f.LP, f.Scenario)
			}
			for _, n := range env.Notes {
				fmt.Fprintln(cmd.OutOrStdout(), "note:", n)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&export, "export", "", "write each scenario as a CPLEX LP file into this folder instead of re-running")
	return cmd
}
