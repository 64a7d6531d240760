package siting

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// point is a location in metres.
type point struct{ x, y float64 }

// gridIndex buckets points into square cells so that the points within a radius of a location are
// found by looking at the cells around it only.
type gridIndex struct {
	cell  float64
	cells map[[2]int32][]int32
}

func newGridIndex(pts []point, cell float64) *gridIndex {
	g := &gridIndex{cell: cell, cells: make(map[[2]int32][]int32)}
	for i, p := range pts {
		key := g.key(p)
		g.cells[key] = append(g.cells[key], int32(i))
	}
	return g
}

func (g *gridIndex) key(p point) [2]int32 {
	return [2]int32{int32(math.Floor(p.x / g.cell)), int32(math.Floor(p.y / g.cell))}
}

// within appends the indices of the points of pts within radius of c (radius ≤ cell size).
func (g *gridIndex) within(pts []point, c point, radius float64, out []int32) []int32 {
	k := g.key(c)
	for dx := int32(-1); dx <= 1; dx++ {
		for dy := int32(-1); dy <= 1; dy++ {
			for _, i := range g.cells[[2]int32{k[0] + dx, k[1] + dy}] {
				if math.Hypot(pts[i].x-c.x, pts[i].y-c.y) <= radius {
					out = append(out, i)
				}
			}
		}
	}
	return out
}

// coverageInstance builds an instance from demand points, weights and candidate locations:
// coverage within radius, found with a grid index, and existing hubs covering within radius.
func coverageInstance(dem []point, weights []float64, cands []point, hubs []point, radius float64) *Instance {
	g := newGridIndex(dem, radius)
	inst := &Instance{Weights: weights, AlreadyCovered: make([]bool, len(dem))}
	var buf []int32
	for _, h := range hubs {
		for _, i := range g.within(dem, h, radius, buf[:0]) {
			inst.AlreadyCovered[i] = true
		}
	}
	for j, c := range cands {
		inst.Candidates = append(inst.Candidates, Candidate{ID: fmt.Sprintf("S%04d", j), X: c.x, Y: c.y})
		buf = g.within(dem, c, radius, buf[:0])
		inst.Covers = append(inst.Covers, append([]int32(nil), buf...))
	}
	return inst
}

// withCosts adds p-median costs to an instance built by coverageInstance from the same points:
// straight-line distance to every candidate within reach metres, the distance to the nearest
// existing hub (+Inf when none is within reach), and reach as the cost cap.
func withCosts(inst *Instance, dem, cands, hubs []point, reach float64) *Instance {
	g := newGridIndex(dem, reach)
	var buf []int32
	inst.CurrentCost = make([]float64, len(dem))
	for i := range inst.CurrentCost {
		inst.CurrentCost[i] = math.Inf(1)
	}
	for _, h := range hubs {
		for _, i := range g.within(dem, h, reach, buf[:0]) {
			inst.CurrentCost[i] = math.Min(inst.CurrentCost[i], math.Hypot(dem[i].x-h.x, dem[i].y-h.y))
		}
	}
	inst.Costs = make([][]Arc, len(cands))
	for j, c := range cands {
		for _, i := range g.within(dem, c, reach, buf[:0]) {
			inst.Costs[j] = append(inst.Costs[j], Arc{i, math.Hypot(dem[i].x-c.x, dem[i].y-c.y)})
		}
	}
	inst.CostCap = reach
	return inst
}

// countyInstance is a large county: about 1,000 LSOAs in a 50 km × 40 km area, most of them in a
// dozen towns, weights skewed like counts of income-deprived children, 2,000 candidate buildings
// mostly near where people live, 10 existing hubs, coverage within 1.6 km (the "pram-pushing
// mile").
func countyInstance(seed uint64) *Instance {
	rng := rand.New(rand.NewPCG(seed, 0xc0))
	const w, h, radius = 50000.0, 40000.0, 1600.0
	type town struct {
		c     point
		sigma float64
		size  float64
	}
	towns := make([]town, 12)
	total := 0.0
	for t := range towns {
		towns[t] = town{point{3000 + rng.Float64()*(w-6000), 3000 + rng.Float64()*(h-6000)},
			800 + rng.Float64()*2500, 1 + 4*rng.Float64()*rng.Float64()}
		total += towns[t].size
	}
	dem := make([]point, 1000)
	weights := make([]float64, len(dem))
	for i := range dem {
		if rng.Float64() < 0.15 {
			dem[i] = point{rng.Float64() * w, rng.Float64() * h}
		} else {
			u, t := rng.Float64()*total, 0
			for u > towns[t].size {
				u -= towns[t].size
				t++
			}
			dem[i] = point{towns[t].c.x + rng.NormFloat64()*towns[t].sigma, towns[t].c.y + rng.NormFloat64()*towns[t].sigma}
		}
		weights[i] = math.Round(rng.ExpFloat64() * 40)
	}
	cands := make([]point, 2000)
	for j := range cands {
		if rng.Float64() < 0.2 {
			cands[j] = point{rng.Float64() * w, rng.Float64() * h}
		} else {
			d := dem[rng.IntN(len(dem))]
			cands[j] = point{d.x + rng.NormFloat64()*400, d.y + rng.NormFloat64()*400}
		}
	}
	hubs := make([]point, 10)
	for t := range hubs {
		hubs[t] = towns[t].c
	}
	return withCosts(coverageInstance(dem, weights, cands, hubs, radius), dem, cands, hubs, 8000)
}

