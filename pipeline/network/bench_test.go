package network

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/paulmach/orb"
)

// Benchmarks. Run with:
//
//	go test -bench . -benchmem -run '^$' ./pipeline/network/
//
// Custom metrics: ms/op is not repeated; "graph-MB" is the graph's arrays (Graph.MemoryBytes),
// "heap-MB" the live heap after building, "ns/edge" the cost per graph edge, "ns/search" the
// cost of one bounded search.

// BenchmarkRutlandWalkGraph reads the Rutland PBF (from memory) and builds the walking graph:
// the whole path from file to graph (osmnx takes 3.3 s for the same).
func BenchmarkRutlandWalkGraph(b *testing.B) {
	raw, _, _ := rutlandSegments(b)
	b.ResetTimer()
	var g *Graph
	for b.Loop() {
		segs, _, err := ReadOSM(bytes.NewReader(raw), "rutland.osm.pbf")
		if err != nil {
			b.Fatal(err)
		}
		if g, err = Build(segs, Walk, DefaultProfile()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(g.MemoryBytes())/1e6, "graph-MB")
	b.ReportMetric(float64(len(raw))/1e6/(b.Elapsed().Seconds()/float64(b.N)), "MB/s")
}

// BenchmarkRutlandRead is the reading part alone (PBF decoding, tag rules, projection).
func BenchmarkRutlandRead(b *testing.B) {
	raw, _, _ := rutlandSegments(b)
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := ReadOSM(bytes.NewReader(raw), "rutland.osm.pbf"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRutlandBuild is the graph building part alone, per mode.
func BenchmarkRutlandBuild(b *testing.B) {
	_, segs, _ := rutlandSegments(b)
	for _, mode := range []Mode{Walk, Drive} {
		b.Run(mode.String(), func(b *testing.B) {
			for b.Loop() {
				if _, err := Build(segs, mode, DefaultProfile()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRutlandNearestHub: the access question for Rutland — snap 5 hubs and the 23 LSOA
// demand points, one multi-source search, and the nearest hub for each LSOA. "walk" and
// "drive" search from the hubs outwards, "-to-hub" towards them on the reverse graph (what the
// access stage does).
func BenchmarkRutlandNearestHub(b *testing.B) {
	_, hubPts := rutlandHubs(b)
	_, lsoaPts := rutlandLSOAs(b)
	for _, c := range []struct {
		mode    Mode
		reverse bool
	}{{Walk, false}, {Drive, false}, {Walk, true}, {Drive, true}} {
		g, _ := rutlandGraph(b, c.mode)
		name := c.mode.String()
		if c.reverse {
			g, name = g.Reverse(), name+"-to-hub"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				hubs := snapOrFail(b, g, hubPts, 1000)
				lsoas := snapOrFail(b, g, lsoaPts, 1000)
				tree, err := g.Nearest(hubs)
				if err != nil {
					b.Fatal(err)
				}
				for _, l := range lsoas {
					if _, _, _, ok := tree.To(l); !ok {
						b.Fatal("LSOA not reached")
					}
				}
			}
			b.ReportMetric(float64(len(lsoaPts))/(b.Elapsed().Seconds()/float64(b.N)), "LSOAs/s")
		})
	}
}

// gridSegments generates a street network like a metropolitan borough's: an nx × ny grid of
// junctions 80 m apart, each moved up to 25 m at random, with about 10 % of the streets
// removed. Every tenth street is a primary road, the rest residential; 5 % of the residential
// streets are one-way.
func gridSegments(nx, ny int, seed uint64) []Segment {
	rng := rand.New(rand.NewPCG(seed, 1))
	const spacing, jitter = 80.0, 25.0
	id := func(i, j int) int64 { return int64(j*nx + i + 1) }
	pts := make([]orb.Point, nx*ny)
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			pts[j*nx+i] = orb.Point{430000 + float64(i)*spacing + (rng.Float64()*2-1)*jitter,
				390000 + float64(j)*spacing + (rng.Float64()*2-1)*jitter}
		}
	}
	segs := make([]Segment, 0, 2*nx*ny)
	add := func(i0, j0, i1, j1 int, major bool) {
		if rng.IntN(10) == 0 {
			return
		}
		s := Segment{WayID: int64(len(segs) + 1), FromNode: id(i0, j0), ToNode: id(i1, j1),
			A: pts[j0*nx+i0], B: pts[j1*nx+i1], Highway: "residential", WalkOK: true, DriveOK: true}
		if major {
			s.Highway = "primary"
		} else if rng.IntN(20) == 0 {
			s.Oneway = 1
		}
		segs = append(segs, s)
	}
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			if i+1 < nx {
				add(i, j, i+1, j, j%10 == 0)
			}
			if j+1 < ny {
				add(i, j, i, j+1, i%10 == 0)
			}
		}
	}
	return segs
}

// gridFor returns a grid with about the given number of edges (2·n² streets, 90 % kept).
func gridFor(edges int) []Segment {
	n := int(math.Round(math.Sqrt(float64(edges) / 1.8)))
	return gridSegments(n, n, uint64(edges))
}

var metroSizes = []int{50_000, 100_000, 200_000, 400_000}

// BenchmarkMetroBuild builds the driving graph of generated networks of 50k–400k edges.
func BenchmarkMetroBuild(b *testing.B) {
	for _, edges := range metroSizes {
		segs := gridFor(edges)
		b.Run(fmt.Sprintf("edges=%dk", edges/1000), func(b *testing.B) {
			var g *Graph
			for b.Loop() {
				var err error
				if g, err = Build(segs, Drive, DefaultProfile()); err != nil {
					b.Fatal(err)
				}
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(g.MemoryBytes())/1e6, "graph-MB")
			b.ReportMetric(float64(ms.HeapInuse)/1e6, "heap-MB")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(g.NumEdges()), "ns/edge")
			runtime.KeepAlive(g)
		})
	}
}

// BenchmarkMetroNearest: the nearest of `sites` hubs for 1,000 demand points by one
// multi-source search and 1,000 look-ups (snapping done beforehand), on generated networks
// (from the sites outwards; "to-sites" towards them on the reverse graph).
// The edges series shows the cost growing with the network (O(E log V)); the sites series at
// 200k edges shows it does not grow with sites × demand points.
func BenchmarkMetroNearest(b *testing.B) {
	run := func(b *testing.B, edges, sites, demand int, reverse bool) {
		g, err := Build(gridFor(edges), Drive, DefaultProfile())
		if err != nil {
			b.Fatal(err)
		}
		if reverse {
			g = g.Reverse()
		}
		rng := rand.New(rand.NewPCG(3, 3))
		hubs := snapOrFail(b, g, randomPoints(rng, sites, g.Bounds()), 200)
		points := snapOrFail(b, g, randomPoints(rng, demand, g.Bounds()), 200)
		b.ResetTimer()
		for b.Loop() {
			tree, err := g.Nearest(hubs)
			if err != nil {
				b.Fatal(err)
			}
			for _, p := range points {
				tree.To(p)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(g.NumEdges()), "ns/edge")
	}
	for _, edges := range metroSizes {
		b.Run(fmt.Sprintf("edges=%dk/sites=200/demand=1000", edges/1000), func(b *testing.B) { run(b, edges, 200, 1000, false) })
	}
	for _, sites := range []int{10, 2000} {
		b.Run(fmt.Sprintf("edges=200k/sites=%d/demand=1000", sites), func(b *testing.B) { run(b, 200_000, sites, 1000, false) })
	}
	b.Run("edges=200k/sites=200/demand=10000", func(b *testing.B) { run(b, 200_000, 200, 10000, false) })
	// Towards the sites, on the reverse graph (the access stage's search).
	b.Run("edges=200k/sites=200/demand=1000/to-sites", func(b *testing.B) { run(b, 200_000, 200, 1000, true) })
}

// BenchmarkMetroSnap snaps 1,200 points (200 sites and 1,000 demand points) on the 200k-edge
// network.
func BenchmarkMetroSnap(b *testing.B) {
	g, err := Build(gridFor(200_000), Walk, DefaultProfile())
	if err != nil {
		b.Fatal(err)
	}
	pts := randomPoints(rand.New(rand.NewPCG(4, 4)), 1200, g.Bounds())
	for b.Loop() {
		for _, p := range pts {
			if _, err := g.Snap(p, 500); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(pts)), "ns/snap")
}

// BenchmarkMetroBounded: the siting stage's searches — 2,000 candidate sites, each a
// search bounded at 20 minutes' walk (1.6 km), against 1,000 demand points, on the 200k-edge
// network. One op is all 2,000 searches.
func BenchmarkMetroBounded(b *testing.B) {
	g, err := Build(gridFor(200_000), Walk, DefaultProfile())
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	cands := snapOrFail(b, g, randomPoints(rng, 2000, g.Bounds()), 200)
	points := snapOrFail(b, g, randomPoints(rng, 1000, g.Bounds()), 200)
	s := g.NewSearcher()
	var out []Reach
	pairs := 0
	b.ResetTimer()
	for b.Loop() {
		pairs = 0
		for _, c := range cands {
			out, err = s.Bounded(c, 20*60, points, out[:0])
			if err != nil {
				b.Fatal(err)
			}
			pairs += len(out)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(cands)), "ns/search")
	b.ReportMetric(float64(pairs), "pairs")
}
