package datasets

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"hubreach/internal/store"
)

func popFixture(name string) string { return filepath.Join("testdata", "population", name) }

// popTable returns core.population for a year: LSOA code -> "all|0-4|0-15|0-19|5-15" ("" = NULL).
func popTable(t *testing.T, db *store.DB, year int) map[string]string {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT lsoa_code, concat_ws('|', coalesce(CAST(all_ages AS VARCHAR), ''), coalesce(CAST(age_0_4 AS VARCHAR), ''),
		coalesce(CAST(age_0_15 AS VARCHAR), ''), coalesce(CAST(age_0_19 AS VARCHAR), ''), coalesce(CAST(age_5_15 AS VARCHAR), ''))
		FROM core.population WHERE year = ?`, year)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoadPopulationFixture(t *testing.T) {
	ctx := context.Background()
	db := iodOpenDB(t)
	// core.iod gives each LSOA's local authority for the in-area count.
	if _, err := LoadIoD(ctx, db, IoDSpec{Files: []string{iodFixture("f1_2019.csv")}}); err != nil {
		t.Fatal(err)
	}
	p := popFixture("pop_mid2019.csv")
	r, err := LoadPopulation(ctx, db, PopulationSpec{Path: p, Area: AreaFilter{Codes: []string{"E08000018"}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Read != 4 || r.Loaded != 4 || r.Rejected != 0 {
		t.Errorf("read %d loaded %d rejected %d", r.Read, r.Loaded, r.Rejected)
	}
	// E01000001 and E01000002 are Rotherham in the IoD fixture; E01000003 is Warrington; the
	// Welsh LSOA is never in the area.
	if r.InArea != 2 || r.OutsideArea != 2 {
		t.Errorf("in area %d outside %d, want 2 and 2", r.InArea, r.OutsideArea)
	}
	for _, n := range []string{
		`year 2019 taken from the file name ("mid2019"); give the year to be explicit`,
		"3 English (E01) and 1 Welsh (W01) LSOAs loaded; Welsh LSOAs are never in the area",
		"each LSOA's local authority taken from core.iod (IoD2019)",
		"rows as read in raw.population_2019",
	} {
		if !popHasNote(r, n) {
			t.Errorf("note %q missing; notes %q", n, r.Notes)
		}
	}
	got := popTable(t, db, 2019)
	want := map[string]string{ // the fixture's text
		"E01000001": "1954|117|450|547|333",
		"W01000001": "1257|51|167|226|116",
		"E01000002": "1500|100|300|380|200",
		"E01000003": "1000|50|200|260|150",
	}
	if len(got) != len(want) {
		t.Errorf("core.population 2019 has %d rows, want %d", len(got), len(want))
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	if n := iodCount(t, db, "SELECT count(*) FROM raw.population_2019 WHERE line BETWEEN 2 AND 5"); n != 4 {
		t.Errorf("raw.population_2019 has %d rows, want 4", n)
	}

	// Loading the same year again replaces it; another year is added beside it.
	if _, err := LoadPopulation(ctx, db, PopulationSpec{Path: p, Year: 2019}); err != nil {
		t.Fatal(err)
	}
	r2, err := LoadPopulation(ctx, db, PopulationSpec{Path: p, Year: 2018})
	if err != nil {
		t.Fatal(err)
	}
	if !popHasNote(r2, `the file name says "mid2019" but year 2018 was given: loaded as 2018`) {
		t.Errorf("no note on the year given against the file name: %q", r2.Notes)
	}
	if n := iodCount(t, db, "SELECT count(*) FROM core.population"); n != 8 {
		t.Errorf("core.population has %d rows after loading 2019 twice and 2018 once, want 8", n)
	}
}

func TestLoadPopulationBadRows(t *testing.T) {
	ctx := context.Background()
	db := iodOpenDB(t)
	p := popFixture("pop_bad_mid-2020.csv")
	r, err := LoadPopulation(ctx, db, PopulationSpec{Path: p})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`line 3, column "all_ages": value "-3": all_ages -3 is negative: a count of people must be 0 or more`,
		`line 4, column "age_0_4": value "50.5": age_0_4 "50.5" is not a whole number of people`,
		`line 5, column "age_0_15": value "500": age_0_15 (500) is more than age_0_19 (450): expected age_0_4 ≤ age_0_15 ≤ age_0_19 ≤ all_ages`,
		`line 6, column "age_0_15": value "201": age_0_4 (50) + age_5_15 (150) = 200 but age_0_15 is 201: ages 0-4 and 5-15 make up ages 0-15`,
		`line 7, column "lsoa11cd": value "S01000006": LSOA code "S01000006" does not exist: expected E01 (England) or W01 (Wales) followed by 6 digits`,
		`line 8, column "lsoa11cd": value "E01000001": LSOA code E01000001 appears twice in this file, on lines 2 and 8: the row on line 2 was kept`,
		`line 9: value "E01000007,1000,50,200": the row has 4 fields but the header has 6 columns`,
		`line 10, column "age_0_4": the age_0_4 count is empty: expected a whole number of people`,
		`line 11, column "age_0_19": value "260": age_0_19 (260) is more than all_ages (100): expected age_0_4 ≤ age_0_15 ≤ age_0_19 ≤ all_ages`,
	}
	if r.Read != 10 || r.Loaded != 1 || r.Rejected != int64(len(want)) {
		t.Errorf("read %d loaded %d rejected %d, want 10/1/%d", r.Read, r.Loaded, r.Rejected, len(want))
	}
	for i, w := range want {
		w = p + " " + w
		if i >= len(r.Rejects) {
			t.Errorf("reject %d missing: %s", i, w)
			continue
		}
		if got := r.Rejects[i].Error(); got != w {
			t.Errorf("reject %d\n got %s\nwant %s", i, got, w)
		}
	}
	if !popHasNote(r, `year 2020 taken from the file name ("mid-2020"); give the year to be explicit`) {
		t.Errorf("notes %q", r.Notes)
	}
	if n := iodCount(t, db, "SELECT count(*) FROM raw.rejects WHERE input = 'population'"); n != int64(len(want)) {
		t.Errorf("raw.rejects has %d population rows, want %d", n, len(want))
	}
	if n := iodCount(t, db, "SELECT count(*) FROM raw.population_2020"); n != 10 {
		t.Errorf("raw.population_2020 has %d rows, want all 10 as read", n)
	}
}

func TestLoadPopulationSynonymsAndErrors(t *testing.T) {
	ctx := context.Background()
	syn := popFixture("pop_synonyms.csv")
	t.Run("synonyms", func(t *testing.T) {
		db := iodOpenDB(t)
		// ';'-separated, BOM, CRLF, ONS-style headers, an LA column, no 0-19 or 5-15 bands.
		r, err := LoadPopulation(ctx, db, PopulationSpec{Path: syn, Year: 2021, Area: AreaFilter{Codes: []string{"E08000018"}}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Read != 2 || r.Loaded != 2 || r.InArea != 1 || r.OutsideArea != 1 {
			t.Errorf("read %d loaded %d in %d out %d, want 2/2/1/1", r.Read, r.Loaded, r.InArea, r.OutsideArea)
		}
		for _, n := range []string{"no age_0_19 column: core.population.age_0_19 is NULL for this year", "no age_5_15 column: core.population.age_5_15 is NULL for this year"} {
			if !popHasNote(r, n) {
				t.Errorf("note %q missing: %q", n, r.Notes)
			}
		}
		got := popTable(t, db, 2021)
		if got["E01000001"] != "1954|117|450||" || got["W01000002"] != "1257|51|167||" {
			t.Errorf("core.population: %v", got)
		}
	})
	cases := []struct {
		name string
		spec PopulationSpec
		want string
	}{
		{"no year", PopulationSpec{Path: syn},
			syn + ": the year of the estimates is unknown: give the year, or name the file with it (e.g. lsoa_population_mid2019.csv)"},
		{"implausible year", PopulationSpec{Path: syn, Year: 19},
			syn + ": year 19 is not a plausible year of mid-year estimates"},
		{"missing column", PopulationSpec{Path: popFixture("pop_no_children.csv"), Year: 2019},
			popFixture("pop_no_children.csv") + ` line 1: required column "age_0_15" is missing (accepted names: "age_0_15", "aged_0_15", "ages_0_15", "0_15", ` +
				`"age_0_to_15", "aged_0_to_15", "children_0_15"); the header has: "lsoa11cd", "all_ages"`},
		{"empty file", PopulationSpec{Path: iodFixture("empty.csv"), Year: 2019},
			iodFixture("empty.csv") + ": the file is empty (expected a header line and data rows)"},
		{"no LSOA code", PopulationSpec{Path: popFixture("pop_no_code.csv"), Year: 2019},
			popFixture("pop_no_code.csv") + ` line 1: required column "LSOA code" is missing (accepted names: "lsoa11cd", "lsoa21cd", "lsoa_code", "LSOA code (2011)", ` +
				`"LSOA code (2021)", "lsoa11_code", "lsoa21_code", "LSOA", "Area Codes", "area_code"); the header has: "geography", "all_ages", "age_0_15"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := iodOpenDB(t)
			_, err := LoadPopulation(ctx, db, c.spec)
			if err == nil || err.Error() != c.want {
				t.Fatalf("error\n %v\nwant\n %s", err, c.want)
			}
		})
	}
	t.Run("area without core.iod", func(t *testing.T) {
		db := iodOpenDB(t)
		r, err := LoadPopulation(ctx, db, PopulationSpec{Path: popFixture("pop_mid2019.csv"), Area: AreaFilter{Codes: []string{"E08000018"}}})
		if err != nil {
			t.Fatal(err)
		}
		if r.InArea != -1 || !popHasNote(r, "the LSOAs in the area cannot be counted: the file has no local authority column, and core.iod (which gives each LSOA's authority) is not loaded yet") {
			t.Errorf("in area %d, notes %q", r.InArea, r.Notes)
		}
	})
}

