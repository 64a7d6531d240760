package datasets

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hubreach/internal/store"
)

func TestLoadLAHierarchy(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := writeFile(t, "lu.csv", []byte("ltla19_name,ltla19_code,utla19_name,utla19_code\n"+
		"Rotherham,E08000018,Rotherham,E08000018\n"+
		"Cannock Chase,E07000192,Staffordshire,E10000028\n"+
		"Cannock again,E07000192,Staffordshire,E10000028\n"+
		"Nowhere,X123,Staffordshire,E10000028\n"))
	rep, err := LoadLAHierarchy(ctx, db, p)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 4 || rep.Loaded != 2 || rep.Rejected != 2 || rep.Balanced() != nil {
		t.Errorf("read %d loaded %d rejected %d", rep.Read, rep.Loaded, rep.Rejected)
	}
	want := []string{
		p + ` line 4, column "ltla19_code": value "E07000192": duplicate: this authority is already mapped on line 3`,
		p + ` line 5, column "ltla19_code": value "X123": not a lower-tier local authority code (expected E06, E07, E08 or E09 followed by 6 digits)`,
	}
	for i, w := range want {
		if got := rep.Rejects[i].Error(); got != w {
			t.Errorf("reject %d:\n got %s\nwant %s", i, got, w)
		}
	}
	_, err = LoadLAHierarchy(ctx, db, writeFile(t, "bad.csv", []byte("a,b\n1,2\n")))
	if err == nil {
		t.Error("no error for a file without code columns")
	}
}

func TestLoadLAHierarchyReal(t *testing.T) {
	p := filepath.Join(sharedData(t), "lookups", "ltla19_utla19.csv")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data not found (%v): skipping", err)
	}
	ctx := context.Background()
	db, _ := store.Open(ctx, "")
	defer db.Close()
	rep, err := LoadLAHierarchy(ctx, db, p)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 339 || rep.Rejected != 0 {
		t.Errorf("read %d rejected %d (README: 339 rows)", rep.Read, rep.Rejected)
	}
	var n int
	// README: 151 English upper-tier authorities.
	db.QueryRow(ctx, `SELECT count(DISTINCT utla_code) FROM core.la_hierarchy WHERE utla_code LIKE 'E%'`).Scan(&n)
	if n != 151 {
		t.Errorf("%d English upper-tier authorities, README says 151", n)
	}
}

// County (E10) codes in area.codes become their districts, from a hand-made lookup.
func TestExpandCounties(t *testing.T) {
	lookup := writeFile(t, "lu.csv", []byte("ltla19_name,ltla19_code,utla19_name,utla19_code\n"+
		"Rotherham,E08000018,Rotherham,E08000018\n"+
		"Cannock Chase,E07000192,Staffordshire,E10000028\n"+
		"East Staffordshire,E07000193,Staffordshire,E10000028\n"+
		"Broken row,X1,Staffordshire,E10000028\n"+
		"Ashfield,E07000170,Nottinghamshire,E10000024\n"))
	cases := []struct {
		name   string
		codes  []string
		lookup string
		want   []string
		err    string
	}{
		{"districts only, no lookup needed", []string{"E08000018", "E06000017"}, "", []string{"E08000018", "E06000017"}, ""},
		{"a county becomes its districts", []string{"E10000028"}, lookup, []string{"E07000192", "E07000193"}, ""},
		{"county beside a district, repeats dropped", []string{"E08000018", "e10000028 ", "E07000193"}, lookup,
			[]string{"E08000018", "E07000192", "E07000193"}, ""},
		{"county without a lookup", []string{"E08000018", "E10000028"}, "", nil,
			"area.codes: E10000028 is a county (upper-tier) code, but the area filter needs district codes (E06, E07, E08 or E09): " +
				"give inputs.la_lookup, a district -> county lookup such as lookups/ltla19_utla19.csv, so hubreach can expand it, or list the county's district codes in area.codes instead"},
		{"county not in the lookup", []string{"E10000099"}, lookup, nil,
			"area.codes: E10000099 is not a county in the district -> county lookup " + lookup + " (inputs.la_lookup), which maps districts to 2 counties (E10000024, E10000028): " +
				"check the code, and that the lookup is of the same year as the deprivation files"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ExpandCounties(c.codes, c.lookup)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Errorf("error:\n got %v\nwant %s", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	if _, err := ExpandCounties([]string{"E10000028"}, filepath.Join(t.TempDir(), "missing.csv")); err == nil ||
		!strings.HasPrefix(err.Error(), "area.codes: expanding county E10000028 to its districts: inputs.la_lookup: ") {
		t.Errorf("missing lookup file: %v", err)
	}
}

// Nottinghamshire (E10000024) had seven districts in 2019: Ashfield, Bassetlaw, Broxtowe, Gedling,
// Mansfield, Newark and Sherwood, and Rushcliffe (E07000170 to E07000176).
func TestExpandCountiesReal(t *testing.T) {
	p := filepath.Join(sharedData(t), "lookups", "ltla19_utla19.csv")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data not found (%v): skipping", err)
	}
	got, err := ExpandCounties([]string{"E10000024"}, p)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"E07000170", "E07000171", "E07000172", "E07000173", "E07000174", "E07000175", "E07000176"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("Nottinghamshire districts %v, want %v", got, want)
	}
}
