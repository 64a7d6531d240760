package datasets

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/planar"
)

func square(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// Shapes whose centroid falls outside them, with the radius of their largest inscribed circle
// worked by hand (the pole of inaccessibility is its centre).
var interiorCases = []struct {
	name   string
	mp     orb.MultiPolygon
	radius float64
}{
	// U: square [0,1000]² less the notch [400,700]x[300,1000]. The largest circle sits in the
	// bottom-left corner, touching x = 0, y = 0 and the notch corner (400, 300):
	// (400 - r)² + (300 - r)² = r², r = 700 - 200√6 = 210.1 (the arms alone allow 200 and 150).
	{"U", orb.MultiPolygon{{{{0, 0}, {1000, 0}, {1000, 1000}, {700, 1000}, {700, 300}, {400, 300}, {400, 1000}, {0, 1000}, {0, 0}}}}, 700 - 200*math.Sqrt(6)},
	// C open to the right: [0,100]² less [30,100]x[30,70]. Arms and back 30 thick; at the inner
	// corners the circle touches two outer sides and the notch corner: t = √2(30 - t), t = 17.57.
	{"C", orb.MultiPolygon{{{{0, 0}, {100, 0}, {100, 30}, {30, 30}, {30, 70}, {100, 70}, {100, 100}, {0, 100}, {0, 0}}}}, 30 * math.Sqrt2 / (1 + math.Sqrt2)},
	// Square [0,100]² with the hole [20,80]²: a frame 20 wide; at its corners t = √2(20 - t).
	{"holed square", orb.MultiPolygon{{square(0, 0, 100, 100), square(20, 20, 80, 80)}}, 20 * math.Sqrt2 / (1 + math.Sqrt2)},
	// A small square and a big U: the point goes in the bigger polygon.
	{"multi", orb.MultiPolygon{{square(-50, -50, -40, -40)}, {{{0, 0}, {1000, 0}, {1000, 1000}, {700, 1000}, {700, 300}, {400, 300}, {400, 1000}, {0, 1000}, {0, 0}}}}, 700 - 200*math.Sqrt(6)},
}

func TestInteriorPoint(t *testing.T) {
	for _, c := range interiorCases {
		t.Run(c.name, func(t *testing.T) {
			if cen, _ := planar.CentroidArea(c.mp[len(c.mp)-1]); planar.MultiPolygonContains(c.mp, cen) {
				t.Fatalf("fixture: centroid %v should lie outside the shape", cen)
			}
			p, ok := InteriorPoint(c.mp)
			d := planar.DistanceFrom(c.mp, p)
			if !ok || !planar.MultiPolygonContains(c.mp, p) || d == 0 {
				t.Fatalf("interior point %v (ok %v) is not strictly inside", p, ok)
			}
			// found to within 1/200 of the bounding box's smaller side (or 0.5)
			b := c.mp[len(c.mp)-1].Bound()
			tol := math.Max(math.Min(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1])/200, 0.5)
			if d < c.radius-tol || d > c.radius+1e-9 {
				t.Errorf("point %v is %.2f from the outline; the largest inscribed circle has radius %.2f", p, d, c.radius)
			}
			// The fallback alone also lands strictly inside.
			s, ok := scanlinePoint(c.mp[len(c.mp)-1])
			if !ok || !planar.MultiPolygonContains(c.mp, s) || planar.DistanceFrom(c.mp, s) == 0 {
				t.Errorf("scanline point %v not strictly inside", s)
			}
		})
	}
}

