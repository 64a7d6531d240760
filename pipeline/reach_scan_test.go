package pipeline

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"rsc.io/pdf"

	"hubreach/config"
	"hubreach/datasets/demo"
	"hubreach/internal/store"
)

// The disclosure scanner walks every output file of a run and reports what must not be there:
//   - identifiers from the service-use extract (person ids, dates of birth, home postcodes) in any
//     text file (CSV, GeoJSON, JSON, HTML, SVG, Markdown) or Parquet file (read with DuckDB);
//   - small counts from service-use data (1 to scanThreshold-1) in the reach tables (CSV,
//     Parquet, GeoJSON properties): every column of a reach_* or distance_decay* table that is
//     not on the list of public columns (codes, names, populations, times, fit parameters) is
//     treated as a service-use count, and counts hidden in rates are worked back out
//     (reach_pct × children_in_band, pct_seen_more_than_once × children_reached, ...);
//   - small counts in the reach stage's notes in run.json ("3 contacts ...").
//
// The database (hubreach.duckdb) is the analyst's private working copy and holds core.contact by
// design: it is not scanned. PNG files are the same drawings as the SVGs, which are scanned; the
// summary PDF's text is read back and scanned.
const scanThreshold = 5

// scanPublic are the columns of reach tables that are not counts from service use.
var scanPublic = map[string]bool{
	"lsoa_code": true, "lsoa_name": true, "ward_code": true, "ward_name": true, "locality": true, "idaci_decile": true,
	"age_band": true, "children_in_band": true, "denominator": true, "lsoas": true, "units": true, "lsoa_group": true,
	"service": true, "venue_id": true, "venue_name": true, "tier": true, "stage": true, "reason": true, "applies_to": true,
	"measure": true, "mode": true, "row_type": true, "minutes_from": true, "minutes_to": true, "mean_minutes": true,
	"fitted_pct": true, "a": true, "b": true, "r2": true, "rmse": true, "suppressed": true,
	// rates are checked by working the count back out (scanRates)
	"reach_pct": true, "pct_seen_more_than_once": true, "contacts_per_child": true,
}

// scanCountColumns are service-use count columns wherever they appear (other tables, GeoJSON).
var scanCountColumns = map[string]bool{"children_reached": true, "children_reached_text": true, "contacts": true, "contacts_text": true,
	"children_seen_more_than_once": true, "seen_more_than_once_text": true}

type identifiers struct {
	persons, births, postcodes []string
}

// readIdentifiers collects the identifying values of a service-use CSV extract.
func readIdentifiers(t *testing.T, path string) identifiers {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	seen := map[string]bool{}
	var ids identifiers
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		add := func(name string, list *[]string) {
			if i, ok := col[name]; ok && rec[i] != "" && !seen[rec[i]] {
				seen[rec[i]] = true
				*list = append(*list, rec[i])
			}
		}
		add("person_id", &ids.persons)
		add("dob_month", &ids.births)
		add("home_postcode", &ids.postcodes)
	}
	return ids
}

type finding struct{ file, what string }

// scanner holds what a scan found.
type scanner struct {
	root     string
	ids      identifiers
	birthRe  []*regexp.Regexp
	findings []finding
	scanned  map[string]int // files scanned by kind
}

func newScanner(root string, ids identifiers) *scanner {
	s := &scanner{root: root, ids: ids, scanned: map[string]int{}}
	for _, b := range ids.births {
		// a month of birth as a value of its own, not the start of a date such as 2024-03-31
		s.birthRe = append(s.birthRe, regexp.MustCompile(`(^|[^0-9-])`+regexp.QuoteMeta(b)+`($|[^0-9-])`))
	}
	return s
}

func (s *scanner) add(file, format string, args ...any) {
	rel, _ := filepath.Rel(s.root, file)
	s.findings = append(s.findings, finding{rel, fmt.Sprintf(format, args...)})
}

