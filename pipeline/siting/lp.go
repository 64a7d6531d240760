package siting

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// lpWrap is where WriteLP breaks lines, well inside the 255 characters that CPLEX LP readers
// accept (CBC, GLPK and HiGHS among them).
const lpWrap = 100

// lpNameMax caps the part of a variable name taken from a candidate id.
const lpNameMax = 60

// LPNames returns the LP variable name of each candidate as WriteLP writes it: "x_" and the id,
// with every character other than an ASCII letter, digit or underscore replaced by "_", cut to
// 60 characters, and made unique (when two ids sanitise alike) with a "_r<row>" suffix.
func LPNames(inst *Instance) []string {
	names := make([]string, len(inst.Candidates))
	taken := make(map[string]bool, len(names))
	for j, c := range inst.Candidates {
		var b strings.Builder
		b.WriteString("x_")
		for _, ch := range c.ID {
			if b.Len() >= 2+lpNameMax {
				break
			}
			if ch < 128 && (ch == '_' || ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z') {
				b.WriteRune(ch)
			} else {
				b.WriteByte('_')
			}
		}
		base := b.String()
		name := base
		for n := 1; taken[name]; n++ {
			name = fmt.Sprintf("%s_r%d", base, j+1)
			if n > 1 {
				name = fmt.Sprintf("%s_r%d_%d", base, j+1, n)
			}
		}
		taken[name] = true
		names[j] = name
	}
	return names
}

// WriteLP writes the maximal covering problem for at most k sites as a mixed-integer program in
// CPLEX LP format, which CBC, GLPK (glpsol --lp) and HiGHS read:
//
//	Maximize    Σ w_i y_i                              over demand points not yet covered
//	Subject To  cov_i:  y_i - Σ_{j covers i} x_j <= 0   for each such demand point
//	            budget: Σ_j x_j <= k
//	            must_n: x_j = 1                         for each must-open site
//	            sep_n:  x_a + x_b <= 1                  for each pair closer than MinSpacing
//	            grp_n:  Σ_{j in group} x_j <= cap       for each capped group
//	Bounds      0 <= y_i <= 1
//	Binary      x_j
//
// Candidates are named as LPNames says and demand points y_<index>. Demand already covered by
// existing hubs, of zero weight or out of every candidate's reach is left out, so the objective is
// the weight newly covered, as Result.Value. The constraints may be nil.
func WriteLP(w io.Writer, inst *Instance, k int, c *Constraints) error {
	_, p, r, err := prepareCover(inst, k, c)
	if err != nil {
		return err
	}
	x := LPNames(inst)
	y := func(i int32) string { return "y_" + strconv.Itoa(int(p.orig[i])) }
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	lw := &lpWriter{w: bufio.NewWriter(w)}

	lw.comment("hubreach siting: maximal covering location problem")
	lw.comment(fmt.Sprintf("at most %d sites from %d candidates; %d of %d demand points not yet covered and in reach",
		k, len(inst.Candidates), len(p.w), len(inst.Weights)))
	lw.comment(fmt.Sprintf("objective: weight newly covered; already covered by existing sites (left out): %s",
		num(p.already)))
	lw.line("Maximize")
	lw.begin(" obj:")
	if len(p.w) == 0 {
		lw.term("0 " + x[0])
	}
	for i, wt := range p.w {
		t := num(wt) + " " + y(int32(i))
		if i > 0 {
			t = "+ " + t
		}
		lw.term(t)
	}
	lw.end()

	lw.line("Subject To")
	for i := range p.w {
		lw.begin(" cov_" + strconv.Itoa(int(p.orig[i])) + ":")
		lw.term(y(int32(i)))
		for _, j := range p.coveredBy(int32(i)) {
			lw.term("- " + x[j])
		}
		lw.term("<= 0")
		lw.end()
	}
	writeSiteRows(lw, inst, x, k, r)

	lw.line("Bounds")
	for i := range p.w {
		lw.line(" 0 <= " + y(int32(i)) + " <= 1")
	}
	lw.line("Binary")
	lw.begin("")
	for j := range inst.Candidates {
		lw.term(x[j])
	}
	lw.end()
	lw.line("End")
	if lw.err != nil {
		return fmt.Errorf("writing LP: %w", lw.err)
	}
	if err := lw.w.Flush(); err != nil {
		return fmt.Errorf("writing LP: %w", err)
	}
	return nil
}