func TestScanlineAvoidsVertices(t *testing.T) {
	// A diamond: the half-way line y = 50 runs through the left and right vertices.
	diamond := orb.Polygon{{{0, 50}, {50, 0}, {100, 50}, {50, 100}, {0, 50}}}
	p, ok := scanlinePoint(diamond)
	if !ok || !planar.PolygonContains(diamond, p) || planar.DistanceFrom(diamond, p) == 0 || p[1] == 50 {
		t.Errorf("diamond: %v %v", p, ok)
	}
	// A sliver 20,000 times longer than wide: polylabel declines, the scanline answers.
	sliver := orb.MultiPolygon{{{{0, 0}, {20000, 0}, {20000, 1}, {0, 1}, {0, 0}}}}
	p, ok = InteriorPoint(sliver)
	if !ok || !planar.MultiPolygonContains(sliver, p) || p[1] <= 0 || p[1] >= 1 {
		t.Errorf("sliver: %v %v", p, ok)
	}
	if _, ok := InteriorPoint(orb.MultiPolygon{}); ok {
		t.Error("an empty geometry has no interior point")
	}
}

func TestCleanRing(t *testing.T) {
	cases := []struct {
		name         string
		in, want     orb.Ring
		dups, spikes int
	}{
		{"clean", square(0, 0, 10, 10), square(0, 0, 10, 10), 0, 0},
		{"repeated", orb.Ring{{0, 0}, {10, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 10}, {0, 0}}, square(0, 0, 10, 10), 2, 0},
		// A, B, A spike out of the right side at y = 5.
		{"spike", orb.Ring{{0, 0}, {10, 0}, {10, 5}, {15, 5}, {10, 5}, {10, 10}, {0, 10}, {0, 0}},
			orb.Ring{{0, 0}, {10, 0}, {10, 5}, {10, 10}, {0, 10}, {0, 0}}, 1, 1},
		// A spike that overshoots its base: (10,0) → (10,8) → (10,5) runs back along the edge.
		{"back-track", orb.Ring{{0, 0}, {10, 0}, {10, 8}, {10, 5}, {10, 10}, {0, 10}, {0, 0}},
			orb.Ring{{0, 0}, {10, 0}, {10, 5}, {10, 10}, {0, 10}, {0, 0}}, 0, 1},
	}
	for _, c := range cases {
		got, d, s := cleanRing(c.in)
		if !got.Equal(c.want) || d != c.dups || s != c.spikes {
			t.Errorf("%s: %v (%d repeated, %d spikes), want %v (%d, %d)", c.name, got, d, s, c.want, c.dups, c.spikes)
		}
		if math.Abs(ringArea(got)) != math.Abs(ringArea(c.want)) {
			t.Errorf("%s: area changed", c.name)
		}
	}
}

func TestCleanGeometryRejects(t *testing.T) {
	cases := []struct {
		name string
		g    orb.Geometry
		want string // the reason, or its start when it ends with "…"
	}{
		{"line", orb.LineString{{0, 0}, {1, 1}}, "geometry is a LineString, not a Polygon or MultiPolygon: a boundary must be an area"},
		{"empty multi", orb.MultiPolygon{}, "empty geometry: the MultiPolygon has no coordinates"},
		{"unclosed hole", orb.MultiPolygon{{square(0, 0, 10, 10)}, {square(20, 0, 30, 10), orb.Ring{{22, 2}, {24, 2}, {24, 4}, {22, 4}}}},
			"hole 1 of polygon 2 is not closed: it starts at [22, 2] and ends at [22, 4] (a GeoJSON ring must end with its first position)"},
		{"not a number", orb.Polygon{{{0, 0}, {math.NaN(), 0}, {1, 1}, {0, 0}}}, "the outer ring has a coordinate that is not a number"},
		{"collapsed", orb.Polygon{{{0, 0}, {1, 1}, {1, 1}, {0, 0}}}, "the outer ring has no area: fewer than 3 distinct corners once repeated positions are dropped"},
		{"bow-tie", orb.Polygon{{{0, 0}, {10, 10}, {10, 0}, {0, 10}, {0, 0}}}, "self-intersecting ring: the outer ring crosses itself near [5, 5] (edges 1 and 3)"},
		// The outline comes down to the bottom edge twice and runs along it between x = 4 and 6.
		{"runs back", orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {6, 10}, {6, 0}, {4, 0}, {4, 10}, {0, 10}, {0, 0}}},
			"self-intersecting ring: the outer ring runs back along itself near [4, 0]"},
		{"hole outside", orb.Polygon{square(0, 0, 10, 10), square(20, 20, 30, 30)}, "invalid polygon: hole 1 lies outside the outer ring"},
		{"hole across", orb.Polygon{square(0, 0, 10, 10), square(5, 2, 15, 4)}, "invalid polygon: the outer ring crosses hole 1 near …"},
		{"overlapping parts", orb.MultiPolygon{{square(0, 0, 10, 10)}, {square(5, 2, 15, 8)}}, "invalid MultiPolygon: polygons 1 and 2 overlap (their outlines cross near …"},
		{"part inside part", orb.MultiPolygon{{square(0, 0, 10, 10)}, {square(2, 2, 4, 4)}}, "invalid MultiPolygon: polygon 2 lies inside polygon 1"},
	}
	for _, c := range cases {
		_, _, gerr := cleanGeometry(c.g)
		if gerr == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if p, ok := strings.CutSuffix(c.want, "…"); ok && strings.HasPrefix(gerr.Reason, p) {
			continue
		}
		if gerr.Reason != c.want {
			t.Errorf("%s:\ngot  %s\nwant %s", c.name, gerr.Reason, c.want)
		}
	}
}

