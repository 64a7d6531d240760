package datasets

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/ipc"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"

	"hubreach/internal/store"
	"hubreach/queries"
)

// suToday is the run date of the service-use tests.
var suToday = time.Date(2025, 1, 31, 15, 0, 0, 0, time.UTC)

// suResolver stands in for the LSOA boundaries: every point within 5 km of BNG (442000, 392000)
// is in E01000002; elsewhere there is no LSOA.
func suResolver(x, y float64) (string, bool) {
	if math.Hypot(x-442000, y-392000) <= 5000 {
		return "E01000002", true
	}
	return "", false
}

// suSetup loads the hand-made postcodes and hubs (H1, H2, H3) and an IoD table with three LSOAs.
func suSetup(t testing.TB) *store.DB {
	t.Helper()
	ctx := context.Background()
	db := siteOpenDB(t)
	if _, err := LoadPostcodes(ctx, db, siteFixture("postcodes.csv")); err != nil {
		t.Fatal(err)
	}
	if rep, err := LoadSites(ctx, db, SiteSpec{Path: siteFixture("hubs.csv"), Role: RoleHub}); err != nil || rep.Loaded != 3 {
		t.Fatalf("hubs: %v", err)
	}
	if _, err := db.Exec(ctx, queries.MustSQL("core.iod")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO core.iod (lsoa_code, edition) VALUES ('E01000001', 2019), ('E01000002', 2019), ('E01000003', 2019)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func suFixture(name string) string { return filepath.Join("testdata", "serviceuse", name) }

type suContact struct {
	person, date, service, venue, lsoa string
	age                                int64 // -1 = NULL
}

func suContacts(t *testing.T, db *store.DB, file string) map[int64]suContact {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT line, person_id, strftime(contact_date, '%Y-%m-%d'), coalesce(service, ''),
		coalesce(venue_id, ''), coalesce(home_lsoa, ''), coalesce(child_age_months, -1) FROM core.contact WHERE source_file = ?`, file)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]suContact{}
	for rows.Next() {
		var line int64
		var c suContact
		if err := rows.Scan(&line, &c.person, &c.date, &c.service, &c.venue, &c.lsoa, &c.age); err != nil {
			t.Fatal(err)
		}
		out[line] = c
	}
	return out
}

func suContactsEqual(t *testing.T, got, want map[int64]suContact) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d contacts loaded, want %d: %v", len(got), len(want), got)
	}
	for line, w := range want {
		if g, ok := got[line]; !ok || g != w {
			t.Errorf("line %d: got %+v, want %+v", line, g, w)
		}
	}
}

func TestLoadServiceUseCSV(t *testing.T) {
	ctx := context.Background()
	db := suSetup(t)
	path := suFixture("contacts.csv")
	rep, err := LoadServiceUse(ctx, db, ServiceUseSpec{Path: path, Today: suToday, ResolveLSOA: suResolver})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Input != "service_use" || rep.Read != 19 || rep.Loaded != 6 || rep.Rejected != 13 {
		t.Errorf("%s: read %d loaded %d rejected %d, want service_use 19, 6, 13", rep.Input, rep.Read, rep.Loaded, rep.Rejected)
	}
	siteRejectsEqual(t, rep.Rejects, []Reject{
		{Line: 6, Column: "contact_date", Value: "2031-01-01", Reason: "contact date is in the future (after 2025-01-31, the run date)"},
		{Line: 7, Column: "contact_date", Value: "2024-02-30", Reason: "not a date (expected YYYY-MM-DD, or DD/MM/YYYY)"},
		{Line: 8, Column: "venue_id", Value: "HX", Reason: "unknown venue: not the id of a hub in core.site (3 hubs loaded)"},
		{Line: 9, Column: "home_lsoa, home_postcode", Reason: "missing home location: give the home LSOA code or the home postcode"},
		{Line: 10, Column: "home_lsoa", Value: "E01999999", Reason: "unknown LSOA code: not in core.iod (LSOA 2011 and 2021 codes differ: check the extract uses the same edition)"},
		{Line: 11, Column: "home_lsoa", Value: "E1234", Reason: "not an LSOA code (expected E01 or W01 and 6 digits)"},
		{Line: 12, Column: "home_postcode", Value: "S60 …", Reason: "postcode not found in the postcode lookup (Code-Point Open 2014 is old: newer postcodes are missing)"},
		{Line: 13, Column: "child_age_months", Value: "-3", Reason: "negative age"},
		{Line: 14, Column: "child_age_months", Value: "301", Reason: "age over 25 years: not a child's age"},
		{Line: 15, Column: "dob_month", Value: "<date of birth withheld>", Reason: "negative age: the date of birth is after the contact date"},
		{Line: 16, Column: "person_id", Reason: "person id is empty"},
		{Line: 17, Column: "home_postcode", Value: "<postcode withheld>", Reason: "home postcode is not a UK postcode"},
		{Line: 18, Column: "home_postcode", Value: "LE15 …", Reason: "home postcode lies outside every loaded LSOA boundary (outside the area and its buffer)"},
	})
	suContactsEqual(t, suContacts(t, db, path), map[int64]suContact{
		2: {"P001", "2024-03-05", "Stay and play", "H1", "E01000001", 18},
		// DD/MM/YYYY; LSOA from the postcode S60 1AE (442564, 392661); born 2023-01 → 14 months in 2024-03.
		3:  {"P002", "2024-03-05", "Health visiting", "H2", "E01000002", 14},
		4:  {"P003", "2024-03-05", "Stay and play", "H1", "E01000001", 0},  // time of day ignored
		5:  {"P001", "2024-03-05", "Stay and play", "H1", "E01000001", 18}, // repeats line 2: loaded, noted
		19: {"P016", "2024-03-05", "", "", "E01000003", -1},
		20: {"P017", "2025-01-31", "Stay and play", "H3", "E01000002", 300}, // the run date itself is not the future
	})
	for _, n := range []string{
		"1 rows repeat an earlier row (same person, date, service and venue): loaded, not rejected; count distinct people or contacts as the measure needs",
		"1 rows placed in an LSOA from the home postcode (postcodes are not stored)",
	} {
		if !siteHasNote(rep, n) {
			t.Errorf("missing note %q in %q", n, rep.Notes)
		}
	}
	// Nothing identifying in the saved rejects or notes.
	var leaked int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM raw.rejects WHERE input = 'service_use' AND
		(value LIKE '%P0%' OR reason LIKE '%P0%' OR value LIKE '%9ZZ%' OR value LIKE '%XYZ%' OR value LIKE '%6AA%' OR value LIKE '%2025-01%')`).Scan(&leaked); err != nil || leaked != 0 {
		t.Errorf("%d rejects show a person id, postcode or birth month (err %v)", leaked, err)
	}
	for _, n := range rep.Notes {
		if strings.Contains(n, "P0") {
			t.Errorf("note names a person: %q", n)
		}
	}
	var saved int64
	db.QueryRow(ctx, "SELECT rows_read FROM raw.load_report WHERE input = 'service_use' AND file = ?", path).Scan(&saved)
	if saved != 19 {
		t.Errorf("raw.load_report rows_read = %d, want 19", saved)
	}
	// Loading again replaces the file's rows.
	if _, err := LoadServiceUse(ctx, db, ServiceUseSpec{Path: path, Today: suToday, ResolveLSOA: suResolver}); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.Count(ctx, "core.contact"); n != 6 {
		t.Errorf("after reloading, core.contact has %d rows, want 6", n)
	}
}

func TestLoadServiceUseWithoutResolverOrReferenceTables(t *testing.T) {
	ctx := context.Background()
	db := siteOpenDB(t)
	if _, err := LoadPostcodes(ctx, db, siteFixture("postcodes.csv")); err != nil {
		t.Fatal(err)
	}
	path := suFixture("contacts.csv")
	rep, err := LoadServiceUse(ctx, db, ServiceUseSpec{Path: path, Today: suToday})
	if err != nil {
		t.Fatal(err)
	}
	// No hubs: venues are not checked (HX loads); no IoD or LSOA table: E01999999 loads;
	// no resolver: S60 1AE cannot be placed in an LSOA.
	byLine := map[int64]Reject{}
	for _, r := range rep.Rejects {
		byLine[r.Line] = r
	}
	if _, ok := byLine[8]; ok {
		t.Errorf("line 8 (venue HX) rejected without hubs: %v", byLine[8])
	}
	if _, ok := byLine[10]; ok {
		t.Errorf("line 10 (E01999999) rejected without LSOA tables: %v", byLine[10])
	}
	want := "home postcode cannot be placed in an LSOA: no LSOA boundaries were given to resolve postcodes (give the home LSOA code, or load LSOA boundaries)"
	if r := byLine[3]; r.Reason != want || r.Value != "S60 …" {
		t.Errorf("line 3: %+v, want reason %q and value \"S60 …\"", r, want)
	}
	for _, n := range []string{
		"venues not checked: no hub sites are loaded (core.site has no hubs)",
		"home LSOA codes checked for shape only: neither core.iod nor core.lsoa is loaded",
	} {
		if !siteHasNote(rep, n) {
			t.Errorf("missing note %q in %q", n, rep.Notes)
		}
	}
}

// suRecord builds a record batch of contacts with typed columns.
func suRecord(t testing.TB, persons []string, dates []*time.Time, venues, lsoas []string, ages []int32, ageValid []bool) arrow.Record {
	t.Helper()
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "person_id", Type: arrow.BinaryTypes.String},
		{Name: "contact_date", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "service", Type: arrow.BinaryTypes.String},
		{Name: "venue_id", Type: arrow.BinaryTypes.String},
		{Name: "home_lsoa", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "child_age_months", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := range persons {
		b.Field(0).(*array.StringBuilder).Append(persons[i])
		if dates[i] == nil {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.Date32Builder).Append(arrow.Date32FromTime(*dates[i]))
		}
		b.Field(2).(*array.StringBuilder).Append("Stay and play")
		b.Field(3).(*array.StringBuilder).Append(venues[i])
		if lsoas[i] == "" {
			b.Field(4).AppendNull()
		} else {
			b.Field(4).(*array.StringBuilder).Append(lsoas[i])
		}
		if ageValid[i] {
			b.Field(5).(*array.Int32Builder).Append(ages[i])
		} else {
			b.Field(5).AppendNull()
		}
	}
	return b.NewRecord()
}

