package notebook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"hubreach/internal/browsertest"
)

// figureCheck is run in the page after it loads: the box of every drawn figure, then a click on
// the first map (on a shape inside it, as a reader would) and on the enlarged view.
const figureCheck = `<script>
addEventListener("load", function () {
  var out = {view: innerWidth, scrollWidth: document.documentElement.scrollWidth, figures: []};
  document.querySelectorAll(".drawn").forEach(function (e) {
    var r = e.getBoundingClientRect(), nat;
    if (e.tagName.toLowerCase() === "img") nat = e.naturalWidth;
    else nat = e.viewBox.baseVal.width * 4 / 3; // drawn in points
    out.figures.push({tag: e.tagName.toLowerCase(), label: e.getAttribute("alt") || e.getAttribute("aria-label") || "",
      left: r.left, right: r.right, width: r.width, natural: nat, link: !!e.closest("a.enlarge[href]")});
  });
  var d = document.getElementById("lightbox"), first = document.querySelector("a.enlarge .drawn");
  if (d && first) {
    var target = first.querySelector("rect, path") || first;
    target.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, view: window}));
    var big = d.querySelector(".drawn");
    out.opened = d.open;
    out.enlarged = big ? big.getBoundingClientRect().width : 0;
    out.enlargedLabel = big ? (big.getAttribute("alt") || big.getAttribute("aria-label")) : "";
    d.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, view: window}));
    out.closed = !d.open;
    out.hash = location.hash;
  }
  setTimeout(function () { // after the dialog's close event
    out.emptied = !!d && !d.querySelector(".drawn");
    var p = document.createElement("pre");
    p.id = "figure-check";
    p.textContent = JSON.stringify(out);
    document.body.appendChild(p);
  }, 50);
});
</script>
`

type checkedFigure struct {
	Tag, Label                  string
	Left, Right, Width, Natural float64
	Link                        bool
}

type figureReport struct {
	View, ScrollWidth float64
	Figures           []checkedFigure
	Opened, Closed    bool
	Emptied           bool
	Enlarged          float64
	EnlargedLabel     string
	Hash              string
}

// A map drawn as the render stage draws them (617.95 pt wide, 6 pt ward labels), a bitmap map as
// wide as the render stage's PNGs, and a small drawing.
const mapSVG = `<?xml version="1.0"?>
<svg width="617.95pt" height="520.87pt" viewBox="0 0 617.95 520.87"
	xmlns="http://www.w3.org/2000/svg">
<rect x="8.5" y="8.5" width="453.5" height="421.7" fill="#54278f"/>
<text x="60" y="100" style="font-family:Liberation Sans;font-size:6px;fill:#FFFFFF">Sampleford</text>
</svg>
`

const smallSVG = `<?xml version="1.0"?>
<svg width="100pt" height="50pt" viewBox="0 0 100 50"
	xmlns="http://www.w3.org/2000/svg">
<rect x="0" y="0" width="100" height="50" fill="#31a354"/>
</svg>
`