func TestCleanGeometryAccepts(t *testing.T) {
	// An island in a lake: a second polygon inside the first one's hole.
	lake := orb.MultiPolygon{{square(0, 0, 100, 100), square(20, 20, 80, 80)}, {square(40, 40, 60, 60)}}
	if _, rep, gerr := cleanGeometry(lake); gerr != nil || rep.any() {
		t.Errorf("island in a lake: %v %+v", gerr, rep)
	}
	// A hole touching the outer ring at one vertex: allowed.
	pinch := orb.Polygon{square(0, 0, 10, 10), {{0, 5}, {3, 3}, {3, 7}, {0, 5}}}
	if _, _, gerr := cleanGeometry(pinch); gerr != nil {
		t.Errorf("hole touching the shell at a vertex: %v", gerr)
	}
	// Two parts along a partly shared edge: kept, noted.
	side := orb.MultiPolygon{{square(0, 0, 10, 10)}, {square(10, 5, 20, 15)}}
	_, rep, gerr := cleanGeometry(side)
	if gerr != nil || len(rep.Touching) != 1 || !strings.HasPrefix(rep.Touching[0], "polygons 1 and 2 touch along a stretch of boundary near ") {
		t.Errorf("parts touching along an edge: %v %+v", gerr, rep)
	}
}

// Two parts sharing one edge exactly, as simplification left E01019828: a triangle east of the
// edge (0,0)-(0,10) and a square west of it. Merged: one outline, area 25 + 100.
func TestMergeSharedEdge(t *testing.T) {
	mp := orb.MultiPolygon{
		{{{0, 0}, {5, 5}, {0, 10}, {0, 0}}},
		{{{0, 10}, {-10, 10}, {-10, 0}, {0, 0}, {0, 10}}},
	}
	got, rep, gerr := cleanGeometry(mp)
	if gerr != nil {
		t.Fatal(gerr)
	}
	want := orb.MultiPolygon{{{{-10, 0}, {0, 0}, {5, 5}, {0, 10}, {-10, 10}, {-10, 0}}}}
	if !got.Equal(want) || planar.Area(got) != 125 {
		t.Errorf("merged %v (area %v), want %v (125)", got, planar.Area(got), want)
	}
	if len(rep.Merged) != 1 || rep.Merged[0] != "polygons 1 and 2 shared 1 edge(s) and were merged into one polygon" {
		t.Errorf("notes %q", rep.Merged)
	}
	// A third, separate part stays as it is, after the merged one.
	mp = append(mp, orb.Polygon{square(50, 50, 60, 60)})
	got, _, gerr = cleanGeometry(mp)
	if gerr != nil || len(got) != 2 || planar.Area(got) != 225 {
		t.Errorf("with a separate part: %v %v", got, gerr)
	}
}

