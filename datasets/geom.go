package datasets

// Geometry for the boundary loaders: structural checks and simple repairs of polygons as read
// from GeoJSON, a point guaranteed to lie inside a polygon, the distance between two areas, and
// WKB in and out. Everything here is planar: validation runs on the coordinates as written in
// the file (so messages quote them), the rest on British National Grid metres.

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/planar"
)

// geomError is a geometry that cannot be used: what is wrong, and where (a vertex as written in
// the file, or the geometry type), for the reject's value.
type geomError struct {
	Reason string
	At     string
}

func (e *geomError) Error() string { return e.Reason }

// geomRepairs counts what cleanGeometry fixed in one geometry, for the load report's notes.
type geomRepairs struct {
	Duplicates int      // repeated consecutive vertices dropped
	Spikes     int      // zero-width spikes (A, B, A) removed
	Merged     []string // components that shared edges and were merged, described
	Touching   []string // components touching along a stretch of boundary, kept as they are
}

func (r geomRepairs) any() bool {
	return r.Duplicates > 0 || r.Spikes > 0 || len(r.Merged) > 0 || len(r.Touching) > 0
}

func fmtCoord(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// fmtPoint writes a position the way GeoJSON does: [x, y].
func fmtPoint(p orb.Point) string { return "[" + fmtCoord(p[0]) + ", " + fmtCoord(p[1]) + "]" }

// polygonsOf returns a Polygon or MultiPolygon geometry as a MultiPolygon, or says why it is not one.
func polygonsOf(g orb.Geometry) (orb.MultiPolygon, *geomError) {
	var mp orb.MultiPolygon
	switch g := g.(type) {
	case nil:
		return nil, &geomError{Reason: "empty geometry: the feature's geometry is null (expected a Polygon or MultiPolygon)"}
	case orb.Polygon:
		if len(g) > 0 {
			mp = orb.MultiPolygon{g}
		}
	case orb.MultiPolygon:
		for _, p := range g {
			if len(p) > 0 {
				mp = append(mp, p)
			}
		}
	case orb.Collection:
		return nil, &geomError{Reason: "geometry is a GeometryCollection, not a Polygon or MultiPolygon: a boundary must be an area", At: "GeometryCollection"}
	default:
		t := g.GeoJSONType()
		return nil, &geomError{Reason: fmt.Sprintf("geometry is a %s, not a Polygon or MultiPolygon: a boundary must be an area", t), At: t}
	}
	if len(mp) == 0 {
		return nil, &geomError{Reason: fmt.Sprintf("empty geometry: the %s has no coordinates", g.GeoJSONType()), At: g.GeoJSONType()}
	}
	return mp, nil
}

// ringName names ring r of polygon p for a message: "the outer ring", "hole 2 of polygon 3".
func ringName(p, r int, multi bool) string {
	var s string
	if r == 0 {
		s = "the outer ring"
	} else {
		s = fmt.Sprintf("hole %d", r)
	}
	if multi {
		s += fmt.Sprintf(" of polygon %d", p+1)
	}
	return s
}

// checkRings checks each ring is closed and long enough, and every coordinate a finite number.
// Rings are not closed silently: a generalised ONS file always closes them, so an open ring means
// the file was damaged or hand-edited and the outline may be wrong.
func checkRings(mp orb.MultiPolygon) *geomError {
	multi := len(mp) > 1
	for pi, poly := range mp {
		for ri, ring := range poly {
			name := ringName(pi, ri, multi)
			if len(ring) == 0 {
				return &geomError{Reason: "empty geometry: " + name + " has no positions"}
			}
			for _, p := range ring {
				if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
					return &geomError{Reason: name + " has a coordinate that is not a number", At: fmtPoint(p)}
				}
			}
			first, last := ring[0], ring[len(ring)-1]
			if first != last {
				return &geomError{
					Reason: fmt.Sprintf("%s is not closed: it starts at %s and ends at %s (a GeoJSON ring must end with its first position)", name, fmtPoint(first), fmtPoint(last)),
					At:     fmtPoint(last),
				}
			}
			if len(ring) < 4 {
				return &geomError{
					Reason: fmt.Sprintf("%s has %d positions; a ring needs at least 4 (3 corners, then the first repeated)", name, len(ring)),
					At:     fmtPoint(first),
				}
			}
		}
	}
	return nil
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// cleanRing drops repeated consecutive vertices and zero-width spikes (A, B, A, or B lying on
// the way back to A) from a closed ring, and returns it closed again.
func cleanRing(r orb.Ring) (out orb.Ring, dups, spikes int) {
	pts := make([]orb.Point, 0, len(r))
	for _, p := range r[:len(r)-1] {
		pts = append(pts, p)
	}
	for changed := true; changed && len(pts) >= 3; {
		changed = false
		n := len(pts)
		for i := 0; i < n && n >= 3; i++ {
			prev, cur, next := pts[(i+n-1)%n], pts[i], pts[(i+1)%n]
			switch {
			case cur == prev:
				dups++
			case orient(prev, cur, next) == 0 && (cur[0]-prev[0])*(next[0]-cur[0])+(cur[1]-prev[1])*(next[1]-cur[1]) < 0:
				spikes++
			default:
				continue
			}
			pts = append(pts[:i], pts[i+1:]...)
			n--
			i--
			changed = true
		}
	}
	if len(pts) == 2 && pts[0] == pts[1] {
		pts = pts[:1]
		dups++
	}
	out = make(orb.Ring, len(pts), len(pts)+1)
	copy(out, pts)
	if len(out) > 0 {
		out = append(out, out[0])
	}
	return out, dups, spikes
}

// segment is one edge of a ring, for the sweep that finds crossings.
type segment struct {
	a, b                   orb.Point
	comp, ring, idx, nSegs int
	minX, maxX, minY, maxY float64
}

func segmentsOf(mp orb.MultiPolygon, shellsOnly bool) []segment {
	var segs []segment
	for ci, poly := range mp {
		for ri, ring := range poly {
			if shellsOnly && ri > 0 {
				break
			}
			n := len(ring) - 1
			for i := 0; i < n; i++ {
				a, b := ring[i], ring[i+1]
				segs = append(segs, segment{a: a, b: b, comp: ci, ring: ri, idx: i, nSegs: n,
					minX: math.Min(a[0], b[0]), maxX: math.Max(a[0], b[0]), minY: math.Min(a[1], b[1]), maxY: math.Max(a[1], b[1])})
			}
		}
	}
	return segs
}

// adjacent reports whether two edges follow each other in the same ring (so share a vertex).
func (s segment) adjacent(t segment) bool {
	if s.comp != t.comp || s.ring != t.ring {
		return false
	}
	d := s.idx - t.idx
	if d < 0 {
		d = -d
	}
	return d == 1 || d == s.nSegs-1
}

type hitKind int

const (
	noHit   hitKind = iota
	touch           // meet at a single point that is an end of one of them
	cross           // cross at a point inside both
	overlap         // collinear and sharing a stretch of positive length
)

// onSegment: p, known to be collinear with a-b, lies within the segment's extent.
func onSegment(a, b, p orb.Point) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

// intersect classifies how segments a-b and c-d meet, and where.
func intersect(a, b, c, d orb.Point) (hitKind, orb.Point) {
	d1, d2 := orient(c, d, a), orient(c, d, b)
	d3, d4 := orient(a, b, c), orient(a, b, d)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		t := d1 / (d1 - d2)
		return cross, orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
	}
	if d1 == 0 && d2 == 0 && d3 == 0 && d4 == 0 {
		// Collinear: project onto the longer axis and compare the intervals.
		axis := 0
		if math.Abs(b[1]-a[1])+math.Abs(d[1]-c[1]) > math.Abs(b[0]-a[0])+math.Abs(d[0]-c[0]) {
			axis = 1
		}
		lo1, hi1 := math.Min(a[axis], b[axis]), math.Max(a[axis], b[axis])
		lo2, hi2 := math.Min(c[axis], d[axis]), math.Max(c[axis], d[axis])
		lo, hi := math.Max(lo1, lo2), math.Min(hi1, hi2)
		switch {
		case lo < hi:
			for _, p := range []orb.Point{a, b, c, d} {
				if p[axis] == lo {
					return overlap, p
				}
			}
			return overlap, a
		case lo == hi:
			for _, p := range []orb.Point{a, b, c, d} {
				if p[axis] == lo {
					return touch, p
				}
			}
		}
		return noHit, orb.Point{}
	}
	switch {
	case d1 == 0 && onSegment(c, d, a):
		return touch, a
	case d2 == 0 && onSegment(c, d, b):
		return touch, b
	case d3 == 0 && onSegment(a, b, c):
		return touch, c
	case d4 == 0 && onSegment(a, b, d):
		return touch, d
	}
	return noHit, orb.Point{}
}

