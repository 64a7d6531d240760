package datasets

import (
	"context"
	"path/filepath"
	"testing"

	"hubreach/internal/store"
)

// siteOpenDB opens an empty database in a temporary folder.
func siteOpenDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// siteRejectsEqual compares a report's rejects with the expected ones (line, column, value, reason).
func siteRejectsEqual(t *testing.T, got []Reject, want []Reject) {
	t.Helper()
	if len(got) != len(want) {
		for _, g := range got {
			t.Logf("got reject: %s", g.Error())
		}
		t.Fatalf("%d rejects, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Line != w.Line || g.Column != w.Column || g.Value != w.Value || g.Reason != w.Reason {
			t.Errorf("reject %d:\n got line %d column %q value %q reason %q\nwant line %d column %q value %q reason %q",
				i, g.Line, g.Column, g.Value, g.Reason, w.Line, w.Column, w.Value, w.Reason)
		}
	}
}

func TestNormalisePostcode(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"S1  1AA", "S11AA", true}, // Code-Point's fixed-width form
		{"s60 1ae", "S601AE", true},
		{" S60 1AE ", "S601AE", true},
		{"S601AE", "S601AE", true},
		{"LE15 6AA", "LE156AA", true},
		{"PE9 3AA", "PE93AA", true},
		{"M1 1AE", "M11AE", true},     // A9
		{"B33 8TH", "B338TH", true},   // A99
		{"W1A 0AX", "W1A0AX", true},   // A9A
		{"CR2 6XH", "CR26XH", true},   // AA9
		{"DN55 1PT", "DN551PT", true}, // AA99
		{"EC1A 1BB", "EC1A1BB", true}, // AA9A
		{"gir 0aa", "GIR0AA", true},   // the one special case
		{"", "", false},
		{"S60", "S60", false},
		{"S60 1A3", "S601A3", false},   // inward code must be digit, letter, letter
		{"SS 1AA", "SS1AA", false},     // outward code needs a digit
		{"123 4AB", "1234AB", false},   // and must start with a letter
		{"S60 1AEX", "S601AEX", false}, // too long
		{"ABC1 1AA", "ABC11AA", false}, // three letters
		{"S60-1AE", "S60-1AE", false},  // punctuation is not removed
	}
	for _, c := range cases {
		got, ok := NormalisePostcode(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("NormalisePostcode(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestLoadPostcodesFixture(t *testing.T) {
	ctx := context.Background()
	db := siteOpenDB(t)
	path := filepath.Join("testdata", "sites", "postcodes.csv")
	rep, err := LoadPostcodes(ctx, db, path)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 9 || rep.Loaded != 4 || rep.Rejected != 5 {
		t.Errorf("read %d loaded %d rejected %d, want 9, 4, 5", rep.Read, rep.Loaded, rep.Rejected)
	}
	siteRejectsEqual(t, rep.Rejects, []Reject{
		{Line: 5, Column: "positional_quality", Value: "90", Reason: "no coordinates (positional quality 90: Code-Point Open could not place this postcode)"},
		{Line: 6, Column: "easting, northing", Value: "0, 0", Reason: "no coordinates (easting and northing are 0, 0)"},
		{Line: 7, Column: "postcode", Value: "S60 1A3", Reason: `not a UK postcode (expected the shape of "S60 1AE": outward code, then a digit and two letters)`},
		{Line: 8, Column: "postcode", Value: "S60 1AE", Reason: "postcode S601AE is listed twice: lines 2 and 8 (the first is kept)"},
		{Line: 9, Column: "easting", Value: "44200o", Reason: "easting is not a number (expected metres on the British National Grid)"},
	})
	type pc struct {
		x, y    float64
		quality int
		la      string
	}
	want := map[string]pc{
		"S601AE":  {442564, 392661, 10, "E08000018"}, // the first of the two S60 1AE lines
		"S601AA":  {442732, 392677, 10, "E08000018"}, // "s60  1aa": lower case, two spaces
		"LE156AA": {486000, 308600, 20, "E06000017"},
		"ZE10AA":  {446000, 1141000, 10, "S12000027"}, // Shetland: on the grid, outside England, kept
	}
	rows, err := db.Query(ctx, "SELECT postcode, x, y, quality, la_code FROM core.postcode")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var p string
		var g pc
		if err := rows.Scan(&p, &g.x, &g.y, &g.quality, &g.la); err != nil {
			t.Fatal(err)
		}
		n++
		if w, ok := want[p]; !ok || w != g {
			t.Errorf("core.postcode %s = %+v, want %+v", p, g, w)
		}
	}
	if n != len(want) {
		t.Errorf("%d rows in core.postcode, want %d", n, len(want))
	}
}

func TestLoadPostcodesHeaderlessAndReplacement(t *testing.T) {
	ctx := context.Background()
	db := siteOpenDB(t)
	if _, err := LoadPostcodes(ctx, db, filepath.Join("testdata", "sites", "postcodes.csv")); err != nil {
		t.Fatal(err)
	}
	// OS's original CSV: no header, 10 columns, CRLF; S60 1AE appears again, DN1 1AA is new.
	rep, err := LoadPostcodes(ctx, db, filepath.Join("testdata", "sites", "codepoint_headerless.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 2 || rep.Loaded != 2 || rep.Rejected != 0 {
		t.Errorf("read %d loaded %d rejected %d, want 2, 2, 0", rep.Read, rep.Loaded, rep.Rejected)
	}
	var n int
	var x, y float64
	var la string
	if err := db.QueryRow(ctx, "SELECT count(*) FROM core.postcode").Scan(&n); err != nil || n != 5 {
		t.Errorf("core.postcode has %d rows (err %v), want 4 from the first file + 1 new", n, err)
	}
	if err := db.QueryRow(ctx, "SELECT x, y, la_code FROM core.postcode WHERE postcode = 'DN11AA'").Scan(&x, &y, &la); err != nil || x != 457600 || y != 403100 || la != "E08000017" {
		t.Errorf("DN11AA = %v %v %q (err %v), want 457600 403100 E08000017 (admin district is column 9)", x, y, la, err)
	}
	if err := db.QueryRow(ctx, "SELECT count(*) FROM core.postcode WHERE postcode = 'S601AE'").Scan(&n); err != nil || n != 1 {
		t.Errorf("S601AE appears %d times, want once (the later file replaces it)", n)
	}
}

func TestLoadPostcodesEmptyFile(t *testing.T) {
	db := siteOpenDB(t)
	path := filepath.Join("testdata", "sites", "empty.csv")
	_, err := LoadPostcodes(context.Background(), db, path)
	if want := "postcodes: " + path + ": the file is empty (expected a header line and data rows)"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

// TestLoadPostcodesCodePointOpen2014 checks the real file against the counts in
// ../shared/data/postcodes/README.md (and OS's metadata for the four full areas).
func TestLoadPostcodesCodePointOpen2014(t *testing.T) {
	path := filepath.Join(sharedData(t), "postcodes", "codepoint_open_2014_S_DN_YO_LE_rutlandPE.csv")
	ctx := context.Background()
	db := siteOpenDB(t)
	rep, err := LoadPostcodes(ctx, db, path)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 94_350 || rep.Loaded != 94_350 || rep.Rejected != 0 {
		t.Errorf("read %d loaded %d rejected %d, want 94,350 read and loaded (the README: no quality-90 rows)", rep.Read, rep.Loaded, rep.Rejected)
	}
	for _, c := range []struct {
		la   string
		want int64
	}{{"E06000017", 1_207}, {"E08000018", 6_275}, {"E08000019", 11_632}, {"E08000016", 6_538}, {"E08000017", 7_812}, {"E06000014", 5_326}} {
		var n int64
		if err := db.QueryRow(ctx, "SELECT count(*) FROM core.postcode WHERE la_code = ?", c.la).Scan(&n); err != nil || n != c.want {
			t.Errorf("%s: %d postcodes (err %v), want %d", c.la, n, err, c.want)
		}
	}
	var n int64
	if err := db.QueryRow(ctx, "SELECT count(*) FROM core.postcode WHERE postcode LIKE '% %' OR postcode <> upper(postcode)").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d postcodes not normalised", n)
	}
	var x, y float64
	if err := db.QueryRow(ctx, "SELECT x, y FROM core.postcode WHERE postcode = 'S11AA'").Scan(&x, &y); err != nil || x != 435783 || y != 387323 {
		t.Errorf(`"S1  1AA" = (%v, %v) err %v, want (435783, 387323) as in the file`, x, y, err)
	}
}
