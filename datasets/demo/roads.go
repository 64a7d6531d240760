package demo

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

	"hubreach/internal/bng"
)

// The road network lies on a lattice of nodes every latM metres over the whole grid (jittered so
// it does not look ruled), with roads along some lattice lines:
//   - a primary road running north–south through Demoton, two secondary roads east–west;
//   - tertiary and residential streets on every lattice line in the town, small street grids in
//     the villages, a few one-way streets and 20 mph zones;
//   - unclassified lanes every 1 km everywhere, tracks in the rural south, footpaths and
//     bridleways cutting diagonally;
//   - a short access road from every population-weighted centroid, hub and candidate site to the
//     nearest drivable node, so all of them are within a few tens of metres of a road.
const (
	latM       = 250.0
	nu         = nx*4 + 1 // lattice columns
	nv         = ny*4 + 1 // lattice rows
	townU0     = 12       // town street grid: lattice columns 12..44, rows 32..48 (cells 3..10, 8..11)
	townU1     = 44
	townV0     = 32
	townV1     = 48
	primaryU   = 28
	secondaryA = 40
	secondaryB = 20
)

type tags struct {
	highway, name, maxspeed, oneway string
}

func (t tags) drivable() bool {
	switch t.highway {
	case "primary", "secondary", "tertiary", "residential", "unclassified", "service":
		return true
	}
	return false
}

type osmWay struct {
	id    int64
	nodes []int64
	t     tags
}

type network struct {
	nodes map[int64]pt
	ways  []osmWay
}

func latticeID(u, v int) int64 { return int64(1 + v*nu + u) }

func inTown(u, v int) bool { return u >= townU0 && u <= townU1 && v >= townV0 && v <= townV1 }

func villageCentres() [][2]int {
	var out [][2]int
	for _, s := range settlements[1:] { // not Demoton, which has the town grid
		out = append(out, [2]int{int(math.Round(s.x * 4)), int(math.Round(s.y * 4))})
	}
	return out
}

func inVillage(u, v int) bool {
	for _, c := range villageCentres() {
		if u >= c[0]-2 && u <= c[0]+2 && v >= c[1]-2 && v <= c[1]+2 {
			return true
		}
	}
	return false
}

// segmentTags classifies the lattice segment from (u, v) to the next node east (horizontal) or
// north; the zero tags mean no road.
func segmentTags(u, v int, horizontal bool) tags {
	u1, v1 := u, v+1
	line := u
	if horizontal {
		u1, v1 = u+1, v
		line = v
	}
	town := inTown(u, v) && inTown(u1, v1)
	switch {
	case !horizontal && u == primaryU:
		if town {
			return tags{highway: "primary", name: "Great Fictional Road", maxspeed: "30 mph"}
		}
		return tags{highway: "primary", name: "Great Fictional Road", maxspeed: "60 mph"}
	case horizontal && v == secondaryA:
		if town {
			return tags{highway: "secondary", name: "Mockley Road", maxspeed: "30 mph"}
		}
		return tags{highway: "secondary", name: "Mockley Road", maxspeed: "50 mph"}
	case horizontal && v == secondaryB:
		return tags{highway: "secondary", name: "Fauxbury Road", maxspeed: "40 mph"}
	case town && line%4 == 0:
		return tags{highway: "tertiary", maxspeed: "30 mph"}
	case town:
		if (u+v)%7 == 0 {
			return tags{highway: "residential", maxspeed: "20 mph"}
		}
		return tags{highway: "residential"}
	case inVillage(u, v) && inVillage(u1, v1):
		return tags{highway: "residential"}
	case line%4 == 0:
		return tags{highway: "unclassified"}
	}
	return tags{}
}