// WriteMedianLP writes the p-median problem with existing sites for at most k sites, the problem
// PMedian solves, as a mixed-integer program in CPLEX LP format (CBC, GLPK and HiGHS read it):
//
//	Minimize    Σ_i w_i d0_i s_i + Σ_i Σ_j w_i c_ij z_i_j + F fixed_cost
//	Subject To  asg_i:   s_i + Σ_j z_i_j = 1          for each demand point kept (below)
//	            lnk_i_j: z_i_j - x_j <= 0             for each arc kept
//	            budget, must_n, sep_n, grp_n          as in WriteLP
//	Bounds      1 <= fixed_cost <= 1
//	Binary      x_j
//
// d0_i is demand point i's base cost: its CurrentCost capped at CostCap (CostCap when there are
// no existing sites); s_i ("stay") leaves it with that. z_i_j serves it from candidate j at cost
// c_ij. Only arcs cheaper than d0_i are written (a dearer arc, any above CostCap among them, is
// never used), and only demand points of positive weight with such an arc; the weighted base cost
// of all the others, F, is carried by the variable fixed_cost, fixed at 1, so that the objective
// is the total weighted cost, capped at CostCap, as MedianResult.Cost. s and z are continuous:
// once the x are fixed, sending each demand point to its cheapest open option is optimal, so they
// take 0 or 1 at an optimum.
//
// Candidates are named as LPNames says; s_<index> and z_<index>_<candidate>, where <index> is the
// demand point's index and <candidate> the candidate's LP name without its "x_". The constraints
// may be nil.
func WriteMedianLP(w io.Writer, inst *Instance, k int, c *Constraints) error {
	if _, err := inst.Validate(); err != nil {
		return fmt.Errorf("siting instance: %w", err)
	}
	if inst.Costs == nil {
		return fmt.Errorf("siting instance: no costs (Costs) for the p-median model")
	}
	if err := inst.checkK(k); err != nil {
		return err
	}
	r, err := compileRules(inst, c, k)
	if err != nil {
		return fmt.Errorf("siting constraints: %w", err)
	}
	p := compileMedian(inst)
	// The demand points compileMedian keeps, in its order: positive weight and some arc cheaper
	// than the base cost.
	d0 := make([]float64, len(inst.Weights))
	better := make([]bool, len(inst.Weights))
	for i := range d0 {
		d0[i] = inst.CostCap
		if inst.CurrentCost != nil {
			d0[i] = min(inst.CurrentCost[i], inst.CostCap)
		}
	}
	for _, arcs := range inst.Costs {
		for _, a := range arcs {
			better[a.Demand] = better[a.Demand] || a.Cost < d0[a.Demand]
		}
	}
	orig := make([]int, 0, len(p.w))
	for i, wt := range inst.Weights {
		if wt > 0 && better[i] {
			orig = append(orig, i)
		}
	}
	if len(orig) != len(p.w) {
		return fmt.Errorf("writing LP: %d demand points kept, the p-median model keeps %d", len(orig), len(p.w))
	}
	for i, o := range orig {
		if d0[o] != p.d0[i] {
			return fmt.Errorf("writing LP: demand point %d: base cost %g, the p-median model has %g", o, d0[o], p.d0[i])
		}
	}
	x := LPNames(inst)
	s := func(i int) string { return "s_" + strconv.Itoa(orig[i]) }
	z := func(i int, j int32) string {
		return "z_" + strconv.Itoa(orig[i]) + "_" + strings.TrimPrefix(x[j], "x_")
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	served := func(i int) ([]int32, []float64) {
		return p.invCand[p.invStart[i]:p.invStart[i+1]], p.invCost[p.invStart[i]:p.invStart[i+1]]
	}
	lw := &lpWriter{w: bufio.NewWriter(w)}

	lw.comment("hubreach siting: p-median problem with existing sites")
	lw.comment(fmt.Sprintf("at most %d sites from %d candidates; %d of %d demand points have a candidate cheaper than now",
		k, len(inst.Candidates), len(p.w), len(inst.Weights)))
	lw.comment(fmt.Sprintf("objective: total weighted cost, capped at %s; with existing sites only: %s",
		num(inst.CostCap), num(p.base)))
	lw.comment(fmt.Sprintf("fixed_cost (= 1) carries the weighted cost of the other demand points: %s", num(p.fixed)))
	lw.line("Minimize")
	lw.begin(" obj:")
	for i, wt := range p.w {
		t := num(wt*p.d0[i]) + " " + s(i)
		if i > 0 {
			t = "+ " + t
		}
		lw.term(t)
		cands, costs := served(i)
		for a, j := range cands {
			lw.term("+ " + num(wt*costs[a]) + " " + z(i, j))
		}
	}
	if len(p.w) == 0 {
		lw.term(num(p.fixed) + " fixed_cost")
	} else {
		lw.term("+ " + num(p.fixed) + " fixed_cost")
	}
	lw.end()

	lw.line("Subject To")
	for i := range p.w {
		lw.begin(" asg_" + strconv.Itoa(orig[i]) + ":")
		lw.term(s(i))
		cands, _ := served(i)
		for _, j := range cands {
			lw.term("+ " + z(i, j))
		}
		lw.term("= 1")
		lw.end()
	}
	for i := range p.w {
		cands, _ := served(i)
		for _, j := range cands {
			lw.begin(" lnk" + strings.TrimPrefix(z(i, j), "z") + ":")
			lw.term(z(i, j))
			lw.term("- " + x[j])
			lw.term("<= 0")
			lw.end()
		}
	}
	writeSiteRows(lw, inst, x, k, r)

	lw.line("Bounds")
	lw.line(" 1 <= fixed_cost <= 1")
	lw.line("Binary")
	lw.begin("")
	for j := range inst.Candidates {
		lw.term(x[j])
	}
	lw.end()
	lw.line("End")
	if lw.err != nil {
		return fmt.Errorf("writing LP: %w", lw.err)
	}
	if err := lw.w.Flush(); err != nil {
		return fmt.Errorf("writing LP: %w", err)
	}
	return nil
}

// writeSiteRows writes the rows on the candidates that both models share: the budget of at most k
// sites, the must-open sites, the spacing pairs and the group caps.
func writeSiteRows(lw *lpWriter, inst *Instance, x []string, k int, r *rules) {
	lw.begin(" budget:")
	for j := range inst.Candidates {
		if j == 0 {
			lw.term(x[j])
		} else {
			lw.term("+ " + x[j])
		}
	}
	lw.term("<= " + strconv.Itoa(k))
	lw.end()
	for n, j := range r.must {
		lw.begin(fmt.Sprintf(" must_%d:", n+1))
		lw.term(x[j])
		lw.term("= 1")
		lw.end()
	}
	if r.spacing > 0 {
		n := 0
		for a := range inst.Candidates {
			for b := a + 1; b < len(inst.Candidates); b++ {
				if r.dist(a, b) < r.spacing {
					n++
					lw.begin(fmt.Sprintf(" sep_%d:", n))
					lw.term(x[a])
					lw.term("+ " + x[b])
					lw.term("<= 1")
					lw.end()
				}
			}
		}
	}
	for g, name := range r.names {
		if r.cap[g] >= len(inst.Candidates) {
			continue // no cap, or one that cannot bind
		}
		lw.comment(fmt.Sprintf("grp_%d: group %q, at most %d sites", g+1, name, r.cap[g]))
		lw.begin(fmt.Sprintf(" grp_%d:", g+1))
		first := true
		for j := range inst.Candidates {
			if r.group[j] == int32(g) {
				if first {
					lw.term(x[j])
				} else {
					lw.term("+ " + x[j])
				}
				first = false
			}
		}
		lw.term("<= " + strconv.Itoa(r.cap[g]))
		lw.end()
	}
}

// lpWriter writes lines of terms, breaking a line between terms before it grows past lpWrap;
// continuation lines start with spaces, as the LP format allows.
type lpWriter struct {
	w   *bufio.Writer
	n   int // length of the current line
	err error
}

func (l *lpWriter) write(s string) {
	if l.err == nil {
		_, l.err = l.w.WriteString(s)
	}
	l.n += len(s)
}

func (l *lpWriter) line(s string) { l.write(s + "\n"); l.n = 0 }

// comment writes a comment line; newlines in s are replaced so the comment stays one line.
func (l *lpWriter) comment(s string) {
	s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	if len(s) > lpWrap {
		s = strings.ToValidUTF8(s[:lpWrap], "") + "..."
	}
	l.line(`\ ` + s)
}

func (l *lpWriter) begin(s string) { l.write(s) }

func (l *lpWriter) term(t string) {
	if l.n > 0 && l.n+1+len(t) > lpWrap {
		l.write("\n  ")
		l.n = 2
	} else if l.n > 0 {
		l.write(" ")
	}
	l.write(t)
}

func (l *lpWriter) end() { l.line("") }
