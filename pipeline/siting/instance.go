package siting

import (
	"errors"
	"fmt"
	"math"
)

// Candidate is a building that could host a site.
type Candidate struct {
	ID   string
	Name string
	// Group is a ward or locality label, used by Constraints.MaxPerGroup and Constraints.GroupMax.
	// Empty means the candidate is in no group and no group cap applies to it.
	Group string
	// X and Y are British National Grid metres. They are used for Constraints.MinSpacing when
	// Constraints.Distance is nil, and nowhere else.
	X, Y float64
}

// Arc is the travel cost (time or distance) from a candidate to one demand point.
type Arc struct {
	Demand int32
	Cost   float64
}

// Instance is a siting problem: demand points with weights, the demand already covered by existing
// hubs, and candidate sites with what they would cover (for MaxCover) or cost (for PMedian).
//
// Demand points and candidates are referred to by their index in Weights and Candidates. Error
// messages count candidate rows from 1 in the order of Candidates.
type Instance struct {
	// Weights holds each demand point's weight (income-deprived children, children aged 0-4, ...).
	Weights []float64
	// AlreadyCovered marks the demand points that existing hubs already cover; nil means none.
	AlreadyCovered []bool
	// Candidates are the sites that could be opened.
	Candidates []Candidate
	// Covers[j] lists the demand points within the coverage threshold of candidate j, each once.
	// Needed by MaxCover, ExactMaxCover, CoverageCurve and WriteLP; see CoversWithin.
	Covers [][]int32

	// Costs[j] lists the demand points candidate j could serve and the travel cost to each, each
	// demand point at most once. Pairs not listed cost CostCap. Needed by PMedian.
	Costs [][]Arc
	// CurrentCost[i] is demand point i's cost to its nearest existing site; nil means there are no
	// existing sites. +Inf means no existing site within reach.
	CurrentCost []float64
	// CostCap is the cost charged to a demand point with no site within reach (the penalty for
	// "unreachable"); every cost above it is capped at it. Needed by PMedian.
	CostCap float64
}

// Warning is a problem with one candidate that does not stop a run, for the caller to report.
type Warning struct {
	// Candidate is the index into Instance.Candidates.
	Candidate int
	ID        string
	Message   string
}

func (w Warning) String() string { return fmt.Sprintf("candidate %q: %s", w.ID, w.Message) }

// maxListed caps how many problems of one validation are spelt out; the rest are counted.
const maxListed = 25

// problems collects validation errors so that one run reports all of them.
type problems struct {
	errs []error
	more int
}

func (p *problems) addf(format string, args ...any) {
	if len(p.errs) < maxListed {
		p.errs = append(p.errs, fmt.Errorf(format, args...))
		return
	}
	p.more++
}

func (p *problems) err() error {
	if p.more > 0 {
		p.errs = append(p.errs, fmt.Errorf("... and %d more problems", p.more))
	}
	return errors.Join(p.errs...)
}

// row names candidate j for messages: its id and its row counted from 1.
func (inst *Instance) row(j int) string {
	return fmt.Sprintf("candidate %q (row %d)", inst.Candidates[j].ID, j+1)
}

