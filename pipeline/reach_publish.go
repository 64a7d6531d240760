package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strconv"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"hubreach/pipeline/disclosure"
)

// reachLSOA is one area LSOA with its exact (private) counts.
type reachLSOA struct {
	code, name                 string
	ward, wardName, locality   sql.NullString
	decile                     sql.NullInt64
	denom                      sql.NullFloat64
	children, repeat, contacts int64
}

// reachUnit is a group of LSOAs (a ward, locality, decile, deprivation group or the area).
type reachUnit struct {
	level, key                 string
	label                      sql.NullString
	decile                     sql.NullInt64
	lsoas                      []int // indexes into the LSOA list
	denom                      float64
	denomOK                    bool
	children, repeat, contacts int64
}

// reachPublished is what the stage published, for the maps and charts.
type reachPublished struct {
	lsoas  []reachLSOA
	status []disclosure.Status
	p      *disclosure.Problem
	units  map[string][]*reachUnit
	decay  []decayTable
}

// pub is one published count: its value (nil when withheld), text and whether it was withheld.
func (r *reachPublished) pub(rule disclosure.Rule, key string) (any, string, bool) {
	i, ok := r.p.Index(key)
	if !ok {
		return nil, "", true
	}
	v, s := r.p.Value(i), r.status[i]
	if out, ok := rule.Publish(v, s); ok {
		return out, rule.Text(v, s), false
	}
	return nil, rule.Text(v, s), true
}

// rate is 100 × a published count over a denominator, or nil.
func rate(v any, denom float64, ok bool) any {
	n, isN := v.(int64)
	if !isN || !ok || denom <= 0 {
		return nil
	}
	return 100 * float64(n) / denom
}

func nullStr(s sql.NullString) any {
	if s.Valid {
		return s.String
	}
	return nil
}

func nullInt(s sql.NullInt64) any {
	if s.Valid {
		return int32(s.Int64)
	}
	return nil
}

