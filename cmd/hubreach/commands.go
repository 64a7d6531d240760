package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"hubreach/config"
	"hubreach/pipeline"
)

func runStages(cmd *cobra.Command, cfg config.Config, stages []pipeline.Stage, fromScratch bool) error {
	info, err := pipeline.Run(cmd.Context(), cfg, stages, pipeline.Options{Progress: newProgress(os.Stderr), FromScratch: fromScratch})
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%d stages", cfg.AreaDir(), len(info.Stages))
	if info.Synthetic {
		fmt.Fprint(cmd.OutOrStdout(), "; SYNTHETIC demo data")
	}
	fmt.Fprintln(cmd.OutOrStdout(), ")")
	for _, n := range info.Notes {
		fmt.Fprintln(cmd.OutOrStdout(), "note:", n)
	}
	return nil
}

func newRunCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Run everything: ingest, analyse, render and report, then publish the area's outputs",
		Long: `run loads every input into a fresh database, runs the analysis, draws the maps and charts and
writes the report, into a working folder that replaces <output>/<area> only when everything
succeeded. For the synthetic demo area (area.synthetic: true) the demo inputs are generated first.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, g)
			if err != nil {
				return err
			}
			if err := ensureDemoInputs(cmd, cfg); err != nil {
				return err
			}
			stages := append([]pipeline.Stage{pipeline.Ingest()}, pipeline.Analyse()...)
			stages = append(stages, pipeline.Render()...)
			return runStages(cmd, cfg, stages, true)
		},
	}
}

func newIngestCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "ingest",
		Short: "Load and check every input into a fresh database (raw.*, core.*, rejects)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, g)
			if err != nil {
				return err
			}
			if err := ensureDemoInputs(cmd, cfg); err != nil {
				return err
			}
			return runStages(cmd, cfg, []pipeline.Stage{pipeline.Ingest()}, true)
		},
	}
}

func newAnalyseCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "analyse",
		Aliases: []string{"analyze"},
		Short:   "Re-run the analysis (need, hotspots, access, reach, siting) on the published database, then render",
		Long: `analyse re-runs every analysis stage on the published database (the inputs are not re-loaded),
then the render stages, so the tables, maps, charts, layers and report all follow the new analysis.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, g)
			if err != nil {
				return err
			}
			return runStages(cmd, cfg, append(pipeline.Analyse(), pipeline.Render()...), false)
		},
	}
}

func newRenderCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "render",
		Short: "Re-draw every map and chart, re-export tables and layers and rewrite the report from the published database",
		Long: `render redraws every figure (IDACI, need, coverage gaps, hotspots, reach, siting), re-exports the
tables and GIS layers and rewrites the report and web map from the published database alone: no
analysis is re-run, so it is the command to use after changing only how outputs look.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, g)
			if err != nil {
				return err
			}
			return runStages(cmd, cfg, pipeline.Render(), false)
		},
	}
}

// inputsUnusable is returned by validate when a configured input cannot be used.
type inputsUnusable struct{ error }

func (e inputsUnusable) Unwrap() error { return e.error }

func newValidateCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Load and check the inputs, print the row accounting per file; write nothing",
		Long: `validate reads every configured input into a throw-away in-memory database, prints for each file
the rows read, loaded and rejected (read = loaded + rejected) and the area filter, and the first
rejected rows with their reasons. It writes nothing. It exits with status 3 when a configured input
is unusable (missing, empty or unrecognisable; a required one also when it has no valid rows).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, g)
			if err != nil {
				return err
			}
			if err := ensureDemoInputs(cmd, cfg); err != nil {
				return err
			}
			res, err := pipeline.Validate(cmd.Context(), cfg, newProgress(os.Stderr))
			if res != nil {
				res.Print(cmd.OutOrStdout())
			}
			if err != nil {
				return inputsUnusable{err}
			}
			return nil
		},
	}
}
