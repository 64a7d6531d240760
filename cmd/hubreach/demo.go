package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"hubreach/config"
	"hubreach/datasets/demo"
)

func newDemoCmd() *cobra.Command {
	var dir string
	var seed uint64
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Write the synthetic demo area's input files (SYNTHETIC: no real places or people)",
		Long: `demo writes a small synthetic area, "Demoshire", generated deterministically by hubreach: LSOA-like
polygons with plausible IDACI scores and child counts, wards, hubs of each tier, candidate sites,
a road network and a service-use extract, in the same formats as the real inputs. config/demo.yaml
reads them; ` + "`hubreach run`" + ` writes them itself when they are missing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := demo.Write(dir, demo.Options{Seed: seed})
			if err != nil {
				return err
			}
			for _, f := range m.Files {
				fmt.Fprintf(cmd.OutOrStdout(), "%-20s %8d %s  %s\n", f.Name, f.Rows, f.Unit, f.SHA256[:12])
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote SYNTHETIC demo inputs to %s (seed %d)\n", m.Dir, m.Seed)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "out/demo-inputs", "folder to write the demo inputs to")
	cmd.Flags().Uint64Var(&seed, "seed", demo.DefaultSeed, "random seed")
	return cmd
}

// ensureDemoInputs writes the synthetic inputs into data_dir when the configuration is the demo
// area and they are not there yet (a fresh clone has no data at all).
func ensureDemoInputs(cmd *cobra.Command, cfg config.Config) error {
	if !cfg.Area.Synthetic {
		return nil
	}
	if cfg.DataDir == "" {
		return usageError{fmt.Errorf("area.synthetic is set but data_dir is empty: say where the demo inputs go")}
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, demo.FileLSOA)); err == nil {
		return nil
	}
	m, err := demo.Write(cfg.DataDir, demo.Options{})
	if err != nil {
		return fmt.Errorf("write demo inputs: %w", err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote SYNTHETIC demo inputs to %s (seed %d)\n", m.Dir, m.Seed)
	return nil
}