func readReachLSOAs(ctx context.Context, env *Env, column string) ([]reachLSOA, error) {
	rows, err := env.DB.Query(ctx, fmt.Sprintf(`SELECT n.lsoa_code, coalesce(n.lsoa_name, n.lsoa_code), n.ward_code, n.ward_name, n.locality,
			n.idaci_decile, n.%s, c.children, c.repeat_children, c.contacts
		FROM analysis.lsoa_need n JOIN private.reach_lsoa_counts c USING (lsoa_code)
		WHERE n.area_role = 'area' ORDER BY n.lsoa_code`, column))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []reachLSOA
	for rows.Next() {
		var l reachLSOA
		if err := rows.Scan(&l.code, &l.name, &l.ward, &l.wardName, &l.locality, &l.decile, &l.denom, &l.children, &l.repeat, &l.contacts); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// reachUnits groups the LSOAs by ward, locality, decile, deprivation group and the whole area.
func reachUnits(lsoas []reachLSOA) map[string][]*reachUnit {
	out := map[string][]*reachUnit{}
	index := map[string]*reachUnit{}
	add := func(level, key string, label sql.NullString, decile sql.NullInt64, i int) {
		u, ok := index[level+"/"+key]
		if !ok {
			u = &reachUnit{level: level, key: key, label: label, decile: decile, denomOK: true}
			index[level+"/"+key] = u
			out[level] = append(out[level], u)
		}
		l := lsoas[i]
		u.lsoas = append(u.lsoas, i)
		u.children += l.children
		u.repeat += l.repeat
		u.contacts += l.contacts
		if l.denom.Valid {
			u.denom += l.denom.Float64
		} else {
			u.denomOK = false
		}
	}
	for i, l := range lsoas {
		add("ward", l.ward.String, l.ward, sql.NullInt64{}, i)
		add("locality", l.locality.String, l.locality, sql.NullInt64{}, i)
		add("decile", strconv.FormatInt(l.decile.Int64, 10), sql.NullString{}, l.decile, i)
		group := "other LSOAs"
		if l.decile.Valid && l.decile.Int64 <= 3 {
			group = "most deprived 30%"
		}
		add("dep", group, sql.NullString{String: group, Valid: true}, sql.NullInt64{}, i)
		add("area", "all", sql.NullString{String: "whole area", Valid: true}, sql.NullInt64{}, i)
	}
	for _, us := range out {
		sort.SliceStable(us, func(a, b int) bool {
			x, y := us[a], us[b]
			if x.decile.Valid != y.decile.Valid {
				return x.decile.Valid
			}
			if x.decile.Valid {
				return x.decile.Int64 < y.decile.Int64
			}
			if x.label.Valid != y.label.Valid {
				return x.label.Valid
			}
			return x.key < y.key
		})
	}
	if len(out["dep"]) == 2 && out["dep"][0].key != "most deprived 30%" {
		out["dep"][0], out["dep"][1] = out["dep"][1], out["dep"][0]
	}
	return out
}

type nameCount struct {
	name               string
	children, contacts int64
}

func readNameCounts(ctx context.Context, env *Env, table string) ([]nameCount, error) {
	rows, err := env.DB.Query(ctx, `SELECT * FROM private.`+table+` ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []nameCount
	for rows.Next() {
		var c nameCount
		if err := rows.Scan(&c.name, &c.children, &c.contacts); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// reachPublish builds the disclosure problem over every count the stage publishes, solves it and
// writes the analysis tables.
func reachPublish(ctx context.Context, env *Env, run *reachRun) error {
	lsoas, err := readReachLSOAs(ctx, env, run.column)
	if err != nil {
		return err
	}
	units := reachUnits(lsoas)
	services, err := readNameCounts(ctx, env, "reach_service_counts")
	if err != nil {
		return err
	}
	venues, err := readNameCounts(ctx, env, "reach_venue_counts")
	if err != nil {
		return err
	}
	excl, err := readExclusions(ctx, env, run)
	if err != nil {
		return err
	}
	decays, err := reachDecayData(ctx, env, lsoas)
	if err != nil {
		return err
	}

	p := &disclosure.Problem{}
	lsoaCell := make([]int, len(lsoas))
	for i, l := range lsoas {
		lsoaCell[i] = p.Cell("lsoa/"+l.code+"/children", l.children)
	}
	cell := func(u *reachUnit, m string) int {
		v := map[string]int64{"children": u.children, "contacts": u.contacts, "repeat": u.repeat, "once": u.children - u.repeat}[m]
		return p.Cell(u.level+"/"+u.key+"/"+m, v)
	}
	area := units["area"][0]
	var errs []error
	group := func(total int, members ...int) { errs = append(errs, p.Group(total, members...)) }
	for _, level := range []string{"ward", "locality", "decile", "dep"} {
		var ch, co []int
		for _, u := range units[level] {
			var ls []int
			for _, i := range u.lsoas {
				ls = append(ls, lsoaCell[i])
			}
			group(cell(u, "children"), ls...)
			ch = append(ch, cell(u, "children"))
			co = append(co, cell(u, "contacts"))
		}
		group(cell(area, "children"), ch...)
		group(cell(area, "contacts"), co...)
	}
	for _, level := range []string{"decile", "dep", "area"} {
		var rep, once []int
		for _, u := range units[level] {
			group(cell(u, "children"), cell(u, "once"), cell(u, "repeat"))
			rep, once = append(rep, cell(u, "repeat")), append(once, cell(u, "once"))
		}
		if level != "area" {
			group(cell(area, "repeat"), rep...)
			group(cell(area, "once"), once...)
		}
	}
	// A unit that is exactly a union of units of another level is their sum: a deprivation group
	// is its deciles, and a locality is its wards when they lie wholly inside it. Children add
	// up through the LSOA cells already, but contacts, repeat and once have no LSOA cells: without
	// these equations secondary suppression and the audit would not see, say, decile 2's
	// contacts = most deprived 30% − decile 1 − decile 3.
	measures := map[string][]string{"ward": {"contacts"}, "locality": {"contacts"}, "decile": {"contacts", "repeat", "once"}, "dep": {"contacts", "repeat", "once"}}
	for _, big := range []string{"ward", "locality", "decile", "dep"} {
		for _, small := range []string{"ward", "locality", "decile", "dep"} {
			if big == small {
				continue
			}
			of := map[int]*reachUnit{} // LSOA -> its unit of the small level
			for _, v := range units[small] {
				for _, i := range v.lsoas {
					of[i] = v
				}
			}
			for _, u := range units[big] {
				in := map[*reachUnit]int{} // small units meeting u, and how many of their LSOAs are in u
				var parts []*reachUnit
				for _, i := range u.lsoas {
					if in[of[i]] == 0 {
						parts = append(parts, of[i])
					}
					in[of[i]]++
				}
				nested := true
				for _, v := range parts {
					nested = nested && in[v] == len(v.lsoas)
				}
				if !nested {
					continue
				}
				for _, m := range measures[big] {
					if !slices.Contains(measures[small], m) {
						continue
					}
					var cs []int
					for _, v := range parts {
						cs = append(cs, cell(v, m))
					}
					group(cell(u, m), cs...)
				}
			}
		}
	}
	for _, list := range []struct {
		kind  string
		items []nameCount
	}{{"service", services}, {"venue", venues}} {
		var co []int
		for _, s := range list.items {
			p.Cell(list.kind+"/"+s.name+"/children", s.children) // not additive: primary suppression only
			co = append(co, p.Cell(list.kind+"/"+s.name+"/contacts", s.contacts))
		}
		group(cell(area, "contacts"), co...)
	}
	for _, e := range excl {
		p.Cell("exclusion/"+e.stage+"/"+e.code+"/contacts", e.contacts)
	}
	for _, d := range decays {
		d.cells(p, lsoaCell, cell(area, "children"), group)
	}
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("reach: %w", err)
		}
	}
	status := p.Solve(run.rule)
	// Solve protects each margin on its own; the audit solves, for every small count, the linear
	// programmes a reader could set up from all the published tables together, and withholds more
	// until none can be narrowed down (pipeline/disclosure, audit.go).
	exposed, extra, err := disclosure.Protect(p, status, run.rule)
	if err != nil {
		return fmt.Errorf("reach: disclosure audit: %w", err)
	}
	out := &reachPublished{lsoas: lsoas, status: status, p: p, units: units, decay: decays}
	nPrimary, nSecondary := 0, 0
	for _, s := range status {
		switch s {
		case disclosure.Primary:
			nPrimary++
		case disclosure.Secondary:
			nSecondary++
		}
	}
	rounding := "no rounding"
	if run.rule.RoundTo > 1 {
		rounding = fmt.Sprintf("published counts rounded to the nearest %d", run.rule.RoundTo)
	}
	env.Note("reach: disclosure control: %d published counts from service use; %d withheld as 1 to %d (shown %q), %d more withheld so that those cannot be worked out from totals (shown %q); %s",
		p.Len(), nPrimary, run.rule.Threshold-1, run.rule.Marker(disclosure.Primary), nSecondary, run.rule.Marker(disclosure.Secondary), rounding)
	if run.rule.Threshold >= 2 {
		env.Note("reach: disclosure audit: after margin-by-margin suppression %d of the withheld small counts could still be narrowed down by combining the published tables (the least and greatest value consistent with every published figure, by linear programming); the audit withheld %d more counts (of the %d shown %q), after which every small count could be anything from 1 to at least %d",
			len(exposed), extra, nSecondary, run.rule.Marker(disclosure.Secondary), run.rule.Threshold)
	}

	for _, w := range []func(context.Context, *Env, *reachRun, *reachPublished) error{writeReachLSOA, writeReachUnits, writeReachLists(services, venues), writeExclusions(excl), writeDecay} {
		if err := w(ctx, env, run, out); err != nil {
			return err
		}
	}
	return nil
}

func writeReachLSOA(ctx context.Context, env *Env, run *reachRun, r *reachPublished) error {
	if _, err := env.DB.Exec(ctx, mustSQL("analysis.reach_by_lsoa")); err != nil {
		return err
	}
	return env.DB.Append(ctx, "analysis", "reach_by_lsoa", func(a *duckdb.Appender) error {
		for _, l := range r.lsoas {
			v, text, supp := r.pub(run.rule, "lsoa/"+l.code+"/children")
			var denom any
			if l.denom.Valid {
				denom = l.denom.Float64
			}
			if err := a.AppendRow(l.code, l.name, nullStr(l.ward), nullStr(l.wardName), nullStr(l.locality), nullInt(l.decile),
				run.band, denom, run.denominator, v, text, rate(v, l.denom.Float64, l.denom.Valid), supp); err != nil {
				return err
			}
		}
		return nil
	})
}

func writeReachUnits(ctx context.Context, env *Env, run *reachRun, r *reachPublished) error {
	perChild := func(co, ch any) any {
		c, ok1 := co.(int64)
		n, ok2 := ch.(int64)
		if !ok1 || !ok2 || n == 0 {
			return nil
		}
		return float64(c) / float64(n)
	}
	for _, t := range []struct{ table, level string }{
		{"reach_by_ward", "ward"}, {"reach_by_locality", "locality"}, {"reach_by_decile", "decile"}, {"reach_by_deprivation", "dep"},
	} {
		if _, err := env.DB.Exec(ctx, mustSQL("analysis."+t.table)); err != nil {
			return err
		}
		us := r.units[t.level]
		if t.level == "dep" {
			us = append(append([]*reachUnit{}, us...), r.units["area"]...)
		}
		err := env.DB.Append(ctx, "analysis", t.table, func(a *duckdb.Appender) error {
			for _, u := range us {
				k := u.level + "/" + u.key + "/"
				ch, chText, chS := r.pub(run.rule, k+"children")
				co, coText, coS := r.pub(run.rule, k+"contacts")
				var denom any
				if u.denomOK {
					denom = u.denom
				}
				pct := rate(ch, u.denom, u.denomOK)
				switch t.level {
				case "ward":
					var name sql.NullString
					if len(u.lsoas) > 0 {
						name = r.lsoas[u.lsoas[0]].wardName
					}
					if err := a.AppendRow(nullStr(u.label), nullStr(name), int32(len(u.lsoas)), run.band, denom, run.denominator, ch, chText, pct, co, coText, perChild(co, ch), chS || coS); err != nil {
						return err
					}
				case "locality":
					if err := a.AppendRow(nullStr(u.label), int32(len(u.lsoas)), run.band, denom, run.denominator, ch, chText, pct, co, coText, perChild(co, ch), chS || coS); err != nil {
						return err
					}
				default:
					rep, repText, repS := r.pub(run.rule, k+"repeat")
					_, _, onceS := r.pub(run.rule, k+"once")
					var share any
					if n, ok := ch.(int64); ok && !repS && !onceS && n > 0 {
						share = 100 * float64(rep.(int64)) / float64(n)
					}
					var first any = nullInt(u.decile)
					if t.level != "decile" {
						first = nullStr(u.label)
					}
					if err := a.AppendRow(first, int32(len(u.lsoas)), run.band, denom, run.denominator, ch, chText, pct, co, coText, perChild(co, ch),
						rep, repText, share, chS || coS || repS || onceS); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("analysis.%s: %w", t.table, err)
		}
	}
	return nil
}

func writeReachLists(services, venues []nameCount) func(context.Context, *Env, *reachRun, *reachPublished) error {
	return func(ctx context.Context, env *Env, run *reachRun, r *reachPublished) error {
		area := r.units["area"][0]
		for _, t := range []string{"reach_by_service", "reach_by_venue"} {
			if _, err := env.DB.Exec(ctx, mustSQL("analysis."+t)); err != nil {
				return err
			}
		}
		var denom any
		if area.denomOK {
			denom = area.denom
		}
		err := env.DB.Append(ctx, "analysis", "reach_by_service", func(a *duckdb.Appender) error {
			for _, s := range services {
				ch, chText, chS := r.pub(run.rule, "service/"+s.name+"/children")
				co, coText, coS := r.pub(run.rule, "service/"+s.name+"/contacts")
				if err := a.AppendRow(s.name, run.band, denom, ch, chText, rate(ch, area.denom, area.denomOK), co, coText, chS || coS); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		names := map[string][2]sql.NullString{}
		rows, err := env.DB.Query(ctx, `SELECT site_id, name, tier FROM core.site`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var n, t sql.NullString
			if err := rows.Scan(&id, &n, &t); err != nil {
				rows.Close()
				return err
			}
			names[id] = [2]sql.NullString{n, t}
		}
		rows.Close()
		return env.DB.Append(ctx, "analysis", "reach_by_venue", func(a *duckdb.Appender) error {
			for _, s := range venues {
				ch, chText, chS := r.pub(run.rule, "venue/"+s.name+"/children")
				co, coText, coS := r.pub(run.rule, "venue/"+s.name+"/contacts")
				nt := names[s.name]
				if err := a.AppendRow(s.name, nullStr(nt[0]), nullStr(nt[1]), ch, chText, co, coText, chS || coS); err != nil {
					return err
				}
			}
			return nil
		})
	}
}
