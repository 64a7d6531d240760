package datasets

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"hubreach/internal/numfmt"
	"hubreach/internal/store"
	"hubreach/queries"
)

// IoDInput is the input kind of the Indices of Deprivation in reports and raw.rejects.
const IoDInput = "iod"

// IoDSpec says which Indices of Deprivation files to load.
type IoDSpec struct {
	// Files are MHCLG LSOA-level files of one edition in any combination (File 1, 3, 5, 6, 7, 8,
	// or a subset of File 7 such as the humaniverse one). Each is recognised by its header.
	Files []string
	// Edition is 2019 or 2025; 0 detects it from the LSOA code header ("(2011)" or "(2021)").
	Edition int
	// Area gives the local authority codes for the in-area count. Every LSOA in England is loaded
	// whatever the area, because the national comparison needs them all.
	Area AreaFilter
}

// iodEditions: how many LSOAs each edition ranks, and on which LSOA geography.
var iodEditions = map[int]struct {
	lsoas    int
	lsoaYear int
}{
	2019: {32844, 2011},
	2025: {33755, 2021},
}

// IoDLSOAs is the number of LSOAs that an edition of the Indices of Deprivation ranks (the
// largest rank), or 0 for an edition hubreach does not know.
func IoDLSOAs(edition int) int { return iodEditions[edition].lsoas }

// iodField is one column of core.iod that the files can give.
type iodField int

const (
	fLSOAName iodField = iota
	fLADCode
	fLADName
	fIMDScore
	fIMDRank
	fIMDDecile
	fIDACIScore
	fIDACIRank
	fIDACIDecile
	fIDAOPIScore
	fIDAOPIRank
	fIDAOPIDecile
	fIDACINum
	fPopTotal
	fChildren
	fPop1659
	fPop60
	fPopWorking
	nIoDFields
)

// the text fields come first; the others are numbers.
const nIoDText = 3

type iodKind int

const (
	ivText      iodKind = iota // free text (names)
	ivLAD                      // local authority district code
	ivRank                     // whole number 1..N
	ivDecile                   // whole number 1..10
	ivIMDScore                 // number 0..100
	ivRate                     // proportion 0..1
	ivCount                    // number >= 0, may be fractional (population denominators)
	ivNumerator                // whole number >= 0; empty = suppressed
)

// iodFieldSpec says how a field is recognised in a header and checked.
type iodFieldSpec struct {
	label    string // as a user reads it in a message: "IDACI rank"
	kind     iodKind
	names    []string // whole header names (compared after NormHeader)
	prefixes []string // header prefixes (MHCLG headers carry "(where 1 is most deprived…)" tails)
	words    []string // last resort: a header that contains all these words
}

var iodFields = [nIoDFields]iodFieldSpec{
	fLSOAName: {label: "LSOA name", kind: ivText,
		names:    []string{"lsoa11nm", "lsoa21nm", "lsoa_name", "lsoa11_name", "lsoa21_name"},
		prefixes: []string{"LSOA name"}},
	fLADCode: {label: "local authority code", kind: ivLAD,
		names:    []string{"lad19cd", "lad24cd", "lad_code", "la_code", "local authority code", "LAD code"},
		prefixes: []string{"Local Authority District code"}},
	fLADName: {label: "local authority name", kind: ivText,
		names:    []string{"lad19nm", "lad24nm", "lad_name", "la_name", "local authority name", "LAD name"},
		prefixes: []string{"Local Authority District name"}},
	fIMDScore: {label: "IMD score", kind: ivIMDScore,
		prefixes: []string{"Index of Multiple Deprivation (IMD) Score", "IMD score", "IMD_score"}},
	fIMDRank: {label: "IMD rank", kind: ivRank,
		prefixes: []string{"Index of Multiple Deprivation (IMD) Rank", "IMD rank"}},
	fIMDDecile: {label: "IMD decile", kind: ivDecile,
		prefixes: []string{"Index of Multiple Deprivation (IMD) Decile", "IMD decile"}},
	fIDACIScore: {label: "IDACI score", kind: ivRate,
		prefixes: []string{"Income Deprivation Affecting Children Index (IDACI) Score", "Income Deprivation Affecting Children Index Score", "IDACI score"}},
	fIDACIRank: {label: "IDACI rank", kind: ivRank,
		prefixes: []string{"Income Deprivation Affecting Children Index (IDACI) Rank", "Income Deprivation Affecting Children Index Rank", "IDACI rank"}},
	fIDACIDecile: {label: "IDACI decile", kind: ivDecile,
		prefixes: []string{"Income Deprivation Affecting Children Index (IDACI) Decile", "Income Deprivation Affecting Children Index Decile", "IDACI decile"}},
	fIDAOPIScore: {label: "IDAOPI score", kind: ivRate,
		prefixes: []string{"Income Deprivation Affecting Older People (IDAOPI) Score", "Income Deprivation Affecting Older People Index (IDAOPI) Score", "IDAOPI score"}},
	fIDAOPIRank: {label: "IDAOPI rank", kind: ivRank,
		prefixes: []string{"Income Deprivation Affecting Older People (IDAOPI) Rank", "Income Deprivation Affecting Older People Index (IDAOPI) Rank", "IDAOPI rank"}},
	fIDAOPIDecile: {label: "IDAOPI decile", kind: ivDecile,
		prefixes: []string{"Income Deprivation Affecting Older People (IDAOPI) Decile", "Income Deprivation Affecting Older People Index (IDAOPI) Decile", "IDAOPI decile"}},
	fIDACINum: {label: "IDACI numerator", kind: ivNumerator,
		prefixes: []string{"Income Deprivation Affecting Children Index (IDACI) numerator", "IDACI numerator", "IDACI_num"},
		words:    []string{"idaci", "numerator"}},
	fPopTotal: {label: "total population", kind: ivCount,
		names:    []string{"pop_total", "total_population"},
		prefixes: []string{"Total population"}},
	fChildren: {label: "children aged 0-15", kind: ivCount,
		names:    []string{"children_0_15", "pop_0_15"},
		prefixes: []string{"Dependent Children aged 0-15", "Children aged 0-15"}},
	fPop1659: {label: "population aged 16-59", kind: ivCount,
		names:    []string{"pop_16_59"},
		prefixes: []string{"Population aged 16-59"}},
	fPop60: {label: "population aged 60 and over", kind: ivCount,
		names:    []string{"pop_60_plus", "pop_60_over"},
		prefixes: []string{"Older population aged 60 and over", "Population aged 60 and over"}},
	fPopWorking: {label: "working-age population", kind: ivCount,
		names:    []string{"pop_working_age"},
		prefixes: []string{"Working age population"}},
}