func TestLoadPopulationRealData(t *testing.T) {
	dir := iodSharedData(t, "population")
	ctx := context.Background()
	db := iodOpenDB(t)
	iod := iodSharedData(t, "iod2019")
	if _, err := LoadIoD(ctx, db, IoDSpec{Files: []string{filepath.Join(iod, iod19File1)}}); err != nil {
		t.Fatal(err)
	}
	r, err := LoadPopulation(ctx, db, PopulationSpec{Path: filepath.Join(dir, "lsoa11_population_mid2019.csv"), Area: AreaFilter{Codes: []string{"E08000018"}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Read != 34753 || r.Loaded != 34753 || r.Rejected != 0 {
		t.Errorf("read %d loaded %d rejected %d, want 34,753 / 34,753 / 0; %v", r.Read, r.Loaded, r.Rejected, r.Rejects[:min(3, len(r.Rejects))])
	}
	if r.InArea != 167 || r.OutsideArea != 34753-167 {
		t.Errorf("in area %d outside %d, want Rotherham's 167 and %d", r.InArea, r.OutsideArea, 34753-167)
	}
	if !popHasNote(r, "32,844 English (E01) and 1,909 Welsh (W01) LSOAs loaded") {
		t.Errorf("notes %q", r.Notes)
	}
	if _, err := LoadPopulation(ctx, db, PopulationSpec{Path: filepath.Join(dir, "lsoa11_population_mid2020.csv")}); err != nil {
		t.Fatal(err)
	}
	// Totals published in the data README (ONS): England, and England and Wales.
	cases := []struct {
		q    string
		want int64
	}{
		{"SELECT sum(age_0_15) FROM core.population WHERE year = 2019 AND lsoa_code LIKE 'E01%'", 10816679},
		{"SELECT sum(all_ages) FROM core.population WHERE year = 2019 AND lsoa_code LIKE 'E01%'", 56286961},
		{"SELECT sum(age_0_15) FROM core.population WHERE year = 2019", 11380514},
		{"SELECT sum(all_ages) FROM core.population WHERE year = 2019", 59439840},
		{"SELECT sum(age_0_15) FROM core.population WHERE year = 2020 AND lsoa_code LIKE 'E01%'", 10852240},
		{"SELECT sum(all_ages) FROM core.population WHERE year = 2020", 59719724},
		{"SELECT count(*) FROM core.population WHERE year = 2019 AND lsoa_code LIKE 'W01%'", 1909},
		// Every IoD2019 LSOA has a population row.
		{"SELECT count(*) FROM core.iod i JOIN core.population p ON p.lsoa_code = i.lsoa_code AND p.year = 2019", 32844},
	}
	for _, c := range cases {
		if got := iodCount(t, db, c.q); got != c.want {
			t.Errorf("%s = %d, want %d", c.q, got, c.want)
		}
	}
}

func popHasNote(r *Report, prefix string) bool {
	for _, n := range r.Notes {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}
