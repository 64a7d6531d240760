package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// exportTables writes every analysis.* table to <dir>/tables/<name>.csv and .parquet with DuckDB's
// COPY. Tables are the analyst's stable interface; their columns are documented in the README.
func exportTables(ctx context.Context, env *Env) error {
	dir := filepath.Join(env.Dir, "tables")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rows, err := env.DB.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'analysis' ORDER BY table_name`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		env.Progress.Step("exporting %s", n)
		for _, f := range []struct{ ext, opts string }{{"csv", "FORMAT csv, HEADER true"}, {"parquet", "FORMAT parquet, COMPRESSION zstd"}} {
			path := filepath.Join(dir, n+"."+f.ext)
			q := fmt.Sprintf("COPY analysis.%s TO '%s' (%s)", quoteIdent(n), strings.ReplaceAll(path, "'", "''"), f.opts)
			if _, err := env.DB.Exec(ctx, q); err != nil {
				return fmt.Errorf("export analysis.%s to %s: %w", n, path, err)
			}
		}
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Export is the stage that writes the analysis tables as CSV and Parquet.
func Export() Stage { return StageFunc{N: "export tables", F: exportTables} }