// text looks for identifiers in a piece of text.
func (s *scanner) text(file, where, txt string) {
	for _, p := range s.ids.persons {
		if strings.Contains(txt, p) {
			s.add(file, "%s: person id %s", where, p)
			return
		}
	}
	for i, re := range s.birthRe {
		if re.MatchString(txt) {
			s.add(file, "%s: date of birth %s", where, s.ids.births[i])
			return
		}
	}
	up := strings.ToUpper(txt)
	for _, pc := range s.ids.postcodes {
		if strings.Contains(up, strings.ToUpper(pc)) || strings.Contains(up, strings.ReplaceAll(strings.ToUpper(pc), " ", "")) {
			s.add(file, "%s: postcode %s", where, pc)
			return
		}
	}
}

// small reports a count from 1 to scanThreshold-1 in a cell's text.
func small(v string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return 0, false
	}
	return f, f >= 1 && f < scanThreshold && f == math.Trunc(f)
}

// table checks one table (header and rows of text).
func (s *scanner) table(file, name string, head []string, rows [][]string) {
	reach := strings.HasPrefix(name, "reach_") || strings.HasPrefix(name, "distance_decay")
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	get := func(r []string, c string) (float64, bool) {
		i, ok := col[c]
		if !ok || i >= len(r) {
			return 0, false
		}
		f, err := strconv.ParseFloat(r[i], 64)
		return f, err == nil
	}
	for n, r := range rows {
		s.text(file, fmt.Sprintf("row %d", n+1), strings.Join(r, ","))
		for i, v := range r {
			if i >= len(head) {
				break
			}
			if (reach && !scanPublic[head[i]]) || scanCountColumns[head[i]] {
				if x, ok := small(v); ok {
					s.add(file, "row %d column %s: small count %g", n+1, head[i], x)
				}
			}
		}
		if !reach {
			continue
		}
		// counts worked back out of rates
		back := func(what string, x float64) {
			if k := math.Round(x); k >= 1 && k < scanThreshold {
				s.add(file, "row %d: %s works back to a small count %g", n+1, what, k)
			}
		}
		if p, ok := get(r, "reach_pct"); ok {
			if d, ok := get(r, "children_in_band"); ok {
				back("reach_pct × children_in_band", p*d/100)
			}
		}
		if ch, ok := get(r, "children_reached"); ok {
			if p, ok := get(r, "pct_seen_more_than_once"); ok {
				back("children seen more than once", p*ch/100)
				back("children seen once", ch-p*ch/100)
			}
			if c, ok := get(r, "contacts_per_child"); ok {
				back("contacts_per_child × children_reached", c*ch)
			}
		}
	}
}

var noteCount = regexp.MustCompile(`(^|[^<\d.])(\d+) (contacts|children)\b`)

// scan walks the output folder.
func (s *scanner) scan(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = filepath.Walk(s.root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		base := filepath.Base(path)
		ext := strings.ToLower(filepath.Ext(path))
		name := strings.TrimSuffix(base, filepath.Ext(base))
		switch {
		case strings.HasPrefix(base, DBFile):
			return nil
		case ext == ".png":
			s.scanned["png (not read: same drawing as the svg)"]++
			return nil
		case ext == ".pdf":
			s.scanned["pdf (text read back)"]++
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			r, err := pdf.NewReader(f, info.Size())
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			var lines []string
			for i := 1; i <= r.NumPage(); i++ {
				for _, run := range pdfRuns(r.Page(i)) {
					lines = append(lines, run.S)
				}
			}
			if len(lines) == 0 {
				return fmt.Errorf("%s: no text read back (the scanner would prove nothing)", path)
			}
			s.text(path, "file", strings.Join(lines, "\n"))
		case ext == ".parquet":
			s.scanned["parquet"]++
			head, rows, err := parquetRows(ctx, db, path)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			s.table(path, name, head, rows)
		case ext == ".csv":
			s.scanned["csv"]++
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			all, err := csv.NewReader(bufio.NewReader(f)).ReadAll()
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if len(all) > 0 {
				s.table(path, name, all[0], all[1:])
			}
		case ext == ".geojson":
			s.scanned["geojson"]++
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			s.text(path, "file", string(b))
			var fc struct {
				Features []struct {
					Properties map[string]any `json:"properties"`
				} `json:"features"`
			}
			if err := json.Unmarshal(b, &fc); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			var head []string
			idx := map[string]int{}
			var rows [][]string
			for _, f := range fc.Features {
				row := make([]string, len(head))
				for k, v := range f.Properties {
					if _, ok := idx[k]; !ok {
						idx[k] = len(head)
						head = append(head, k)
						for i := range rows {
							rows[i] = append(rows[i], "")
						}
						row = append(row, "")
					}
					if v != nil {
						row[idx[k]] = fmt.Sprint(v)
					}
				}
				rows = append(rows, row)
			}
			s.table(path, name, head, rows)
		default:
			s.scanned[strings.TrimPrefix(ext, ".")]++
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			s.text(path, "file", string(b))
			if base == "run.json" {
				var info RunInfo
				if err := json.Unmarshal(b, &info); err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				for _, n := range info.Notes {
					if !strings.HasPrefix(n, "reach:") {
						continue
					}
					for _, m := range noteCount.FindAllStringSubmatch(n, -1) {
						if x, ok := small(m[2]); ok {
							s.add(path, "note %q: small count %g", n, x)
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func parquetRows(ctx context.Context, db *store.DB, path string) ([]string, [][]string, error) {
	rows, err := db.Query(ctx, `SELECT * FROM read_parquet(?)`, path)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	head, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(head))
		ptrs := make([]any, len(head))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		r := make([]string, len(head))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
			case []byte:
				r[i] = string(x)
			default:
				r[i] = fmt.Sprint(x)
			}
		}
		out = append(out, r)
	}
	return head, out, rows.Err()
}

// repoDir is the folder holding go.mod.
func repoDir(t *testing.T) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the test folder")
		}
		dir = up
	}
}