func suWriteParquet(t testing.TB, path string, rec arrow.Record, rowGroup int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(rec.Schema(), f, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(rowGroup)), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil { // closes f
		t.Fatal(err)
	}
}

func suDate(y, m, d int) *time.Time {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return &t
}

func TestLoadServiceUseParquetAndArrow(t *testing.T) {
	rec := suRecord(t,
		[]string{"P101", "P102", "P103", "P104", "P105", "P106", "P107"},
		[]*time.Time{suDate(2024, 6, 1), suDate(2030, 6, 1), suDate(2024, 6, 1), nil, suDate(2024, 6, 2), suDate(2024, 6, 3), suDate(2024, 6, 3)},
		[]string{"H1", "H1", "HX", "H1", "H1", "H2", "H2"},
		[]string{"E01000001", "E01000001", "E01000001", "E01000001", "", "E01000003", "E01000003"},
		[]int32{24, 24, 24, 24, 24, 0, -1},
		[]bool{true, true, true, true, true, false, true})
	defer rec.Release()
	wantRejects := []Reject{
		{Line: 2, Column: "contact_date", Value: "2030-06-01", Reason: "contact date is in the future (after 2025-01-31, the run date)"},
		{Line: 3, Column: "venue_id", Value: "HX", Reason: "unknown venue: not the id of a hub in core.site (3 hubs loaded)"},
		{Line: 4, Column: "contact_date", Reason: "contact date is empty"},
		{Line: 5, Column: "home_lsoa", Reason: "missing home location: give the home LSOA code or the home postcode"},
		{Line: 7, Column: "child_age_months", Value: "-1", Reason: "negative age"},
	}
	wantRows := map[int64]suContact{
		1: {"P101", "2024-06-01", "Stay and play", "H1", "E01000001", 24},
		6: {"P106", "2024-06-03", "Stay and play", "H2", "E01000003", -1},
	}
	dir := t.TempDir()
	pq := filepath.Join(dir, "contacts.parquet")
	suWriteParquet(t, pq, rec, 3) // three row groups
	arrowFile := filepath.Join(dir, "contacts.arrow")
	f, err := os.Create(arrowFile)
	if err != nil {
		t.Fatal(err)
	}
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(rec.Schema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec.NewSlice(0, 4)); err != nil { // two batches
		t.Fatal(err)
	}
	if err := w.Write(rec.NewSlice(4, 7)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	f.Close()
	arrowStream := filepath.Join(dir, "contacts.arrows")
	if f, err = os.Create(arrowStream); err != nil {
		t.Fatal(err)
	}
	sw := ipc.NewWriter(f, ipc.WithSchema(rec.Schema()))
	if err := sw.Write(rec); err != nil {
		t.Fatal(err)
	}
	sw.Close()
	f.Close()

	for _, c := range []struct {
		path  string
		batch int
	}{{pq, 2}, {pq, 0}, {arrowFile, 0}, {arrowStream, 0}} {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			db := suSetup(t)
			rep, err := LoadServiceUse(context.Background(), db, ServiceUseSpec{Path: c.path, Today: suToday, BatchSize: c.batch})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Read != 7 || rep.Loaded != 2 || rep.Rejected != 5 {
				t.Errorf("read %d loaded %d rejected %d, want 7, 2, 5", rep.Read, rep.Loaded, rep.Rejected)
			}
			siteRejectsEqual(t, rep.Rejects, wantRejects)
			suContactsEqual(t, suContacts(t, db, c.path), wantRows)
		})
	}
}

func TestLoadServiceUseFileErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	// A Parquet file without a contact date column.
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "person_id", Type: arrow.BinaryTypes.String},
		{Name: "service", Type: arrow.BinaryTypes.String},
		{Name: "home_lsoa", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	b.Field(0).(*array.StringBuilder).Append("P1")
	b.Field(1).(*array.StringBuilder).Append("Stay and play")
	b.Field(2).(*array.StringBuilder).Append("E01000001")
	rec := b.NewRecord()
	b.Release()
	noDate := filepath.Join(dir, "no_date.parquet")
	suWriteParquet(t, noDate, rec, 100)
	rec.Release()

	binary := filepath.Join(dir, "contacts.dat")
	os.WriteFile(binary, []byte{0x00, 0x01, 0x02, 0x03, 'a', 'b', 0x00, 0xFF}, 0o644)
	xlsx := filepath.Join(dir, "contacts.xlsx")
	os.WriteFile(xlsx, []byte("PK\x03\x04\x14\x00\x06\x00[Content_Types].xml"), 0o644)
	truncated := filepath.Join(dir, "truncated.parquet")
	os.WriteFile(truncated, []byte("PAR1 and then nothing useful"), 0o644)
	noHome := filepath.Join(dir, "no_home.csv")
	os.WriteFile(noHome, []byte("person_id,contact_date,venue_id\nP1,2024-01-01,H1\n"), 0o644)
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, nil, 0o644)

	cases := []struct{ name, path, want string }{
		{"parquet missing column", noDate, "service use: " + noDate + `: required column "contact_date" is missing from the Parquet schema (accepted names: "contact_date", "date", "attendance_date", "session_date", "visit_date", "event_date"); the file has: "person_id", "service", "home_lsoa"`},
		{"csv missing column", suFixture("no_date.csv"), "service use: " + suFixture("no_date.csv") + ` line 1: required column "contact_date" is missing (accepted names: "contact_date", "date", "attendance_date", "session_date", "visit_date", "event_date"); the header has: "person_id", "service", "home_lsoa"`},
		{"csv no home location", noHome, "service use: " + noHome + ` line 1: required column "home_lsoa or home_postcode" is missing (accepted names: "home_lsoa", "home_lsoa_code", "lsoa", "lsoa_code", "lsoa11cd", "lsoa21cd", "lsoa11", "lsoa21", "home_postcode", "postcode", "post_code", "pcd"); the header has: "person_id", "contact_date", "venue_id"`},
		{"binary", binary, "service use: " + binary + ": neither CSV nor Parquet: the content is binary (expected a CSV text file with a header line, or a Parquet file)"},
		{"excel", xlsx, "service use: " + xlsx + `: neither CSV nor Parquet: it is a zip archive, perhaps an Excel workbook; save the sheet as "CSV UTF-8" (expected a CSV text file with a header line, or a Parquet file)`},
		{"empty", empty, "service use: " + empty + ": the file is empty (expected a header line and data rows)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := siteOpenDB(t)
			_, err := LoadServiceUse(ctx, db, ServiceUseSpec{Path: c.path, Today: suToday})
			if err == nil || err.Error() != c.want {
				t.Errorf("got  %v\nwant %s", err, c.want)
			}
			// A failed load leaves nothing behind.
			if ok, _ := db.TableExists(ctx, "core", "contact"); ok {
				if n, _ := db.Count(ctx, "core.contact"); n != 0 {
					t.Errorf("core.contact has %d rows after a failed load", n)
				}
			}
		})
	}
	t.Run("truncated parquet", func(t *testing.T) {
		db := siteOpenDB(t)
		_, err := LoadServiceUse(ctx, db, ServiceUseSpec{Path: truncated, Today: suToday})
		if want := "service use: " + truncated + ": not a readable Parquet file: "; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("got %v, want prefix %q", err, want)
		}
	})
}