// sweep calls fn for every pair of non-adjacent edges whose extents overlap, in order of their
// left ends, until fn returns false.
func sweep(segs []segment, fn func(s, t segment) bool) {
	sort.Slice(segs, func(i, j int) bool { return segs[i].minX < segs[j].minX })
	for i := range segs {
		s := segs[i]
		for j := i + 1; j < len(segs) && segs[j].minX <= s.maxX; j++ {
			t := segs[j]
			if t.maxY < s.minY || t.minY > s.maxY || s.adjacent(t) {
				continue
			}
			if !fn(s, t) {
				return
			}
		}
	}
}

// checkSimple finds rings of one polygon that cross themselves or each other, or run back along
// themselves. Rings that only touch at a vertex are accepted: they enclose the same area either
// way, and ONS boundaries do contain such pinches.
func checkSimple(poly orb.Polygon, pi int, multi bool) *geomError {
	var bad *geomError
	sweep(segmentsOf(orb.MultiPolygon{poly}, false), func(s, t segment) bool {
		kind, at := intersect(s.a, s.b, t.a, t.b)
		sName, tName := ringName(pi, s.ring, multi), ringName(pi, t.ring, multi)
		switch {
		case kind == cross && s.ring == t.ring:
			bad = &geomError{Reason: fmt.Sprintf("self-intersecting ring: %s crosses itself near %s (edges %d and %d)", sName, fmtPoint(at), min(s.idx, t.idx)+1, max(s.idx, t.idx)+1), At: fmtPoint(at)}
		case kind == cross:
			bad = &geomError{Reason: fmt.Sprintf("invalid polygon: %s crosses %s near %s", ringName(pi, min(s.ring, t.ring), multi), ringName(pi, max(s.ring, t.ring), multi), fmtPoint(at)), At: fmtPoint(at)}
		case kind == overlap && s.ring == t.ring:
			bad = &geomError{Reason: fmt.Sprintf("self-intersecting ring: %s runs back along itself near %s", sName, fmtPoint(at)), At: fmtPoint(at)}
		case kind == overlap:
			bad = &geomError{Reason: fmt.Sprintf("invalid polygon: %s and %s share a stretch of boundary near %s", sName, tName, fmtPoint(at)), At: fmtPoint(at)}
		default:
			return true
		}
		return false
	})
	if bad != nil {
		return bad
	}
	for ri := 1; ri < len(poly); ri++ {
		if v, ok := vertexOffBoundary(poly[ri], orb.Polygon{poly[0]}); ok && !planar.RingContains(poly[0], v) {
			return &geomError{Reason: fmt.Sprintf("invalid polygon: %s lies outside %s", ringName(pi, ri, multi), ringName(pi, 0, multi)), At: fmtPoint(v)}
		}
	}
	return nil
}