// denseInstance is 30,000 demand points and 2,000 candidates uniform in a 60 km square, with
// coverage within 5 km and weights 1..100; no existing hubs.
func denseInstance(seed uint64) *Instance {
	rng := rand.New(rand.NewPCG(seed, 0xde))
	const side, radius = 60000.0, 5000.0
	dem := make([]point, 30000)
	weights := make([]float64, len(dem))
	for i := range dem {
		dem[i] = point{rng.Float64() * side, rng.Float64() * side}
		weights[i] = float64(1 + rng.IntN(100))
	}
	cands := make([]point, 2000)
	for j := range cands {
		cands[j] = point{rng.Float64() * side, rng.Float64() * side}
	}
	return coverageInstance(dem, weights, cands, nil, radius)
}

// benchMaxCover runs MaxCover b.N times and reports the answer's quality and memory.
func benchMaxCover(b *testing.B, inst *Instance, k int) {
	b.Helper()
	b.ReportAllocs()
	var res *Result
	var err error
	start := time.Now()
	for b.Loop() {
		res, err = MaxCover(inst, k, Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(res.GreedyValue, "greedy")
	b.ReportMetric(res.SwapValue, "after-swap")
	b.ReportMetric(res.Value, "final")
	b.ReportMetric(res.Bound, "bound")
	b.ReportMetric(100*res.Gap, "gap%")
	b.ReportMetric(100*(res.Value-res.GreedyValue)/res.Value, "gain-over-greedy%")
	b.Logf("k=%d: greedy %.0f, after swap %.0f (%d swaps), final %.0f (%s), bound %.1f, gap %.3f%%, %v per run",
		k, res.GreedyValue, res.SwapValue, len(res.Swaps), res.Value, res.Method, res.Bound, 100*res.Gap, elapsed)
}

// BenchmarkCounty: 2,000 candidates × 1,000 LSOAs with sparse coverage, k = 20.
func BenchmarkCounty(b *testing.B) {
	inst := countyInstance(1)
	nnz := 0
	for _, c := range inst.Covers {
		nnz += len(c)
	}
	b.Logf("county: %d demand points, %d candidates, %d coverage pairs", len(inst.Weights), len(inst.Candidates), nnz)
	benchMaxCover(b, inst, 20)
}

// BenchmarkDense: 30,000 demand points × 2,000 candidates, 5 km radius in a 60 km square, k = 20.
func BenchmarkDense(b *testing.B) {
	start := time.Now()
	inst := denseInstance(1)
	nnz := 0
	for _, c := range inst.Covers {
		nnz += len(c)
	}
	b.Logf("dense: %d demand points, %d candidates, %d coverage pairs, generated in %v",
		len(inst.Weights), len(inst.Candidates), nnz, time.Since(start))
	benchMaxCover(b, inst, 20)
}

// BenchmarkCountyPMedian: the county as a p-median problem (straight-line distance, capped at
// 8 km, existing hubs counted), k = 20.
func BenchmarkCountyPMedian(b *testing.B) {
	inst := countyInstance(1)
	b.ReportAllocs()
	var res *MedianResult
	var err error
	start := time.Now()
	for b.Loop() {
		res, err = PMedian(inst, 20, Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(res.GreedyCost/res.Cost, "greedy/final")
	b.ReportMetric(100*res.Gap, "gap%")
	b.Logf("k=20: base %.0f, greedy %.0f, after swap %.0f (%d swaps), lower bound %.0f, gap %.3f%%, mean cost %.0f m, %v per run",
		res.BaseCost, res.GreedyCost, res.Cost, len(res.Swaps), res.LowerBound, 100*res.Gap, res.MeanCost, elapsed)
}

// BenchmarkExact: branch and bound on a medium instance (60 candidates, 400 demand points in a
// 10 km square with 2.5 km radii, k = 8), where the root bound alone does not prove optimality.
func BenchmarkExact(b *testing.B) {
	inst := randomInstance(genSpec{seed: 10, nc: 60, nd: 400, side: 10000, radius: 2500})
	b.ReportAllocs()
	var res *Result
	var err error
	for b.Loop() {
		res, err = ExactMaxCover(context.Background(), inst, 8, ExactOptions{})
		if err != nil {
			b.Fatal(err)
		}
	}
	if !res.Optimal {
		b.Fatalf("not solved: %s", res.Stopped)
	}
	b.ReportMetric(float64(res.Nodes), "nodes")
	b.ReportMetric(res.Value, "optimum")
}
