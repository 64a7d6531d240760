package webmap

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"hubreach/internal/browsertest"
)

// fixture is a 3 x 2 grid of 1 km squares near Rotherham, two layers and two sites.
// Decile layer: classes by column (0, 1, 2); area (2,1) has no data.
// Travel layer: top row class 0, bottom row class 1.
func fixture() *Map {
	m := &Map{ID: "fixture-map", Title: "Fixture map", Subtitle: "Six squares", Source: "Hand-made test data",
		OutlineLabel: "Ward boundary",
		SiteGroups: []SiteGroup{
			{ID: "plus", Label: "Family hub (Plus)", Color: "#e6550d", Shape: "square", Size: 14},
			{ID: "sat", Label: "Satellite", Color: "#31a354", Shape: "triangle", Size: 12},
		},
	}
	dec := Layer{ID: "decile", Title: "IDACI decile", Description: "test", NoData: "No data",
		Classes: []Class{{"1 most deprived", "#3f007d"}, {"2", "#9e9ac8"}, {"3", "#ffffcc"}}}
	trav := Layer{ID: "travel", Title: "Walk minutes", Classes: []Class{{"0-10 minutes", "#0868ac"}, {"over 10 minutes", "#f03b20"}}}
	for row := 0; row < 2; row++ {
		for col := 0; col < 3; col++ {
			x, y := 440000+float64(col)*1000, 392000+float64(row)*1000
			// a vertex in the middle of each edge, exactly on the line: simplification drops it
			sq := orb.Polygon{{{x, y}, {x + 500, y}, {x + 1000, y}, {x + 1000, y + 1000}, {x, y + 1000}, {x, y}}}
			a := Area{Code: fmt.Sprintf("E0100000%d", row*3+col), Name: fmt.Sprintf("Square %d-%d", row, col), Geom: orb.MultiPolygon{sq},
				Details: []Detail{{"Children 0-15", fmt.Sprint(100 * (row*3 + col + 1))}}}
			m.Areas = append(m.Areas, a)
			k := col
			if row == 1 && col == 2 {
				k = -1
			}
			dec.Class = append(dec.Class, k)
			trav.Class = append(trav.Class, row)
		}
	}
	m.Layers = []Layer{dec, trav}
	m.Outlines = []Outline{{Name: "Ward A", Geom: orb.MultiPolygon{{{{440000, 392000}, {443000, 392000}, {443000, 394000}, {440000, 394000}, {440000, 392000}}}}}}
	m.Sites = []Site{
		{Name: "Hub One", Group: "plus", Point: orb.Point{440500, 392500}, Details: []Detail{{"Tier", "Plus"}}},
		{Name: "Sat Two", Group: "sat", Point: orb.Point{442500, 393500}},
	}
	return m
}