// vertexOffBoundary returns a vertex of r that is not on poly's boundary.
func vertexOffBoundary(r orb.Ring, poly orb.Polygon) (orb.Point, bool) {
	for _, v := range r {
		if planar.DistanceFrom(poly, v) > 0 {
			return v, true
		}
	}
	return orb.Point{}, false
}

// cleanGeometry checks a Polygon or MultiPolygon as read (rings closed and long enough, no ring
// crossing itself or another) and makes the simple repairs that do not change the area it
// encloses: repeated vertices and zero-width spikes are dropped, and components of a
// MultiPolygon that share edges exactly (as simplification leaves them, e.g. E01019828 in the
// super-generalised England file) are merged into one polygon. It returns the cleaned geometry,
// what was repaired, or why the geometry cannot be used.
func cleanGeometry(g orb.Geometry) (orb.MultiPolygon, geomRepairs, *geomError) {
	var rep geomRepairs
	mp, gerr := polygonsOf(g)
	if gerr != nil {
		return nil, rep, gerr
	}
	if gerr := checkRings(mp); gerr != nil {
		return nil, rep, gerr
	}
	multi := len(mp) > 1
	out := make(orb.MultiPolygon, len(mp))
	for pi, poly := range mp {
		out[pi] = make(orb.Polygon, len(poly))
		for ri, ring := range poly {
			r, d, s := cleanRing(ring)
			rep.Duplicates += d
			rep.Spikes += s
			if len(r) < 4 {
				return nil, rep, &geomError{Reason: fmt.Sprintf("%s has no area: fewer than 3 distinct corners once repeated positions are dropped", ringName(pi, ri, multi)), At: fmtPoint(ring[0])}
			}
			out[pi][ri] = r
		}
		if gerr := checkSimple(out[pi], pi, multi); gerr != nil {
			return nil, rep, gerr
		}
		for ri, r := range out[pi] { // a simple ring has an area; this is a safety net
			if ringArea(r) == 0 {
				return nil, rep, &geomError{Reason: fmt.Sprintf("%s has no area: all its positions lie on one line", ringName(pi, ri, multi)), At: fmtPoint(r[0])}
			}
		}
	}
	if !multi {
		return out, rep, nil
	}
	out, merged, gerr := mergeSharedEdges(out)
	if gerr != nil {
		return nil, rep, gerr
	}
	rep.Merged = merged
	if gerr := checkComponents(out, &rep); gerr != nil {
		return nil, rep, gerr
	}
	return out, rep, nil
}