// iodRankDecile pairs each rank with its decile, for the consistency check.
var iodRankDecile = [][2]iodField{{fIMDRank, fIMDDecile}, {fIDACIRank, fIDACIDecile}, {fIDAOPIRank, fIDAOPIDecile}}

// Accepted names of the LSOA code column; the edition comes from the year in it.
var iodCodeNames = []string{"LSOA code (2011)", "LSOA code (2021)", "LSOA code", "lsoa11cd", "lsoa21cd",
	"lsoa11_code", "lsoa21_code", "lsoa_code", "lsoa"}

// iodFile is one input file, recognised from its header.
type iodFile struct {
	idx         int
	path        string
	label       string // "File 3", "File 7 (subset)", ...
	table       string // raw table name, e.g. "iod_file3"
	edition     int    // from the header, 0 when the header has no year
	editionFrom string // the header text the edition came from
	csv         *CSVFile
	header      []string
	codeCol     int
	cols        [nIoDFields]int // column index of each field, -1 when absent
	report      *Report
	rows        []iodParsed // valid rows after validation
}

// iodParsed is one valid row of one file.
type iodParsed struct {
	code       string
	line       int64
	set        uint32 // bit f is set when the row gives field f
	text       [nIoDText]string
	num        [nIoDFields]float64
	suppressed bool // IDACI numerator cell empty (File 8)
}

// iodJoined is one LSOA of core.iod, merged from all files.
type iodJoined struct {
	iodParsed
	src   [nIoDFields]int8  // which file gave each field
	lines [nIoDFields]int32 // and on which line
	files uint64            // bit i set when file i has a valid row for this LSOA
}

// iodProblem is one thing wrong in a row.
type iodProblem struct {
	col           int
	value, reason string
}