// runDemoReach generates the demo inputs (opts), lets edit change them, and runs every stage with
// the reach stage after the analysis. It returns the published area folder and the extract.
func runDemoReach(t *testing.T, opts demo.Options, edit func(inputs string), mutate func(*config.Config)) (string, string) {
	t.Helper()
	root := t.TempDir()
	inputs := filepath.Join(root, "inputs")
	if _, err := demo.Write(inputs, opts); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(inputs)
	}
	cfg, err := config.LoadFile(filepath.Join(repoDir(t), "config", "demo.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir, cfg.Output = inputs, filepath.Join(root, "out")
	if mutate != nil {
		mutate(&cfg)
	}
	stages := append([]Stage{Ingest()}, Analyse()...) // Analyse has the reach stage,
	stages = append(stages, Render()...)              // Render the report
	if _, err := Run(context.Background(), cfg, stages, Options{FromScratch: true}); err != nil {
		t.Fatal(err)
	}
	return cfg.AreaDir(), filepath.Join(inputs, demo.FileServiceUse)
}

// sparsen rewrites the demo extract with dates of birth instead of some ages and home postcodes
// instead of some LSOAs (the demo has no postcode file, so those rows are rejected: the
// rejects must not show the postcode), so that the scanner has every kind of identifier to
// look for.
func sparsen(t *testing.T) func(string) {
	return func(inputs string) {
		path := filepath.Join(inputs, demo.FileServiceUse)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		out := []string{"person_id,contact_date,service,venue_id,home_lsoa,child_age_months,dob_month,home_postcode"}
		for i, l := range lines[1:] {
			f := strings.Split(l, ",")
			dob, pc := "", ""
			if i%3 == 0 { // age -> month of birth
				age, _ := strconv.Atoi(f[5])
				y, _ := strconv.Atoi(f[1][:4])
				m, _ := strconv.Atoi(f[1][5:7])
				k := y*12 + m - 1 - age
				dob = fmt.Sprintf("%04d-%02d", k/12, k%12+1)
				f[5] = ""
			}
			if i%10 == 7 {
				pc = fmt.Sprintf("DE%d %dQ%c", 20+i%7, i%9, 'A'+rune(i%26))
				f[4] = ""
			}
			out = append(out, strings.Join(f, ",")+","+dob+","+pc)
		}
		if err := os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func scanRun(t *testing.T, dir, extract string) *scanner {
	s := newScanner(dir, readIdentifiers(t, extract))
	s.scan(t)
	if s.scanned["csv"] == 0 || s.scanned["parquet"] == 0 || s.scanned["svg"] == 0 {
		t.Fatalf("scanned %v: the run wrote no tables or drawings", s.scanned)
	}
	return s
}

// The demo run's outputs hold no identifier and no small count.
func TestDisclosureScanDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo pipeline")
	}
	dir, extract := runDemoReach(t, demo.Options{}, nil, nil)
	s := scanRun(t, dir, extract)
	for _, f := range s.findings {
		t.Errorf("%s: %s", f.file, f.what)
	}
	for _, f := range []string{"tables/reach_by_lsoa.csv", "tables/distance_decay.parquet", "maps/reach_by_lsoa.svg", "charts/reach_by_decile.svg", "charts/distance_decay.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("no %s", f)
		}
	}
	t.Logf("scanned %v", s.scanned)
}

