package datasets

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"hubreach/internal/store"
)

// Real-data files (../shared/data/iod2019, iod2025).
const (
	iod19File1 = "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"
	iod19File3 = "File_3_-_IoD2019_Supplementary_Indices_-_IDACI_and_IDAOPI.csv"
	iod19File6 = "File_6_-_IoD2019_Population_Denominators.csv"
	iod19File7 = "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3__Warrington_only.csv"
	iod19File8 = "File_8_-_IoD2019_Underlying_Indicators__IDACI_IDAOPI_numerators.csv"
	iod25File1 = "File_1_IoD2025_Index_of_Multiple_Deprivation.csv"
	iod25File3 = "File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.csv"
	iod25File8 = "File_8_IoD2025_Underlying_Indicators__IDACI_IDAOPI_numerators.csv"
	iod25File7 = "IoD2025_File7_scores_ranks_deciles_no_IDACI__humaniverse.csv"
)

// iodSharedData returns ../shared/data/<sub> next to the repository root (the folder with
// go.mod), or skips the test when it is absent.
func iodSharedData(t testing.TB, sub string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("real data not found: no go.mod above the package directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", sub)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data not found at %s (the shared data folder is not on this machine)", p)
	}
	return p
}

func iodOpenDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func iodPaths(dir string, names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(dir, n)
	}
	return out
}

// iodReadCSV reads a CSV with encoding/csv, independently of the loader: header and rows.
func iodReadCSV(t *testing.T, path string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return all[0], all[1:]
}

