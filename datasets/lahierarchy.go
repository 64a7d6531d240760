package datasets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"hubreach/internal/store"
	"hubreach/queries"
)

var ltlaCode = regexp.MustCompile(`^[EW]0[6789]\d{6}$`)
var utlaCode = regexp.MustCompile(`^[EW](06|08|09|10|11)\d{6}$`)

// LoadLAHierarchy reads a lower-tier -> upper-tier local authority lookup (e.g. the ONS
// LTLA19_UTLA19 lookup: ltla19_code, ltla19_name, utla19_code, utla19_name, in any column order and
// with any year in the names) into core.la_hierarchy. Welsh rows load too; they simply match no
// English LSOA.
func LoadLAHierarchy(ctx context.Context, db *store.DB, path string) (*Report, error) {
	rep := NewReport("la_hierarchy", path)
	f, err := OpenCSV(path)
	if err != nil {
		return rep, fmt.Errorf("local authority lookup: %w", err)
	}
	defer f.Close()
	cols := NewColumns(f.Header)
	find := func(kind, part string) int {
		for i, h := range f.Header {
			n := NormHeader(h)
			if strings.HasPrefix(n, kind) && strings.HasSuffix(n, part) {
				return i
			}
		}
		return -1
	}
	lc, ln, uc, un := find("ltla", "code"), find("ltla", "name"), find("utla", "code"), find("utla", "name")
	if lc < 0 {
		lc = cols.Find("lad code", "ladcd", "lad19cd", "lad23cd")
	}
	if lc < 0 || uc < 0 {
		return rep, fmt.Errorf("local authority lookup %s line 1: needs a lower-tier code column (e.g. ltla19_code) and an upper-tier code column (e.g. utla19_code); the header has: %s",
			path, strings.Join(quoteAll(f.Header), ", "))
	}
	if _, err := db.Exec(ctx, queries.MustSQL("core.la_hierarchy")); err != nil {
		return rep, err
	}
	seen := map[string]int64{}
	err = db.Append(ctx, "core", "la_hierarchy", func(a *duckdb.Appender) error {
		for {
			rec, line, err := f.Next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			rep.Read++
			var re *RowError
			if errors.As(err, &re) {
				rep.Reject(line, "", "", "the row cannot be read: "+re.Err.Error())
				continue
			}
			if err != nil {
				return err
			}
			get := func(i int) string {
				if i < 0 || i >= len(rec) {
					return ""
				}
				return strings.TrimSpace(rec[i])
			}
			l, u := get(lc), get(uc)
			switch {
			case !ltlaCode.MatchString(l):
				rep.Reject(line, f.Header[lc], l, "not a lower-tier local authority code (expected E06, E07, E08 or E09 followed by 6 digits)")
				continue
			case !utlaCode.MatchString(u):
				rep.Reject(line, f.Header[uc], u, "not an upper-tier local authority code (expected E06, E08, E09 or E10 followed by 6 digits)")
				continue
			}
			if first, dup := seen[l]; dup {
				rep.Reject(line, f.Header[lc], l, fmt.Sprintf("duplicate: this authority is already mapped on line %d", first))
				continue
			}
			seen[l] = line
			if err := a.AppendRow(l, get(ln), u, get(un)); err != nil {
				return err
			}
			rep.Loaded++
		}
	})
	if err != nil {
		return rep, fmt.Errorf("local authority lookup %s: %w", path, err)
	}
	return rep, nil
}
