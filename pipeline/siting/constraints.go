package siting

import (
	"cmp"
	"math"
	"slices"
)

// Constraints restrict which sets of candidates may be chosen. The zero value restricts nothing.
type Constraints struct {
	// MustOpen lists candidate ids that are chosen whatever they add (sites already agreed). They
	// count towards k and come first in the selection order, in the order given.
	MustOpen []string
	// MinSpacing is the least distance allowed between two chosen sites, in the units of Distance
	// (metres for the default). Zero means no spacing rule.
	MinSpacing float64
	// Distance returns the distance between candidates a and b (indices into Instance.Candidates).
	// Nil means the straight-line distance between their X, Y coordinates.
	Distance func(a, b int) float64
	// MaxPerGroup caps the number of chosen sites with the same non-empty Candidate.Group.
	// Zero means no cap.
	MaxPerGroup int
	// GroupMax caps the number of chosen sites in the named groups, overriding MaxPerGroup.
	GroupMax map[string]int
}

// rules is Constraints compiled against an instance: candidate indices instead of ids.
type rules struct {
	must    []int // must-open candidates in the order given
	isMust  []bool
	spacing float64
	dist    func(a, b int) float64
	group   []int32 // group number of each candidate, -1 for none
	cap     []int   // cap of each group number
	capped  bool    // some group has a cap
	names   []string
}

// compileRules checks the constraints against the instance and k, and compiles them. A nil
// Constraints restricts nothing.
func compileRules(inst *Instance, c *Constraints, k int) (*rules, error) {
	nc := len(inst.Candidates)
	r := &rules{isMust: make([]bool, nc), group: make([]int32, nc)}
	if c == nil {
		c = &Constraints{}
	}
	var p problems
	index := make(map[string]int, nc)
	for j, cand := range inst.Candidates {
		index[cand.ID] = j
	}
	for _, id := range c.MustOpen {
		j, ok := index[id]
		switch {
		case !ok:
			p.addf("must-open site %q is not a candidate", id)
		case r.isMust[j]:
			p.addf("must-open site %q is listed twice", id)
		default:
			r.isMust[j] = true
			r.must = append(r.must, j)
		}
	}
	if len(c.MustOpen) > k {
		p.addf("%d must-open sites but k = %d", len(c.MustOpen), k)
	}
	switch {
	case math.IsNaN(c.MinSpacing) || math.IsInf(c.MinSpacing, 0) || c.MinSpacing < 0:
		p.addf("minimum spacing %g is not a finite non-negative distance", c.MinSpacing)
	case c.MinSpacing > 0:
		r.spacing = c.MinSpacing
		r.dist = c.Distance
		if r.dist == nil {
			r.dist = func(a, b int) float64 {
				ca, cb := inst.Candidates[a], inst.Candidates[b]
				return math.Hypot(ca.X-cb.X, ca.Y-cb.Y)
			}
		}
	}
	if c.MaxPerGroup < 0 {
		p.addf("MaxPerGroup = %d: a cap cannot be negative", c.MaxPerGroup)
	}
	groupNum := map[string]int32{}
	for j, cand := range inst.Candidates {
		r.group[j] = -1
		if cand.Group == "" {
			continue
		}
		g, ok := groupNum[cand.Group]
		if !ok {
			g = int32(len(r.names))
			groupNum[cand.Group] = g
			r.names = append(r.names, cand.Group)
			cp := math.MaxInt
			if c.MaxPerGroup > 0 {
				cp = c.MaxPerGroup
			}
			if m, ok := c.GroupMax[cand.Group]; ok {
				cp = m
			}
			r.cap = append(r.cap, cp)
			r.capped = r.capped || cp != math.MaxInt
		}
		r.group[j] = g
	}
	for _, name := range sortedKeys(c.GroupMax) {
		if m := c.GroupMax[name]; m < 0 {
			p.addf("group %q: cap %d cannot be negative", name, m)
		}
		if _, ok := groupNum[name]; !ok {
			p.addf("group %q has a cap but no candidate is in it", name)
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	// The must-open sites must be compatible with each other.
	for a, ja := range r.must {
		for _, jb := range r.must[a+1:] {
			if r.spacing > 0 {
				if d := r.dist(ja, jb); d < r.spacing {
					p.addf("must-open sites %q and %q are %g apart, closer than the minimum spacing %g",
						inst.Candidates[ja].ID, inst.Candidates[jb].ID, d, r.spacing)
				}
			}
		}
	}
	used := r.groupUse(r.must, -1)
	for g, n := range used {
		if n > r.cap[g] {
			p.addf("%d must-open sites are in group %q, more than its cap of %d", n, r.names[g], r.cap[g])
		}
	}
	return r, p.err()
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// fits reports whether candidate j may join the chosen sites, leaving out chosen site skip (or -1):
// j is far enough from each of them and its group has room.
func (r *rules) fits(chosen []int, j, skip int) bool {
	if r.spacing > 0 {
		for _, s := range chosen {
			if s != skip && r.dist(s, j) < r.spacing {
				return false
			}
		}
	}
	if g := r.group[j]; r.capped && g >= 0 {
		n := 0
		for _, s := range chosen {
			if s != skip && r.group[s] == g {
				n++
			}
		}
		if n >= r.cap[g] {
			return false
		}
	}
	return true
}

// feasible reports whether a whole set of sites keeps the spacing and group rules.
func (r *rules) feasible(sites []int) bool {
	for a := range sites {
		if !r.fits(sites[:a], sites[a], -1) {
			return false
		}
	}
	return true
}

// groupUse counts the chosen sites (leaving out skip) in each group.
func (r *rules) groupUse(chosen []int, skip int) []int {
	used := make([]int, len(r.cap))
	for _, s := range chosen {
		if s != skip && r.group[s] >= 0 {
			used[r.group[s]]++
		}
	}
	return used
}

// topR returns the largest sum of at most n positive scores among the candidates listed, taking
// at most the remaining room of each group (room is group cap minus used) and ignoring spacing.
// The selection is a partition matroid, so taking the best scores greedily is optimal. It appends
// the picked candidates to picked and returns both. order is scratch space and is overwritten.
func (r *rules) topR(score []float64, cands []int, n int, used []int, order []int, picked []int) (float64, []int, []int) {
	if n <= 0 {
		return 0, picked, order
	}
	order = order[:0]
	for _, j := range cands {
		if score[j] > 0 {
			order = append(order, j)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(score[b], score[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	sum, taken := 0.0, 0
	var room []int
	if r.capped {
		room = make([]int, len(r.cap))
		for g := range room {
			room[g] = r.cap[g]
			if used != nil {
				room[g] -= used[g]
			}
		}
	}
	for _, j := range order {
		if taken == n {
			break
		}
		if g := r.group[j]; room != nil && g >= 0 {
			if room[g] <= 0 {
				continue
			}
			room[g]--
		}
		sum += score[j]
		picked = append(picked, j)
		taken++
	}
	return sum, picked, order
}
