package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"hubreach/pipeline"
)

func newNotebookCmd(g *globalFlags) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "notebook FILE",
		Short: "Run a Markdown notebook (SQL cells) against the area's published database and write one HTML file",
		Long: `notebook runs the fenced sql cells of a Markdown notebook against the configured area's published
database (<output>/<area>/hubreach.duckdb, opened read-only) and writes one self-contained HTML file:
CSS, images and charts inlined, each table's query available to expand. Image and include paths in
the notebook are relative to the area folder. Errors name the notebook file, line and cell.

The default output is <output>/<area>/report/<notebook name>.html.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd, g)
			if err != nil {
				return err
			}
			if out == "" {
				out = filepath.Join(cfg.AreaDir(), "report", strings.TrimSuffix(filepath.Base(args[0]), filepath.Ext(args[0]))+".html")
			}
			if err := pipeline.RunNotebook(cmd.Context(), cfg, args[0], out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "HTML file to write (default <output>/<area>/report/<name>.html)")
	return cmd
}
