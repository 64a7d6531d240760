package webmap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"hubreach/internal/browsertest"
)

// The optional XYZ basemap, tested without the internet: a local tile server draws each
// 256 x 256 tile itself, in one solid colour with a magenta ring around every marker point, the
// ring placed with the slippy-map formulas (OSM wiki "Slippy map tilenames"):
//
//	x = (lon + 180) / 360 * 2^z,  y = (1 - ln(tan φ + sec φ) / π) / 2 * 2^z   (tile units)
//
// The same marker points are sites of the map, drawn by the overlay. In headless Chromium the
// test checks that the page asks for exactly the tiles covering its visible extent at the zoom
// it shows (computed here from the areas' WGS84 bounding box and the map's fit rule), that each
// ring's centre lands on its site, that the tiles fill the stage under the semi-transparent
// areas, that the attribution is shown, and that tiles the server refuses (404) break nothing.

const (
	tileBg     = "#00c8c8" // the tiles' colour: none of the map's own colours
	tileRing   = "#ff00ff"
	markerFill = "#00ff00"
	stageBg    = "#f4f4f1" // map.css: the stage's background, seen only where no tile is drawn
	ringR      = 10.0      // ring radius in tile pixels
)

// slippy returns the position of lon, lat in tiles at zoom z (fractional: the integer part is
// the tile, the fraction the place in it).
func slippy(lon, lat float64, z int) (x, y float64) {
	n := math.Exp2(float64(z))
	phi := lat * math.Pi / 180
	return (lon + 180) / 360 * n, (1 - math.Log(math.Tan(phi)+1/math.Cos(phi))/math.Pi) / 2 * n
}

// unslippy is slippy's inverse (the wiki's tile -> lon/lat formulas).
func unslippy(x, y float64, z int) (lon, lat float64) {
	n := math.Exp2(float64(z))
	return x/n*360 - 180, math.Atan(math.Sinh(math.Pi*(1-2*y/n))) * 180 / math.Pi
}

type tileKey struct{ Z, X, Y int }

func (k tileKey) String() string { return fmt.Sprintf("%d/%d/%d", k.Z, k.X, k.Y) }

// tileServer serves /{z}/{x}/{y}.png and logs every request.
type tileServer struct {
	*httptest.Server
	markers [][2]float64       // lon, lat
	missing func(tileKey) bool // answer 404 for these
	mu      sync.Mutex
	log     map[tileKey]int // requests per tile
	bad     []string        // requests that are not a tile path
	referer map[string]int  // the Referer header sent with the tiles ("" = none)
}

var tilePath = regexp.MustCompile(`^/(\d+)/(\d+)/(\d+)\.png$`)

func newTileServer(markers [][2]float64, missing func(tileKey) bool) *tileServer {
	ts := &tileServer{markers: markers, missing: missing, log: map[tileKey]int{}, referer: map[string]int{}}
	ts.Server = httptest.NewServer(http.HandlerFunc(ts.serve))
	return ts
}

func (ts *tileServer) serve(w http.ResponseWriter, r *http.Request) {
	m := tilePath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		ts.mu.Lock()
		ts.bad = append(ts.bad, r.URL.String())
		ts.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	var k tileKey
	fmt.Sscan(m[1]+" "+m[2]+" "+m[3], &k.Z, &k.X, &k.Y)
	ts.mu.Lock()
	ts.log[k]++
	ts.referer[r.Referer()]++
	ts.mu.Unlock()
	if ts.missing != nil && ts.missing(k) {
		http.NotFound(w, r)
		return
	}
	var b bytes.Buffer
	if err := png.Encode(&b, ts.tile(k)); err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(b.Bytes())
}

func hexColour(s string) color.RGBA {
	var c color.RGBA
	fmt.Sscanf(s, "#%02x%02x%02x", &c.R, &c.G, &c.B)
	c.A = 255
	return c
}

// tile draws tile k: solid tileBg, and a ring of radius ringR (3 px wide) around each marker.
func (ts *tileServer) tile(k tileKey) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	bg, ring := hexColour(tileBg), hexColour(tileRing)
	var centres [][2]float64 // marker positions in this tile's pixels
	for _, p := range ts.markers {
		x, y := slippy(p[0], p[1], k.Z)
		centres = append(centres, [2]float64{(x - float64(k.X)) * 256, (y - float64(k.Y)) * 256})
	}
	for py := 0; py < 256; py++ {
		for px := 0; px < 256; px++ {
			c := bg
			for _, m := range centres {
				if d := math.Hypot(float64(px)+0.5-m[0], float64(py)+0.5-m[1]); math.Abs(d-ringR) <= 1.5 {
					c = ring
				}
			}
			img.SetRGBA(px, py, c)
		}
	}
	return img
}

