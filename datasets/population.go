package datasets

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"hubreach/internal/store"
	"hubreach/queries"
)

// PopulationInput is the input kind of population estimates in reports and raw.rejects.
const PopulationInput = "population"

// PopulationSpec says which population estimates file to load.
type PopulationSpec struct {
	// Path is a CSV of mid-year estimates by LSOA (England and Wales), one row per LSOA, with
	// columns like lsoa11cd, all_ages, age_0_4, age_0_15, age_0_19, age_5_15.
	Path string
	// Year is the mid-year of the estimates; 0 takes it from the file name ("mid2019",
	// "mid-2019"), with a note saying so.
	Year int
	// Area gives the local authority codes for the in-area count. The file has no authority
	// column, so each LSOA's authority comes from the file when it has one, else from core.iod
	// (load the Indices of Deprivation first). Welsh LSOAs are never in the area.
	Area AreaFilter
}

// popBand is one count column of core.population.
type popBand struct {
	name     string   // core.population column
	names    []string // accepted header names (compared after NormHeader: "age_0_4" = "Age 0-4")
	required bool
}

var popBands = []popBand{
	{"all_ages", []string{"all_ages", "all ages", "all_persons", "persons", "total", "population", "total_population"}, true},
	{"age_0_4", []string{"age_0_4", "aged_0_4", "ages_0_4", "0_4", "age_0_to_4", "aged_0_to_4"}, false},
	{"age_0_15", []string{"age_0_15", "aged_0_15", "ages_0_15", "0_15", "age_0_to_15", "aged_0_to_15", "children_0_15"}, true},
	{"age_0_19", []string{"age_0_19", "aged_0_19", "ages_0_19", "0_19", "age_0_to_19", "aged_0_to_19"}, false},
	{"age_5_15", []string{"age_5_15", "aged_5_15", "ages_5_15", "5_15", "age_5_to_15", "aged_5_to_15"}, false},
}

const (
	bAll = iota
	b04
	b015
	b019
	b515
	nPopBands
)

var popCodeNames = []string{"lsoa11cd", "lsoa21cd", "lsoa_code", "LSOA code (2011)", "LSOA code (2021)", "lsoa11_code",
	"lsoa21_code", "LSOA", "Area Codes", "area_code"}

var popLANames = []string{"lad19cd", "lad20cd", "lad21cd", "lad22cd", "lad23cd", "lad24cd", "lad_code", "la_code", "LA code"}

var popYearInName = regexp.MustCompile(`(?i)mid[-_ ]?((?:19|20)\d\d)`)

// popRow is one valid row of the file.
type popRow struct {
	code   string
	la     string
	counts [nPopBands]int64
	set    [nPopBands]bool
}

