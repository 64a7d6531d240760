package pipeline

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"hubreach/internal/store"
	"hubreach/notebooks"
	"hubreach/pipeline/notebook"
)

// reportCell returns the SQL of the cell named name in the shipped notebook file.
func reportCell(t *testing.T, file, name string) string {
	t.Helper()
	src, err := notebooks.FS.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	nb, err := notebook.Parse("notebooks/"+file, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range nb.Blocks {
		if b.Cell != nil && b.Cell.Opts["name"] == name {
			return b.Cell.Body
		}
	}
	t.Fatalf("notebooks/%s has no cell named %s", file, name)
	return ""
}

// cellFixture opens an in-memory database holding the hand-made tables of setup.
func cellFixture(t *testing.T, setup string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS analysis; CREATE SCHEMA IF NOT EXISTS core; CREATE SCHEMA IF NOT EXISTS raw;\n"+setup); err != nil {
		t.Fatal(err)
	}
	return db
}

// runCell runs the named cell of a shipped notebook and returns its rows as text: NULL as
// "NULL", numbers rounded to 6 decimals without trailing zeros.
func runCell(t *testing.T, db *store.DB, file, name string) [][]string {
	t.Helper()
	rows, err := db.Query(context.Background(), reportCell(t, file, name))
	if err != nil {
		t.Fatalf("%s %s: %v", file, name, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				row[i] = "NULL"
			case float64:
				row[i] = strconv.FormatFloat(math.Round(x*1e6)/1e6, 'f', -1, 64)
			default:
				row[i] = fmt.Sprint(x)
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The national comparison shows a rank shared by several authorities as joint, with how many share
// it. The LA summaries rank with rank() (1 = most deprived; equal values share the lowest rank,
// queries/analysis/la_summary.sql); the hand-made lower tier below has five authorities:
//
//	la  extent  rank  p10   rank  avg rank  local conc. rank
//	E1  0.5     1     0.3   1     1         1
//	E2  0.2     2     0     2     2         2
//	E3  0       3     0     2     3         3
//	E4  0       3     0     2     4         3
//	E5  0       3     0     2     5         5
//
// The area is E3: extent joint 3rd with 3 authorities (all at 0%), most deprived 10% joint 2nd
// with 4, local concentration joint 3rd with 2, average rank 3rd alone. Upper tier: E3 is its own
// upper tier (no hierarchy row) and ranks 11th of 13 on extent together with U1 (both 10%) and
// 12th alone on the others.
func TestReportNationalJointRanks(t *testing.T) {
	db := cellFixture(t, `
CREATE TABLE analysis.lsoa_need (lsoa_code VARCHAR, la_code VARCHAR, area_role VARCHAR);
INSERT INTO analysis.lsoa_need VALUES ('L1', 'E3', 'area'), ('L2', 'E3', 'area'), ('L3', 'E2', 'buffer');
CREATE TABLE core.la_hierarchy (ltla_code VARCHAR, utla_code VARCHAR);
CREATE TABLE analysis.la_summary_ltla (la_code VARCHAR, la_name VARCHAR, idaci_avg_rank_rank BIGINT,
    idaci_extent DOUBLE, idaci_extent_rank BIGINT, idaci_prop_most_deprived_10 DOUBLE, idaci_prop_most_deprived_10_rank BIGINT,
    idaci_local_concentration_rank BIGINT);
INSERT INTO analysis.la_summary_ltla VALUES
    ('E1', 'One', 1, 0.5, 1, 0.3, 1, 1), ('E2', 'Two', 2, 0.2, 2, 0, 2, 2), ('E3', 'Three', 3, 0, 3, 0, 2, 3),
    ('E4', 'Four', 4, 0, 3, 0, 2, 3), ('E5', 'Five', 5, 0, 3, 0, 2, 5);
CREATE TABLE analysis.la_summary_utla AS SELECT * FROM analysis.la_summary_ltla WHERE false;
INSERT INTO analysis.la_summary_utla
    SELECT 'U' || i, 'Upper ' || i, i, 1 - i / 20, i, 1 - i / 20, i, i FROM range(1, 11) t(i);
INSERT INTO analysis.la_summary_utla VALUES ('U11', 'Upper 11', 11, 0.1, 11, 0.4, 11, 11),
    ('E3', 'Three', 12, 0.1, 11, 0.05, 12, 12), ('U13', 'Upper 13', 13, 0, 13, 0, 13, 13);
`)
	got := runCell(t, db, "needs-analysis.md", "national")
	want := [][]string{
		{"Lower tier", "Three (E3)", "3 of 5", "joint 3rd of 5 (3 authorities at 0.0%)", "joint 2nd of 5 (4 authorities at 0.0%)", "joint 3rd of 5 (2 authorities tied)", "0", "0"},
		{"Upper tier", "Three (E3)", "12 of 13", "joint 11th of 13 (2 authorities at 10.0%)", "12 of 13", "12 of 13", "0.1", "0.05"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("national ranks:\n got %q\nwant %q", got, want)
	}
}

// The least-travel table's cumulative column is the running total of what each site adds (weighted
// minutes saved), and the mean after each site is the mean before less that total over the demand:
// demand 10, mean before 30 min, savings 100, 60, 40 -> cumulative 100, 160, 200; mean after 20,
// 14, 10. The covering table's cumulative column is the running total of its own "Adds" (5, 3 ->
// 5, 8), whatever cumulative_coverage holds.
func TestReportSitingCumulative(t *testing.T) {
	db := cellFixture(t, `
CREATE TABLE analysis.siting_scenarios (scenario VARCHAR, scenario_order INTEGER, objective VARCHAR, k INTEGER,
    mode VARCHAR, minutes DOUBLE, weight VARCHAR, weight_total DOUBLE, mean_minutes_before DOUBLE);
INSERT INTO analysis.siting_scenarios VALUES ('pm', 2, 'pmedian', 3, 'walk', 20, 'children_0_4', 10, 30),
    ('cover', 1, 'mclp', 2, 'walk', 20, 'deprived_children', 50, NULL);
CREATE TABLE analysis.siting_choice (scenario VARCHAR, selection_order INTEGER, site_id VARCHAR, name VARCHAR,
    site_type VARCHAR, ward_name VARCHAR, marginal_gain DOUBLE, gain_unit VARCHAR, cumulative_coverage DOUBLE,
    newly_covered_lsoas INTEGER);
INSERT INTO analysis.siting_choice VALUES
    ('pm', 2, 'B', 'Site B', 'library', 'W2', 60, 'weighted minutes saved', 7, 1),
    ('pm', 1, 'A', 'Site A', 'school', 'W1', 100, 'weighted minutes saved', 4, 2),
    ('pm', 3, 'C', 'Site C', 'school', 'W1', 40, 'weighted minutes saved', 9, 1),
    ('cover', 1, 'A', 'Site A', 'school', 'W1', 5, 'deprived_children newly within reach', 99, 2),
    ('cover', 2, 'D', 'Site D', 'vcs', 'W3', 3, 'deprived_children newly within reach', 99, 1);
`)
	pm := runCell(t, db, "satellite-options.md", "pmedian_choices")
	// Order, Minutes saved, Cumulative minutes saved, Mean min after (capped), Newly within reach.
	var gotPM []string
	for _, r := range pm {
		gotPM = append(gotPM, strings.Join([]string{r[1], r[5], r[6], r[7], r[8]}, " "))
	}
	if want := []string{"1 100 100 20 4", "2 60 160 14 7", "3 40 200 10 9"}; fmt.Sprint(gotPM) != fmt.Sprint(want) {
		t.Errorf("p-median choices: got %q, want %q", gotPM, want)
	}
	cov := runCell(t, db, "satellite-options.md", "choices")
	var gotCov []string
	for _, r := range cov {
		gotCov = append(gotCov, strings.Join([]string{r[0], r[1], r[5], r[6], r[7]}, " "))
	}
	if want := []string{"cover 1 income-deprived children 5 5", "cover 2 income-deprived children 3 8"}; fmt.Sprint(gotCov) != fmt.Sprint(want) {
		t.Errorf("covering choices: got %q, want %q", gotCov, want)
	}
	first := runCell(t, db, "needs-analysis.md", "first_choices") // the first scenario is "cover"
	if len(first) != 2 || first[1][5] != "8" {
		t.Errorf("needs-analysis first choices: %q, want the running total 8 on the second row", first)
	}
}

// A site counts as chosen under different assumptions only when the scenarios differ in more than
// k: "walk 3" and "walk 5" ask the same question. X (walk 3, walk 5) is not listed; Y (walk 3,
// drive 10) and Z (walk 5, drive 10, walk 5 p-median) are, Z under 3 different assumptions.
func TestReportRobustSites(t *testing.T) {
	db := cellFixture(t, `
CREATE TABLE analysis.siting_scenarios (scenario VARCHAR, objective VARCHAR, mode VARCHAR, minutes DOUBLE, weight VARCHAR);
INSERT INTO analysis.siting_scenarios VALUES ('walk 3', 'mclp', 'walk', 20, 'deprived_children'),
    ('walk 5', 'mclp', 'walk', 20, 'deprived_children'), ('drive 10', 'mclp', 'drive', 10, 'deprived_children'),
    ('pm', 'pmedian', 'walk', 20, 'deprived_children');
CREATE TABLE analysis.siting_choice (scenario VARCHAR, site_id VARCHAR, name VARCHAR, site_type VARCHAR, ward_name VARCHAR);
INSERT INTO analysis.siting_choice VALUES ('walk 3', 'X', 'X', 'school', 'W1'), ('walk 5', 'X', 'X', 'school', 'W1'),
    ('walk 3', 'Y', 'Y', 'library', 'W2'), ('drive 10', 'Y', 'Y', 'library', 'W2'),
    ('walk 5', 'Z', 'Z', 'vcs', 'W3'), ('drive 10', 'Z', 'Z', 'vcs', 'W3'), ('pm', 'Z', 'Z', 'vcs', 'W3');
`)
	got := runCell(t, db, "satellite-options.md", "robust")
	want := [][]string{{"Z", "vcs", "W3", "3", "drive 10; pm; walk 5"}, {"Y", "library", "W2", "2", "drive 10; walk 3"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("robust sites:\n got %q\nwant %q", got, want)
	}
}

// A ward of the area that no LSOA is assigned to is named under the ward tables; buffer wards are
// not. One such ward reads in the singular, two in the plural; none gives an empty note.
func TestReportWardsWithoutLSOA(t *testing.T) {
	for _, c := range []struct {
		name   string
		extra  string
		want   []string
		absent []string
	}{
		{"none", "", []string{""}, nil},
		{"one", "INSERT INTO core.ward VALUES ('E05000003', 'Barleythorpe', 'area');",
			[]string{"One ward, Barleythorpe (E05000003), is drawn on the maps but has no row in the ward tables"}, []string{"Elsewhere"}},
		{"two", "INSERT INTO core.ward VALUES ('E05000003', 'Barleythorpe', 'area'), ('E05000004', 'Aston', 'area');",
			[]string{"2 wards, Aston (E05000004), Barleythorpe (E05000003), are drawn"}, []string{"Elsewhere"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := cellFixture(t, `
CREATE TABLE core.ward (ward_code VARCHAR, ward_name VARCHAR, area_role VARCHAR);
INSERT INTO core.ward VALUES ('E05000001', 'Oakham', 'area'), ('E05000002', 'Uppingham', 'area'), ('E05000009', 'Elsewhere', 'buffer');
CREATE TABLE analysis.lsoa_need (lsoa_code VARCHAR, ward_code VARCHAR, area_role VARCHAR);
INSERT INTO analysis.lsoa_need VALUES ('L1', 'E05000001', 'area'), ('L2', 'E05000002', 'area'), ('L3', NULL, 'area'), ('L4', 'E05000009', 'buffer');
`+c.extra)
			got := runCell(t, db, "needs-analysis.md", "wardless")
			if len(got) != 1 {
				t.Fatalf("want one row, got %q", got)
			}
			for _, w := range c.want {
				if !strings.Contains(got[0][0], w) || (w == "" && got[0][0] != "") {
					t.Errorf("note %q lacks %q", got[0][0], w)
				}
			}
			for _, w := range c.absent {
				if strings.Contains(got[0][0], w) {
					t.Errorf("note %q names %q", got[0][0], w)
				}
			}
		})
	}
}

// The data sources credit what the run used: sites whose notes say OpenStreetMap, a candidate file
// from OpenStreetMap, approximate hub locations, or the synthetic demo; never "the council's own
// records" unless the files say nothing else. Both notebooks carry the same query.
func TestReportSiteSources(t *testing.T) {
	for _, c := range []struct {
		name, sites, synthetic string
		want, absent           []string
	}{
		{"osm", `('hub', 'ILLUSTRATIVE: at the county library (OSM w1)', './config/rutland_hubs.csv'),
                 ('candidate', NULL, '../shared/data/sites/rutland_osm_pois.csv')`, "false",
			[]string{"Hub sites (rutland_hubs.csv) are illustrative: facilities from OpenStreetMap", "Candidate sites (rutland_osm_pois.csv) are facilities from OpenStreetMap"}, []string{"come from"}},
		{"approximate", `('hub', 'APPROXIMATE: at a ward label point', './config/rotherham_hubs.csv'),
                         ('hub', 'APPROXIMATE: at a ward label point', './config/rotherham_hubs.csv')`, "false",
			[]string{"Hub sites come from rotherham_hubs.csv; 2 locations are approximate"}, []string{"OpenStreetMap", "Candidate"}},
		{"council", `('hub', NULL, '/data/hubs.csv'), ('candidate', NULL, '/data/assets 2025.csv')`, "false",
			[]string{"Hub sites come from hubs.csv.", "Candidate sites come from assets 2025.csv."}, []string{"OpenStreetMap", "illustrative"}},
		{"synthetic", `('hub', NULL, 'out/demo-inputs/hubs.csv')`, "true",
			[]string{"synthetic, generated by hubreach"}, []string{"come from"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := cellFixture(t, `
CREATE TABLE core.params (name VARCHAR, value DOUBLE, text VARCHAR);
INSERT INTO core.params VALUES ('synthetic', NULL, '`+c.synthetic+`');
CREATE TABLE core.site (role VARCHAR, location_note VARCHAR, source_file VARCHAR);
INSERT INTO core.site VALUES `+c.sites+`;`)
			for _, file := range []string{"needs-analysis.md", "satellite-options.md"} {
				got := runCell(t, db, file, "sources")
				if len(got) != 1 {
					t.Fatalf("%s: want one row, got %q", file, got)
				}
				for _, w := range c.want {
					if !strings.Contains(got[0][0], w) {
						t.Errorf("%s: %q lacks %q", file, got[0][0], w)
					}
				}
				for _, w := range append(c.absent, "council's own records") {
					if strings.Contains(got[0][0], w) {
						t.Errorf("%s: %q has %q", file, got[0][0], w)
					}
				}
			}
		})
	}
}

// The locality note says where the localities come from, and that the example files shipped in
// hubreach's config folder are not a council's localities (Rotherham's split is illustrative).
func TestReportLocalitySource(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"./config/rotherham_localities.csv", "illustrative split of Rotherham's wards"},
		{"./config/rutland_localities.csv", "a grouping of wards made by hubreach (config/rutland_localities.csv), not the council's"},
		{"/council/data/localities 2025.csv", "Localities are as given in localities 2025.csv (inputs.localities)."},
	} {
		db := cellFixture(t, `CREATE TABLE raw.load_report (input VARCHAR, file VARCHAR);
INSERT INTO raw.load_report VALUES ('hubs', 'hubs.csv'), ('localities', '`+c.file+`');`)
		got := runCell(t, db, "needs-analysis.md", "locsource")
		if len(got) != 1 || !strings.Contains(got[0][0], c.want) {
			t.Errorf("%s: got %q, want %q", c.file, got, c.want)
		}
	}
}