// A sparse extract (80 contacts of about 40 children, some with dates of birth and postcodes)
// gives many small counts: all withheld, no identifier anywhere; and with suppression turned off
// (threshold 1) the same scan finds the small counts.
func TestDisclosureScanSparse(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo pipeline twice")
	}
	opts := demo.Options{Contacts: 80, Children: 40}
	dir, extract := runDemoReach(t, opts, sparsen(t), nil)
	s := scanRun(t, dir, extract)
	for _, f := range s.findings {
		t.Errorf("%s: %s", f.file, f.what)
	}
	ids := readIdentifiers(t, extract)
	if len(ids.births) == 0 || len(ids.postcodes) == 0 {
		t.Fatalf("the sparse extract has %d dates of birth and %d postcodes: nothing to look for", len(ids.births), len(ids.postcodes))
	}
	// The run did have small counts to withhold.
	b, _ := os.ReadFile(filepath.Join(dir, "tables", "reach_by_lsoa.csv"))
	if !strings.Contains(string(b), ",<5,") {
		t.Error("reach_by_lsoa.csv withholds nothing: the sparse extract does not test suppression")
	}

	off, extract2 := runDemoReach(t, opts, sparsen(t), func(c *config.Config) { c.Disclosure.Threshold = 1 })
	s2 := scanRun(t, off, extract2)
	inLSOA := 0
	for _, f := range s2.findings {
		if strings.Contains(f.file, "reach_by_lsoa") {
			inLSOA++
		}
	}
	if len(s2.findings) == 0 || inLSOA == 0 {
		t.Errorf("suppression off: the scanner found %d problems (%d in reach_by_lsoa), want small counts found", len(s2.findings), inLSOA)
	}
}

// The scanner itself, on a hand-made output folder with one problem of each kind.
func TestScannerFindsEachKind(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("tables/reach_by_ward.csv", "ward_code,children_in_band,children_reached,reach_pct\nW1,100,12,12\nW2,100,3,3\nW3,200,,1.5\n")
	write("tables/other.csv", "x,note\n1,seen P0000042 here\n")
	write("geo/reach.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"contacts":2},"geometry":null}]}`)
	write("maps/x.svg", `<svg><text>born 2021-07</text><text>2021-07-31 is a date, not a birth month</text></svg>`)
	write("report.html", `<p>DE20 1QA</p>`)
	write("run.json", `{"notes":["reach: 3 contacts rejected when the extract was loaded: x","reach: <5 contacts left out","hotspots: 3 children"]}`)
	s := newScanner(dir, identifiers{persons: []string{"P0000042"}, births: []string{"2021-07"}, postcodes: []string{"DE20 1QA"}})
	s.scan(t)
	want := []string{
		"tables/reach_by_ward.csv: row 2 column children_reached: small count 3",
		"tables/reach_by_ward.csv: row 2: reach_pct × children_in_band works back to a small count 3",
		"tables/reach_by_ward.csv: row 3: reach_pct × children_in_band works back to a small count 3",
		"tables/other.csv: row 1: person id P0000042",
		"geo/reach.geojson: row 1 column contacts: small count 2",
		"maps/x.svg: file: date of birth 2021-07",
		"report.html: file: postcode DE20 1QA",
		`run.json: note "reach: 3 contacts rejected when the extract was loaded: x": small count 3`,
	}
	got := map[string]bool{}
	for _, f := range s.findings {
		got[f.file+": "+f.what] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("not found: %s", w)
		}
	}
	if len(s.findings) != len(want) {
		t.Errorf("%d findings, want %d: %v", len(s.findings), len(want), s.findings)
	}
}