// ringArea is the signed area (positive anticlockwise) of a closed ring.
func ringArea(r orb.Ring) float64 {
	var a float64
	ox, oy := r[0][0], r[0][1]
	for i := 1; i < len(r)-1; i++ {
		a += (r[i][0]-ox)*(r[i+1][1]-oy) - (r[i+1][0]-ox)*(r[i][1]-oy)
	}
	return a / 2
}

// checkComponents finds components of a MultiPolygon whose areas overlap: outlines that cross,
// or one inside another. Components that touch at a point are fine; touching along a stretch of
// boundary is kept and noted.
func checkComponents(mp orb.MultiPolygon, rep *geomRepairs) *geomError {
	var bad *geomError
	seen := map[[2]int]bool{}
	sweep(segmentsOf(mp, false), func(s, t segment) bool {
		if s.comp == t.comp {
			return true
		}
		kind, at := intersect(s.a, s.b, t.a, t.b)
		i, j := min(s.comp, t.comp), max(s.comp, t.comp)
		switch kind {
		case cross:
			bad = &geomError{Reason: fmt.Sprintf("invalid MultiPolygon: polygons %d and %d overlap (their outlines cross near %s)", i+1, j+1, fmtPoint(at)), At: fmtPoint(at)}
			return false
		case overlap:
			if !seen[[2]int{i, j}] {
				seen[[2]int{i, j}] = true
				rep.Touching = append(rep.Touching, fmt.Sprintf("polygons %d and %d touch along a stretch of boundary near %s", i+1, j+1, fmtPoint(at)))
			}
		}
		return true
	})
	if bad != nil {
		return bad
	}
	for i := range mp {
		bi := mp[i].Bound()
		for j := range mp {
			if i == j || !bi.Intersects(mp[j].Bound()) {
				continue
			}
			if v, ok := vertexOffBoundary(mp[j][0], mp[i]); ok && planar.PolygonContains(mp[i], v) {
				return &geomError{Reason: fmt.Sprintf("invalid MultiPolygon: polygon %d lies inside polygon %d", j+1, i+1), At: fmtPoint(v)}
			}
		}
	}
	return nil
}