// buildRoads lays out the network; points are the places that get access roads (first the
// population-weighted centroids, then the sites).
func (a *area) buildRoads(r *rand.Rand) *network {
	var lat [nu][nv]pt
	for u := 0; u < nu; u++ {
		for v := 0; v < nv; v++ {
			lat[u][v] = pt{
				round(originE+float64(u)*latM+(r.Float64()*2-1)*35, 1),
				round(originN+float64(v)*latM+(r.Float64()*2-1)*35, 1),
			}
		}
	}
	n := &network{nodes: map[int64]pt{}}
	addWay := func(ids []int64, t tags) {
		n.ways = append(n.ways, osmWay{id: int64(len(n.ways) + 1), nodes: ids, t: t})
		for _, id := range ids {
			if id < spurBase {
				u, v := int(id-1)%nu, int(id-1)/nu
				n.nodes[id] = lat[u][v]
			}
		}
	}
	// Tracks in the rural south: a run on a few half-kilometre lines.
	track := map[[3]int]bool{} // u, v, horizontal
	for _, v := range []int{2, 6, 10, 14} {
		u0, length := r.IntN(nu-10), 4+r.IntN(6)
		for u := u0; u < u0+length; u++ {
			track[[3]int{u, v, 1}] = true
		}
	}
	for k := 0; k < 3; k++ {
		u, v0, length := 2+4*r.IntN(nu/4-1), r.IntN(8), 3+r.IntN(5)
		for v := v0; v < v0+length; v++ {
			track[[3]int{u, v, 0}] = true
		}
	}
	classify := func(u, v int, horizontal bool) tags {
		t := segmentTags(u, v, horizontal)
		if t.highway == "" && track[[3]int{u, v, boolInt(horizontal)}] {
			return tags{highway: "track"}
		}
		return t
	}
	// Runs of equally tagged segments along each lattice line become ways of at most 12 segments.
	var townResidential []int
	emit := func(ids []int64, t tags, townRun bool) {
		if len(ids) > 1 && t.highway != "" {
			if townRun && t.highway == "residential" {
				townResidential = append(townResidential, len(n.ways))
			}
			addWay(ids, t)
		}
	}
	for v := 0; v < nv; v++ {
		var ids []int64
		var cur tags
		for u := 0; u < nu-1; u++ {
			t := classify(u, v, true)
			if t != cur || len(ids) > 12 {
				emit(ids, cur, inTown(u, v))
				ids = nil
			}
			cur = t
			if t.highway != "" {
				if len(ids) == 0 {
					ids = append(ids, latticeID(u, v))
				}
				ids = append(ids, latticeID(u+1, v))
			}
		}
		emit(ids, cur, inTown(nu-1, v))
	}
	for u := 0; u < nu; u++ {
		var ids []int64
		var cur tags
		for v := 0; v < nv-1; v++ {
			t := classify(u, v, false)
			if t != cur || len(ids) > 12 {
				emit(ids, cur, false)
				ids = nil
			}
			cur = t
			if t.highway != "" {
				if len(ids) == 0 {
					ids = append(ids, latticeID(u, v))
				}
				ids = append(ids, latticeID(u, v+1))
			}
		}
		emit(ids, cur, false)
	}
	// A few one-way streets in the town (one of them tagged against the way's direction).
	for k, p := range r.Perm(len(townResidential))[:min(5, len(townResidential))] {
		w := &n.ways[townResidential[p]]
		w.t.oneway = "yes"
		if k == 0 {
			w.t.oneway = "-1"
		}
	}
	// Footpaths and bridleways: diagonal chains across the countryside and the town.
	kinds := []string{"footway", "path", "bridleway"}
	for k := 0; k < 12; k++ {
		u, v := 2+r.IntN(nu-4), 2+r.IntN(nv-4)
		du, dv := 1-2*r.IntN(2), 1-2*r.IntN(2)
		ids := []int64{latticeID(u, v)}
		for s := 0; s < 3+r.IntN(4); s++ {
			u, v = u+du, v+dv
			if u < 0 || u >= nu || v < 0 || v >= nv {
				break
			}
			ids = append(ids, latticeID(u, v))
		}
		if len(ids) > 1 {
			addWay(ids, tags{highway: kinds[k%len(kinds)]})
		}
	}
	a.addAccessRoads(n)
	return n
}

const spurBase = 1_000_000 // ids of access-road nodes