func TestDistances(t *testing.T) {
	a := orb.MultiPolygon{{square(0, 0, 10, 10)}}
	cases := []struct {
		name string
		b    orb.MultiPolygon
		want float64
	}{
		{"500 to the right", orb.MultiPolygon{{square(510, 0, 520, 10)}}, 500},
		{"3-4-5 from the corner", orb.MultiPolygon{{square(13, 14, 20, 20)}}, 5},
		{"sharing an edge", orb.MultiPolygon{{square(10, 0, 20, 10)}}, 0},
		{"touching at a corner", orb.MultiPolygon{{square(10, 10, 20, 20)}}, 0},
		{"inside", orb.MultiPolygon{{square(4, 4, 6, 6)}}, 0},
		{"around", orb.MultiPolygon{{square(-100, -100, 100, 100)}}, 0},
		{"edge to edge, offset", orb.MultiPolygon{{square(5, 13, 30, 20)}}, 3},
	}
	for _, c := range cases {
		if d := MultiPolygonDistance(a, c.b); math.Abs(d-c.want) > 1e-9 {
			t.Errorf("%s: distance %v, want %v", c.name, d, c.want)
		}
		if !WithinDistance(a, c.b, c.want) || !WithinDistance(c.b, a, c.want) {
			t.Errorf("%s: not within %v", c.name, c.want)
		}
		if c.want > 0 && (WithinDistance(a, c.b, c.want-0.01) || WithinDistance(c.b, a, c.want-0.01)) {
			t.Errorf("%s: within %v", c.name, c.want-0.01)
		}
	}
	// An island in a lake is 20 from the lake's shore, not inside the outer polygon.
	lake := orb.MultiPolygon{{square(0, 0, 100, 100), square(20, 20, 80, 80)}}
	island := orb.MultiPolygon{{square(40, 40, 60, 60)}}
	if d := MultiPolygonDistance(lake, island); d != 20 || WithinDistance(lake, island, 19) || !WithinDistance(island, lake, 20) {
		t.Errorf("island: %v", d)
	}
}

func TestWKB(t *testing.T) {
	mp := orb.MultiPolygon{{square(440000, 390000, 441000, 391000), square(440250, 390250, 440750, 390750)}, {square(0, 0, 1, 1)}}
	b := EncodeWKB(mp)
	// OGC WKB: byte order 1 (little-endian), type 6 (MultiPolygon), 2 polygons; each polygon
	// type 3 with its ring count; each ring its point count then x, y doubles.
	if b[0] != 1 || binary.LittleEndian.Uint32(b[1:5]) != 6 || binary.LittleEndian.Uint32(b[5:9]) != 2 ||
		b[9] != 1 || binary.LittleEndian.Uint32(b[10:14]) != 3 || binary.LittleEndian.Uint32(b[14:18]) != 2 ||
		binary.LittleEndian.Uint32(b[18:22]) != 5 || math.Float64frombits(binary.LittleEndian.Uint64(b[22:30])) != 440000 {
		t.Errorf("WKB header % x", b[:30])
	}
	// 9 header bytes; polygon 1: 9 + 2 rings x (4 + 5 x 16); polygon 2: 9 + (4 + 5 x 16)
	if len(b) != 9+9+2*(4+80)+9+4+80 {
		t.Errorf("WKB length %d", len(b))
	}
	back, err := DecodeWKB(b)
	if err != nil || !back.Equal(mp) {
		t.Errorf("round trip: %v %v", back, err)
	}
	poly, _ := wkb.Marshal(mp[1])
	if back, err := DecodeWKB(poly); err != nil || !back.Equal(orb.MultiPolygon{mp[1]}) {
		t.Errorf("polygon: %v %v", back, err)
	}
	pt, _ := wkb.Marshal(orb.Point{1, 2})
	if _, err := DecodeWKB(pt); err == nil || err.Error() != "decode WKB geometry: a Point, expected a MultiPolygon" {
		t.Errorf("point: %v", err)
	}
}