// iodQueryMap runs a two-column query (code, value as text) into a map.
func iodQueryMap(t *testing.T, db *store.DB, q string) map[string]string {
	t.Helper()
	rows, err := db.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k string
		var v *string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		if v == nil {
			out[k] = ""
		} else {
			out[k] = *v
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func iodCount(t *testing.T, db *store.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// iodCompareColumn checks core.iod's column against the text of one CSV column, LSOA by LSOA.
func iodCompareColumn(t *testing.T, db *store.DB, path, header, coreCol string) {
	t.Helper()
	hdr, rows := iodReadCSV(t, path)
	col := -1
	for i, h := range hdr {
		if h == header {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("%s has no column %q", path, header)
	}
	got := iodQueryMap(t, db, "SELECT lsoa_code, CAST("+coreCol+" AS VARCHAR) FROM core.iod")
	bad := 0
	for _, r := range rows {
		g, ok := got[r[0]]
		if ok && iodSameText(r[col], g) {
			continue
		}
		bad++
		if bad <= 3 {
			t.Errorf("%s %s %q: core.iod.%s = %q (present %v), CSV text %q", filepath.Base(path), r[0], header, coreCol, g, ok, r[col])
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values differ from %s", coreCol, bad, len(rows), filepath.Base(path))
	}
}

// iodSameText compares a CSV cell with DuckDB's text of a value: equal text, or equal numbers
// (DuckDB writes 1296.0 for the 1296 of the file).
func iodSameText(a, b string) bool {
	if a == b {
		return true
	}
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && x == y
}

func iodNoteContaining(r *Report, s string) string {
	for _, n := range r.Notes {
		if strings.Contains(n, s) {
			return n
		}
	}
	return ""
}

func TestLoadIoD2019National(t *testing.T) {
	dir := iodSharedData(t, "iod2019")
	ctx := context.Background()
	db := iodOpenDB(t)
	files := iodPaths(dir, iod19File1, iod19File3, iod19File6, iod19File8)
	reps, err := LoadIoD(ctx, db, IoDSpec{Files: files, Area: AreaFilter{Codes: []string{"E08000018"}}})
	if err != nil {
		t.Fatal(err)
	}
	// Rotherham's LSOAs counted from the CSV text, independently of the loader.
	_, f1 := iodReadCSV(t, files[0])
	var rotherham int64
	for _, r := range f1 {
		if r[2] == "E08000018" {
			rotherham++
		}
	}
	if rotherham != 167 {
		t.Fatalf("File 1 text has %d Rotherham LSOAs, the published figure is 167", rotherham)
	}
	wantLabels := []string{"File 1", "File 3", "File 6", "File 8"}
	for i, r := range reps {
		if r.Read != 32844 || r.Loaded != 32844 || r.Rejected != 0 {
			t.Errorf("%s: read %d loaded %d rejected %d, want 32,844 / 32,844 / 0; rejects %v", r.File, r.Read, r.Loaded, r.Rejected, r.Rejects)
		}
		if r.InArea != rotherham || r.OutsideArea != 32844-rotherham {
			t.Errorf("%s: in area %d outside %d, want 167 and %d", r.File, r.InArea, r.OutsideArea, 32844-167)
		}
		if n := iodNoteContaining(r, "read as IoD2019 "+wantLabels[i]+":"); n == "" {
			t.Errorf("%s: not recognised as IoD2019 %s; notes %q", r.File, wantLabels[i], r.Notes)
		}
		if n := iodNoteContaining(r, "disagrees"); n != "" {
			t.Errorf("%s: unexpected disagreement: %s", r.File, n)
		}
		if n := iodNoteContaining(r, "are not in this file"); n != "" {
			t.Errorf("%s: unexpected coverage note: %s", r.File, n)
		}
		if r.SHA256 == "" {
			t.Errorf("%s: no sha256", r.File)
		}
	}
	if n := iodCount(t, db, "SELECT count(*) FROM core.iod"); n != 32844 {
		t.Errorf("core.iod has %d rows, want 32,844", n)
	}
	if n := iodCount(t, db, "SELECT count(DISTINCT lsoa_code) FROM core.iod WHERE edition = 2019"); n != 32844 {
		t.Errorf("core.iod has %d distinct 2019 LSOAs, want 32,844", n)
	}
	if n := iodCount(t, db, "SELECT count(*) FROM core.iod WHERE idaci_numerator_suppressed AND idaci_numerator IS NULL"); n != 4553 {
		t.Errorf("%d suppressed IDACI numerators, want 4,553", n)
	}
	if n := iodCount(t, db, "SELECT count(*) FROM core.iod WHERE lad_code = 'E08000018'"); n != 167 {
		t.Errorf("%d Rotherham rows in core.iod, want 167", n)
	}
	// IDACI ranks have ties in 2019 too (157 pairs; the data README says none): all accepted.
	_, f3 := iodReadCSV(t, files[1])
	distinct := map[string]bool{}
	for _, r := range f3 {
		distinct[r[6]] = true
	}
	if n := iodCount(t, db, "SELECT count(DISTINCT idaci_rank) FROM core.iod WHERE idaci_rank BETWEEN 1 AND 32844"); n != int64(len(distinct)) {
		t.Errorf("IDACI ranks: %d distinct, File 3 text has %d", n, len(distinct))
	}
	if n := iodCount(t, db, "SELECT count(*) FROM core.iod WHERE sources = 'File 1; File 3; File 6; File 8'"); n != 32844 {
		t.Errorf("%d rows name all four files as sources, want 32,844", n)
	}
	if n := iodCount(t, db, "SELECT count(*) FROM core.iod WHERE idaci_score IS NOT NULL OR imd_score IS NOT NULL"); n != 0 {
		t.Errorf("%d rows have scores, but none of Files 1, 3, 6, 8 has any", n)
	}
	for _, tbl := range []string{"raw.iod_file1", "raw.iod_file3", "raw.iod_file6", "raw.iod_file8"} {
		if n := iodCount(t, db, "SELECT count(*) FROM "+tbl); n != 32844 {
			t.Errorf("%s has %d rows, want 32,844", tbl, n)
		}
	}
	if n := iodCount(t, db, "SELECT count(*) FROM raw.load_report WHERE input = 'iod' AND rows_read = 32844 AND rows_rejected = 0 AND in_area = 167"); n != 4 {
		t.Errorf("raw.load_report: %d matching rows, want 4", n)
	}
	// Every value against the CSV text, file by file.
	iodCompareColumn(t, db, files[0], "LSOA name (2011)", "lsoa_name")
	iodCompareColumn(t, db, files[0], "Local Authority District name (2019)", "lad_name")
	iodCompareColumn(t, db, files[0], "Index of Multiple Deprivation (IMD) Rank", "imd_rank")
	iodCompareColumn(t, db, files[0], "Index of Multiple Deprivation (IMD) Decile", "imd_decile")
	iodCompareColumn(t, db, files[1], "Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived)", "idaci_rank")
	iodCompareColumn(t, db, files[1], "Income Deprivation Affecting Children Index (IDACI) Decile (where 1 is most deprived 10% of LSOAs)", "idaci_decile")
	iodCompareColumn(t, db, files[1], "Income Deprivation Affecting Older People (IDAOPI) Rank (where 1 is most deprived)", "idaopi_rank")
	iodCompareColumn(t, db, files[2], "Dependent Children aged 0-15: mid 2015 (excluding prisoners)", "children_0_15")
	iodCompareColumn(t, db, files[2], "Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners)", "pop_working_age")
	iodCompareColumn(t, db, files[3], "Income Deprivation Affecting Children Index (IDACI) numerator", "idaci_numerator")
	// A handful of cells read off the files by eye.
	got := iodQueryMap(t, db, `SELECT lsoa_code, concat_ws('|', lsoa_name, lad_code, imd_rank, idaci_rank, idaci_decile, children_0_15, pop_working_age,
		coalesce(CAST(idaci_numerator AS VARCHAR), 'NULL'), idaci_numerator_suppressed) FROM core.iod WHERE lsoa_code IN ('E01000001', 'E01000002')`)
	want := map[string]string{
		"E01000001": "City of London 001A|E09000001|29199|32806|10|175.0|715.0|NULL|true",
		"E01000002": "City of London 001B|E09000001|30379|29682|10|182.0|619.75|NULL|true",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
}

func TestLoadIoD2019WarringtonFile7(t *testing.T) {
	dir := iodSharedData(t, "iod2019")
	ctx := context.Background()
	f7 := filepath.Join(dir, iod19File7)
	t.Run("alone", func(t *testing.T) {
		db := iodOpenDB(t)
		reps, err := LoadIoD(ctx, db, IoDSpec{Files: []string{f7}, Area: AreaFilter{Codes: []string{"E06000007"}}})
		if err != nil {
			t.Fatal(err)
		}
		r := reps[0]
		if r.Read != 127 || r.Loaded != 127 || r.Rejected != 0 || r.InArea != 127 || r.OutsideArea != 0 {
			t.Errorf("read %d loaded %d rejected %d in %d out %d; rejects %v", r.Read, r.Loaded, r.Rejected, r.InArea, r.OutsideArea, r.Rejects)
		}
		if iodNoteContaining(r, "read as IoD2019 File 7:") == "" {
			t.Errorf("not recognised as File 7: %q", r.Notes)
		}
		if n := iodNoteContaining(r, "core.iod has 127 LSOAs, not all 32,844 in England"); n == "" {
			t.Errorf("no note that the slice is not national: %q", r.Notes)
		}
		if n := iodCount(t, db, "SELECT count(*) FROM core.iod WHERE idaci_score IS NOT NULL AND lad_code = 'E06000007'"); n != 127 {
			t.Errorf("%d IDACI scores, want 127", n)
		}
		iodCompareColumn(t, db, f7, "Income Deprivation Affecting Children Index (IDACI) Score (rate)", "idaci_score")
		iodCompareColumn(t, db, f7, "Index of Multiple Deprivation (IMD) Score", "imd_score")
		iodCompareColumn(t, db, f7, "Income Deprivation Affecting Older People (IDAOPI) Score (rate)", "idaopi_score")
		iodCompareColumn(t, db, f7, "Income Deprivation Affecting Children Index (IDACI) Decile (where 1 is most deprived 10% of LSOAs)", "idaci_decile")
		// The header has a trailing space; the column is still found.
		iodCompareColumn(t, db, f7, "Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners) ", "pop_working_age")
		if s := iodQueryMap(t, db, "SELECT lsoa_code, CAST(idaci_score AS VARCHAR) FROM core.iod WHERE lsoa_code = 'E01012446'")["E01012446"]; s != "0.035" {
			t.Errorf("E01012446 IDACI score %q, want 0.035 (File 7 line 2)", s)
		}
	})
	t.Run("with national files", func(t *testing.T) {
		db := iodOpenDB(t)
		files := append(iodPaths(dir, iod19File1, iod19File3, iod19File6, iod19File8), f7)
		reps, err := LoadIoD(ctx, db, IoDSpec{Files: files})
		if err != nil {
			t.Fatal(err)
		}
		// File 7 repeats IMD and IDACI ranks and deciles and the File 6 denominators. They agree,
		// except that the File 7 CSV rounds File 6's fractional working-age population: count those
		// LSOAs from the text of both files.
		h6, r6 := iodReadCSV(t, files[2])
		h7, r7 := iodReadCSV(t, f7)
		wa6 := map[string]string{}
		for _, r := range r6 {
			wa6[r[0]] = r[len(h6)-1]
		}
		rounded := 0
		for _, r := range r7 {
			if wa6[r[0]] != r[len(h7)-1] {
				rounded++
			}
		}
		if rounded != 92 {
			t.Errorf("%d Warrington LSOAs with rounded working-age population in the text, expected 92", rounded)
		}
		for _, r := range reps {
			if r.Rejected != 0 || r.InArea != -1 {
				t.Errorf("%s: %d rejects, in-area %d (want -1: no area given)", r.File, r.Rejected, r.InArea)
			}
			if n := iodNoteContaining(r, "disagrees"); n != "" {
				t.Errorf("%s: %s", r.File, n)
			}
		}
		want := fmt.Sprintf("working-age population differs from %s only by rounding to whole numbers for %d LSOAs; core.iod keeps the unrounded values, "+
			"e.g. E01012446: 744 on line 2 here, 744.25 on line 12059 there;", files[2], rounded)
		if n := iodNoteContaining(reps[4], "working-age population differs"); !strings.HasPrefix(n, want) {
			t.Errorf("rounding note\n %q\nwant prefix\n %q", n, want)
		}
		if n := iodNoteContaining(reps[4], "32,717 of the 32,844 LSOAs in the files given are not in this file"); n == "" {
			t.Errorf("File 7 coverage note missing: %q", reps[4].Notes)
		}
		if n := iodCount(t, db, "SELECT count(*) FROM core.iod"); n != 32844 {
			t.Errorf("core.iod %d rows", n)
		}
		if n := iodCount(t, db, "SELECT count(*) FROM core.iod WHERE idaci_score IS NOT NULL"); n != 127 {
			t.Errorf("%d IDACI scores, want 127", n)
		}
		if n := iodCount(t, db, "SELECT count(*) FROM core.iod WHERE sources = 'File 1; File 3; File 6; File 8; File 7'"); n != 127 {
			t.Errorf("%d rows sourced from all five files, want 127", n)
		}
		iodCompareColumn(t, db, files[2], h6[len(h6)-1], "pop_working_age")
	})
	t.Run("File 7 before File 6", func(t *testing.T) {
		db := iodOpenDB(t)
		if _, err := LoadIoD(ctx, db, IoDSpec{Files: []string{f7, filepath.Join(dir, iod19File6)}}); err != nil {
			t.Fatal(err)
		}
		// The unrounded File 6 value (744.25, line 12059) wins over File 7's 744 whatever the order.
		if s := iodQueryMap(t, db, "SELECT lsoa_code, CAST(pop_working_age AS VARCHAR) FROM core.iod WHERE lsoa_code = 'E01012446'")["E01012446"]; s != "744.25" {
			t.Errorf("E01012446 working-age population %q, want 744.25", s)
		}
	})
}

func TestLoadIoD2025National(t *testing.T) {
	dir := iodSharedData(t, "iod2025")
	ctx := context.Background()
	db := iodOpenDB(t)
	files := iodPaths(dir, iod25File1, iod25File3, iod25File8, iod25File7)
	reps, err := LoadIoD(ctx, db, IoDSpec{Files: files})
	if err != nil {
		t.Fatal(err)
	}
	labels := []string{"File 1", "File 3", "File 8", "File 7 (subset)"}
	for i, r := range reps {
		if r.Read != 33755 || r.Loaded != 33755 || r.Rejected != 0 {
			t.Errorf("%s: read %d loaded %d rejected %d; first rejects %v", r.File, r.Read, r.Loaded, r.Rejected, r.Rejects[:min(3, len(r.Rejects))])
		}
		if iodNoteContaining(r, "read as IoD2025 "+labels[i]+":") == "" {
			t.Errorf("%s: not recognised as IoD2025 %s: %q", r.File, labels[i], r.Notes)
		}
		if n := iodNoteContaining(r, "disagrees"); n != "" {
			t.Errorf("%s: %s", r.File, n)
		}
	}
	if n := iodCount(t, db, "SELECT count(*) FROM core.iod WHERE edition = 2025"); n != 33755 {
		t.Errorf("core.iod %d rows, want 33,755", n)
	}
	// IDACI ranks have ties (lowest rank to all tied LSOAs): 33,719 distinct values, all accepted.
	if n := iodCount(t, db, "SELECT count(DISTINCT idaci_rank) FROM core.iod"); n != 33719 {
		t.Errorf("%d distinct IDACI ranks, want 33,719", n)
	}
	if n := iodCount(t, db, "SELECT count(*) FROM core.iod WHERE idaci_numerator_suppressed"); n != 815 {
		t.Errorf("%d suppressed numerators, want 815", n)
	}
	if n := iodCount(t, db, "SELECT count(*) FROM core.iod WHERE imd_score IS NOT NULL AND idaci_score IS NULL"); n != 33755 {
		t.Errorf("%d rows with an IMD score and no IDACI score, want 33,755", n)
	}
	if n := iodCount(t, db, "SELECT count(DISTINCT lad_code) FROM core.iod"); n != 296 {
		t.Errorf("%d local authorities, want 296", n)
	}
	iodCompareColumn(t, db, files[1], "Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived)", "idaci_rank")
	iodCompareColumn(t, db, files[1], "Income Deprivation Affecting Children Index (IDACI) Decile (where 1 is most deprived 10% of LSOAs)", "idaci_decile")
	iodCompareColumn(t, db, files[0], "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOA", "imd_decile")
	iodCompareColumn(t, db, files[3], "IMD_score", "imd_score")
	if n := iodNoteContaining(reps[0], "IDACI scores absent"); n == "" {
		t.Errorf("no note that IDACI scores are absent: %q", reps[0].Notes)
	}
}

func TestLoadIoDMixedEditionsRealFiles(t *testing.T) {
	d19, d25 := iodSharedData(t, "iod2019"), iodSharedData(t, "iod2025")
	db := iodOpenDB(t)
	f3, f1 := filepath.Join(d19, iod19File3), filepath.Join(d25, iod25File1)
	_, err := LoadIoD(context.Background(), db, IoDSpec{Files: []string{f3, f1}})
	want := "IoD files mix editions: " + f3 + ` is IoD2019 (header "LSOA code (2011)") but ` + f1 + ` is IoD2025 (header "LSOA code (2021)"); ` +
		"load the files of one edition together (IoD2019 is on 2011 LSOA codes, IoD2025 on 2021 codes)"
	if err == nil || err.Error() != want {
		t.Fatalf("error\n %v\nwant\n %s", err, want)
	}
	if ok, _ := db.TableExists(context.Background(), "core", "iod"); ok {
		t.Error("core.iod was created although the load failed")
	}
}

// iodFixture is a file under testdata/iod.
func iodFixture(name string) string { return filepath.Join("testdata", "iod", name) }

// iodRow is one core.iod row as text ("" for NULL), in column order.
func iodRow(t *testing.T, db *store.DB, code string) string {
	t.Helper()
	var s string
	err := db.QueryRow(context.Background(), `SELECT concat_ws('|', lsoa_code, coalesce(lsoa_name, ''), coalesce(lad_code, ''), coalesce(lad_name, ''), edition,
		coalesce(CAST(imd_score AS VARCHAR), ''), coalesce(CAST(imd_rank AS VARCHAR), ''), coalesce(CAST(imd_decile AS VARCHAR), ''),
		coalesce(CAST(idaci_score AS VARCHAR), ''), coalesce(CAST(idaci_rank AS VARCHAR), ''), coalesce(CAST(idaci_decile AS VARCHAR), ''),
		coalesce(CAST(idaopi_score AS VARCHAR), ''), coalesce(CAST(idaopi_rank AS VARCHAR), ''), coalesce(CAST(idaopi_decile AS VARCHAR), ''),
		coalesce(CAST(idaci_numerator AS VARCHAR), ''), coalesce(CAST(idaci_numerator_suppressed AS VARCHAR), ''),
		coalesce(CAST(pop_total AS VARCHAR), ''), coalesce(CAST(children_0_15 AS VARCHAR), ''), coalesce(CAST(pop_16_59 AS VARCHAR), ''),
		coalesce(CAST(pop_60_plus AS VARCHAR), ''), coalesce(CAST(pop_working_age AS VARCHAR), ''), sources)
		FROM core.iod WHERE lsoa_code = ?`, code).Scan(&s)
	if err != nil {
		t.Fatalf("core.iod %s: %v", code, err)
	}
	return s
}

func TestIoDDecile(t *testing.T) {
	// Decile boundaries as published: the highest rank of each decile in IoD2019 File 1/3 and
	// IoD2025 File 1/3 (measured from the files: 2019 decile 1 = ranks 1..3284, 2 = 3285..6568, ...).
	cases := []struct{ rank, n, want int }{
		{1, 32844, 1}, {3284, 32844, 1}, {3285, 32844, 2}, {6568, 32844, 2}, {6569, 32844, 3},
		{9853, 32844, 3}, {9854, 32844, 4}, {16422, 32844, 5}, {16423, 32844, 6}, {29559, 32844, 9},
		{29560, 32844, 10}, {32844, 32844, 10},
		{3375, 33755, 1}, {3376, 33755, 2}, {10126, 33755, 3}, {10127, 33755, 4}, {16877, 33755, 5},
		{16878, 33755, 6}, {30379, 33755, 9}, {30380, 33755, 10}, {33755, 33755, 10},
	}
	for _, c := range cases {
		if got := IoDDecile(c.rank, c.n); got != c.want {
			t.Errorf("IoDDecile(%d, %d) = %d, want %d", c.rank, c.n, got, c.want)
		}
	}
	if IoDLSOAs(2019) != 32844 || IoDLSOAs(2025) != 33755 || IoDLSOAs(2015) != 0 {
		t.Errorf("IoDLSOAs: %d %d %d", IoDLSOAs(2019), IoDLSOAs(2025), IoDLSOAs(2015))
	}
}

func TestIoDHeaderRecognition(t *testing.T) {
	cases := []struct {
		file    string
		edition int
		label   string
		fields  string // the "read as" note after the label
	}{
		{"f1_2019.csv", 2019, "File 1", "LSOA code, LSOA name, local authority code, local authority name, IMD rank, IMD decile"},
		{"f1_2025.csv", 2025, "File 1", "LSOA code, LSOA name, local authority code, local authority name, IMD rank, IMD decile"},
		{"f3_2019.csv", 2019, "File 3", "LSOA code, LSOA name, local authority code, local authority name, IMD rank, IMD decile, IDACI rank, IDACI decile, IDAOPI rank, IDAOPI decile"},
		{"f6_2019.csv", 2019, "File 6", "LSOA code, LSOA name, local authority code, local authority name, total population, children aged 0-15, population aged 16-59, population aged 60 and over, working-age population"},
		{"f8_2019.csv", 2019, "File 8", "LSOA code, IDACI numerator"},
		{"bad_f5_2019.csv", 2019, "File 5", "LSOA code, LSOA name, local authority code, local authority name, IMD score, IDACI score, IDAOPI score"},
		{"f7_2025_snake.csv", 2025, "File 7 (subset)", "LSOA code, IMD score, IMD rank, IMD decile"},
		{"undated.csv", 0, "File 3", "LSOA code, IDACI rank, IDACI decile"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			f, err := recogniseIoDFile(iodFixture(c.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.csv.Close()
			if f.edition != c.edition || f.label != c.label {
				t.Errorf("edition %d label %q, want %d %q", f.edition, f.label, c.edition, c.label)
			}
			if got := strings.Join(f.fieldLabels(), ", "); got != c.fields {
				t.Errorf("fields\n %s\nwant\n %s", got, c.fields)
			}
		})
	}
}

func TestLoadIoDFixtures(t *testing.T) {
	ctx := context.Background()
	db := iodOpenDB(t)
	files := []string{iodFixture("f1_2019.csv"), iodFixture("f3_2019.csv"), iodFixture("f6_2019.csv"), iodFixture("f8_2019.csv")}
	reps, err := LoadIoD(ctx, db, IoDSpec{Files: files, Area: AreaFilter{Codes: []string{"E08000018"}}})
	if err != nil {
		t.Fatal(err)
	}
	// Every row worked out by hand from the four fixture files.
	want := map[string]string{
		"E01000001": "E01000001|Alpha 001A|E08000018|Rotherham|2019||1|1||3284|1||100|1|55|false|1000.0|200.0|600.0|200.0|619.75|File 1; File 3; File 6; File 8",
		"E01000002": "E01000002|Alpha 001B|E08000018|Rotherham|2019||3285|2||6569|3||32844|10||true|1500.0|450.0|800.0|250.0|900.0|File 1; File 3; File 6; File 8",
		"E01000003": "E01000003|Beta 001A|E06000007|Warrington|2019||16422|5||16423|6||9853|3|10|false|1200.0|150.0|650.0|400.0|700.5|File 1; File 3; File 6; File 8",
		"E01000004": "E01000004|Beta 001B|E06000007|Warrington|2019||32844|10|||||||120|false|1800.0|300.0|1000.0|500.0|1100.0|File 1; File 6; File 8",
		"E01000005": "E01000005|Gamma 001A|E07000001|Somewhere|2019||20000|7||1|1||1|1||||||||File 3",
	}
	for code, w := range want {
		if got := iodRow(t, db, code); got != w {
			t.Errorf("core.iod\n got %s\nwant %s", got, w)
		}
	}
	if n := iodCount(t, db, "SELECT count(*) FROM core.iod"); n != 5 {
		t.Errorf("core.iod has %d rows, want 5", n)
	}
	type acct struct{ read, loaded, rejected, in, out int64 }
	wantAcct := []acct{{4, 4, 0, 2, 2}, {4, 4, 0, 2, 2}, {4, 4, 0, 2, 2}, {4, 4, 0, 2, 2}}
	for i, r := range reps {
		if got := (acct{r.Read, r.Loaded, r.Rejected, r.InArea, r.OutsideArea}); got != wantAcct[i] {
			t.Errorf("%s: accounting %+v, want %+v", r.File, got, wantAcct[i])
		}
	}
	notes := []struct {
		rep  int
		note string
	}{
		{0, "read as IoD2019 File 1: LSOA code, LSOA name, local authority code, local authority name, IMD rank, IMD decile; rows as read in raw.iod_file1"},
		{0, "1 of the 5 LSOAs in the files given are not in this file (or were rejected from it), e.g. E01000005; their File 1 values are NULL in core.iod"},
		{0, "core.iod has 5 LSOAs, not all 32,844 in England: national measures (ranks across England, local authority averages) need national files"},
		{0, "IDACI scores absent: none of the files has an IDACI score (File 3 has ranks and deciles only; scores are in File 5 and File 7), so idaci_score is NULL"},
		{1, "1 of the 5 LSOAs in the files given are not in this file (or were rejected from it), e.g. E01000004; their File 3 values are NULL in core.iod"},
		{3, `1 columns are not part of core.iod and are kept in raw.iod_file8 only, e.g. "Income Deprivation Affecting Older People Index (IDAOPI) numerator"`},
		{3, "IDACI numerators are rounded to 5 by MHCLG and suppressed below 10: 1 empty cells load as idaci_numerator NULL with idaci_numerator_suppressed true; numerator / children is not the IDACI score"},
	}
	for _, n := range notes {
		found := false
		for _, got := range reps[n.rep].Notes {
			found = found || got == n.note
		}
		if !found {
			t.Errorf("%s: note %q missing; notes:\n%s", reps[n.rep].File, n.note, strings.Join(reps[n.rep].Notes, "\n"))
		}
	}
	// raw keeps every row as read, text, with its line number; the header text names the columns.
	var line int64
	var rank, tail string
	err = db.QueryRow(ctx, `SELECT "line", "Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived)", "LSOA name (2011)" FROM raw.iod_file3 WHERE "LSOA code (2011)" = 'E01000005'`).Scan(&line, &rank, &tail)
	if err != nil || line != 5 || rank != "1" || tail != "Gamma 001A" {
		t.Errorf("raw.iod_file3: line %d rank %q name %q err %v, want line 5, \"1\", \"Gamma 001A\"", line, rank, tail, err)
	}
	if n := iodCount(t, db, "SELECT count(*) FROM raw.load_report WHERE input = 'iod'"); n != 4 {
		t.Errorf("raw.load_report has %d IoD rows, want 4", n)
	}

	// Loading again with other files replaces core.iod and the raw copies of the first load.
	if _, err := LoadIoD(ctx, db, IoDSpec{Files: []string{iodFixture("f1_2019.csv")}}); err != nil {
		t.Fatal(err)
	}
	if n := iodCount(t, db, "SELECT count(*) FROM core.iod"); n != 4 {
		t.Errorf("after a reload core.iod has %d rows, want File 1's 4", n)
	}
	if ok, _ := db.TableExists(ctx, "raw", "iod_file3"); ok {
		t.Error("raw.iod_file3 from the earlier load is still there")
	}
}

func TestLoadIoDDisagreement(t *testing.T) {
	db := iodOpenDB(t)
	f1, f3 := iodFixture("f1_2019.csv"), iodFixture("f3_2019_disagree.csv")
	reps, err := LoadIoD(context.Background(), db, IoDSpec{Files: []string{f1, f3}})
	if err != nil {
		t.Fatal(err)
	}
	want := "IMD rank disagrees with " + f1 + " for 1 LSOAs; core.iod keeps the value from " + f1 + ", e.g. E01000002: 3286 on line 3 here, 3285 on line 3 there"
	if got := iodNoteContaining(reps[1], "disagrees"); got != want {
		t.Errorf("note\n %q\nwant\n %q", got, want)
	}
	if reps[1].Rejected != 0 || reps[1].Loaded != 4 {
		t.Errorf("a disagreement is not a reject: %d rejected, %d loaded", reps[1].Rejected, reps[1].Loaded)
	}
	if s := iodQueryMap(t, db, "SELECT lsoa_code, CAST(imd_rank AS VARCHAR) FROM core.iod WHERE lsoa_code = 'E01000002'")["E01000002"]; s != "3285" {
		t.Errorf("imd_rank %q, want File 1's 3285", s)
	}
}

func TestLoadIoDTiedRanks(t *testing.T) {
	db := iodOpenDB(t)
	p := iodFixture("f3_2025_ties.csv")
	reps, err := LoadIoD(context.Background(), db, IoDSpec{Files: []string{p}})
	if err != nil {
		t.Fatal(err)
	}
	r := reps[0]
	// Two LSOAs share IDACI rank 3375, the last rank of decile 1 (floor(33755/10)): they fill
	// positions 3375 and 3376, so decile 1 and decile 2 are both right for them. Rank 3378
	// (untied) can only be decile 2.
	if r.Read != 4 || r.Loaded != 3 || r.Rejected != 1 {
		t.Fatalf("read %d loaded %d rejected %d, want 4/3/1; rejects %v", r.Read, r.Loaded, r.Rejected, r.Rejects)
	}
	want := p + ` line 5, column "Income Deprivation Affecting Children Index (IDACI) Decile (where 1 is most deprived 10% of LSOAs)": value "1": ` +
		"IDACI decile 1 does not match IDACI rank 3378: rank 3378 of 33,755 is in decile 2"
	if got := r.Rejects[0].Error(); got != want {
		t.Errorf("reject\n %s\nwant\n %s", got, want)
	}
}

func TestLoadIoDBadRows(t *testing.T) {
	cases := []struct {
		file                   string
		read, loaded, rejected int64
		rejects                []string // Reject.Error() after the file name
	}{
		{"bad_f3_2019.csv", 12, 1, 11, []string{
			`line 3, column "LSOA code (2011)": value "E0100002": LSOA code "E0100002" does not exist: expected E01 followed by 6 digits`,
			`line 4, column "LSOA code (2011)": value "E01000001": LSOA code E01000001 appears twice in this file, on lines 2 and 4: the row on line 2 was kept`,
			`line 5, column "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)": value "40000": IMD rank 40000 is out of range: IoD2019 ranks run from 1 (most deprived) to 32,844`,
			`line 6, column "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)": value "11": IMD decile 11 is out of range: deciles run from 1 (most deprived 10%) to 10`,
			`line 7, column "Income Deprivation Affecting Children Index (IDACI) Decile (where 1 is most deprived 10% of LSOAs)": value "3": IDACI decile 3 does not match IDACI rank 100: rank 100 of 32,844 is in decile 1`,
			`line 8: value "E01000006,Gamma 001B,E07000001,Somewhere,20000,7": the row has 6 fields but the header has 10 columns`,
			`line 9, column "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)": value "12a": IMD rank "12a" is not a whole number: expected a rank from 1 (most deprived) to 32,844`,
			`line 10: the row is empty`,
			`line 11, column "Local Authority District code (2019)": value "E1000001": local authority code "E1000001" is not valid: expected E06, E07, E08 or E09 followed by 6 digits`,
			`line 12, column "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)": value "2.5": IMD rank "2.5" is not a whole number: expected a rank from 1 (most deprived) to 32,844`,
			`line 13, column "Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived)": value "0": IDACI rank 0 is out of range: IoD2019 ranks run from 1 (most deprived) to 32,844; ` +
				`also column "Income Deprivation Affecting Older People (IDAOPI) Decile (where 1 is most deprived 10% of LSOAs)", value "0": IDAOPI decile 0 is out of range: deciles run from 1 (most deprived 10%) to 10`,
		}},
		{"bad_f6_2019.csv", 5, 1, 4, []string{
			`line 3, column "Dependent Children aged 0-15: mid 2015 (excluding prisoners)": value "-5": children aged 0-15 -5 is negative: a population count must be 0 or more`,
			`line 4, column "Total population: mid 2015 (excluding prisoners)": value "1,200": total population "1,200" is not a number`,
			`line 5, column "Total population: mid 2015 (excluding prisoners)": value "1900": the age groups add up to 1800 (children aged 0-15 300 + aged 16-59 1000 + aged 60 and over 500) but the total population is 1900`,
			`line 6, column "Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners)": the working-age population is empty: expected a number`,
		}},
		{"bad_f8_2019.csv", 5, 1, 4, []string{
			`line 3, column "Income Deprivation Affecting Children Index (IDACI) numerator": value "12.5": IDACI numerator "12.5" is not a whole number: expected a count of children (an empty cell means suppressed)`,
			`line 4, column "Income Deprivation Affecting Children Index (IDACI) numerator": value "-5": IDACI numerator -5 is negative: a count of children must be 0 or more`,
			`line 5, column "Income Deprivation Affecting Children Index (IDACI) numerator": value "abc": IDACI numerator "abc" is not a whole number: expected a count of children (an empty cell means suppressed)`,
			`line 6, column "LSOA code (2011)": value "e01000005": LSOA code "e01000005" does not exist: expected E01 followed by 6 digits`,
		}},
		{"bad_f5_2019.csv", 6, 1, 5, []string{
			`line 3, column "Income Deprivation Affecting Children Index (IDACI) Score (rate)": value "1.2": IDACI score 1.2 is out of range: it is a proportion, from 0 to 1`,
			`line 4, column "Index of Multiple Deprivation (IMD) Score": value "120": IMD score 120 is out of range: IMD scores run from 0 to 100`,
			`line 5, column "Income Deprivation Affecting Older People (IDAOPI) Score (rate)": value "n/a": IDAOPI score "n/a" is not a number`,
			`line 6, column "Income Deprivation Affecting Children Index (IDACI) Score (rate)": value "-0.1": IDACI score -0.1 is out of range: it is a proportion, from 0 to 1`,
			`line 7: the row cannot be split into fields (extraneous or missing " in quoted-field): check its quotes`,
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			ctx := context.Background()
			db := iodOpenDB(t)
			p := iodFixture(c.file)
			reps, err := LoadIoD(ctx, db, IoDSpec{Files: []string{p}})
			if err != nil {
				t.Fatal(err)
			}
			r := reps[0]
			if r.Read != c.read || r.Loaded != c.loaded || r.Rejected != c.rejected {
				t.Errorf("read %d loaded %d rejected %d, want %d/%d/%d", r.Read, r.Loaded, r.Rejected, c.read, c.loaded, c.rejected)
			}
			for i, w := range c.rejects {
				w = p + " " + w
				if i >= len(r.Rejects) {
					t.Errorf("reject %d missing: want %s", i, w)
					continue
				}
				if got := r.Rejects[i].Error(); got != w {
					t.Errorf("reject %d\n got %s\nwant %s", i, got, w)
				}
			}
			for _, extra := range r.Rejects[min(len(r.Rejects), len(c.rejects)):] {
				t.Errorf("unexpected reject %s", extra.Error())
			}
			// Bad rows never disappear: they are in raw.rejects, and every row as read is in raw.
			if n := iodCount(t, db, "SELECT count(*) FROM raw.rejects WHERE input = 'iod' AND file = ?", p); n != c.rejected {
				t.Errorf("raw.rejects has %d rows, want %d", n, c.rejected)
			}
			if n := iodCount(t, db, "SELECT count(*) FROM core.iod"); n != c.loaded {
				t.Errorf("core.iod has %d rows, want %d", n, c.loaded)
			}
		})
	}
}

func TestLoadIoDEncodings(t *testing.T) {
	cases := []struct {
		file, code, want string
	}{
		// UTF-8 with a byte-order mark and CRLF line ends.
		{"bom_crlf_f1_2019.csv", "E01000001", "E01000001|Café Quarter 001A|E08000018|Rotherham|2019||1|1||||||||||||||File 1"},
		// Windows-1252 (é = E9, ’ = 92, which Latin-1 does not have) and ';' between fields.
		{"cp1252_semicolon_f1_2019.csv", "E01000001", "E01000001|Café 001A|E07000146|King’s Lynn and West Norfolk|2019||1|1||||||||||||||File 1"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			db := iodOpenDB(t)
			reps, err := LoadIoD(context.Background(), db, IoDSpec{Files: []string{iodFixture(c.file)}, Area: AreaFilter{Codes: []string{"E07000146"}}})
			if err != nil {
				t.Fatal(err)
			}
			if r := reps[0]; r.Read != 2 || r.Loaded != 2 || r.Rejected != 0 {
				t.Errorf("read %d loaded %d rejected %d; %v", r.Read, r.Loaded, r.Rejected, r.Rejects)
			}
			if got := iodRow(t, db, c.code); got != c.want {
				t.Errorf("core.iod\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestLoadIoDUnusableFiles(t *testing.T) {
	f1 := iodFixture("f1_2019.csv")
	cases := []struct {
		name string
		spec IoDSpec
		want string
	}{
		{"no files", IoDSpec{}, "no Indices of Deprivation files given"},
		{"unknown edition", IoDSpec{Files: []string{f1}, Edition: 2015}, "IoD edition 2015 is not supported: hubreach reads the 2019 and 2025 editions"},
		{"missing file", IoDSpec{Files: []string{iodFixture("nope.csv")}}, "open " + iodFixture("nope.csv") + ": no such file or directory"},
		{"empty file", IoDSpec{Files: []string{f1, iodFixture("empty.csv")}},
			iodFixture("empty.csv") + ": the file is empty (expected a header line and data rows)"},
		{"header only", IoDSpec{Files: []string{iodFixture("header_only.csv")}},
			iodFixture("header_only.csv") + ": the file has a header but no data rows"},
		{"no LSOA code column", IoDSpec{Files: []string{iodFixture("no_code.csv")}},
			iodFixture("no_code.csv") + ` line 1: required column "LSOA code" is missing (accepted names: "LSOA code (2011)", "LSOA code (2021)", "LSOA code", ` +
				`"lsoa11cd", "lsoa21cd", "lsoa11_code", "lsoa21_code", "lsoa_code", "lsoa"); the header has: "Area code", "Index of Multiple Deprivation (IMD) Rank"`},
		{"no IoD column", IoDSpec{Files: []string{iodFixture("no_iod_columns.csv")}},
			iodFixture("no_iod_columns.csv") + ` line 1: no Indices of Deprivation column recognised: expected at least one IMD, IDACI or IDAOPI score, rank or decile ` +
				`(e.g. "Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived)"), an IDACI numerator or a population denominator ` +
				`(e.g. "Dependent Children aged 0-15: mid 2015 (excluding prisoners)"); the header has: "LSOA code (2011)", "Population", "Notes"`},
		{"mixed editions", IoDSpec{Files: []string{f1, iodFixture("f8_2019.csv"), iodFixture("f1_2025.csv")}},
			"IoD files mix editions: " + f1 + ` is IoD2019 (header "LSOA code (2011)") but ` + iodFixture("f1_2025.csv") + ` is IoD2025 (header "LSOA code (2021)"); ` +
				"load the files of one edition together (IoD2019 is on 2011 LSOA codes, IoD2025 on 2021 codes)"},
		{"edition asked differs", IoDSpec{Files: []string{f1}, Edition: 2025},
			f1 + ` is IoD2019 (header "LSOA code (2011)") but edition 2025 was asked for`},
		{"edition unknown", IoDSpec{Files: []string{iodFixture("undated.csv")}},
			iodFixture("undated.csv") + `: cannot tell which edition of the Indices of Deprivation this is: the LSOA code column "LSOA code" has no year ` +
				"(2011 for IoD2019, 2021 for IoD2025); set the edition (2019 or 2025)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := iodOpenDB(t)
			reps, err := LoadIoD(context.Background(), db, c.spec)
			if err == nil || err.Error() != c.want {
				t.Fatalf("error\n %v\nwant\n %s", err, c.want)
			}
			if reps != nil {
				t.Errorf("reports returned with an error")
			}
			if ok, _ := db.TableExists(context.Background(), "core", "iod"); ok {
				t.Error("core.iod was written although the load failed")
			}
		})
	}
	// The undated file loads once the edition is given.
	db := iodOpenDB(t)
	reps, err := LoadIoD(context.Background(), db, IoDSpec{Files: []string{iodFixture("undated.csv")}, Edition: 2019})
	if err != nil || reps[0].Loaded != 2 {
		t.Fatalf("undated file with edition 2019: %v", err)
	}
}