func TestFragmentStructure(t *testing.T) {
	m := fixture()
	frag, err := m.Fragment()
	if err != nil {
		t.Fatal(err)
	}
	s := string(frag)
	for _, bad := range []string{"<html", "<body", "<head", "<!DOCTYPE", "<link", "@import", "https://", "src="} {
		if strings.Contains(strings.ToLower(s), strings.ToLower(bad)) {
			t.Errorf("fragment contains %q", bad)
		}
	}
	// Every http:// is the SVG namespace: nothing is fetched.
	if n, ns := strings.Count(s, "http://"), strings.Count(s, "http://www.w3.org/2000/svg"); n != ns {
		t.Errorf("fragment has %d http:// URLs, %d of them the SVG namespace", n, ns)
	}
	for _, id := range regexp.MustCompile(`id="([^"]*)"`).FindAllStringSubmatch(s, -1) {
		if !strings.HasPrefix(id[1], "fixture-map") {
			t.Errorf("id %q does not start with the map's id", id[1])
		}
	}
	// style rules are scoped to the map's id
	style := s[strings.Index(s, "<style>")+7 : strings.Index(s, "</style>")]
	for _, rule := range strings.Split(style, "}") {
		if sel := strings.TrimSpace(strings.SplitN(rule, "{", 2)[0]); sel != "" {
			for _, part := range strings.Split(sel, ",") {
				if !strings.HasPrefix(strings.TrimSpace(part), "#fixture-map") {
					t.Errorf("CSS selector %q is not scoped to #fixture-map", part)
				}
			}
		}
	}
	if !strings.HasPrefix(s, `<div id="fixture-map"`) || !strings.HasSuffix(strings.TrimSpace(s), "</div>") {
		t.Errorf("fragment is not one div: starts %.40q, ends %q", s, s[len(s)-20:])
	}
	// The inlined data: six areas, the middle-of-edge vertices simplified away (5 points a ring).
	re := regexp.MustCompile(`(?s)<script type="application/json" id="fixture-map-data">(.*?)</script>`)
	mm := re.FindStringSubmatch(s)
	if mm == nil {
		t.Fatal("no data script")
	}
	var d struct {
		Areas struct {
			Features []struct {
				Geometry struct {
					Type        string
					Coordinates [][][][2]float64
				}
				Properties struct {
					Code string
					K    []int
				}
			}
		}
		Layers []struct {
			Classes     []struct{ Count int }
			NoDataCount int
		}
	}
	if err := json.Unmarshal([]byte(mm[1]), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Areas.Features) != 6 {
		t.Fatalf("%d areas", len(d.Areas.Features))
	}
	f := d.Areas.Features[0]
	if f.Properties.Code != "E01000000" || len(f.Geometry.Coordinates[0][0]) != 5 {
		t.Errorf("first area %s with %d ring points, want E01000000 with 5 (midpoint simplified away)", f.Properties.Code, len(f.Geometry.Coordinates[0][0]))
	}
	// legend counts: decile classes 2, 2, 1 and one no-data; travel 3 and 3.
	if c := d.Layers[0].Classes; c[0].Count != 2 || c[1].Count != 2 || c[2].Count != 1 || d.Layers[0].NoDataCount != 1 {
		t.Errorf("decile legend counts %+v, no data %d", c, d.Layers[0].NoDataCount)
	}
	// Rotherham is at about 1.36°W 53.43°N; the fixture's first corner 440000, 392000.
	p := f.Geometry.Coordinates[0][0][0]
	if p[0] > -1.38 || p[0] < -1.42 || p[1] < 53.40 || p[1] > 53.44 {
		t.Errorf("first corner at %v, expected near -1.40, 53.42", p)
	}

	m.BasemapURL = "https://tile.example.org/{z}/{x}/{y}.png"
	frag, err = m.Fragment()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(frag, []byte("tile.example.org")) {
		t.Error("configured basemap URL not in the page")
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(m *Map)
		want   string
	}{
		{"bad id", func(m *Map) { m.ID = "Map 1" }, "lower-case"},
		{"class out of range", func(m *Map) { m.Layers[0].Class[0] = 3 }, "class 3 outside 0..2"},
		{"short layer", func(m *Map) { m.Layers[1].Class = m.Layers[1].Class[:2] }, "2 classes for 6 areas"},
		{"unknown group", func(m *Map) { m.Sites[0].Group = "extra" }, `group "extra"`},
		{"basemap without placeholders", func(m *Map) { m.BasemapURL = "https://tiles.example.org/" }, "{z}"},
		{"no layers", func(m *Map) { m.Layers = nil }, "no layers"},
	}
	for _, c := range cases {
		m := fixture()
		c.change(m)
		_, err := m.Page()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// chromium runs headless Chromium on url with extra flags; it returns stdout and stderr.
func chromium(t *testing.T, bin, url string, flags ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + t.TempDir(),
		"--enable-logging=stderr", "--v=0", "--hide-scrollbars", "--window-size=1200,900"}, flags...)
	args = append(args, url)
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", flags, err, errb.String())
	}
	return out.String(), errb.String()
}

// consoleErrors returns Chromium's log lines of console messages and uncaught exceptions. Every
// console message counts, whatever its level: the map writes none, and Chromium (156 at least)
// logs console.error, console.log and uncaught exceptions alike as "INFO:CONSOLE", so the
// level cannot be told from the line.
func consoleErrors(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "CONSOLE") || strings.Contains(l, "Uncaught") {
			out = append(out, l)
		}
	}
	return out
}

// SelfTest is what the page's #selftest hook writes.
type SelfTest struct {
	Areas, Sites int
	Layers       []struct {
		ID          string
		Checked     bool
		WrongFills  int
		Colours     int
		LegendItems int
		LegendTitle string
	}
	Errors []string
	Tip    string
	Zoomed bool
	SvgBox []int
}

