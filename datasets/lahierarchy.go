package datasets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
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
	lc, ln, uc, un, err := laLookupColumns(path, f.Header)
	if err != nil {
		return rep, err
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

// laLookupColumns finds the lower-tier code and name and upper-tier code and name columns of a
// district -> county lookup header (names -1 when absent).
func laLookupColumns(path string, header []string) (lc, ln, uc, un int, err error) {
	find := func(kind, part string) int {
		for i, h := range header {
			n := NormHeader(h)
			if strings.HasPrefix(n, kind) && strings.HasSuffix(n, part) {
				return i
			}
		}
		return -1
	}
	lc, ln, uc, un = find("ltla", "code"), find("ltla", "name"), find("utla", "code"), find("utla", "name")
	if lc < 0 {
		lc = NewColumns(header).Find("lad code", "ladcd", "lad19cd", "lad23cd")
	}
	if lc < 0 || uc < 0 {
		return lc, ln, uc, un, fmt.Errorf("local authority lookup %s line 1: needs a lower-tier code column (e.g. ltla19_code) and an upper-tier code column (e.g. utla19_code); the header has: %s",
			path, strings.Join(quoteAll(header), ", "))
	}
	return lc, ln, uc, un, nil
}

var countyCode = regexp.MustCompile(`^E10\d{6}$`)

// ExpandCounties returns the area's local authority codes with every county code (E10…, an
// upper-tier authority with districts under it) replaced by the district codes (E07…) that the
// district -> county lookup at lookupPath (config inputs.la_lookup) maps to it, in the lookup's
// order; other codes are kept as given, and repeats are dropped. The area filter works on the
// district codes the deprivation and boundary files carry, so a county must be expanded first.
//
// It fails, naming area.codes, when a county code is given and there is no lookup, when the
// lookup cannot be read, or when no district in it maps to the county. Lookup rows that are
// not valid are skipped here; they are counted and reported where the lookup is loaded
// (LoadLAHierarchy).
func ExpandCounties(codes []string, lookupPath string) ([]string, error) {
	var counties []string
	for _, c := range codes {
		if c = strings.ToUpper(strings.TrimSpace(c)); countyCode.MatchString(c) {
			counties = append(counties, c)
		}
	}
	out := make([]string, 0, len(codes))
	seen := map[string]bool{}
	add := func(c string) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	if len(counties) == 0 {
		for _, c := range codes {
			add(strings.TrimSpace(c))
		}
		return out, nil
	}
	if lookupPath == "" {
		return nil, fmt.Errorf("area.codes: %s is a county (upper-tier) code, but the area filter needs district codes (E06, E07, E08 or E09): "+
			"give inputs.la_lookup, a district -> county lookup such as lookups/ltla19_utla19.csv, so hubreach can expand it, or list the county's district codes in area.codes instead",
			strings.Join(counties, ", "))
	}
	f, err := OpenCSV(lookupPath)
	if err != nil {
		return nil, fmt.Errorf("area.codes: expanding county %s to its districts: inputs.la_lookup: %w", strings.Join(counties, ", "), err)
	}
	defer f.Close()
	lc, _, uc, _, err := laLookupColumns(lookupPath, f.Header)
	if err != nil {
		return nil, fmt.Errorf("area.codes: expanding county %s to its districts: inputs.la_lookup: %w", strings.Join(counties, ", "), err)
	}
	districts := map[string][]string{}
	for {
		rec, _, err := f.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *RowError
		if errors.As(err, &re) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("area.codes: reading inputs.la_lookup %s: %w", lookupPath, err)
		}
		if lc >= len(rec) || uc >= len(rec) {
			continue
		}
		l, u := strings.ToUpper(strings.TrimSpace(rec[lc])), strings.ToUpper(strings.TrimSpace(rec[uc]))
		if ltlaCode.MatchString(l) && countyCode.MatchString(u) {
			districts[u] = append(districts[u], l)
		}
	}
	for _, c := range codes {
		c = strings.ToUpper(strings.TrimSpace(c))
		if !countyCode.MatchString(c) {
			add(c)
			continue
		}
		ds := districts[c]
		if len(ds) == 0 {
			known := make([]string, 0, len(districts))
			for k := range districts {
				known = append(known, k)
			}
			slices.Sort(known)
			return nil, fmt.Errorf("area.codes: %s is not a county in the district -> county lookup %s (inputs.la_lookup), which maps districts to %d counties (%s): check the code, and that the lookup is of the same year as the deprivation files",
				c, lookupPath, len(known), abbreviate(known, 6))
		}
		for _, d := range ds {
			add(d)
		}
	}
	return out, nil
}

// abbreviate joins up to n items, then says how many more there are.
func abbreviate(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
