package notebook

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"hubreach/internal/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// fixtureDB opens an in-memory database holding testdata/fixture.sql (hand-made; totals in its
// comments).
func fixtureDB(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	src, err := os.ReadFile("testdata/fixture.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, string(src)); err != nil {
		t.Fatal(err)
	}
	return db
}

var fixedNow = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)

func fixtureOptions() Options {
	return Options{Dir: "testdata/area", Area: "Fixtureshire", Now: fixedNow, Version: "test", Source: "Fixture data."}
}

func runString(t *testing.T, db Queryer, path, src string) (string, error) {
	t.Helper()
	nb, err := Parse(path, []byte(src))
	if err != nil {
		return "", err
	}
	b, err := Run(context.Background(), db, nb, fixtureOptions())
	return string(b), err
}

func mustRun(t *testing.T, db Queryer, src string) string {
	t.Helper()
	h, err := runString(t, db, "notebooks/t.md", src)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// structure reduces a page to what the golden file checks: the CSS, the script, inline SVG bodies
// and data: URIs are replaced by short markers (their content is checked by other tests).
func structure(page string) string {
	page = regexp.MustCompile(`(?s)<style>.*?</style>`).ReplaceAllString(page, "<style>[page.css]</style>")
	page = regexp.MustCompile(`(?s)<script>.*?</script>`).ReplaceAllString(page, "<script>[enlargeJS]</script>")
	page = regexp.MustCompile(`(?s)(<svg class="drawn"[^>]*>).*?</svg>`).ReplaceAllString(page, "$1[svg]</svg>")
	page = regexp.MustCompile(`data:([a-z/+]+);base64,[A-Za-z0-9+/=]+`).ReplaceAllString(page, "data:$1;base64,[...]")
	return page
}

func TestGoldenHTML(t *testing.T) {
	db := fixtureDB(t)
	src, err := os.ReadFile("testdata/golden.md")
	if err != nil {
		t.Fatal(err)
	}
	page, err := runString(t, db, "testdata/golden.md", string(src))
	if err != nil {
		t.Fatal(err)
	}
	got := structure(page)
	golden := "testdata/golden.html.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./pipeline/notebook -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("HTML structure differs from %s (review, then go test ./pipeline/notebook -update):\n%s", golden, firstDiff(string(want), got))
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n want: %s\n  got: %s", i+1, x, y)
		}
	}
	return ""
}