// BrowserCheck opens page (a file) in headless Chromium: it runs the page's self-test (every
// layer switched and each area's fill checked, hover, zoom), fails on console errors, and takes
// one screenshot per layer into shots (layer id -> PNG path). It skips when Chromium is absent.
func BrowserCheck(t *testing.T, page, id string, layers []string, shots string) (SelfTest, map[string]image.Image) {
	t.Helper()
	bin := browsertest.Chromium(t, "the headless browser test of the web map")
	abs, _ := filepath.Abs(page)
	url := "file://" + abs
	dom, stderr := chromium(t, bin, url+"#selftest", "--dump-dom", "--virtual-time-budget=3000")
	if errs := consoleErrors(stderr); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
	re := regexp.MustCompile(`(?s)<pre id="` + id + `-selftest">(.*?)</pre>`)
	m := re.FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the page's self-test did not report (script failed?); stderr:\n%s", stderr)
	}
	var st SelfTest
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &st); err != nil {
		t.Fatalf("self-test result: %v\n%s", err, m[1])
	}
	if len(st.Errors) > 0 {
		t.Errorf("page errors: %v", st.Errors)
	}
	imgs := map[string]image.Image{}
	for _, l := range layers {
		path := filepath.Join(shots, l+".png")
		_, stderr := chromium(t, bin, url+"#layer="+l, "--screenshot="+path, "--virtual-time-budget=3000")
		if errs := consoleErrors(stderr); len(errs) > 0 {
			t.Errorf("console errors with layer %s:\n%s", l, strings.Join(errs, "\n"))
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatalf("screenshot of layer %s: %v", l, err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("screenshot of layer %s: %v", l, err)
		}
		imgs[l] = img
	}
	return st, imgs
}

// countColour counts the pixels of exactly colour hex (#rrggbb).
func countColour(img image.Image, hex string) int {
	var r0, g0, b0 uint32
	fmt.Sscanf(hex, "#%02x%02x%02x", &r0, &g0, &b0)
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bb, _ := img.At(x, y).RGBA()
			if r>>8 == r0 && g>>8 == g0 && bb>>8 == b0 {
				n++
			}
		}
	}
	return n
}

func TestBrowser(t *testing.T) {
	m := fixture()
	page, err := m.Page()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "map.html")
	if err := os.WriteFile(path, page, 0o644); err != nil {
		t.Fatal(err)
	}
	shots := t.TempDir()
	if d := os.Getenv("HUBREACH_SCREENSHOTS"); d != "" {
		shots = d
	}
	st, imgs := BrowserCheck(t, path, m.ID, []string{"decile", "travel"}, shots)
	if st.Areas != 6 || st.Sites != 2 || len(st.Layers) != 2 {
		t.Fatalf("self-test saw %d areas, %d sites, %d layers; want 6, 2, 2", st.Areas, st.Sites, len(st.Layers))
	}
	// decile: 3 classes + no data = 4 colours, legend 4 entries + 2 site groups + outline;
	// travel: 2 colours, 2 + 3 legend entries.
	want := []struct {
		colours, legend int
		title           string
	}{{4, 7, "IDACI decile"}, {2, 5, "Walk minutes"}}
	for i, l := range st.Layers {
		if !l.Checked || l.WrongFills != 0 || l.Colours != want[i].colours || l.LegendItems != want[i].legend || l.LegendTitle != want[i].title {
			t.Errorf("layer %s: %+v, want checked, 0 wrong fills, %d colours, %d legend items, title %q", l.ID, l, want[i].colours, want[i].legend, want[i].title)
		}
	}
	if !strings.Contains(st.Tip, "Square 0-0") || !strings.Contains(st.Tip, "1 most deprived") {
		t.Errorf("hover tip %q, want the area's name and its decile class", st.Tip)
	}
	if !st.Zoomed {
		t.Error("zoom-in button did not zoom")
	}
	// Screenshots: each layer's class colours fill a good part of the map; the other layer's
	// colours are absent. The map is drawn at least ~500 x 330 px, a square at least 150 px wide.
	dec, trav := imgs["decile"], imgs["travel"]
	for _, c := range []struct {
		img    image.Image
		colour string
		min    int
	}{
		{dec, "#3f007d", 2 * 15000}, {dec, "#9e9ac8", 2 * 15000}, {dec, "#ffffcc", 15000}, {dec, "#cfcfcf", 15000},
		{trav, "#0868ac", 3 * 15000}, {trav, "#f03b20", 3 * 15000},
	} {
		if n := countColour(c.img, c.colour); n < c.min {
			t.Errorf("screenshot: %d pixels of %s, want at least %d", n, c.colour, c.min)
		}
	}
	for _, c := range []struct {
		img    image.Image
		colour string
	}{{dec, "#0868ac"}, {dec, "#f03b20"}, {trav, "#3f007d"}} {
		// the swatch in the legend is 22 x 14 px: allow it, no more
		if n := countColour(c.img, c.colour); n > 400 {
			t.Errorf("screenshot of the other layer has %d pixels of %s", n, c.colour)
		}
	}
}

// CountColourForTest exposes countColour to the external test package.
var CountColourForTest = countColour