func (ts *tileServer) reset() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.log = map[tileKey]int{}
	ts.bad = nil
}

func (ts *tileServer) requested() (keys []tileKey, bad []string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for k := range ts.log {
		keys = append(keys, k)
	}
	sortTiles(keys)
	return keys, append([]string(nil), ts.bad...)
}

func sortTiles(ks []tileKey) {
	sort.Slice(ks, func(i, j int) bool {
		a, b := ks[i], ks[j]
		if a.Z != b.Z {
			return a.Z < b.Z
		}
		if a.Y != b.Y {
			return a.Y < b.Y
		}
		return a.X < b.X
	})
}

// expectedTiles is the tile set covering a w x h px stage showing the bounding box lon0..lon1,
// lat0..lat1 as the map fits it: Web Mercator, the box centred, its limiting side filling 94%
// of the stage (map.js fit). The zoom is the one whose tile pixels are closest to screen pixels
// (log2 of the scale rounded). It also returns the scale (screen px per zoom-0 px) and how
// far (in screen px) each visible edge is from the nearest tile boundary, to show the test is
// not balanced on a rounding.
func expectedTiles(lon0, lat0, lon1, lat1 float64, w, h int) (keys []tileKey, z int, scale float64, slack []float64) {
	// zoom-0 pixels (the world 256 wide)
	x0, y0 := slippy(lon0, lat1, 0)
	x1, y1 := slippy(lon1, lat0, 0)
	x0, y0, x1, y1 = x0*256, y0*256, x1*256, y1*256
	scale = 0.94 * math.Min(float64(w)/(x1-x0), float64(h)/(y1-y0))
	z = int(math.Round(math.Log2(scale)))
	cx, cy := (x0+x1)/2, (y0+y1)/2
	// the visible extent as lon/lat, then its tiles with the formulas
	vlon0, vlat1 := unslippy((cx-float64(w)/2/scale)/256, (cy-float64(h)/2/scale)/256, 0)
	vlon1, vlat0 := unslippy((cx+float64(w)/2/scale)/256, (cy+float64(h)/2/scale)/256, 0)
	tx0, ty0 := slippy(vlon0, vlat1, z)
	tx1, ty1 := slippy(vlon1, vlat0, z)
	for y := int(math.Floor(ty0)); y <= int(math.Floor(ty1)); y++ {
		for x := int(math.Floor(tx0)); x <= int(math.Floor(tx1)); x++ {
			keys = append(keys, tileKey{z, x, y})
		}
	}
	px := scale / math.Exp2(float64(z)) * 256 // screen px per tile
	for _, f := range []float64{tx0, ty0, tx1, ty1} {
		d := f - math.Floor(f)
		slack = append(slack, math.Min(d, 1-d)*px)
	}
	return keys, z, scale, slack
}

// pageData reads the areas' WGS84 bounding box and the sites' positions from the page.
func pageData(t *testing.T, page []byte) (lon0, lat0, lon1, lat1 float64, sites map[string][2]float64) {
	t.Helper()
	mm := regexp.MustCompile(`(?s)<script type="application/json" id="[a-z0-9-]+-data">(.*?)</script>`).FindSubmatch(page)
	if mm == nil {
		t.Fatal("no data script in the page")
	}
	var d struct {
		Areas struct {
			Features []struct {
				Geometry struct{ Coordinates [][][][2]float64 }
			}
		}
		Sites struct {
			Features []struct {
				Geometry   struct{ Coordinates [2]float64 }
				Properties struct{ Name string }
			}
		}
	}
	if err := json.Unmarshal(bytes.ReplaceAll(mm[1], []byte(`<\/`), []byte("</")), &d); err != nil {
		t.Fatal(err)
	}
	lon0, lat0, lon1, lat1 = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, f := range d.Areas.Features {
		for _, p := range f.Geometry.Coordinates {
			for _, r := range p {
				for _, c := range r {
					lon0, lon1 = math.Min(lon0, c[0]), math.Max(lon1, c[0])
					lat0, lat1 = math.Min(lat0, c[1]), math.Max(lat1, c[1])
				}
			}
		}
	}
	sites = map[string][2]float64{}
	for _, f := range d.Sites.Features {
		sites[f.Properties.Name] = f.Geometry.Coordinates
	}
	return
}