// The page is self-contained and says what the fixture says, with the numbers worked by hand.
func TestPageContent(t *testing.T) {
	db := fixtureDB(t)
	src, _ := os.ReadFile("testdata/golden.md")
	page, err := runString(t, db, "testdata/golden.md", string(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<title>Fixture report for Fixtureshire</title>`,
		`Produced on 24 November 2026.`,
		`>4,000</span> children`,      // 1000+1500+800+700
		`>920</span> income-deprived`, // 300+150+400+70
		`>23.0%</span>`,               // 920/4000
		`First contact <span class="v" title="query period (cell 2), column first">5 June 2025</span>`,
		`>10</span> contacts`,
		`Siting: <span class="na"`,
		`<td class="num">2,500</td>`,                                 // North children
		`<td class="num">18.0%</td>`,                                 // North 450/2500
		`<td class="num">31.3%</td>`,                                 // South 470/1500 = 31.33%
		`<td class="num">7</td><td class="num">6</td>`,               // Stay and play: 7 contacts, 6 children
		`<td class="num supp">[c]</td><td class="num supp">[c]</td>`, // Parenting: 3 and 3, below 5
		`data:image/png;base64,` + base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\n-fixture-")),
		`<figure class="wide"><a class="enlarge" id="figure-3" href="#figure-3" style="max-width:150pt" title="Click to enlarge"><svg class="drawn" role="img" aria-label="Vector map" style="max-width:150pt" width="100%"`,
		`<dialog class="lightbox" id="lightbox"`,
		`maps/missing.svg was not drawn by this run.`,
		`This section needs <code>analysis.siting_choice</code>, which this run did not build.`,
		`<div id="fixture-map">interactive map fragment</div>`,
		`web/absent.html was not produced by this run`,
		`<details class="sql"><summary>Show the query (wards)</summary>`,
		`testdata/golden.md, line 24 (cell 3)`,
		`Open Government Licence v3.0.`,
		`<a href="#interactive-map">Interactive map</a>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, not := range []string{"must not appear", "A subsection, still skipped", "{{", `src="http`, `href="http`, "url(http"} {
		if strings.Contains(page, not) {
			t.Errorf("page contains %q", not)
		}
	}
}

// Each figure is drawn from the query it names: change the data, and the number changes.
func TestFiguresFollowTheirQueries(t *testing.T) {
	src, _ := os.ReadFile("testdata/golden.md")
	cases := []struct {
		name         string
		change       string
		before, then []string
	}{
		{"inline total", `UPDATE analysis.lsoa_need SET children_0_15 = 2000 WHERE lsoa_code = 'E01000004'`,
			[]string{`>4,000</span> children`}, []string{`>5,300</span> children`}},
		{"inline share", `UPDATE analysis.lsoa_need SET deprived_children = 1130 WHERE lsoa_code = 'E01000004'`,
			[]string{`(<span class="v" title="query totals (cell 1), column share">23.0%</span>)`}, []string{`>49.5%</span>)`}}, // 1980/4000
		{"table cell", `UPDATE analysis.lsoa_need SET children_0_15 = 1234 WHERE lsoa_code = 'E01000002'`,
			[]string{`<td class="num">2,500</td>`}, []string{`<td class="num">2,234</td>`}},
		{"chart label", `UPDATE analysis.lsoa_need SET deprived_children = 777 WHERE lsoa_code = 'E01000003'`,
			[]string{`>470</text>`}, []string{`>847</text>`}}, // South 777+70
		{"suppression lifts", `INSERT INTO core.contact SELECT 'q' || i, DATE '2026-01-01', 'Parenting', 'E01000001' FROM range(2) t(i)`,
			[]string{`<td class="num supp">[c]</td><td class="num supp">[c]</td>`}, []string{`<td>Parenting</td><td class="num">5</td><td class="num">5</td>`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := fixtureDB(t)
			page, err := runString(t, db, "testdata/golden.md", string(src))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.before {
				if !strings.Contains(page, w) {
					t.Fatalf("before the change the page lacks %q", w)
				}
			}
			if _, err := db.Exec(context.Background(), tc.change); err != nil {
				t.Fatal(err)
			}
			page, err = runString(t, db, "testdata/golden.md", string(src))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.then {
				if !strings.Contains(page, w) {
					t.Errorf("after %s the page lacks %q", tc.change, w)
				}
			}
			for _, w := range tc.before {
				if strings.Contains(page, w) {
					t.Errorf("after %s the page still has %q", tc.change, w)
				}
			}
		})
	}
}

func TestErrorPositions(t *testing.T) {
	db := fixtureDB(t)
	// Lines:  1 heading, 3-5 cell 1, 7-9 cell 2, 11-15 cell 3 (error on its line 3 = file line 14)
	src := "# T\n\n```sql name=a\nSELECT 1 AS x\n```\n\n```include web/map-fragment.html\n```\n\n" +
		"```sql name=gaps\nSELECT ward_name,\n  children_0_15,\n  no_such_column\nFROM analysis.lsoa_need\n```\n"
	cases := []struct {
		name, src string
		want      []string
	}{
		{"bad column in cell 3", src, []string{"notebooks/x.md:13: cell 3 (sql name=gaps): Binder Error", `"no_such_column"`}},
		{"missing table", "text\n\n```sql name=t\nSELECT *\nFROM analysis.nothing\n```\n", []string{"notebooks/x.md:5: cell 1 (sql name=t): Catalog Error"}},
		{"syntax", "```sql\nSELEC 1\n```\n", []string{"notebooks/x.md:2: cell 1 (sql): Parser Error"}},
		{"unknown option", "a\n\n```sql nmae=x\nSELECT 1\n```\n", []string{`notebooks/x.md:3: cell 1 (sql): unknown option "nmae"`}},
		{"unclosed fence", "a\n```sql name=x\nSELECT 1\n", []string{"notebooks/x.md:2: cell 1 (sql): no closing ``` fence"}},
		{"format column absent", "```sql int=y\nSELECT 1 AS x\n```\n", []string{`notebooks/x.md:1: cell 1 (sql): int=y: the query has no column "y" (columns: x)`}},
		{"unknown inline name", "one\ntwo {{nope.x}}\n\n```sql name=a\nSELECT 1 AS x\n```\n", []string{`notebooks/x.md:2: {{nope.x}}: no query is named "nope" (named queries: a)`}},
		{"inline needs one row", "```sql name=a\nSELECT * FROM range(3) t(x)\n```\n\nSee {{a.x}}.\n", []string{`notebooks/x.md:5: {{a.x}}: query a (cell 1) returned 3 rows`}},
		{"inline column absent", "```sql name=a\nSELECT 1 AS x\n```\n\n\nSee {{a.y | int}}.\n", []string{`notebooks/x.md:6: {{a.y | int}}: query a (cell 1) has no column "y" (columns: x)`}},
		{"inline format unknown", "```sql name=a\nSELECT 1 AS x\n```\n{{a.x | money}}\n", []string{`unknown format "money"`}},
		{"duplicate name", "```sql name=a\nSELECT 1\n```\n```sql name=a\nSELECT 2\n```\n", []string{`notebooks/x.md:4: cell 2 (sql name=a): name "a" already used by cell 1`}},
		{"chart needs columns", "```sql chart=bar x=a\nSELECT 1 AS a\n```\n", []string{"chart=bar needs x=column and y=column"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runString(t, db, "notebooks/x.md", tc.src)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestFormatting(t *testing.T) {
	tru := true
	cases := []struct {
		v        value
		f        format
		suppress bool
		want     string
	}{
		{normalise(int64(21088), "BIGINT"), fmtAuto, false, "21,088"},
		{normalise(int32(-1234567), "INTEGER"), fmtAuto, false, "-1,234,567"},
		{normalise(float64(2983.94), "DOUBLE"), fmtAuto, false, "2,983.9"},
		{normalise(float64(2983.94), "DOUBLE"), fmtInt, false, "2,984"},
		{normalise(float64(999.96), "DOUBLE"), fmtDec1, false, "1,000.0"},
		{normalise(float64(-0.04), "DOUBLE"), fmtDec1, false, "0.0"},
		{normalise(float64(26.14), "DOUBLE"), fmtPct, false, "26.1%"},
		{normalise(float64(0.2614), "DOUBLE"), fmtShare, false, "26.1%"},
		{normalise(float64(1), "DOUBLE"), fmtShare, false, "100.0%"},
		{normalise(float64(0.0005), "DOUBLE"), fmtShare, false, "0.1%"},
		{normalise(float64(2.345), "DOUBLE"), fmtDec2, false, "2.35"},
		{normalise(int64(2019), "BIGINT"), fmtText, false, "2019"},
		{normalise(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), "DATE"), fmtAuto, false, "24 November 2026"},
		{normalise(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), "DATE"), fmtAuto, false, "5 January 2026"},
		{normalise(time.Date(2026, 1, 5, 14, 7, 0, 0, time.UTC), "TIMESTAMP"), fmtAuto, false, "5 January 2026 14:07"},
		{normalise(time.Date(2026, 1, 5, 14, 7, 0, 0, time.UTC), "TIMESTAMP"), fmtDate, false, "5 January 2026"},
		{normalise(nil, "BIGINT"), fmtAuto, false, Missing},
		{normalise(nil, "BIGINT"), fmtAuto, true, Suppressed},
		{normalise(int64(4), "BIGINT"), fmtAuto, true, Suppressed},
		{normalise(int64(1), "BIGINT"), fmtAuto, true, Suppressed},
		{normalise(int64(0), "BIGINT"), fmtAuto, true, "0"},
		{normalise(int64(5), "BIGINT"), fmtAuto, true, "5"},
		// rates are not counts: 4.5% reach is shown; a withheld (NULL) rate is marked
		{normalise(float64(4.5), "DOUBLE"), fmtPct, true, "4.5%"},
		{normalise(float64(2), "DOUBLE"), fmtShare, true, "200.0%"},
		{normalise(float64(3.29), "DOUBLE"), fmtAuto, true, "3.3"},
		{normalise(nil, "DOUBLE"), fmtPct, true, Suppressed},
		{normalise(float64(3), "DOUBLE"), fmtInt, true, Suppressed},
		{normalise(float64(3), "DOUBLE"), fmtAuto, true, Suppressed},
		{normalise(tru, "BOOLEAN"), fmtAuto, false, "Yes"},
		{normalise("Demoton <North>", "VARCHAR"), fmtAuto, false, "Demoton <North>"},
	}
	for _, tc := range cases {
		if got := tc.v.render(tc.f, tc.suppress, 5); got != tc.want {
			t.Errorf("render(%+v, %d, suppress %v) = %q, want %q", tc.v.s, tc.f, tc.suppress, got, tc.want)
		}
	}
}

func TestInlineFilters(t *testing.T) {
	db := fixtureDB(t)
	src := "```sql name=v hide\nSELECT 1234.56::DOUBLE AS n, 0.1234::DOUBLE AS s, 42.25::DOUBLE AS p, DATE '2026-11-24' AS d, 'a&b' AS t\n```\n\n" +
		"A {{v.n}} B {{v.n | int}} C {{v.n | dec2}} D {{v.s | share}} E {{v.p | pct}} F {{v.d}} G {{v.t}} H {{run.area}} I {{v.n|text}}\n"
	page := mustRun(t, db, src)
	for _, w := range []string{">1,234.6</span> B", ">1,235</span> C", ">1,234.56</span> D", ">12.3%</span> E", ">42.3%</span> F",
		">24 November 2026</span> G", ">a&amp;b</span> H", "Fixtureshire I", ">1234.56</span>"} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func TestParseInfo(t *testing.T) {
	cases := []struct {
		in   string
		args []string
		opts map[string]string
		err  string
	}{
		{`name=children chart=bar x=ward y=children title="Children by ward"`, nil,
			map[string]string{"name": "children", "chart": "bar", "x": "ward", "y": "children", "title": "Children by ward"}, ""},
		{`hide name=a`, []string{"hide"}, map[string]string{"name": "a"}, ""},
		{`title="say \"hi\"" x=a`, nil, map[string]string{"title": `say "hi"`, "x": "a"}, ""},
		{`int="A b,C d"`, nil, map[string]string{"int": "A b,C d"}, ""},
		{`title="open`, nil, nil, "unterminated"},
		{`x=1 x=2`, nil, nil, "given twice"},
		{`int=A,"B"`, nil, nil, "unexpected quote"},
	}
	for _, tc := range cases {
		args, opts, err := parseInfo(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseInfo(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseInfo(%q): %v", tc.in, err)
			continue
		}
		if strings.Join(args, " ") != strings.Join(tc.args, " ") || len(opts) != len(tc.opts) {
			t.Errorf("parseInfo(%q) = %v %v, want %v %v", tc.in, args, opts, tc.args, tc.opts)
		}
		for k, v := range tc.opts {
			if opts[k] != v {
				t.Errorf("parseInfo(%q)[%s] = %q, want %q", tc.in, k, opts[k], v)
			}
		}
	}
}

func TestRequiresSections(t *testing.T) {
	db := fixtureDB(t)
	src := "# R\n\n## A\n\n```requires analysis.lsoa_need\n```\n\nkept-a\n\n## B\n\n```requires analysis.absent nonempty=core.contact\nCustom notice for B.\n```\n\nskipped-b\n\n### B.1\n\nskipped-b1\n\n## C\n\n```requires nonempty=core.empty\n```\n\nskipped-c\n\n## D\n\nkept-d\n"
	if _, err := db.Exec(context.Background(), "CREATE TABLE core.empty (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	page := mustRun(t, db, src)
	for _, w := range []string{"kept-a", "Custom notice for B.", "B.1", "kept-d", "<code>core.empty (no rows)</code>"} {
		if w == "B.1" {
			if strings.Contains(page, w) {
				t.Errorf("page shows the subsection heading of a skipped section")
			}
			continue
		}
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	for _, w := range []string{"skipped-b", "skipped-c"} {
		if strings.Contains(page, w) {
			t.Errorf("page shows %q from a skipped section", w)
		}
	}
}

func TestNotebooksParse(t *testing.T) {
	// The shipped notebooks parse (their queries run in the pipeline's report tests).
	files, _ := filepath.Glob("../../notebooks/*.md")
	if len(files) == 0 {
		t.Skip("no notebooks folder")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(f, b); err != nil {
			t.Error(err)
		}
	}
}

// A requires cell's if= query keeps its section only when it returns true (or a non-zero number);
// false, 0, NULL or no row replace the section with the cell's notice (or a generic one).
func TestRequiresIf(t *testing.T) {
	db := fixtureDB(t)
	src := "# R\n\n" +
		"## A\n\n```requires analysis.lsoa_need if=\"SELECT count(*) > 0 FROM analysis.lsoa_need\"\n```\n\nkept-a\n\n" +
		"## B\n\n```requires if=\"SELECT text = 'true' FROM core.params WHERE name = 'no such param'\"\n```\n\nskipped-b\n\n" +
		"## C\n\n```requires analysis.lsoa_need if=\"SELECT 1 = 2\"\nNot for this area.\n```\n\nskipped-c\n\n" +
		"## D\n\n```requires if=\"SELECT 0\"\n```\n\nskipped-d\n\n" +
		"## E\n\n```requires if=\"SELECT 2\"\n```\n\nkept-e\n\n" +
		"## F\n\n```requires analysis.absent if=\"SELECT * FROM analysis.absent\"\n```\n\nskipped-f\n"
	page := mustRun(t, db, src)
	for _, w := range []string{"kept-a", "kept-e", "Not for this area.", "This section does not apply to this run.", "<code>analysis.absent</code>"} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	for _, w := range []string{"skipped-b", "skipped-c", "skipped-d", "skipped-f"} {
		if strings.Contains(page, w) {
			t.Errorf("page shows %q from a skipped section", w)
		}
	}
	if n := strings.Count(page, "This section does not apply to this run."); n != 2 {
		t.Errorf("%d generic notices, want 2 (sections B and D)", n)
	}
	// A query that fails, or returns more than one value, is an error naming the cell.
	for _, q := range []string{`SELECT nonsense FROM analysis.lsoa_need`, `SELECT 1, 2`} {
		_, err := runString(t, db, "notebooks/t.md", "# R\n\n## A\n\n```requires if=\""+q+"\"\n```\n")
		if err == nil || !strings.Contains(err.Error(), "notebooks/t.md:5: cell 1 (requires)") {
			t.Errorf("if=%q: error %v, want one naming notebooks/t.md:5 and cell 1", q, err)
		}
	}
}

// Typographic quotes in an image's alt text and in a heading are escaped once, not twice.
func TestTextEscapedOnce(t *testing.T) {
	db := fixtureDB(t)
	page := mustRun(t, db, "# R\n\n## England's authorities & others\n\n## B\n\n![England's map](maps/decile.png)\n")
	if strings.Contains(page, "&amp;rsquo;") || strings.Contains(page, "&amp;amp;") {
		t.Errorf("page escapes an entity twice")
	}
	for _, w := range []string{`alt="England’s map"`, `<li><a href="#england-s-authorities-others">England’s authorities &amp; others</a></li>`} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %s", w)
		}
	}
}

// Words quoted in prose read as prose (class "v txt", not bold); numbers and dates stand out ("v").
func TestInlineWordsAreProse(t *testing.T) {
	db := fixtureDB(t)
	page := mustRun(t, db, "```sql name=v hide\nSELECT 12 AS n, 'walking on the network' AS w, DATE '2026-11-24' AS d\n```\n\nA {{v.n}} B {{v.w | text}} C {{v.d}}\n")
	for _, w := range []string{`<span class="v" title="query v (cell 1), column n">12</span>`,
		`<span class="v txt" title="query v (cell 1), column w">walking on the network</span>`,
		`<span class="v" title="query v (cell 1), column d">24 November 2026</span>`} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %s", w)
		}
	}
}

// {{q.n | count "one" "many"}}: the number (as int) then the noun, singular only for exactly 1.
func TestInlineCount(t *testing.T) {
	db := fixtureDB(t)
	for _, c := range []struct {
		value string
		want  string
	}{
		{"0", ">0 LSOAs are</span> hot"},
		{"1", ">1 LSOA is</span> hot"},
		{"2", ">2 LSOAs are</span> hot"},
		{"1.0::DOUBLE", ">1 LSOA is</span> hot"},
		{"1.4::DOUBLE", ">1 LSOAs are</span> hot"}, // shown as 1 but not one: no singular
		{"1234", ">1,234 LSOAs are</span> hot"},
		{"NULL::INTEGER", ">– LSOAs are</span> hot"},
	} {
		page := mustRun(t, db, "```sql name=v hide\nSELECT "+c.value+" AS n\n```\n\n{{v.n | count \"LSOA is\" \"LSOAs are\"}} hot\n")
		if !strings.Contains(page, c.want) {
			t.Errorf("n = %s: page lacks %q", c.value, c.want)
		}
	}
	for _, bad := range []string{`{{v.n | count "LSOA"}}`, `{{v.n | int "LSOA" "LSOAs"}}`} {
		if _, err := runString(t, db, "notebooks/t.md", "```sql name=v hide\nSELECT 1 AS n\n```\n\n"+bad+"\n"); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// An hbar chart with two y columns draws a group of bars per row, one per column, with a legend:
// both values are labelled, and changing the "before" value changes its bar's label.
func TestGroupedHBars(t *testing.T) {
	db := fixtureDB(t)
	ctx := context.Background()
	if _, err := db.Exec(ctx, `CREATE TABLE sc AS SELECT * FROM (VALUES ('North', 41.5, 63.25), ('South', 12.0, 30.0)) t(s, b, a)`); err != nil {
		t.Fatal(err)
	}
	src := "```sql name=g chart=hbar x=Scenario y=\"Before,After\" pct=\"Before,After\"\nSELECT s AS \"Scenario\", b AS \"Before\", a AS \"After\" FROM sc ORDER BY s\n```\n"
	page := mustRun(t, db, src)
	for _, w := range []string{">41.5%</text>", ">63.3%</text>", ">12.0%</text>", ">30.0%</text>", ">Before</text>", ">After</text>"} {
		if !strings.Contains(page, w) {
			t.Errorf("chart lacks %q", w)
		}
	}
	if _, err := db.Exec(ctx, `UPDATE sc SET b = 20 WHERE s = 'South'`); err != nil {
		t.Fatal(err)
	}
	page = mustRun(t, db, src)
	if !strings.Contains(page, ">20.0%</text>") || strings.Contains(page, ">12.0%</text>") {
		t.Errorf("the South before bar does not follow the data")
	}
	if _, err := runString(t, db, "notebooks/t.md", "```sql chart=bar x=s y=\"b,a\"\nSELECT * FROM sc\n```\n"); err == nil {
		t.Errorf("chart=bar with two y columns: no error")
	}
}