// LoadPopulation loads ONS mid-year population estimates by LSOA into core.population (replacing
// the rows of the same year; other years stay) and the file as read into raw.population_<year>.
//
// Steps: open the file and find its columns by meaning; settle the year (the spec, else the file
// name); read every row into raw, validating it (code, whole non-negative counts, bands in order
// and adding up); write the valid rows to core.population; count the area's rows; save the report.
// Everything is written in one transaction.
func LoadPopulation(ctx context.Context, db *store.DB, spec PopulationSpec) (*Report, error) {
	c, err := OpenCSV(spec.Path)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	rep := NewReport(PopulationInput, spec.Path)
	cols := NewColumns(c.Header)
	code := cols.Find(popCodeNames...)
	if code < 0 {
		code = cols.FindPrefix("LSOA code")
	}
	if code < 0 {
		return nil, MissingColumnError(spec.Path, "LSOA code", popCodeNames, c.Header)
	}
	la := cols.Find(popLANames...)
	if la < 0 {
		la = cols.FindPrefix("LA code", "Local Authority District code", "Local Authority code")
	}
	var bandCol [nPopBands]int
	for b, band := range popBands {
		bandCol[b] = cols.Find(band.names...)
		if bandCol[b] < 0 && band.required {
			return nil, MissingColumnError(spec.Path, band.name, band.names, c.Header)
		}
		if bandCol[b] < 0 {
			rep.Note("no %s column: core.population.%s is NULL for this year", band.name, band.name)
		}
	}
	year, err := popYear(spec, rep)
	if err != nil {
		return nil, err
	}
	if rep.SHA256, err = FileSHA256(spec.Path); err != nil {
		return nil, err
	}
	lsoaYear := iodEditionFromHeader(c.Header[code]) // 2019 = 2011 LSOAs, 2025 = 2021 LSOAs, 0 unknown
	raw := fmt.Sprintf("population_%d", year)
	rep.Note("rows as read in raw.%s", raw)

	err = db.InTx(ctx, func() error {
		ok, err := db.TableExists(ctx, "core", "population")
		if err != nil {
			return err
		}
		if !ok {
			if _, err := db.Exec(ctx, queries.MustSQL("core.population")); err != nil {
				return fmt.Errorf("create core.population: %w", err)
			}
		}
		if _, err := db.Exec(ctx, "DELETE FROM core.population WHERE year = ?", year); err != nil {
			return fmt.Errorf("core.population: %w", err)
		}
		if err := iodCreateRawTable(ctx, db, raw, c.Header); err != nil {
			return err
		}
		var rows []popRow
		err = db.Append(ctx, "raw", raw, func(a *duckdb.Appender) error {
			rows, err = readPopulation(ctx, c, a, rep, code, la, bandCol)
			return err
		})
		if err != nil {
			return err
		}
		if rep.Read == 0 {
			return fmt.Errorf("%s: the file has a header but no data rows", spec.Path)
		}
		err = db.Append(ctx, "core", "population", func(a *duckdb.Appender) error {
			for _, r := range rows {
				vals := []driver.Value{r.code, int16(year), nil, nil, nil, nil, nil}
				for b := range popBands {
					if r.set[b] {
						vals[2+b] = int32(r.counts[b])
					}
				}
				if err := a.AppendRow(vals...); err != nil {
					return fmt.Errorf("core.population %s: %w", r.code, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		rep.Loaded = int64(len(rows))
		if err := countPopulationArea(ctx, db, spec.Area, rows, la >= 0, lsoaYear, rep); err != nil {
			return err
		}
		if err := rep.Balanced(); err != nil {
			return err
		}
		return SaveReport(ctx, db, rep)
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// popYear settles the year of the estimates: the spec's, else the one in the file name.
func popYear(spec PopulationSpec, rep *Report) (int, error) {
	var named int
	m := popYearInName.FindStringSubmatch(filepath.Base(spec.Path))
	if m != nil {
		named, _ = strconv.Atoi(m[1])
	}
	year := spec.Year
	switch {
	case year == 0 && named == 0:
		return 0, fmt.Errorf("%s: the year of the estimates is unknown: give the year, or name the file with it (e.g. lsoa_population_mid2019.csv)", spec.Path)
	case year == 0:
		year = named
		rep.Note("year %d taken from the file name (%q); give the year to be explicit", year, m[0])
	case named != 0 && named != year:
		rep.Note("the file name says %q but year %d was given: loaded as %d", m[0], year, year)
	}
	if year < 1991 || year > 2100 {
		return 0, fmt.Errorf("%s: year %d is not a plausible year of mid-year estimates", spec.Path, year)
	}
	return year, nil
}

// readPopulation copies every row into raw (through a) and returns the valid ones; the others
// are rejected on the report.
func readPopulation(ctx context.Context, c *CSVFile, a *duckdb.Appender, rep *Report, code, la int, bandCol [nPopBands]int) ([]popRow, error) {
	rows := make([]popRow, 0, 40000)
	seen := make(map[string]int64, 40000)
	vals := make([]driver.Value, len(c.Header)+1)
	for {
		rec, line, err := c.Next()
		if err == io.EOF {
			return rows, nil
		}
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			rep.Read++
			rep.Reject(line, "", "", "the row cannot be split into fields ("+rowErr.Err.Error()+"): check its quotes")
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", c.Path, line, err)
		}
		rep.Read++
		if rep.Read%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		vals[0] = line
		for i := range c.Header {
			if i < len(rec) {
				vals[i+1] = rec[i]
			} else {
				vals[i+1] = nil
			}
		}
		if err := a.AppendRow(vals...); err != nil {
			return nil, fmt.Errorf("%s line %d: raw: %w", c.Path, line, err)
		}
		r, col, value, reason := parsePopRow(c, rec, code, la, bandCol)
		if reason == "" {
			if first, dup := seen[r.code]; dup {
				col, value = code, rec[code]
				reason = fmt.Sprintf("LSOA code %s appears twice in this file, on lines %d and %d: the row on line %d was kept", r.code, first, line, first)
			} else {
				seen[r.code] = line
			}
		}
		if reason != "" {
			name := ""
			if col >= 0 {
				name = c.Header[col]
			}
			rep.Reject(line, name, value, reason)
			continue
		}
		rows = append(rows, r)
	}
}

// parsePopRow checks one row. On a problem it returns the column (-1 for the whole row), the
// value and the reason; further problems in the same row are added to the reason.
func parsePopRow(c *CSVFile, rec []string, code, la int, bandCol [nPopBands]int) (r popRow, col int, value, reason string) {
	col = -1
	if !iodHasNonEmpty(rec) {
		return r, -1, "", "the row is empty"
	}
	if len(rec) < len(c.Header) || iodHasNonEmpty(rec[len(c.Header):]) {
		return r, -1, strings.Join(rec, string(c.Delimiter)),
			fmt.Sprintf("the row has %d fields but the header has %d columns", len(rec), len(c.Header))
	}
	var probs []iodProblem
	r.code = strings.TrimSpace(rec[code])
	if !iodValidLSOA(r.code, "E01") && !iodValidLSOA(r.code, "W01") {
		reason := fmt.Sprintf("LSOA code %q does not exist: expected E01 (England) or W01 (Wales) followed by 6 digits", r.code)
		if r.code == "" {
			reason = "the LSOA code is empty: expected E01 (England) or W01 (Wales) followed by 6 digits"
		}
		probs = append(probs, iodProblem{code, rec[code], reason})
	}
	if la >= 0 {
		r.la = strings.TrimSpace(rec[la])
	}
	for b := range popBands {
		i := bandCol[b]
		if i < 0 {
			continue
		}
		v := strings.TrimSpace(rec[i])
		name := c.Header[i]
		x, err := strconv.ParseFloat(v, 64)
		switch {
		case v == "":
			probs = append(probs, iodProblem{i, rec[i], fmt.Sprintf("the %s count is empty: expected a whole number of people", name)})
			continue
		case err != nil || x != math.Trunc(x) || math.IsInf(x, 0):
			probs = append(probs, iodProblem{i, rec[i], fmt.Sprintf("%s %q is not a whole number of people", name, v)})
			continue
		case x < 0:
			probs = append(probs, iodProblem{i, rec[i], fmt.Sprintf("%s %s is negative: a count of people must be 0 or more", name, v)})
			continue
		case x > math.MaxInt32:
			probs = append(probs, iodProblem{i, rec[i], fmt.Sprintf("%s %s is too large for an LSOA (about 1,500 people)", name, v)})
			continue
		}
		r.counts[b], r.set[b] = int64(x), true
	}
	if len(probs) == 0 {
		// Nested bands: 0-4 within 0-15 within 0-19 within all ages, 5-15 within 0-15.
		chain := []int{b04, b015, b019, bAll}
		prev := -1
		for _, b := range chain {
			if !r.set[b] {
				continue
			}
			if prev >= 0 && r.counts[prev] > r.counts[b] {
				i := bandCol[prev]
				probs = append(probs, iodProblem{i, rec[i], fmt.Sprintf("%s (%d) is more than %s (%d): expected age_0_4 ≤ age_0_15 ≤ age_0_19 ≤ all_ages",
					c.Header[i], r.counts[prev], c.Header[bandCol[b]], r.counts[b])})
				break
			}
			prev = b
		}
	}
	if len(probs) == 0 && r.set[b04] && r.set[b515] && r.set[b015] && r.counts[b04]+r.counts[b515] != r.counts[b015] {
		i := bandCol[b015]
		probs = append(probs, iodProblem{i, rec[i], fmt.Sprintf("%s (%d) + %s (%d) = %d but %s is %d: ages 0-4 and 5-15 make up ages 0-15",
			c.Header[bandCol[b04]], r.counts[b04], c.Header[bandCol[b515]], r.counts[b515], r.counts[b04]+r.counts[b515], c.Header[i], r.counts[b015])})
	}
	if len(probs) == 0 {
		return r, -1, "", ""
	}
	p := probs[0]
	reason = p.reason
	for _, q := range probs[1:] {
		reason += fmt.Sprintf("; also column %q, value %q: %s", c.Header[q.col], q.value, q.reason)
	}
	return r, p.col, p.value, reason
}

// countPopulationArea counts the loaded rows in the area. An LSOA's local authority comes from
// the file's own column when it has one, else from core.iod when that is on the same LSOA
// geography. Welsh LSOAs are never in the area.
func countPopulationArea(ctx context.Context, db *store.DB, area AreaFilter, rows []popRow, fileHasLA bool, lsoaYear int, rep *Report) error {
	var wales int64
	for _, r := range rows {
		if strings.HasPrefix(r.code, "W") {
			wales++
		}
	}
	rep.Note("%s English (E01) and %s Welsh (W01) LSOAs loaded; Welsh LSOAs are never in the area",
		iodFmtInt(rep.Loaded-wales), iodFmtInt(wales))
	if !area.Active() {
		return nil
	}
	laOf := func(r popRow) string { return r.la }
	if !fileHasLA {
		ok, err := db.TableExists(ctx, "core", "iod")
		if err != nil {
			return err
		}
		if !ok {
			rep.Note("the LSOAs in the area cannot be counted: the file has no local authority column, and core.iod (which gives each LSOA's authority) is not loaded yet")
			return nil
		}
		var edition int
		if err := db.QueryRow(ctx, "SELECT coalesce(min(edition), 0) FROM core.iod").Scan(&edition); err != nil {
			return fmt.Errorf("core.iod edition: %w", err)
		}
		if lsoaYear != 0 && edition != 0 && lsoaYear != edition {
			rep.Note("the LSOAs in the area cannot be counted: this file is on %d LSOAs but core.iod (IoD%d) is on %d LSOAs",
				iodEditions[lsoaYear].lsoaYear, edition, iodEditions[edition].lsoaYear)
			return nil
		}
		lad := make(map[string]string, 40000)
		q, err := db.Query(ctx, "SELECT lsoa_code, lad_code FROM core.iod WHERE lad_code IS NOT NULL")
		if err != nil {
			return fmt.Errorf("core.iod: %w", err)
		}
		for q.Next() {
			var c, l string
			if err := q.Scan(&c, &l); err != nil {
				q.Close()
				return err
			}
			lad[c] = l
		}
		q.Close()
		if err := q.Err(); err != nil {
			return err
		}
		var unknown int64
		for _, r := range rows {
			if !strings.HasPrefix(r.code, "W") && lad[r.code] == "" {
				unknown++
			}
		}
		note := fmt.Sprintf("each LSOA's local authority taken from core.iod (IoD%d)", edition)
		if unknown > 0 {
			note += fmt.Sprintf("; %s English LSOAs are not in core.iod and are counted outside the area", iodFmtInt(unknown))
		}
		rep.Note("%s", note)
		laOf = func(r popRow) string { return lad[r.code] }
	}
	rep.InArea = 0
	for _, r := range rows {
		if !strings.HasPrefix(r.code, "W") && area.Contains(laOf(r)) {
			rep.InArea++
		}
	}
	rep.OutsideArea = rep.Loaded - rep.InArea
	return nil
}
