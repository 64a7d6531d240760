// Package queries holds hubreach's SQL: one file per table it builds, embedded in the binary.
//
//	raw/<table>.sql       tables of inputs as read (rejects, load report)
//	core/<table>.sql      typed, validated tables (British National Grid metres)
//	analysis/<table>.sql  the analysis, built from core.* and analysis.*
//
// Each file builds exactly the table it is named after (CREATE OR REPLACE TABLE schema.name).
// Parameters come from core.params (name, value, text), never from string concatenation.
package queries

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed raw core all:analysis
var files embed.FS

// FS is the embedded SQL, for tools that list it.
var FS fs.FS = files

// SQL returns the statement that builds schema.table, e.g. SQL("core.lsoa").
func SQL(table string) (string, error) {
	schema, name, ok := strings.Cut(table, ".")
	if !ok {
		return "", fmt.Errorf("query %q: want schema.table", table)
	}
	b, err := files.ReadFile(path.Join(schema, name+".sql"))
	if err != nil {
		return "", fmt.Errorf("query %q: no file queries/%s/%s.sql", table, schema, name)
	}
	return string(b), nil
}

// MustSQL is SQL for names known at compile time; it panics on a missing file (a programming error
// caught by TestEveryQueryParses).
func MustSQL(table string) string {
	s, err := SQL(table)
	if err != nil {
		panic(err)
	}
	return s
}

// Tables lists the tables with a file in schema ("raw", "core" or "analysis"), sorted.
func Tables(schema string) []string {
	entries, _ := files.ReadDir(schema)
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			out = append(out, schema+"."+strings.TrimSuffix(e.Name(), ".sql"))
		}
	}
	sort.Strings(out)
	return out
}