// near reports whether c is within tol of each channel of want.
func near(c color.Color, want color.RGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	abs := func(a int) int {
		if a < 0 {
			return -a
		}
		return a
	}
	return abs(int(r>>8)-int(want.R)) <= tol && abs(int(g>>8)-int(want.G)) <= tol && abs(int(b>>8)-int(want.B)) <= tol
}

// centroid is the mean position (pixel centres) of the pixels in rect that match.
func centroid(img image.Image, rect image.Rectangle, match func(color.Color) bool) (x, y float64, n int) {
	rect = rect.Intersect(img.Bounds())
	for py := rect.Min.Y; py < rect.Max.Y; py++ {
		for px := rect.Min.X; px < rect.Max.X; px++ {
			if match(img.At(px, py)) {
				x += float64(px) + 0.5
				y += float64(py) + 0.5
				n++
			}
		}
	}
	if n > 0 {
		x /= float64(n)
		y /= float64(n)
	}
	return
}

// blend is colour a drawn at opacity alpha over b.
func blend(a, b color.RGBA, alpha float64) color.RGBA {
	f := func(x, y uint8) uint8 { return uint8(math.Round(alpha*float64(x) + (1-alpha)*float64(y))) }
	return color.RGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), 255}
}

func TestBrowserBasemap(t *testing.T) {
	bin := browsertest.Chromium(t, "the headless browser test of the web map")
	m := fixture()
	// Two marker sites in the margins the fit leaves above and below the squares (so the
	// rings are on bare tile, not under an area), near opposite corners.
	m.SiteGroups = append(m.SiteGroups, SiteGroup{ID: "marker", Label: "Marker", Color: markerFill, Shape: "square", Size: 8})
	m.Sites = append(m.Sites,
		Site{Name: "south-west marker", Group: "marker", Point: orb.Point{440300, 391870}},
		Site{Name: "north-east marker", Group: "marker", Point: orb.Point{442700, 394130}})
	// the markers' lon/lat as the page carries them (the areas' bounding box comes from the page too)
	probe, err := m.Page()
	if err != nil {
		t.Fatal(err)
	}
	lon0, lat0, lon1, lat1, sitePos := pageData(t, probe)
	markers := [][2]float64{sitePos["south-west marker"], sitePos["north-east marker"]}

	cases := []struct {
		name    string
		window  string
		missing func(tileKey) bool
	}{
		{"wide", "1200,900", nil},
		{"narrow", "760,900", nil},
		{"some tiles 404", "1200,900", func(k tileKey) bool { return (k.X+k.Y)%3 == 0 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := newTileServer(markers, c.missing)
			defer ts.Close()
			m.BasemapURL = ts.URL + "/{z}/{x}/{y}.png"
			m.BasemapAttribution = "Test tiles © nobody"
			page, err := m.Page()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "map.html")
			if err := os.WriteFile(path, page, 0o644); err != nil {
				t.Fatal(err)
			}
			url := "file://" + path
			win := "--window-size=" + c.window

			// 1. The self-test run: no script errors; the stage's size; the tiles asked for.
			dom, stderr := chromium(t, bin, url+"#selftest", "--dump-dom", "--virtual-time-budget=3000", win)
			checkConsole(t, stderr, c.missing != nil)
			mm := regexp.MustCompile(`(?s)<pre id="` + m.ID + `-selftest">(.*?)</pre>`).FindStringSubmatch(dom)
			if mm == nil {
				t.Fatalf("the page's self-test did not report (script failed?); stderr:\n%s", stderr)
			}
			var st SelfTest
			if err := json.Unmarshal([]byte(html.UnescapeString(mm[1])), &st); err != nil {
				t.Fatal(err)
			}
			if len(st.Errors) > 0 || st.Areas != 6 || st.Sites != 4 {
				t.Errorf("self-test: errors %v, %d areas, %d sites; want none, 6, 4", st.Errors, st.Areas, st.Sites)
			}
			w, h := st.SvgBox[0], st.SvgBox[1]
			want, z, scale, slack := expectedTiles(lon0, lat0, lon1, lat1, w, h)
			t.Logf("stage %d x %d px: scale %.0f px per zoom-0 px (zoom %.3f), tiles at zoom %d; visible edges %.1f px from tile boundaries (W, N, E, S)",
				w, h, scale, math.Log2(scale), z, slack)
			got, bad := ts.requested()
			if len(bad) > 0 {
				t.Errorf("requests that are not z/x/y tiles: %v", bad)
			}
			compareTiles(t, "self-test run", got, want)
			ts.mu.Lock()
			t.Logf("Referer header of the tile requests from the file:// page (\"\" = none): %v", ts.referer)
			ts.mu.Unlock()
			// the attribution, inside the stage
			credit := regexp.MustCompile(`(?s)id="` + m.ID + `-stage".*<div class="hrmap-basemap-credit">([^<]*)</div>`).FindStringSubmatch(dom)
			if credit == nil || html.UnescapeString(credit[1]) != m.BasemapAttribution {
				t.Errorf("attribution: got %q, want %q in the map's stage", credit, m.BasemapAttribution)
			}
			// the tiles are in the page as SVG images, under the areas
			imgs := regexp.MustCompile(`<image [^>]*href="`+regexp.QuoteMeta(ts.URL)+`/(\d+)/(\d+)/(\d+)\.png"`).FindAllStringSubmatch(dom, -1)
			if len(imgs) != len(want) {
				t.Errorf("%d tile images in the page, want %d", len(imgs), len(want))
			}
			if i, j := strings.Index(dom, "<image "), strings.Index(dom, `class="hrmap-area"`); i < 0 || j < 0 || i > j {
				t.Errorf("tile images (at %d) are not drawn before (under) the areas (at %d)", i, j)
			}

			// 2. A screenshot of the map as it opens.
			ts.reset()
			shot := filepath.Join(t.TempDir(), "basemap.png")
			if d := os.Getenv("HUBREACH_SCREENSHOTS"); d != "" {
				shot = filepath.Join(d, "basemap-"+strings.ReplaceAll(c.name, " ", "-")+".png")
			}
			_, stderr = chromium(t, bin, url+"#layer=decile", "--screenshot="+shot, "--virtual-time-budget=3000", win)
			checkConsole(t, stderr, c.missing != nil)
			got, _ = ts.requested()
			compareTiles(t, "screenshot run", got, want)
			f, err := os.Open(shot)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			stage := stageRect(t, img, w, h)
			bg, pale := hexColour(tileBg), hexColour(stageBg)
			count := func(want color.RGBA, tol int) int {
				_, _, n := centroid(img, stage, func(c color.Color) bool { return near(c, want, tol) })
				return n
			}
			nTile, nBare := count(bg, 2), count(pale, 0)
			dec1 := blend(hexColour("#3f007d"), bg, 0.75)
			nDec1, nDec1Pure := count(dec1, 3), count(hexColour("#3f007d"), 0)
			t.Logf("screenshot: %d px of bare tile, %d px of the stage's own background, %d px of decile 1 over tile (%v), %d px of plain decile 1",
				nTile, nBare, nDec1, dec1, nDec1Pure)
			// margins of the fit: at least 3% of the stage's width on either side
			if min := int(0.03 * float64(w*h)); nTile < min {
				t.Errorf("%d pixels of tile colour in the stage, want at least %d: the basemap does not show around the areas", nTile, min)
			}
			// the decile-1 squares (two, each at least 150 px wide) are drawn over the tiles at 75%
			if nDec1 < 2*15000 || nDec1Pure > 0 {
				t.Errorf("%d pixels of decile 1 blended over the tile colour (want at least %d), %d of it unblended (want 0): the areas are not drawn over the basemap",
					nDec1, 2*15000, nDec1Pure)
			}
			if c.missing == nil && nBare > 0 {
				t.Errorf("%d pixels of the stage's bare background: the tiles leave gaps", nBare)
			}
			if c.missing != nil && nBare < 256*256/4 {
				t.Errorf("%d pixels of bare background with tiles missing, want at least a quarter tile", nBare)
			}
			// the attribution's box: white at 80% over the tile colour, at the stage's bottom right
			credit80 := blend(color.RGBA{255, 255, 255, 255}, bg, 0.8)
			corner := image.Rect(stage.Max.X-200, stage.Max.Y-30, stage.Max.X, stage.Max.Y)
			if _, cy, n := centroid(img, corner, func(c color.Color) bool { return near(c, credit80, 2) }); n < 300 {
				t.Errorf("attribution box: %d pixels of %v at the stage's right, want at least 300", n, credit80)
			} else {
				t.Logf("attribution box: %d px, centred at y %.0f", n, cy)
			}

			// 3. Each marker's ring (drawn by the tile server) is centred on its site (drawn by the
			// overlay): find the sites' squares, then the ring around each.
			fill := hexColour(markerFill)
			_, sy, sn := centroid(img, stage, func(c color.Color) bool { return near(c, fill, 10) })
			if sn == 0 {
				t.Fatal("no marker site in the screenshot")
			}
			for i, half := range []image.Rectangle{image.Rect(stage.Min.X, 0, stage.Max.X, int(sy)), image.Rect(stage.Min.X, int(sy), stage.Max.X, stage.Max.Y)} {
				name := []string{"north-east", "south-west"}[i]
				px, py, n := centroid(img, half, func(c color.Color) bool { return near(c, fill, 10) })
				if n < 30 {
					t.Errorf("%s marker site: %d pixels", name, n)
					continue
				}
				box := image.Rect(int(px)-25, int(py)-25, int(px)+26, int(py)+26)
				// magenta, or magenta blended with the tile colour by the tile's scaling
				rx, ry, rn := centroid(img, box, func(c color.Color) bool {
					r, g, b, _ := c.RGBA()
					return r>>8 > 150 && b>>8 > 150 && g>>8 < 100
				})
				missingTile := false
				if c.missing != nil {
					lon, lat := sitePos[name+" marker"][0], sitePos[name+" marker"][1]
					tx, ty := slippy(lon, lat, z)
					missingTile = c.missing(tileKey{z, int(tx), int(ty)})
				}
				if missingTile {
					continue
				}
				if rn < 20 {
					t.Errorf("%s marker: %d ring pixels within 25 px of the site at %.1f, %.1f", name, rn, px, py)
					continue
				}
				dx, dy := rx-px, ry-py
				t.Logf("%s marker: site drawn at %.2f, %.2f; tile ring centred at %.2f, %.2f (%d px): offset %.2f, %.2f px", name, px, py, rx, ry, rn, dx, dy)
				if math.Hypot(dx, dy) > 1.5 {
					t.Errorf("%s marker: the basemap's ring is %.2f, %.2f px from the overlay's site: tiles and areas do not line up", name, dx, dy)
				}
			}
		})
	}
}