// mergeSharedEdges merges components of a MultiPolygon whose outer rings share edges exactly
// (same two vertices, opposite directions once both rings run anticlockwise): the shared edges
// are dropped and the remaining ones walked into one outline. Components that share edges in a
// way that leaves no single outline (a pinch vertex, two outlines) are refused.
func mergeSharedEdges(mp orb.MultiPolygon) (orb.MultiPolygon, []string, *geomError) {
	type edge struct{ a, b orb.Point }
	shells := make([]orb.Ring, len(mp))
	for i, p := range mp {
		shells[i] = p[0]
		if ringArea(p[0]) < 0 {
			shells[i] = reversed(p[0])
		}
	}
	owner := map[edge]int{}
	for i, r := range shells {
		for k := 0; k+1 < len(r); k++ {
			owner[edge{r[k], r[k+1]}] = i
		}
	}
	parent := make([]int, len(mp))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			i = parent[i]
		}
		return i
	}
	shared := map[edge]bool{}
	for i, r := range shells {
		for k := 0; k+1 < len(r); k++ {
			if j, ok := owner[edge{r[k+1], r[k]}]; ok && j != i {
				shared[edge{r[k], r[k+1]}] = true
				a, b := find(i), find(j)
				if a != b {
					parent[max(a, b)] = min(a, b)
				}
			}
		}
	}
	if len(shared) == 0 {
		return mp, nil, nil
	}
	groups := map[int][]int{}
	for i := range mp {
		groups[find(i)] = append(groups[find(i)], i)
	}
	var out orb.MultiPolygon
	var notes []string
	for i := range mp {
		members := groups[i]
		if find(i) != i {
			continue
		}
		if len(members) == 1 {
			out = append(out, mp[i])
			continue
		}
		next := map[orb.Point][]orb.Point{}
		nEdges, nShared := 0, 0
		for _, m := range members {
			r := shells[m]
			for k := 0; k+1 < len(r); k++ {
				if shared[edge{r[k], r[k+1]}] {
					nShared++
					continue
				}
				next[r[k]] = append(next[r[k]], r[k+1])
				nEdges++
			}
		}
		names := make([]string, len(members))
		for k, m := range members {
			names[k] = strconv.Itoa(m + 1)
		}
		list := joinAnd(names)
		for v, nx := range next {
			if len(nx) > 1 {
				return nil, nil, &geomError{Reason: fmt.Sprintf("invalid MultiPolygon: polygons %s share edges but cannot be merged into one outline (they pinch at %s)", list, fmtPoint(v)), At: fmtPoint(v)}
			}
		}
		var rings []orb.Ring
		used := 0
		for len(next) > 0 && used < nEdges {
			var start orb.Point
			first := true
			for v := range next { // the lowest-left vertex, so the result does not depend on map order
				if first || v[0] < start[0] || (v[0] == start[0] && v[1] < start[1]) {
					start, first = v, false
				}
			}
			ring := orb.Ring{start}
			for v := start; ; {
				nx, ok := next[v]
				if !ok {
					return nil, nil, &geomError{Reason: fmt.Sprintf("invalid MultiPolygon: polygons %s share edges but their remaining edges do not form a closed outline", list), At: fmtPoint(v)}
				}
				delete(next, v)
				used++
				ring = append(ring, nx[0])
				v = nx[0]
				if v == start {
					break
				}
			}
			rings = append(rings, ring)
		}
		var shell orb.Ring
		var holes []orb.Ring
		for _, r := range rings {
			if ringArea(r) > 0 {
				if shell != nil {
					return nil, nil, &geomError{Reason: fmt.Sprintf("invalid MultiPolygon: polygons %s share edges but merging them leaves more than one outline", list)}
				}
				shell = r
			} else {
				holes = append(holes, r)
			}
		}
		if shell == nil {
			return nil, nil, &geomError{Reason: fmt.Sprintf("invalid MultiPolygon: polygons %s share edges but merging them leaves no outer ring", list)}
		}
		merged := orb.Polygon{shell}
		merged = append(merged, holes...)
		for _, m := range members {
			merged = append(merged, mp[m][1:]...)
		}
		out = append(out, merged)
		notes = append(notes, fmt.Sprintf("polygons %s shared %d edge(s) and were merged into one polygon", list, nShared/2))
	}
	return out, notes, nil
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	out := s[0]
	for _, x := range s[1 : len(s)-1] {
		out += ", " + x
	}
	return out + " and " + s[len(s)-1]
}

func reversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

// transformMP returns a copy of mp with every vertex passed through f.
func transformMP(mp orb.MultiPolygon, f func(x, y float64) (float64, float64)) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(mp))
	for i, poly := range mp {
		out[i] = make(orb.Polygon, len(poly))
		for j, ring := range poly {
			r := make(orb.Ring, len(ring))
			for k, p := range ring {
				r[k][0], r[k][1] = f(p[0], p[1])
			}
			out[i][j] = r
		}
	}
	return out
}

// EncodeWKB encodes a MultiPolygon as little-endian WKB, the form core.lsoa.geom and core.ward.geom hold.
func EncodeWKB(mp orb.MultiPolygon) []byte {
	return wkb.MustMarshal(mp)
}