func TestParseDate(t *testing.T) {
	cases := []struct {
		in   string
		want string // "" = not a date
	}{
		{"2024-03-05", "2024-03-05"},
		{"2024-02-29", "2024-02-29"}, // leap year
		{"2023-02-29", ""},
		{"1900-02-29", ""}, // not a leap year (divisible by 100)
		{"2000-02-29", "2000-02-29"},
		{"2024-03-05T23:59:59Z", "2024-03-05"},
		{"2024-03-05 08:00", "2024-03-05"},
		{"05/03/2024", "2024-03-05"}, // UK order: 5 March
		{"5/3/2024", "2024-03-05"},
		{"31/12/2024 10:00", "2024-12-31"},
		{"12/31/2024", ""}, // US order is not a UK date
		{"2024-13-01", ""},
		{"2024-3-5", ""},
		{"05/03/24", ""},
		{"yesterday", ""},
		{"", ""},
	}
	for _, c := range cases {
		d, ok := parseDate(c.in)
		got := ""
		if ok {
			got = formatDays(d)
			// cross-check with the standard library
			if tm, err := time.Parse("2006-01-02", got); err != nil || int64(d) != tm.Unix()/86400 {
				t.Errorf("parseDate(%q) = day %d, time.Parse says %v", c.in, d, tm)
			}
		}
		if got != c.want {
			t.Errorf("parseDate(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, day := range []int32{-1, 0, 59, 10_956, 19_787, 47_482} {
		y, m, d := civilFromDays(day)
		if want := time.Unix(int64(day)*86400, 0).UTC(); y != want.Year() || m != int(want.Month()) || d != want.Day() || daysFromCivil(y, m, d) != day {
			t.Errorf("civilFromDays(%d) = %d-%d-%d, want %s", day, y, m, d, want.Format("2006-01-02"))
		}
	}
}

func TestHashSetAgainstMap(t *testing.T) {
	var s hashSet
	ref := map[uint64]bool{}
	x := uint64(88172645463325252)
	for i := 0; i < 300_000; i++ { // grows several times past the first 65,536 slots
		x ^= x << 13 // xorshift64: a fixed sequence
		x ^= x >> 7
		x ^= x << 17
		k := x % 200_000 // small keys, about a third repeated, 0 and 1 among them
		if i%1000 == 0 {
			k = uint64(i/1000) % 3
		}
		if got := s.insert(k); got != ref[k] {
			t.Fatalf("step %d: insert(%d) says present = %v, want %v", i, k, got, ref[k])
		}
		ref[k] = true
	}
	if n := s.n + map[bool]int{true: 1}[s.zero]; n != len(ref) {
		t.Errorf("%d keys in the set, want %d", n, len(ref))
	}
}
