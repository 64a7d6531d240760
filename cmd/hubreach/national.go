package main

import (
	"github.com/spf13/cobra"

	"hubreach/pipeline"
)

func newNationalCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "national",
		Short: "Local authority summary measures (IDACI and IMD) for every authority in England",
		Long: `national computes, from the LSOA-level Indices of Deprivation files alone, the local authority
summary measures MHCLG publishes (average rank, average score, proportion of LSOAs in the most
deprived 10%, extent, local concentration, and each one's rank), for districts and for counties,
and writes them to <output>/england/tables/la_summary_ltla.csv and la_summary_utla.csv (and
.parquet), with a chart placing the configured area among all authorities.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, g)
			if err != nil {
				return err
			}
			return runStages(cmd, pipeline.NationalConfig(cfg), pipeline.National(cfg), true)
		},
	}
}