// LoadIoD loads English Indices of Deprivation files into core.iod, one row per LSOA, national.
//
// Steps:
//  1. open every file and recognise it by its header: edition, kind (File 1, 3, …) and the
//     columns it gives; an unusable file, or files of two editions, is an error and nothing is written;
//  2. read each file into raw.iod_<kind> (every row as read, text, with its line number) and
//     validate every row (codes, ranks, deciles, scores, counts; duplicates; decile against rank);
//  3. join the valid rows of all files on the LSOA code, checking that values given by two files
//     agree, and noting LSOAs that one file has and another lacks;
//  4. write core.iod, count the area's LSOAs, and save each file's report (raw.rejects, raw.load_report).
//
// Everything is written in one transaction. It returns one report per file, in the order given.
func LoadIoD(ctx context.Context, db *store.DB, spec IoDSpec) ([]*Report, error) {
	files, edition, err := openIoDFiles(spec)
	defer func() {
		for _, f := range files {
			f.csv.Close()
		}
	}()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.report.SHA256, err = FileSHA256(f.path); err != nil {
			return nil, err
		}
	}
	reports := make([]*Report, len(files))
	for i, f := range files {
		reports[i] = f.report
	}
	err = db.InTx(ctx, func() error {
		if err := dropRawIoDTables(ctx, db); err != nil {
			return err
		}
		if err := readIoDFiles(ctx, db, files, edition); err != nil {
			return err
		}
		joined := joinIoD(files)
		noteIoDCoverage(files, joined, edition)
		countIoDArea(files, joined, spec.Area, edition)
		if err := writeCoreIoD(ctx, db, files, joined, edition); err != nil {
			return err
		}
		for _, r := range reports {
			if err := r.Balanced(); err != nil {
				return err
			}
			if err := SaveReport(ctx, db, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return reports, nil
}

// openIoDFiles opens and recognises every file and settles the edition.
func openIoDFiles(spec IoDSpec) ([]*iodFile, int, error) {
	if len(spec.Files) == 0 {
		return nil, 0, errors.New("no Indices of Deprivation files given")
	}
	if len(spec.Files) > 64 {
		return nil, 0, fmt.Errorf("%d IoD files given: at most 64 can be joined in one load", len(spec.Files))
	}
	if spec.Edition != 0 && iodEditions[spec.Edition].lsoas == 0 {
		return nil, 0, fmt.Errorf("IoD edition %d is not supported: hubreach reads the 2019 and 2025 editions", spec.Edition)
	}
	var files []*iodFile
	tables := map[string]int{}
	for i, path := range spec.Files {
		f, err := recogniseIoDFile(path)
		if err != nil {
			return files, 0, err
		}
		f.idx = i
		tables[f.table]++
		if n := tables[f.table]; n > 1 {
			f.table = fmt.Sprintf("%s_%d", f.table, n)
		}
		files = append(files, f)
	}
	// Settle the edition: the spec, or the headers; two editions together are an error.
	edition := spec.Edition
	var first *iodFile
	for _, f := range files {
		if f.edition == 0 {
			continue
		}
		if spec.Edition != 0 && f.edition != spec.Edition {
			return files, 0, fmt.Errorf("%s is IoD%d (header %q) but edition %d was asked for", f.path, f.edition, f.editionFrom, spec.Edition)
		}
		if first == nil {
			first, edition = f, f.edition
		} else if f.edition != first.edition {
			return files, 0, fmt.Errorf("IoD files mix editions: %s is IoD%d (header %q) but %s is IoD%d (header %q); "+
				"load the files of one edition together (IoD2019 is on 2011 LSOA codes, IoD2025 on 2021 codes)",
				first.path, first.edition, first.editionFrom, f.path, f.edition, f.editionFrom)
		}
	}
	if edition == 0 {
		f := files[0]
		return files, 0, fmt.Errorf("%s: cannot tell which edition of the Indices of Deprivation this is: the LSOA code column %q has no year "+
			"(2011 for IoD2019, 2021 for IoD2025); set the edition (2019 or 2025)", f.path, f.header[f.codeCol])
	}
	for _, f := range files {
		f.report.Note("read as IoD%d %s: %s; rows as read in raw.%s", edition, f.label, strings.Join(f.fieldLabels(), ", "), f.table)
	}
	return files, edition, nil
}

// recogniseIoDFile opens a file and finds its columns, edition and kind from the header.
func recogniseIoDFile(path string) (*iodFile, error) {
	c, err := OpenCSV(path)
	if err != nil {
		return nil, err
	}
	f := &iodFile{path: path, csv: c, header: c.Header, report: NewReport(IoDInput, path)}
	cols := NewColumns(c.Header)
	used := make([]bool, len(c.Header))
	f.codeCol = cols.Find(iodCodeNames...)
	if f.codeCol < 0 {
		f.codeCol = cols.FindPrefix("LSOA code")
	}
	if f.codeCol < 0 {
		c.Close()
		return nil, MissingColumnError(path, "LSOA code", iodCodeNames, c.Header)
	}
	used[f.codeCol] = true
	f.edition, f.editionFrom = iodEditionFromHeader(c.Header[f.codeCol]), c.Header[f.codeCol]
	found := 0
	for fld := range iodFields {
		i := findIoDColumn(cols, c.Header, iodFields[fld])
		if i >= 0 && used[i] {
			i = -1
		}
		f.cols[fld] = i
		if i >= 0 {
			used[i] = true
			if fld >= nIoDText {
				found++
			}
		}
	}
	if found == 0 {
		c.Close()
		return nil, fmt.Errorf("%s line 1: no Indices of Deprivation column recognised: expected at least one IMD, IDACI or IDAOPI score, rank or decile "+
			"(e.g. %q), an IDACI numerator or a population denominator (e.g. %q); the header has: %s",
			path, "Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived)",
			"Dependent Children aged 0-15: mid 2015 (excluding prisoners)", strings.Join(quoteAll(c.Header), ", "))
	}
	if f.edition == 0 && f.cols[fLADCode] >= 0 {
		// No year on the LSOA code: the local authority code's year tells the edition too.
		f.edition, f.editionFrom = iodEditionFromLADHeader(c.Header[f.cols[fLADCode]]), c.Header[f.cols[fLADCode]]
	}
	f.label, f.table = f.kind()
	var unused []string
	for i, u := range used {
		if !u {
			unused = append(unused, c.Header[i])
		}
	}
	if len(unused) > 0 {
		ex := unused[:min(3, len(unused))]
		f.report.Note("%d columns are not part of core.iod and are kept in raw.%s only, e.g. %s", len(unused), f.table, strings.Join(quoteAll(ex), ", "))
	}
	return f, nil
}

// findIoDColumn finds a field's column: by whole name, then by prefix, then by words.
func findIoDColumn(cols Columns, header []string, s iodFieldSpec) int {
	if i := cols.Find(s.names...); i >= 0 {
		return i
	}
	if i := cols.FindPrefix(s.prefixes...); i >= 0 {
		return i
	}
	if len(s.words) > 0 {
	next:
		for i, h := range header {
			words := " " + NormHeader(h) + " "
			for _, w := range s.words {
				if !strings.Contains(words, " "+w+" ") {
					continue next
				}
			}
			return i
		}
	}
	return -1
}

// iodEditionFromHeader reads the edition from the LSOA code header: 2011 LSOAs are IoD2019,
// 2021 LSOAs IoD2025.
func iodEditionFromHeader(h string) int {
	for _, w := range strings.Fields(NormHeader(h)) {
		switch w {
		case "2011", "lsoa11", "lsoa11cd":
			return 2019
		case "2021", "lsoa21", "lsoa21cd":
			return 2025
		}
	}
	return 0
}

// iodEditionFromLADHeader reads the edition from the local authority code header: IoD2019 uses
// April 2019 districts, IoD2025 the 2024 ones.
func iodEditionFromLADHeader(h string) int {
	for _, w := range strings.Fields(NormHeader(h)) {
		switch w {
		case "2019", "lad19cd":
			return 2019
		case "2024", "lad24cd":
			return 2025
		}
	}
	return 0
}

// kind names the file after the MHCLG file it looks like, and its raw table.
func (f *iodFile) kind() (label, table string) {
	has := func(fs ...iodField) bool {
		for _, x := range fs {
			if f.cols[x] >= 0 {
				return true
			}
		}
		return false
	}
	scores := has(fIMDScore, fIDACIScore, fIDAOPIScore)
	ranks := has(fIMDRank, fIMDDecile, fIDACIRank, fIDACIDecile, fIDAOPIRank, fIDAOPIDecile)
	supp := has(fIDACIRank, fIDACIDecile, fIDAOPIRank, fIDAOPIDecile)
	denoms := has(fPopTotal, fChildren, fPop1659, fPop60, fPopWorking)
	num := has(fIDACINum)
	switch {
	case num && !scores && !ranks && !denoms:
		return "File 8", "iod_file8"
	case scores && ranks && denoms:
		return "File 7", "iod_file7"
	case scores && ranks && !num:
		return "File 7 (subset)", "iod_file7_subset"
	case scores && !ranks && !denoms && !num:
		return "File 5", "iod_file5"
	case denoms && !scores && !ranks && !num:
		return "File 6", "iod_file6"
	case supp && !scores && !denoms && !num:
		return "File 3", "iod_file3"
	case ranks && !supp && !scores && !denoms && !num:
		return "File 1", "iod_file1"
	}
	return "IoD extract", "iod_file_other"
}

// fieldLabels lists the fields the file gives, for the report.
func (f *iodFile) fieldLabels() []string {
	out := []string{"LSOA code"}
	for fld, i := range f.cols {
		if i >= 0 {
			out = append(out, iodFields[fld].label)
		}
	}
	return out
}

// dropRawIoDTables removes the raw copies of an earlier IoD load (its files may have differed).
func dropRawIoDTables(ctx context.Context, db *store.DB) error {
	rows, err := db.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw' AND starts_with(table_name, 'iod_file')`)
	if err != nil {
		return fmt.Errorf("list raw IoD tables: %w", err)
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
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range names {
		if _, err := db.Exec(ctx, "DROP TABLE raw."+iodQuoteIdent(n)); err != nil {
			return fmt.Errorf("drop raw.%s: %w", n, err)
		}
	}
	return nil
}

// iodCreateRawTable creates raw.<table> with a line number and one VARCHAR column per header
// column, named as in the file (made unique).
func iodCreateRawTable(ctx context.Context, db *store.DB, table string, header []string) error {
	seen := map[string]bool{"line": true}
	cols := []string{`"line" BIGINT`}
	for i, h := range header {
		name := strings.TrimSpace(h)
		if name == "" {
			name = fmt.Sprintf("column %d", i+1)
		}
		base := name
		for n := 2; seen[strings.ToLower(name)]; n++ {
			name = fmt.Sprintf("%s (%d)", base, n)
		}
		seen[strings.ToLower(name)] = true
		cols = append(cols, iodQuoteIdent(name)+" VARCHAR")
	}
	q := fmt.Sprintf("CREATE OR REPLACE TABLE raw.%s (%s)", iodQuoteIdent(table), strings.Join(cols, ", "))
	if _, err := db.Exec(ctx, q); err != nil {
		return fmt.Errorf("create raw.%s: %w", table, err)
	}
	return nil
}

func iodQuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// iodBatch is a run of rows as read, on their way from a file's parser to its raw table.
type iodBatch struct {
	lines []int64
	recs  [][]string
}

const iodBatchRows = 1024

// readIoDFiles copies every file into its raw table and validates every row (step 2). One
// goroutine per file reads and checks its rows while this one appends them to the raw tables,
// file after file (the database connection is single), so reading overlaps with DuckDB's work.
func readIoDFiles(ctx context.Context, db *store.DB, files []*iodFile, edition int) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	feeds := make([]chan iodBatch, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		feeds[i] = make(chan iodBatch, 64)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(feeds[i])
			errs[i] = parseIoDFile(ctx, f, edition, feeds[i])
		}()
	}
	defer func() {
		// Stop the parsers (they may be blocked on a full feed) and wait for them.
		cancel()
		for _, feed := range feeds {
			for range feed {
			}
		}
		wg.Wait()
	}()
	for i, f := range files {
		if err := iodCreateRawTable(ctx, db, f.table, f.header); err != nil {
			return err
		}
		err := db.Append(ctx, "raw", f.table, func(a *duckdb.Appender) error {
			vals := make([]driver.Value, len(f.header)+1)
			for b := range feeds[i] {
				for k, rec := range b.recs {
					vals[0] = b.lines[k]
					for c := range f.header {
						if c < len(rec) {
							vals[c+1] = rec[c]
						} else {
							vals[c+1] = nil
						}
					}
					if err := a.AppendRow(vals...); err != nil {
						return fmt.Errorf("%s line %d: raw.%s: %w", f.path, b.lines[k], f.table, err)
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if errs[i] != nil { // written before the feed was closed
			return errs[i]
		}
		if f.report.Read == 0 {
			return fmt.Errorf("%s: the file has a header but no data rows", f.path)
		}
		checkIoDDeciles(f, edition)
		sort.SliceStable(f.report.Rejects, func(a, b int) bool { return f.report.Rejects[a].Line < f.report.Rejects[b].Line })
	}
	return nil
}

// parseIoDFile reads a file's rows, sends each as read to out, and checks it: valid rows go
// to f.rows, the others to the file's report as rejects.
func parseIoDFile(ctx context.Context, f *iodFile, edition int, out chan<- iodBatch) error {
	rep := f.report
	// Room for every row up front: rows are big, and regrowing the slice costs more than reading.
	size := int64(1 << 20)
	if st, err := os.Stat(f.path); err == nil {
		size = st.Size()
	}
	capacity := int(min(size/16+16, 40000))
	f.rows = make([]iodParsed, 0, capacity)
	seen := make(map[string]int64, capacity)
	var b iodBatch
	send := func() error {
		if len(b.recs) == 0 {
			return nil
		}
		select {
		case out <- b:
			b = iodBatch{}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for {
		rec, line, err := f.csv.Next()
		if err == io.EOF {
			return send()
		}
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			rep.Read++
			rep.Reject(line, "", "", "the row cannot be split into fields ("+rowErr.Err.Error()+"): check its quotes")
			continue
		}
		if err != nil {
			return fmt.Errorf("%s line %d: %w", f.path, line, err)
		}
		rep.Read++
		if b.recs == nil {
			b = iodBatch{lines: make([]int64, 0, iodBatchRows), recs: make([][]string, 0, iodBatchRows)}
		}
		b.lines = append(b.lines, line)
		b.recs = append(b.recs, append([]string(nil), rec...)) // the reader reuses rec
		if len(b.recs) == iodBatchRows {
			if err := send(); err != nil {
				return err
			}
		}
		p, probs := f.parseRow(rec, line, edition, f.csv.Delimiter)
		if len(probs) == 0 {
			if first, dup := seen[p.code]; dup {
				probs = []iodProblem{{f.codeCol, rec[f.codeCol], fmt.Sprintf(
					"LSOA code %s appears twice in this file, on lines %d and %d: the row on line %d was kept", p.code, first, line, first)}}
			} else {
				seen[p.code] = line
			}
		}
		if len(probs) > 0 {
			f.reject(line, probs)
			continue
		}
		f.rows = append(f.rows, p)
	}
}

// reject records a row's problems as one reject: the first problem, then the others.
func (f *iodFile) reject(line int64, probs []iodProblem) {
	p := probs[0]
	reason := p.reason
	for _, q := range probs[1:] {
		reason += fmt.Sprintf("; also column %q, value %q: %s", f.header[q.col], q.value, q.reason)
	}
	col := ""
	if p.col >= 0 {
		col = f.header[p.col]
	}
	f.report.Reject(line, col, p.value, reason)
}

// parseRow checks one row and returns its typed values, or what is wrong with it.
func (f *iodFile) parseRow(rec []string, line int64, edition int, delim rune) (iodParsed, []iodProblem) {
	p := iodParsed{line: line}
	if len(rec) < len(f.header) || iodHasNonEmpty(rec[len(f.header):]) {
		if !iodHasNonEmpty(rec) {
			return p, []iodProblem{{-1, "", "the row is empty"}}
		}
		return p, []iodProblem{{-1, strings.Join(rec, string(delim)),
			fmt.Sprintf("the row has %d fields but the header has %d columns", len(rec), len(f.header))}}
	}
	if !iodHasNonEmpty(rec) {
		return p, []iodProblem{{-1, "", "the row is empty"}}
	}
	var probs []iodProblem
	p.code = strings.TrimSpace(rec[f.codeCol])
	if !iodValidLSOA(p.code, "E01") {
		reason := fmt.Sprintf("LSOA code %q does not exist: expected E01 followed by 6 digits", p.code)
		if p.code == "" {
			reason = "the LSOA code is empty: expected E01 followed by 6 digits"
		}
		probs = append(probs, iodProblem{f.codeCol, rec[f.codeCol], reason})
	}
	n := iodEditions[edition].lsoas
	for fld, col := range f.cols {
		if col < 0 {
			continue
		}
		s := iodFields[fld]
		raw := rec[col]
		v := strings.TrimSpace(raw)
		bad := func(format string, args ...any) {
			probs = append(probs, iodProblem{col, raw, fmt.Sprintf(format, args...)})
		}
		if fld < nIoDText {
			if s.kind == ivLAD {
				switch {
				case v == "":
					bad("the local authority code is empty: expected E06, E07, E08 or E09 followed by 6 digits")
					continue
				case !iodValidLAD(v):
					bad("local authority code %q is not valid: expected E06, E07, E08 or E09 followed by 6 digits", v)
					continue
				}
			}
			if v != "" {
				p.text[fld] = v
				p.set |= 1 << fld
			}
			continue
		}
		if v == "" {
			switch s.kind {
			case ivNumerator:
				p.suppressed = true
				p.set |= 1 << fld
			case ivRank:
				bad("the %s is empty: expected a whole number from 1 (most deprived) to %s", s.label, iodFmtInt(int64(n)))
			case ivDecile:
				bad("the %s is empty: expected a whole number from 1 (most deprived 10%%) to 10", s.label)
			default:
				bad("the %s is empty: expected a number", s.label)
			}
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			switch s.kind {
			case ivRank:
				bad("%s %q is not a whole number: expected a rank from 1 (most deprived) to %s", s.label, v, iodFmtInt(int64(n)))
			case ivDecile:
				bad("%s %q is not a whole number: expected a decile from 1 (most deprived 10%%) to 10", s.label, v)
			case ivNumerator:
				bad("%s %q is not a whole number: expected a count of children (an empty cell means suppressed)", s.label, v)
			default:
				bad("%s %q is not a number", s.label, v)
			}
			continue
		}
		switch s.kind {
		case ivRank:
			if x != math.Trunc(x) {
				bad("%s %q is not a whole number: expected a rank from 1 (most deprived) to %s", s.label, v, iodFmtInt(int64(n)))
				continue
			}
			if x < 1 || x > float64(n) {
				bad("%s %s is out of range: IoD%d ranks run from 1 (most deprived) to %s", s.label, v, edition, iodFmtInt(int64(n)))
				continue
			}
		case ivDecile:
			if x != math.Trunc(x) {
				bad("%s %q is not a whole number: expected a decile from 1 (most deprived 10%%) to 10", s.label, v)
				continue
			}
			if x < 1 || x > 10 {
				bad("%s %s is out of range: deciles run from 1 (most deprived 10%%) to 10", s.label, v)
				continue
			}
		case ivRate:
			if x < 0 || x > 1 {
				bad("%s %s is out of range: it is a proportion, from 0 to 1", s.label, v)
				continue
			}
		case ivIMDScore:
			if x < 0 || x > 100 {
				bad("%s %s is out of range: IMD scores run from 0 to 100", s.label, v)
				continue
			}
		case ivCount:
			if x < 0 {
				bad("%s %s is negative: a population count must be 0 or more", s.label, v)
				continue
			}
		case ivNumerator:
			if x != math.Trunc(x) {
				bad("%s %q is not a whole number: expected a count of children (an empty cell means suppressed)", s.label, v)
				continue
			}
			if x < 0 {
				bad("%s %s is negative: a count of children must be 0 or more", s.label, v)
				continue
			}
		}
		p.num[fld] = x
		p.set |= 1 << fld
	}
	// File 6/7: children + 16-59 + 60 and over make up the total.
	all := uint32(1<<fPopTotal | 1<<fChildren | 1<<fPop1659 | 1<<fPop60)
	if len(probs) == 0 && p.set&all == all {
		sum := p.num[fChildren] + p.num[fPop1659] + p.num[fPop60]
		if math.Abs(sum-p.num[fPopTotal]) > 0.5 {
			col := f.cols[fPopTotal]
			probs = append(probs, iodProblem{col, rec[col], fmt.Sprintf(
				"the age groups add up to %s (children aged 0-15 %s + aged 16-59 %s + aged 60 and over %s) but the total population is %s",
				iodFmtNum(sum), iodFmtNum(p.num[fChildren]), iodFmtNum(p.num[fPop1659]), iodFmtNum(p.num[fPop60]), iodFmtNum(p.num[fPopTotal]))})
		}
	}
	return p, probs
}

// IoDDecile is the decile of a rank among n LSOAs as MHCLG assigns it: decile d holds ranks
// floor((d-1)n/10)+1 .. floor(dn/10), i.e. ceil(10·rank/n). Rank 1 is the most deprived.
func IoDDecile(rank, n int) int {
	return (10*rank + n - 1) / n
}

// checkIoDDeciles rejects rows whose decile does not match their rank. Tied ranks (IoD2025
// gives ties the lowest rank) may fall in any decile their block of positions spans.
func checkIoDDeciles(f *iodFile, edition int) {
	n := iodEditions[edition].lsoas
	type pairTies struct {
		rank, dec iodField
		ties      []int32 // how many rows have each rank (ranks are 1..n, checked on reading)
	}
	var pairs []pairTies
	for _, rd := range iodRankDecile {
		if f.cols[rd[0]] < 0 || f.cols[rd[1]] < 0 {
			continue
		}
		ties := make([]int32, n+1)
		for i := range f.rows {
			ties[int(f.rows[i].num[rd[0]])]++
		}
		pairs = append(pairs, pairTies{rd[0], rd[1], ties})
	}
	if len(pairs) == 0 {
		return
	}
	kept := f.rows[:0]
	for _, p := range f.rows {
		var probs []iodProblem
		for _, pt := range pairs {
			r, d := int(p.num[pt.rank]), int(p.num[pt.dec])
			lo, hi := IoDDecile(r, n), IoDDecile(min(r+int(pt.ties[r])-1, n), n)
			if d >= lo && d <= hi {
				continue
			}
			where := fmt.Sprintf("decile %d", lo)
			if hi > lo {
				where = fmt.Sprintf("deciles %d to %d (tied ranks)", lo, hi)
			}
			col := f.cols[pt.dec]
			probs = append(probs, iodProblem{col, strconv.Itoa(d), fmt.Sprintf(
				"%s %d does not match %s %d: rank %d of %s is in %s", iodFields[pt.dec].label, d, iodFields[pt.rank].label, r, r, iodFmtInt(int64(n)), where)})
		}
		if len(probs) > 0 {
			f.reject(p.line, probs)
			continue
		}
		kept = append(kept, p)
	}
	f.rows = kept
}

// iodDisagreement counts LSOAs for which two files give different values of one field.
type iodDisagreement struct {
	field    iodField
	from, to int  // the file that gave the value first, and the later file that differs
	rounding bool // the values differ only because one file rounds to whole numbers
	n        int
	examples []string
}

// joinIoD merges the valid rows of all files into one row per LSOA (step 3). The first file to
// give a field wins, except that an unrounded population count wins over the same count rounded
// to a whole number (File 7's CSV rounds the fractional working-age population of File 6).
// Later files that differ are noted on their reports.
func joinIoD(files []*iodFile) map[string]*iodJoined {
	joined := make(map[string]*iodJoined, 40000)
	var dis []*iodDisagreement
	disIdx := map[[4]int]*iodDisagreement{}
	for _, f := range files {
		for i := range f.rows {
			p := &f.rows[i]
			j := joined[p.code]
			if j == nil {
				j = &iodJoined{iodParsed: iodParsed{code: p.code}}
				joined[p.code] = j
			}
			j.files |= 1 << f.idx
			for fld := iodField(0); fld < nIoDFields; fld++ {
				bit := uint32(1) << fld
				if p.set&bit == 0 {
					continue
				}
				if j.set&bit == 0 {
					j.set |= bit
					j.take(p, fld, f.idx)
					continue
				}
				same, rounding := iodSame(&j.iodParsed, p, fld)
				if same {
					continue
				}
				key := [4]int{int(fld), int(j.src[fld]), f.idx, 0}
				if rounding {
					key[3] = 1
				}
				d := disIdx[key]
				if d == nil {
					d = &iodDisagreement{field: fld, from: int(j.src[fld]), to: f.idx, rounding: rounding}
					disIdx[key] = d
					dis = append(dis, d)
				}
				d.n++
				if len(d.examples) < 3 {
					d.examples = append(d.examples, fmt.Sprintf("%s: %s on line %d here, %s on line %d there",
						p.code, iodShow(p, fld), p.line, iodShow(&j.iodParsed, fld), j.lines[fld]))
				}
				if rounding && j.num[fld] == math.Trunc(j.num[fld]) {
					j.take(p, fld, f.idx) // keep the unrounded value
				}
			}
		}
		f.report.Loaded = int64(len(f.rows)) // valid rows, one per LSOA: each is in core.iod
		f.rows = nil                         // joined; let the memory go
	}
	for _, d := range dis {
		to, from := files[d.to], files[d.from]
		if d.rounding {
			to.report.Note("%s differs from %s only by rounding to whole numbers for %d LSOAs; core.iod keeps the unrounded values, e.g. %s",
				iodFields[d.field].label, from.path, d.n, strings.Join(d.examples, "; "))
			continue
		}
		to.report.Note("%s disagrees with %s for %d LSOAs; core.iod keeps the value from %s, e.g. %s",
			iodFields[d.field].label, from.path, d.n, from.path, strings.Join(d.examples, "; "))
	}
	return joined
}

// take sets field fld of the joined row from file idx's row p.
func (j *iodJoined) take(p *iodParsed, fld iodField, idx int) {
	if fld < nIoDText {
		j.text[fld] = p.text[fld]
	} else {
		j.num[fld] = p.num[fld]
	}
	if fld == fIDACINum {
		j.suppressed = p.suppressed
	}
	j.src[fld], j.lines[fld] = int8(idx), int32(p.line)
}

// iodSame compares a field of two rows; rounding is true when two population counts differ only
// because one of them is rounded to a whole number.
func iodSame(a, b *iodParsed, fld iodField) (same, rounding bool) {
	if fld < nIoDText {
		return a.text[fld] == b.text[fld], false
	}
	if fld == fIDACINum && (a.suppressed || b.suppressed) {
		return a.suppressed == b.suppressed, false
	}
	x, y := a.num[fld], b.num[fld]
	if math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(x)) {
		return true, false
	}
	if iodFields[fld].kind == ivCount && (x == math.Trunc(x) || y == math.Trunc(y)) && math.Abs(x-y) <= 0.5 {
		return false, true
	}
	return false, false
}

func iodShow(p *iodParsed, fld iodField) string {
	if fld < nIoDText {
		return strconv.Quote(p.text[fld])
	}
	if fld == fIDACINum && p.suppressed {
		return "(suppressed)"
	}
	return iodFmtNum(p.num[fld])
}

// noteIoDCoverage notes, per file, the LSOAs that other files have and it lacks, and whether
// core.iod covers all of England.
func noteIoDCoverage(files []*iodFile, joined map[string]*iodJoined, edition int) {
	codes := sortedIoDCodes(joined)
	for _, f := range files {
		var n int
		var ex []string
		for _, c := range codes {
			if joined[c].files&(1<<f.idx) == 0 {
				n++
				if len(ex) < 3 {
					ex = append(ex, c)
				}
			}
		}
		if n > 0 {
			f.report.Note("%s of the %s LSOAs in the files given are not in this file (or were rejected from it), e.g. %s; "+
				"their %s values are NULL in core.iod", iodFmtInt(int64(n)), iodFmtInt(int64(len(codes))), strings.Join(ex, ", "), f.label)
		}
	}
	if n := iodEditions[edition].lsoas; len(codes) < n {
		files[0].report.Note("core.iod has %s LSOAs, not all %s in England: national measures (ranks across England, local authority averages) need national files",
			iodFmtInt(int64(len(codes))), iodFmtInt(int64(n)))
	}
	var hasScore, hasRank bool
	for _, f := range files {
		hasScore = hasScore || f.cols[fIDACIScore] >= 0
		hasRank = hasRank || f.cols[fIDACIRank] >= 0
	}
	if !hasScore && hasRank {
		files[0].report.Note("IDACI scores absent: none of the files has an IDACI score (File 3 has ranks and deciles only; scores are in File 5 and File 7), so idaci_score is NULL")
	}
	for _, f := range files {
		if f.cols[fIDACINum] < 0 {
			continue
		}
		var supp int
		for _, j := range joined {
			if j.files&(1<<f.idx) != 0 && int(j.src[fIDACINum]) == f.idx && j.suppressed {
				supp++
			}
		}
		f.report.Note("IDACI numerators are rounded to 5 by MHCLG and suppressed below 10: %s empty cells load as idaci_numerator NULL with idaci_numerator_suppressed true; "+
			"numerator / children is not the IDACI score", iodFmtInt(int64(supp)))
	}
}

func sortedIoDCodes(joined map[string]*iodJoined) []string {
	codes := make([]string, 0, len(joined))
	for c := range joined {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

// countIoDArea counts, per file, the loaded LSOAs whose local authority is in the area.
func countIoDArea(files []*iodFile, joined map[string]*iodJoined, area AreaFilter, edition int) {
	if !area.Active() {
		return
	}
	hasLAD := false
	for _, f := range files {
		hasLAD = hasLAD || f.cols[fLADCode] >= 0
	}
	if !hasLAD {
		files[0].report.Note("no file has local authority codes, so the LSOAs in the area cannot be counted")
		return
	}
	counts := make([]int64, len(files))
	lads := map[string]bool{}
	for _, j := range joined {
		if j.set&(1<<fLADCode) == 0 {
			continue
		}
		lads[j.text[fLADCode]] = true
		if !area.Contains(j.text[fLADCode]) {
			continue
		}
		for _, f := range files {
			if j.files&(1<<f.idx) != 0 {
				counts[f.idx]++
			}
		}
	}
	for _, f := range files {
		f.report.InArea = counts[f.idx]
		f.report.OutsideArea = f.report.Loaded - counts[f.idx]
	}
	var unmatched []string
	for _, c := range area.Codes {
		if strings.TrimSpace(c) == "" {
			continue
		}
		one := AreaFilter{Codes: []string{c}}
		found := false
		for lad := range lads {
			if one.Contains(lad) {
				found = true
				break
			}
		}
		if !found {
			unmatched = append(unmatched, strings.TrimSpace(c))
		}
	}
	if len(unmatched) > 0 {
		lad := "April 2019"
		if edition == 2025 {
			lad = "2024"
		}
		files[0].report.Note("area code(s) %s match no LSOA's local authority in IoD%d, which uses %s local authority codes: check the code",
			strings.Join(unmatched, ", "), edition, lad)
	}
}

// writeCoreIoD replaces core.iod with the joined rows, sorted by LSOA code (step 4).
func writeCoreIoD(ctx context.Context, db *store.DB, files []*iodFile, joined map[string]*iodJoined, edition int) error {
	if _, err := db.Exec(ctx, queries.MustSQL("core.iod")); err != nil {
		return fmt.Errorf("create core.iod: %w", err)
	}
	sources := map[uint64]string{}
	sourceOf := func(mask uint64) string {
		if s, ok := sources[mask]; ok {
			return s
		}
		var labels []string
		seen := map[string]bool{}
		for _, f := range files {
			if mask&(1<<f.idx) != 0 && !seen[f.label] {
				seen[f.label] = true
				labels = append(labels, f.label)
			}
		}
		s := strings.Join(labels, "; ")
		sources[mask] = s
		return s
	}
	codes := sortedIoDCodes(joined)
	return db.Append(ctx, "core", "iod", func(a *duckdb.Appender) error {
		for _, c := range codes {
			j := joined[c]
			text := func(fld iodField) driver.Value {
				if j.set&(1<<fld) == 0 {
					return nil
				}
				return j.text[fld]
			}
			num := func(fld iodField) driver.Value {
				if j.set&(1<<fld) == 0 {
					return nil
				}
				return j.num[fld]
			}
			whole := func(fld iodField) driver.Value {
				if j.set&(1<<fld) == 0 {
					return nil
				}
				return int32(j.num[fld])
			}
			small := func(fld iodField) driver.Value {
				if j.set&(1<<fld) == 0 {
					return nil
				}
				return int16(j.num[fld])
			}
			var numerator, suppressed driver.Value
			if j.set&(1<<fIDACINum) != 0 {
				suppressed = j.suppressed
				if !j.suppressed {
					numerator = int32(j.num[fIDACINum])
				}
			}
			err := a.AppendRow(c, text(fLSOAName), text(fLADCode), text(fLADName), int16(edition),
				num(fIMDScore), whole(fIMDRank), small(fIMDDecile),
				num(fIDACIScore), whole(fIDACIRank), small(fIDACIDecile),
				num(fIDAOPIScore), whole(fIDAOPIRank), small(fIDAOPIDecile),
				numerator, suppressed,
				num(fPopTotal), num(fChildren), num(fPop1659), num(fPop60), num(fPopWorking),
				sourceOf(j.files))
			if err != nil {
				return fmt.Errorf("core.iod %s: %w", c, err)
			}
		}
		return nil
	})
}

// iodValidLSOA reports whether code is prefix ("E01", "W01") followed by 6 digits.
func iodValidLSOA(code, prefix string) bool {
	if len(code) != 9 || code[:3] != prefix {
		return false
	}
	for i := 3; i < 9; i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// iodValidLAD reports whether code looks like an English local authority district code.
func iodValidLAD(code string) bool {
	if len(code) != 9 || code[0] != 'E' || code[1] != '0' || code[2] < '6' || code[2] > '9' {
		return false
	}
	for i := 3; i < 9; i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

func iodHasNonEmpty(ss []string) bool {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return true
		}
	}
	return false
}

// iodFmtInt writes n with thousands separators: 32844 -> "32,844".
func iodFmtInt(n int64) string { return numfmt.Int(n) }

// iodFmtNum writes a number as short as it reads in the file: 619.75, 1296.
func iodFmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