// DecodeWKB reads a geometry column written by EncodeWKB (a Polygon is returned as a
// one-polygon MultiPolygon).
func DecodeWKB(b []byte) (orb.MultiPolygon, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("decode WKB geometry: %w", err)
	}
	switch g := g.(type) {
	case orb.MultiPolygon:
		return g, nil
	case orb.Polygon:
		return orb.MultiPolygon{g}, nil
	}
	return nil, fmt.Errorf("decode WKB geometry: a %s, expected a MultiPolygon", g.GeoJSONType())
}

// InteriorPoint returns a point strictly inside mp (never on its outline, never in a hole):
// the pole of inaccessibility of its largest polygon, the interior point farthest from the
// outline (polylabel, Agafonkin 2016), found to within 1/200 of the polygon's smaller side or
// 0.5 unit, whichever is larger. Should that search not land inside, or the polygon be a sliver
// over 10,000 times longer than wide (too many cells to search), it falls back to the middle of the widest stretch of a horizontal line through the
// polygon, which lies inside any valid polygon. ok is false only for a polygon without area.
func InteriorPoint(mp orb.MultiPolygon) (p orb.Point, ok bool) {
	var best orb.Polygon
	bestArea := 0.0
	for _, poly := range mp {
		if a := planar.Area(poly); a > bestArea {
			best, bestArea = poly, a
		}
	}
	if best == nil {
		return orb.Point{}, false
	}
	if p, d := poleOfInaccessibility(best); d > 0 && planar.PolygonContains(best, p) {
		return p, true
	}
	return scanlinePoint(best)
}

type cell struct {
	c    orb.Point
	h    float64 // half the cell's side
	d    float64 // signed distance from the centre to the outline (positive inside)
	dMax float64 // the most any point in the cell can be from the outline
}

func newCell(c orb.Point, h float64, poly orb.Polygon) cell {
	d := signedDistance(poly, c)
	return cell{c: c, h: h, d: d, dMax: d + h*math.Sqrt2}
}

// cellQueue is a max-heap of cells by dMax.
type cellQueue []cell

func (q *cellQueue) push(c cell) {
	*q = append(*q, c)
	h := *q
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if h[p].dMax >= h[i].dMax {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func (q *cellQueue) pop() cell {
	h := *q
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h[l].dMax > h[m].dMax {
			m = l
		}
		if r < n && h[r].dMax > h[m].dMax {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top
}

// signedDistance is the distance from p to the polygon's outline, negative outside (even-odd
// rule over all rings, in the same pass as the distance).
func signedDistance(poly orb.Polygon, p orb.Point) float64 {
	inside := false
	best := math.Inf(1)
	for _, ring := range poly {
		for i := 1; i < len(ring); i++ {
			a, b := ring[i-1], ring[i]
			if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
				inside = !inside
			}
			if d := planar.DistanceFromSegmentSquared(a, b, p); d < best {
				best = d
			}
		}
	}
	if inside {
		return math.Sqrt(best)
	}
	return -math.Sqrt(best)
}

func poleOfInaccessibility(poly orb.Polygon) (orb.Point, float64) {
	b := poly.Bound()
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	size := math.Min(w, h)
	if size == 0 {
		return b.Min, 0
	}
	if (w/size)*(h/size) > 10_000 {
		return b.Min, 0 // a sliver: too many cells to cover it; the caller falls back to the scanline
	}
	precision := math.Max(size/200, 0.5)
	half := size / 2
	centroid, _ := planar.CentroidArea(poly)
	best := newCell(centroid, 0, poly)
	if c := newCell(b.Center(), 0, poly); c.d > best.d {
		best = c
	}
	// consider takes a cell as the best so far when it is, and queues it for splitting while
	// some point in it could still beat the best by more than the precision.
	var q cellQueue
	consider := func(c cell) {
		if c.d > best.d {
			best = c
		}
		if c.dMax-best.d > precision {
			q.push(c)
		}
	}
	for x := b.Min[0]; x < b.Max[0]; x += size {
		for y := b.Min[1]; y < b.Max[1]; y += size {
			consider(newCell(orb.Point{x + half, y + half}, half, poly))
		}
	}
	for n := 0; len(q) > 0 && n < 100_000; n++ {
		c := q.pop()
		if c.dMax-best.d <= precision {
			continue
		}
		k := c.h / 2
		for _, off := range [4][2]float64{{-k, -k}, {k, -k}, {-k, k}, {k, k}} {
			consider(newCell(orb.Point{c.c[0] + off[0], c.c[1] + off[1]}, k, poly))
		}
	}
	return best.c, best.d
}

// scanlinePoint takes the horizontal line halfway up the polygon (nudged to pass between
// vertices, never through one), cuts it where it crosses the rings, and returns the middle of
// the widest piece inside.
func scanlinePoint(poly orb.Polygon) (orb.Point, bool) {
	var ys []float64
	for _, r := range poly {
		for _, p := range r {
			ys = append(ys, p[1])
		}
	}
	sort.Float64s(ys)
	mid := (ys[0] + ys[len(ys)-1]) / 2
	// the gap between vertex heights that holds mid (or starts at it)
	k := sort.SearchFloat64s(ys, mid) // first ys[k] >= mid
	for k < len(ys) && ys[k] == mid {
		k++
	}
	lo := mid
	if k > 0 {
		lo = ys[k-1]
	}
	if k >= len(ys) || lo == ys[k] {
		return orb.Point{}, false
	}
	y := (lo + ys[k]) / 2
	if ys[k-1] < mid && mid < ys[k] {
		y = mid
	}
	var xs []float64
	for _, r := range poly {
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			if (a[1] < y) != (b[1] < y) {
				xs = append(xs, a[0]+(y-a[1])/(b[1]-a[1])*(b[0]-a[0]))
			}
		}
	}
	sort.Float64s(xs)
	bestW, bestX := 0.0, 0.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > bestW {
			bestW, bestX = w, (xs[i]+xs[i+1])/2
		}
	}
	if bestW == 0 {
		return orb.Point{}, false
	}
	return orb.Point{bestX, y}, true
}