// addAccessRoads joins every population-weighted centroid and site to the nearest node of a
// drivable road, starting 20 m from the point.
func (a *area) addAccessRoads(n *network) {
	drivable := map[int64]bool{}
	for _, w := range n.ways {
		if w.t.drivable() {
			for _, id := range w.nodes {
				drivable[id] = true
			}
		}
	}
	ids := make([]int64, 0, len(drivable))
	for id := range drivable {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	type target struct {
		p       pt
		highway string
	}
	var targets []target
	for _, l := range a.lsoas {
		targets = append(targets, target{l.pwc, "residential"})
	}
	for _, s := range append(append([]site(nil), a.hubs...), a.candidates...) {
		targets = append(targets, target{s.p, "service"})
	}
	next := int64(spurBase)
	for _, t := range targets {
		best, bd := ids[0], math.Inf(1)
		for _, id := range ids {
			if d := dist(t.p, n.nodes[id]); d < bd {
				best, bd = id, d
			}
		}
		if bd <= 30 {
			continue
		}
		q := n.nodes[best]
		f := 20 / bd
		next++
		n.nodes[next] = pt{round(t.p.E+(q.E-t.p.E)*f, 1), round(t.p.N+(q.N-t.p.N)*f, 1)}
		n.ways = append(n.ways, osmWay{id: int64(len(n.ways) + 1), nodes: []int64{next, best}, t: tags{highway: t.highway}})
	}
}

// writeOSM writes the network as OSM XML (API 0.6 layout, as osmium or JOSM write it).
func writeOSM(w io.Writer, n *network, seed uint64) error {
	bw := bufio.NewWriter(w)
	ids := make([]int64, 0, len(n.nodes))
	for id := range n.nodes {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	type ll struct{ lon, lat float64 }
	coords := make(map[int64]ll, len(ids))
	minLon, minLat, maxLon, maxLat := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, id := range ids {
		p := n.nodes[id]
		lon, lat := bng.ToLonLat(p.E, p.N)
		lon, lat = round(lon, 7), round(lat, 7)
		coords[id] = ll{lon, lat}
		minLon, maxLon = math.Min(minLon, lon), math.Max(maxLon, lon)
		minLat, maxLat = math.Min(minLat, lat), math.Max(maxLat, lat)
	}
	f7 := func(x float64) string { return strconv.FormatFloat(x, 'f', 7, 64) }
	fmt.Fprintf(bw, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	fmt.Fprintf(bw, "<!-- SYNTHETIC DEMO DATA generated by hubreach (seed %d): not real roads, not OpenStreetMap data. -->\n", seed)
	fmt.Fprintf(bw, "<osm version=\"0.6\" generator=\"hubreach demo (synthetic)\">\n")
	fmt.Fprintf(bw, " <bounds minlat=\"%s\" minlon=\"%s\" maxlat=\"%s\" maxlon=\"%s\"/>\n", f7(minLat), f7(minLon), f7(maxLat), f7(maxLon))
	for _, id := range ids {
		c := coords[id]
		fmt.Fprintf(bw, " <node id=\"%d\" version=\"1\" lat=\"%s\" lon=\"%s\"/>\n", id, f7(c.lat), f7(c.lon))
	}
	for _, way := range n.ways {
		fmt.Fprintf(bw, " <way id=\"%d\" version=\"1\">\n", way.id)
		for _, id := range way.nodes {
			fmt.Fprintf(bw, "  <nd ref=\"%d\"/>\n", id)
		}
		for _, kv := range [][2]string{{"highway", way.t.highway}, {"maxspeed", way.t.maxspeed}, {"name", way.t.name}, {"oneway", way.t.oneway}} {
			if kv[1] != "" {
				fmt.Fprintf(bw, "  <tag k=\"%s\" v=\"%s\"/>\n", kv[0], xmlEscape(kv[1]))
			}
		}
		fmt.Fprintf(bw, " </way>\n")
	}
	fmt.Fprintf(bw, "</osm>\n")
	return bw.Flush()
}

func xmlEscape(s string) string {
	var b []byte
	w := &sliceWriter{&b}
	xml.EscapeText(w, []byte(s))
	return string(b)
}

type sliceWriter struct{ b *[]byte }

func (s *sliceWriter) Write(p []byte) (int, error) { *s.b = append(*s.b, p...); return len(p), nil }