func browserArea(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "maps"), 0o755); err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 1287, 1085))
	for y := 0; y < 1085; y++ {
		for x := 0; x < 1287; x++ {
			img.Set(x, y, color.RGBA{0xfe, 0xe0, 0xd2, 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"maps/map.svg": []byte(mapSVG), "maps/small.svg": []byte(smallSVG), "maps/map.png": buf.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const browserNotebook = `# Figures

Some prose in the text column, which stays at a readable measure while figures are wider.

![The IDACI map](maps/map.svg)

![The map as a bitmap](maps/map.png)

![A small drawing](maps/small.svg)

` + "```sql name=wards chart=bar x=Ward y=\"Income-deprived\" title=\"Income-deprived children by ward\"\n" +
	"SELECT ward_name AS \"Ward\", sum(deprived_children) AS \"Income-deprived\" FROM analysis.lsoa_need WHERE area_role = 'area' GROUP BY ward_name ORDER BY ward_name\n```\n"

// In headless Chromium at a laptop's width (1280 px) a map is shown at least 900 px wide (its
// 6 pt ward labels about 12 px high), every figure at least 900 px or 1.5 times its drawn size if
// that is less, none past the window; clicking the first map opens it enlarged, wider than on
// the page, and a click closes it. At 800 px nothing is wider than the window.
func TestBrowserFigures(t *testing.T) {
	bin := browsertest.Chromium(t, "the headless browser test of the report's figures")
	db := fixtureDB(t)
	nb, err := Parse("notebooks/figures.md", []byte(browserNotebook))
	if err != nil {
		t.Fatal(err)
	}
	opt := fixtureOptions()
	opt.Dir = browserArea(t)
	page, err := Run(context.Background(), db, nb, opt)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "figures.html")
	checked := strings.Replace(string(page), "</body>", figureCheck+"</body>", 1)
	if err := os.WriteFile(path, []byte(checked), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int{1280, 800} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			rep := openFigures(t, bin, path, width)
			if len(rep.Figures) != 4 {
				t.Fatalf("%d drawn figures on the page, want 4 (map, bitmap map, small drawing, chart): %+v", len(rep.Figures), rep.Figures)
			}
			if rep.ScrollWidth > rep.View {
				t.Errorf("page is %g px wide in a %g px window (scrolls sideways)", rep.ScrollWidth, rep.View)
			}
			for _, f := range rep.Figures {
				if f.Left < 0 || f.Right > rep.View+0.5 {
					t.Errorf("%s: from %g to %g px, past the %g px window", f.Label, f.Left, f.Right, rep.View)
				}
				if !f.Link {
					t.Errorf("%s: not in a link that enlarges it", f.Label)
				}
				if f.Width > maxScale*f.Natural+1 {
					t.Errorf("%s: %g px wide, more than %g times its drawn %g px", f.Label, f.Width, maxScale, f.Natural)
				}
				if width < 1280 {
					continue
				}
				if want := min(900, maxScale*f.Natural); f.Width < want-1 {
					t.Errorf("%s: %g px wide at 1280 px (drawn %g px), want at least %g", f.Label, f.Width, f.Natural, want)
				}
			}
			m := rep.Figures[0]
			if m.Label != "The IDACI map" || (width >= 1280 && m.Width < 900) {
				t.Errorf("first map %q shown %g px wide, want the IDACI map at least 900 px wide", m.Label, m.Width)
			}
			if !rep.Opened || rep.EnlargedLabel != "The IDACI map" || rep.Enlarged <= m.Width {
				t.Errorf("clicking the first map: opened %v, showing %q %g px wide; want the IDACI map wider than its %g px on the page", rep.Opened, rep.EnlargedLabel, rep.Enlarged, m.Width)
			}
			if !rep.Closed || !rep.Emptied {
				t.Errorf("a click on the enlarged view: closed %v, its copy of the figure removed %v", rep.Closed, rep.Emptied)
			}
			if rep.Hash != "" {
				t.Errorf("opening the enlarged view followed the link to %s", rep.Hash)
			}
		})
	}
}

func openFigures(t *testing.T, bin, path string, width int) figureReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+t.TempDir(),
		"--enable-logging=stderr", "--v=0", "--hide-scrollbars", fmt.Sprintf("--window-size=%d,900", width),
		"--virtual-time-budget=3000", "--dump-dom", "file://"+path)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errb.String())
	}
	for _, l := range strings.Split(errb.String(), "\n") {
		if strings.Contains(l, "CONSOLE") || strings.Contains(l, "Uncaught") {
			t.Errorf("console: %s", l)
		}
	}
	m := regexp.MustCompile(`(?s)<pre id="figure-check">(.*?)</pre>`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("the check script did not report; stderr:\n%s", errb.String())
	}
	var rep figureReport
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &rep); err != nil {
		t.Fatalf("%v: %s", err, m[1])
	}
	return rep
}

// Without a browser: a figure may grow to 1.5 times its drawn size (617.95 pt -> 926.93 pt; a
// 1287 px bitmap no wider than its pixels), on the link as on the figure; every figure has its own
// link to itself; an image alone in its paragraph is a figure, one inside a sentence stays in it.
func TestFigureMarkup(t *testing.T) {
	db := fixtureDB(t)
	nb, err := Parse("notebooks/figures.md", []byte(browserNotebook+"\nSee ![the map](maps/map.svg) here.\n"))
	if err != nil {
		t.Fatal(err)
	}
	opt := fixtureOptions()
	opt.Dir = browserArea(t)
	b, err := Run(context.Background(), db, nb, opt)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{
		`<figure class="wide"><a class="enlarge" id="figure-1" href="#figure-1" style="max-width:926.93pt" title="Click to enlarge"><svg class="drawn" role="img" aria-label="The IDACI map" style="max-width:926.93pt" width="100%" viewBox="0 0 617.95 520.87"`,
		`<figure class="wide"><a class="enlarge" id="figure-2" href="#figure-2" style="max-width:1287px" title="Click to enlarge"><img class="drawn" alt="The map as a bitmap" style="max-width:1287px" src="data:image/png;base64,`,
		`<a class="enlarge" id="figure-3" href="#figure-3" style="max-width:150pt"`,
		// the chart is drawn 16 cm (453.54 pt) wide
		`<figure class="chart wide"><a class="enlarge" id="figure-4" href="#figure-4" style="max-width:680.31pt"`,
		`<svg class="drawn" role="img" aria-label="Income-deprived children by ward"`,
		`<p>See <a class="enlarge" id="figure-5" href="#figure-5" style="max-width:926.93pt"`,
		`<dialog class="lightbox" id="lightbox"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if n := strings.Count(page, `<a class="enlarge"`); n != 5 {
		t.Errorf("%d enlarge links, want 5", n)
	}
	// A page with no figure carries neither the dialog nor its script.
	if p := mustRun(t, db, "# No figures\n\nText.\n"); strings.Contains(p, "<dialog") || strings.Contains(p, "<script") {
		t.Error("a page without figures has the enlarge dialog or script")
	}
}
