package datasets

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOpenCSVEncodingsAndDelimiters(t *testing.T) {
	cases := []struct {
		name, encoding string
		delim          rune
		data           []byte
		wantName       string
	}{
		{"plain.csv", "UTF-8", ',', []byte("id,name\n1,Café Hub\n"), "Café Hub"},
		{"bom.csv", "UTF-8 with BOM", ',', []byte("\xEF\xBB\xBFid,name\r\n1,Café Hub\r\n"), "Café Hub"},
		// Windows-1252: é is 0xE9, the pound sign 0xA3.
		{"excel.csv", "Windows-1252", ';', []byte("id;name\n1;Caf\xE9 Hub \xA35\n"), "Café Hub £5"},
		{"tabs.tsv", "UTF-8", '\t', []byte("id\tname\n1\tCafé Hub\n"), "Café Hub"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := OpenCSV(writeFile(t, c.name, c.data))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Encoding != c.encoding || f.Delimiter != c.delim {
				t.Errorf("encoding %q delimiter %q, want %q %q", f.Encoding, f.Delimiter, c.encoding, c.delim)
			}
			if got := strings.Join(f.Header, "|"); got != "id|name" {
				t.Errorf("header %q", got)
			}
			rec, line, err := f.Next()
			if err != nil || line != 2 || rec[1] != c.wantName {
				t.Errorf("row = %q line %d err %v, want name %q on line 2", rec, line, err, c.wantName)
			}
			if _, _, err := f.Next(); err != io.EOF {
				t.Errorf("want EOF, got %v", err)
			}
		})
	}
}

func TestOpenCSVErrors(t *testing.T) {
	p := writeFile(t, "empty.csv", []byte("  \n"))
	_, err := OpenCSV(p)
	if want := p + ": the file is empty (expected a header line and data rows)"; err == nil || err.Error() != want {
		t.Errorf("empty: %v, want %q", err, want)
	}
	p = writeFile(t, "u16.csv", []byte{0xFF, 0xFE, 'i', 0, 'd', 0})
	_, err = OpenCSV(p)
	if want := p + ": the file is UTF-16; save it as CSV UTF-8 (in Excel: Save As, \"CSV UTF-8 (Comma delimited)\")"; err == nil || err.Error() != want {
		t.Errorf("utf16: %v, want %q", err, want)
	}
}

func TestBadQuoteRowIsRejectedNotFatal(t *testing.T) {
	f, err := OpenCSV(writeFile(t, "q.csv", []byte("a,b\n1,\"x\n")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, line, err := f.Next()
	var re *RowError
	if err == nil || line != 2 {
		t.Fatalf("got line %d err %v, want a RowError on line 2", line, err)
	}
	if !asRowError(err, &re) {
		t.Fatalf("error %T is not a *RowError", err)
	}
}

func asRowError(err error, re **RowError) bool {
	r, ok := err.(*RowError)
	*re = r
	return ok
}

func TestColumns(t *testing.T) {
	c := NewColumns([]string{"LSOA code (2011)", "Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived) ", "Lat"})
	if i := c.Find("lsoa code 2011"); i != 0 {
		t.Errorf("Find = %d", i)
	}
	if i := c.FindPrefix("Income Deprivation Affecting Children Index (IDACI) Rank"); i != 1 {
		t.Errorf("FindPrefix = %d", i)
	}
	if i := c.Find("latitude", "lat"); i != 2 {
		t.Errorf("Find alias = %d", i)
	}
	if i := c.Find("lon"); i != -1 {
		t.Errorf("Find missing = %d", i)
	}
}

func TestRejectError(t *testing.T) {
	r := Reject{File: "hubs.csv", Line: 4, Column: "lat", Value: "-1.35", Reason: "latitude and longitude are swapped"}
	if got, want := r.Error(), `hubs.csv line 4, column "lat": value "-1.35": latitude and longitude are swapped`; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	r = Reject{File: "lsoa.geojson", Line: 7, Column: "geometry", Reason: "polygon ring is not closed"}
	if got, want := r.Error(), `lsoa.geojson feature 7, column "geometry": polygon ring is not closed`; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}