// segmentDistance is the shortest distance between segments a-b and c-d (0 when they meet).
func segmentDistance(a, b, c, d orb.Point) float64 {
	if k, _ := intersect(a, b, c, d); k != noHit {
		return 0
	}
	return math.Min(
		math.Min(planar.DistanceFromSegment(c, d, a), planar.DistanceFromSegment(c, d, b)),
		math.Min(planar.DistanceFromSegment(a, b, c), planar.DistanceFromSegment(a, b, d)))
}

// WithinDistance reports whether two areas come within d of each other: their outlines are
// within d, or one overlaps or contains the other (distance 0; neighbours that share a boundary
// are at distance 0). Bounding boxes prune the work: only edges near the other area are compared.
func WithinDistance(a, b orb.MultiPolygon, d float64) bool {
	ba, bb := a.Bound(), b.Bound()
	if !ba.Pad(d).Intersects(bb) {
		return false
	}
	near := func(mp orb.MultiPolygon, box orb.Bound) []segment {
		var out []segment
		for _, s := range segmentsOf(mp, false) {
			if s.maxX >= box.Min[0] && s.minX <= box.Max[0] && s.maxY >= box.Min[1] && s.minY <= box.Max[1] {
				out = append(out, s)
			}
		}
		return out
	}
	sa, sb := near(a, bb.Pad(d)), near(b, ba.Pad(d))
	for _, s := range sa {
		for _, t := range sb {
			if t.maxX < s.minX-d || t.minX > s.maxX+d || t.maxY < s.minY-d || t.minY > s.maxY+d {
				continue
			}
			if segmentDistance(s.a, s.b, t.a, t.b) <= d {
				return true
			}
		}
	}
	// No edges near each other: they can still overlap if one lies wholly inside the other.
	return planar.MultiPolygonContains(a, b[0][0][0]) || planar.MultiPolygonContains(b, a[0][0][0])
}

// MultiPolygonDistance is the shortest distance between two areas: 0 when they touch, overlap
// or one contains the other.
func MultiPolygonDistance(a, b orb.MultiPolygon) float64 {
	if planar.MultiPolygonContains(a, b[0][0][0]) || planar.MultiPolygonContains(b, a[0][0][0]) {
		return 0
	}
	best := math.Inf(1)
	sa, sb := segmentsOf(a, false), segmentsOf(b, false)
	for _, s := range sa {
		for _, t := range sb {
			// the gap between the two edges' boxes is a lower bound on their distance
			gx := math.Max(0, math.Max(t.minX-s.maxX, s.minX-t.maxX))
			gy := math.Max(0, math.Max(t.minY-s.maxY, s.minY-t.maxY))
			if math.Hypot(gx, gy) >= best {
				continue
			}
			best = math.Min(best, segmentDistance(s.a, s.b, t.a, t.b))
		}
	}
	return best
}
