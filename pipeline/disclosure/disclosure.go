// Package disclosure applies statistical disclosure control to counts from personal data before
// they leave the pipeline:
//
//   - primary suppression: a count from 1 to Threshold-1 is withheld (0 is published: "nobody"
//     is not a small group);
//   - secondary suppression: where a published total and the published cells of a margin would
//     give a withheld cell away by subtraction, more cells of that margin are withheld — the
//     next-smallest first — until the margin has at least two withheld cells whose sum is at
//     least Threshold, or, when the margin has nothing left to withhold, its total is withheld.
//     Margins share cells (an LSOA is in a ward, a decile and a time band), so the rule is
//     applied to every margin again until nothing changes;
//   - audit (Audit, Protect; audit.go): margin-by-margin suppression is not safe across linked
//     margins — a reader can combine several margins' equations to pin a withheld count down.
//     For every withheld small count, Audit solves the two linear programmes a reader could set
//     up from every published figure (minimise and maximise the count), and reports those whose
//     interval does not contain [1, Threshold]; Protect withholds more cells until none does;
//   - rounding: published counts are rounded to the nearest RoundTo (halves up) when RoundTo > 1.
//
// The package works on plain values: a Problem is a list of cells (integer counts) and groups
// (the cells of a margin and the cell holding their total).
package disclosure

import (
	"fmt"
	"strconv"
)

// Rule is the disclosure rule of a run (config disclosure.threshold and round_to).
type Rule struct {
	Threshold int // counts 1..Threshold-1 are withheld; values below 2 withhold nothing
	RoundTo   int // 0 or 1 = no rounding
}

// Status says whether a cell is published.
type Status uint8

const (
	Published Status = iota
	Primary          // withheld: a count from 1 to Threshold-1
	Secondary        // withheld: so that a Primary cell cannot be worked out from a total
)

func (s Status) String() string {
	switch s {
	case Primary:
		return "primary"
	case Secondary:
		return "secondary"
	}
	return "published"
}

// Small reports whether v is a count the rule withholds.
func (r Rule) Small(v int64) bool { return v >= 1 && v < int64(r.Threshold) }

// Round rounds v to the nearest RoundTo (halves up); v unchanged when RoundTo < 2.
func (r Rule) Round(v int64) int64 {
	if r.RoundTo < 2 {
		return v
	}
	k := int64(r.RoundTo)
	if v < 0 {
		return -r.Round(-v)
	}
	return (v + k/2) / k * k
}

// Marker is the text shown in place of a withheld count: "<5" for a small count, "[c]" for a
// cell withheld to protect another (the ONS marker for confidential).
func (r Rule) Marker(s Status) string {
	switch s {
	case Primary:
		return "<" + strconv.Itoa(r.Threshold)
	case Secondary:
		return "[c]"
	}
	return ""
}

// Publish returns the value to publish for a cell (rounded), and false when it is withheld.
func (r Rule) Publish(v int64, s Status) (int64, bool) {
	if s != Published {
		return 0, false
	}
	return r.Round(v), true
}

// Text is the published value as text, or the marker.
func (r Rule) Text(v int64, s Status) string {
	if s != Published {
		return r.Marker(s)
	}
	return strconv.FormatInt(r.Round(v), 10)
}

// Problem is a set of linked counts to protect together.
type Problem struct {
	keys   []string
	values []int64
	groups []group
	index  map[string]int
}

type group struct {
	total   int // cell index of the total, -1 = the total is not published anywhere
	members []int
}

// Cell adds a count (or returns the existing cell of that key) and returns its index. Keys name
// cells across tables, e.g. "lsoa/E01000001/children".
func (p *Problem) Cell(key string, v int64) int {
	if p.index == nil {
		p.index = map[string]int{}
	}
	if i, ok := p.index[key]; ok {
		return i
	}
	p.keys = append(p.keys, key)
	p.values = append(p.values, v)
	p.index[key] = len(p.values) - 1
	return len(p.values) - 1
}

// Index returns a cell's index by key.
func (p *Problem) Index(key string) (int, bool) { i, ok := p.index[key]; return i, ok }

// Len is the number of cells.
func (p *Problem) Len() int { return len(p.values) }

// Value is cell i's count.
func (p *Problem) Value(i int) int64 { return p.values[i] }

// Key is cell i's key.
func (p *Problem) Key(i int) string { return p.keys[i] }

// Group declares that the members add up to the total cell (total = -1: no published total, so
// the group constrains nothing beyond primary suppression). It returns an error when the counts
// do not add up: secondary suppression is only sound on additive tables.
func (p *Problem) Group(total int, members ...int) error {
	if total >= 0 {
		var s int64
		for _, m := range members {
			s += p.values[m]
		}
		if s != p.values[total] {
			return fmt.Errorf("disclosure: cells of %s add up to %d, not %d", p.keys[total], s, p.values[total])
		}
	}
	p.groups = append(p.groups, group{total: total, members: append([]int(nil), members...)})
	return nil
}

// Solve returns every cell's status under the rule: primary suppression, then secondary
// suppression repeated over all groups until every group with a published total is safe.
func (p *Problem) Solve(r Rule) []Status {
	st := make([]Status, len(p.values))
	for i, v := range p.values {
		if r.Small(v) {
			st[i] = Primary
		}
	}
	if r.Threshold < 2 {
		return st
	}
	for changed := true; changed; {
		changed = false
		for _, g := range p.groups {
			if g.total < 0 || st[g.total] != Published {
				continue
			}
			for !safe(g, st, p.values, r) {
				if c := nextSmallest(g, st, p.values); c >= 0 {
					st[c] = Secondary
				} else {
					st[g.total] = Secondary
				}
				changed = true
				if st[g.total] != Published {
					break
				}
			}
		}
	}
	return st
}

// safe: no member withheld, or at least two withheld whose sum is at least the threshold.
func safe(g group, st []Status, v []int64, r Rule) bool {
	n, sum := 0, int64(0)
	for _, m := range g.members {
		if st[m] != Published {
			n++
			sum += v[m]
		}
	}
	return n == 0 || (n >= 2 && sum >= int64(r.Threshold))
}

// nextSmallest is the published member with the smallest non-zero count (first in order on
// ties), or -1 when every published member is zero (withholding a zero adds no protection).
func nextSmallest(g group, st []Status, v []int64) int {
	best := -1
	for _, m := range g.members {
		if st[m] != Published || v[m] == 0 {
			continue
		}
		if best < 0 || v[m] < v[best] {
			best = m
		}
	}
	return best
}