// Validate checks the instance and returns warnings about candidates that cannot add anything,
// and an error joining every problem found. The coverage lists and the costs are checked when
// they are given; at least one of them must be.
func (inst *Instance) Validate() ([]Warning, error) {
	var p problems
	nd := len(inst.Weights)
	if nd == 0 {
		p.addf("no demand points")
	}
	for i, w := range inst.Weights {
		if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
			p.addf("demand point %d: weight %g is not a finite non-negative number", i, w)
		}
	}
	if inst.AlreadyCovered != nil && len(inst.AlreadyCovered) != nd {
		p.addf("AlreadyCovered has %d entries but there are %d demand points", len(inst.AlreadyCovered), nd)
	}
	nc := len(inst.Candidates)
	if nc == 0 {
		p.addf("no candidate sites")
	}
	firstRow := make(map[string]int, nc)
	for j, c := range inst.Candidates {
		if c.ID == "" {
			p.addf("candidate row %d (%q) has an empty id", j+1, c.Name)
			continue
		}
		if prev, dup := firstRow[c.ID]; dup {
			p.addf("duplicate candidate id %q: rows %d (%q) and %d (%q)",
				c.ID, prev+1, inst.Candidates[prev].Name, j+1, c.Name)
			continue
		}
		firstRow[c.ID] = j
	}
	if inst.Covers == nil && inst.Costs == nil {
		p.addf("no coverage lists (Covers) and no costs (Costs): nothing to choose by")
	}
	seen := make([]int32, nd) // seen[i] == j+1 when candidate j has listed demand point i
	if inst.Covers != nil {
		if len(inst.Covers) != nc {
			p.addf("Covers has %d lists but there are %d candidates", len(inst.Covers), nc)
		} else {
			for j, list := range inst.Covers {
				for _, i := range list {
					switch {
					case i < 0 || int(i) >= nd:
						p.addf("%s covers demand point %d, outside 0..%d", inst.row(j), i, nd-1)
					case seen[i] == int32(j+1):
						p.addf("%s lists demand point %d twice", inst.row(j), i)
					default:
						seen[i] = int32(j + 1)
					}
				}
			}
		}
	}
	if inst.Costs != nil {
		clear(seen)
		if len(inst.Costs) != nc {
			p.addf("Costs has %d lists but there are %d candidates", len(inst.Costs), nc)
		} else {
			for j, arcs := range inst.Costs {
				for _, a := range arcs {
					switch {
					case a.Demand < 0 || int(a.Demand) >= nd:
						p.addf("%s has a cost to demand point %d, outside 0..%d", inst.row(j), a.Demand, nd-1)
					case seen[a.Demand] == int32(j+1):
						p.addf("%s lists a cost to demand point %d twice", inst.row(j), a.Demand)
					case math.IsNaN(a.Cost) || math.IsInf(a.Cost, 0) || a.Cost < 0:
						p.addf("%s: cost %g to demand point %d is not a finite non-negative number",
							inst.row(j), a.Cost, a.Demand)
					default:
						seen[a.Demand] = int32(j + 1)
					}
				}
			}
		}
		if inst.CurrentCost != nil && len(inst.CurrentCost) != nd {
			p.addf("CurrentCost has %d entries but there are %d demand points", len(inst.CurrentCost), nd)
		} else {
			for i, c := range inst.CurrentCost {
				if math.IsNaN(c) || c < 0 {
					p.addf("demand point %d: current cost %g is not a non-negative number (+Inf for none)", i, c)
				}
			}
		}
		if !(inst.CostCap > 0) || math.IsInf(inst.CostCap, 0) {
			p.addf("CostCap %g must be a positive finite cost, charged to demand with no site within reach", inst.CostCap)
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return inst.warnings(), nil
}

// warnings lists candidates that can add nothing.
func (inst *Instance) warnings() []Warning {
	var ws []Warning
	for j, c := range inst.Candidates {
		switch {
		case inst.Covers != nil && len(inst.Covers[j]) == 0:
			ws = append(ws, Warning{j, c.ID, "covers no demand point within the threshold"})
		case inst.Covers != nil && inst.coversOnlyCovered(j):
			ws = append(ws, Warning{j, c.ID, "covers only demand points that existing hubs already cover"})
		case inst.Covers == nil && len(inst.Costs[j]) == 0:
			ws = append(ws, Warning{j, c.ID, "has no cost to any demand point"})
		}
	}
	return ws
}

func (inst *Instance) coversOnlyCovered(j int) bool {
	if inst.AlreadyCovered == nil {
		return false
	}
	for _, i := range inst.Covers[j] {
		if !inst.AlreadyCovered[i] {
			return false
		}
	}
	return true
}

// checkK checks the number of sites to choose.
func (inst *Instance) checkK(k int) error {
	switch {
	case k < 1:
		return fmt.Errorf("k = %d: at least one site must be chosen", k)
	case k > len(inst.Candidates):
		return fmt.Errorf("k = %d but only %d candidate sites", k, len(inst.Candidates))
	}
	return nil
}

// CoversWithin turns costs into coverage lists: candidate j covers demand point i when the cost
// between them is at most threshold. The result can be used as Instance.Covers.
func CoversWithin(costs [][]Arc, threshold float64) [][]int32 {
	covers := make([][]int32, len(costs))
	for j, arcs := range costs {
		list := make([]int32, 0, len(arcs))
		for _, a := range arcs {
			if a.Cost <= threshold {
				list = append(list, a.Demand)
			}
		}
		covers[j] = list
	}
	return covers
}

// coverProblem is a validated Instance compiled for the covering model: only the demand points
// that are free (not already covered, positive weight, within reach of some candidate) remain,
// renumbered 0..n-1, with candidate->demand and demand->candidate lists in CSR form.
type coverProblem struct {
	nc        int
	w         []float64 // weight of each free demand point
	orig      []int32   // original index of each free demand point
	covStart  []int32   // candidate j covers covIdx[covStart[j]:covStart[j+1]]
	covIdx    []int32
	invStart  []int32 // demand i is covered by invIdx[invStart[i]:invStart[i+1]]
	invIdx    []int32
	already   float64 // weight already covered by existing hubs
	total     float64 // all demand weight
	coverable float64 // weight of free demand: the most that new sites can add
	eps       float64 // tolerance for "improves" and "equals"
	integral  bool    // every weight is a whole number, and so is every value
}

func (p *coverProblem) cover(j int) []int32 { return p.covIdx[p.covStart[j]:p.covStart[j+1]] }
func (p *coverProblem) coveredBy(i int32) []int32 {
	return p.invIdx[p.invStart[i]:p.invStart[i+1]]
}

// compileCover builds the covering problem from a validated instance.
func compileCover(inst *Instance) *coverProblem {
	nd, nc := len(inst.Weights), len(inst.Candidates)
	p := &coverProblem{nc: nc}
	reach := make([]bool, nd)
	for _, list := range inst.Covers {
		for _, i := range list {
			reach[i] = true
		}
	}
	compact := make([]int32, nd)
	for i, w := range inst.Weights {
		p.total += w
		compact[i] = -1
		switch {
		case inst.AlreadyCovered != nil && inst.AlreadyCovered[i]:
			p.already += w
		case w > 0 && reach[i]:
			compact[i] = int32(len(p.w))
			p.w = append(p.w, w)
			p.orig = append(p.orig, int32(i))
			p.coverable += w
		}
	}
	p.covStart = make([]int32, nc+1)
	deg := make([]int32, len(p.w)+1)
	for j, list := range inst.Covers {
		for _, i := range list {
			if c := compact[i]; c >= 0 {
				p.covIdx = append(p.covIdx, c)
				deg[c+1]++
			}
		}
		p.covStart[j+1] = int32(len(p.covIdx))
	}
	for i := 1; i < len(deg); i++ {
		deg[i] += deg[i-1]
	}
	p.invStart = deg
	p.invIdx = make([]int32, len(p.covIdx))
	fill := append([]int32(nil), deg[:len(p.w)]...)
	for j := 0; j < nc; j++ {
		for _, i := range p.cover(j) {
			p.invIdx[fill[i]] = int32(j)
			fill[i]++
		}
	}
	p.eps = 1e-9 * math.Max(1, p.coverable)
	p.integral = p.coverable < 1<<50
	for _, w := range p.w {
		p.integral = p.integral && w == math.Trunc(w)
	}
	return p
}

// roundBound rounds an upper bound down to a whole number when every weight is one, allowing for
// rounding error in the multipliers (the optimum is then a whole number too).
func (p *coverProblem) roundBound(bound float64) float64 {
	if p.integral {
		return math.Floor(bound + 1e-6)
	}
	return bound
}

// value returns the free weight covered by the given candidates.
func (p *coverProblem) value(sites []int) float64 {
	hit := make([]bool, len(p.w))
	v := 0.0
	for _, j := range sites {
		for _, i := range p.cover(j) {
			if !hit[i] {
				hit[i] = true
				v += p.w[i]
			}
		}
	}
	return v
}