// stageRect finds the map's stage (inside its border) in a screenshot: the page body's padding
// is 24 px, so the stage's 1 px #999 border is the column x = 24; the stage is w x h inside it.
func stageRect(t *testing.T, img image.Image, w, h int) image.Rectangle {
	t.Helper()
	border := hexColour("#999999")
	top, bottom := -1, -1
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		if near(img.At(24, y), border, 0) {
			if top < 0 {
				top = y
			}
			bottom = y
		}
	}
	if top < 0 || bottom-top-1 != h {
		t.Fatalf("the stage's left border in the screenshot spans rows %d..%d, want %d px inside", top, bottom, h)
	}
	return image.Rect(25, top+1, 25+w, bottom)
}

// checkConsole fails on console errors; with tiles missing on purpose, Chromium's own "Failed
// to load resource ... 404" lines are expected and nothing else.
func checkConsole(t *testing.T, stderr string, allow404 bool) {
	t.Helper()
	var errs []string
	n404 := 0
	for _, l := range consoleErrors(stderr) {
		if allow404 && strings.Contains(l, "Failed to load resource") && strings.Contains(l, "404") {
			n404++
			continue
		}
		errs = append(errs, l)
	}
	if len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
	if allow404 {
		t.Logf("%d console lines about the tiles refused (404)", n404)
	}
}

func compareTiles(t *testing.T, run string, got, want []tileKey) {
	t.Helper()
	g, w := map[tileKey]bool{}, map[tileKey]bool{}
	for _, k := range got {
		g[k] = true
	}
	for _, k := range want {
		w[k] = true
	}
	var extra, missing []string
	for _, k := range got {
		if !w[k] {
			extra = append(extra, k.String())
		}
	}
	for _, k := range want {
		if !g[k] {
			missing = append(missing, k.String())
		}
	}
	t.Logf("%s: %d tiles requested, %d expected (%s .. %s)", run, len(got), len(want), want[0], want[len(want)-1])
	if len(extra)+len(missing) > 0 {
		t.Errorf("%s: tiles requested but not covering the view: %v; tiles of the view not requested: %v", run, extra, missing)
	}
}
