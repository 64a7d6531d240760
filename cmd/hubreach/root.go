package main

import (
	"github.com/spf13/cobra"

	"hubreach/config"
)

type globalFlags struct {
	configPath string
}

func newRoot() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "hubreach",
		Short: "Family Hubs needs analysis: need, hotspots, travel distance, coverage gaps and satellite siting",
		Long: `hubreach loads the Indices of Deprivation, boundaries, hub and candidate sites, the road network
and service-use extracts for an English local authority into one DuckDB database, works out need,
hotspots, travel distance, coverage gaps and satellite options, and writes maps, charts, tables and
a report for the Family Hubs needs analysis.

Configuration comes from a YAML file (--config), HUBREACH_* environment variables and flags;
flags win over the environment, the environment over the file. HUBREACH_DATA sets the data folder.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.configPath, "config", "config/demo.yaml", "configuration file (YAML)")
	pf.String("output", "", "output root folder (config key output)")
	pf.String("data", "", "folder relative input paths are read from (config key data_dir; env HUBREACH_DATA)")
	root.AddCommand(
		newRunCmd(g), newIngestCmd(g), newAnalyseCmd(g), newRenderCmd(g), newValidateCmd(g),
		newNationalCmd(g), newFetchCmd(), newDemoCmd(), newSitingCmd(g), newNotebookCmd(g), newPseudonymiseCmd(),
	)
	return root
}

func loadConfig(cmd *cobra.Command, g *globalFlags) (config.Config, error) {
	c, err := config.LoadFile(g.configPath, cmd.Flags())
	if err != nil {
		return c, usageError{err}
	}
	return c, nil
}
