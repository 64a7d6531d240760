package datasets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"hubreach/internal/store"
	"hubreach/queries"
)

// LoadLocalities reads a CSV that splits the area into named localities (north/south,
// rural/urban …) into core.locality. Each row names an LSOA (lsoa_code,locality) or a ward
// (ward_code,locality), a ward standing for every area LSOA that core.lsoa assigns to it; a file
// may mix both, and an LSOA row overrides the ward row that covers the same LSOA. Run it after
// the LSOA boundaries (and, for ward rows, AssignWards). Rejected rows: no code, a malformed
// code, an LSOA not in core.lsoa or only in the buffer, a ward with no area LSOA, no locality,
// and an LSOA given two different localities.
func LoadLocalities(ctx context.Context, db *store.DB, path string) (*Report, error) {
	ok, err := db.TableExists(ctx, "core", "lsoa")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s: core.lsoa is not loaded; load the LSOA boundaries before the localities", path)
	}
	role := map[string]string{}
	byWard := map[string][]string{}
	wardsAssigned := false
	rows, err := db.Query(ctx, `SELECT lsoa_code, area_role, ward_code FROM core.lsoa ORDER BY lsoa_code`)
	if err != nil {
		return nil, fmt.Errorf("read core.lsoa: %w", err)
	}
	for rows.Next() {
		var code, r string
		var ward *string
		if err := rows.Scan(&code, &r, &ward); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read core.lsoa: %w", err)
		}
		role[code] = r
		if ward != nil {
			wardsAssigned = true
			if r == "area" {
				byWard[*ward] = append(byWard[*ward], code)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	c, err := OpenCSV(path)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	rep := NewReport("localities", path)
	if rep.SHA256, err = FileSHA256(path); err != nil {
		return nil, err
	}
	cols := NewColumns(c.Header)
	lc, wc := -1, -1
	for i, h := range c.Header {
		n := NormHeader(h)
		if lc < 0 && lsoaKind.codeProp.MatchString(n) {
			lc = i
		}
		if wc < 0 && wardKind.codeProp.MatchString(n) {
			wc = i
		}
	}
	loc := cols.Find("locality", "locality name", "locality_name", "hub area", "area name", "cluster")
	if loc < 0 {
		loc = cols.FindPrefix("locality")
	}
	if lc < 0 && wc < 0 {
		return nil, MissingColumnError(path, "lsoa_code or ward_code", []string{"lsoa_code", "LSOA11CD", "LSOA21CD", "ward_code", "WD25CD"}, c.Header)
	}
	if loc < 0 {
		return nil, MissingColumnError(path, "locality", []string{"locality", "locality name", "hub area", "area name", "cluster"}, c.Header)
	}

	type pending struct {
		line     int64
		code     string
		locality string
	}
	var lsoaRows, wardRows []pending
	for {
		rec, line, err := c.Next()
		if err == io.EOF {
			break
		}
		rep.Read++
		var re *RowError
		if errors.As(err, &re) {
			rep.Reject(line, "", "", "cannot split the line into fields: "+re.Err.Error())
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		get := func(i int) string {
			if i >= 0 && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		l, w, name := strings.ToUpper(get(lc)), strings.ToUpper(get(wc)), get(loc)
		switch {
		case l == "" && w == "":
			col := cols.Name(lc)
			if lc < 0 {
				col = cols.Name(wc)
			}
			rep.Reject(line, col, "", "no LSOA or ward code on this row")
		case name == "":
			rep.Reject(line, cols.Name(loc), "", "the locality name is empty")
		case l != "" && !lsoaCodeRE.MatchString(l):
			rep.Reject(line, cols.Name(lc), l, "malformed LSOA code: expected "+lsoaKind.codeHint)
		case l != "" && role[l] == "":
			rep.Reject(line, cols.Name(lc), l, "unknown LSOA: not one of the area's LSOAs in core.lsoa")
		case l != "" && role[l] != "area":
			rep.Reject(line, cols.Name(lc), l, "this LSOA is in the neighbour buffer, not in the area: localities split the area only")
		case l != "":
			lsoaRows = append(lsoaRows, pending{line, l, name})
		case !wardCodeRE.MatchString(w):
			rep.Reject(line, cols.Name(wc), w, "malformed ward code: expected "+wardKind.codeHint)
		case !wardsAssigned:
			rep.Reject(line, cols.Name(wc), w, "cannot expand a ward to its LSOAs: wards have not been assigned to LSOAs yet (run the ward assignment first)")
		case len(byWard[w]) == 0:
			rep.Reject(line, cols.Name(wc), w, "unknown ward: no LSOA of the area is assigned to this ward in core.lsoa")
		default:
			wardRows = append(wardRows, pending{line, w, name})
		}
	}

	got := map[string]pending{} // LSOA → the row that gave its locality
	for _, r := range lsoaRows {
		if prev, ok := got[r.code]; ok {
			if prev.locality != r.locality {
				rep.Reject(r.line, cols.Name(lc), r.code, fmt.Sprintf("this LSOA is already in locality %q (line %d)", prev.locality, prev.line))
				continue
			}
		} else {
			got[r.code] = r
		}
		rep.Loaded++
	}
	overridden := 0
	fromWards := map[string]pending{}
	for _, r := range wardRows {
		rep.Loaded++
		for _, l := range byWard[r.code] {
			if _, ok := got[l]; ok {
				overridden++
				continue
			}
			fromWards[l] = pending{r.line, l, r.locality}
		}
	}
	for l, r := range fromWards {
		got[l] = r
	}
	if len(wardRows) > 0 {
		rep.Note("%d ward rows expanded to %d LSOAs", len(wardRows), len(fromWards))
	}
	if overridden > 0 {
		rep.Note("%d LSOAs of a listed ward kept the locality of their own LSOA row", overridden)
	}
	var without []string
	for code, r := range role {
		if _, ok := got[code]; !ok && r == "area" {
			without = append(without, code)
		}
	}
	sort.Strings(without)
	if len(without) > 0 {
		rep.Note("%d area LSOAs are in no locality (%s)", len(without), firstN(without, 10))
	}
	codes := make([]string, 0, len(got))
	for code := range got {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	err = db.InTx(ctx, func() error {
		if _, err := db.Exec(ctx, queries.MustSQL("core.locality")); err != nil {
			return fmt.Errorf("create core.locality: %w", err)
		}
		err := db.Append(ctx, "core", "locality", func(a *duckdb.Appender) error {
			for _, code := range codes {
				if err := a.AppendRow(code, got[code].locality); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		return SaveReport(ctx, db, rep)
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}
