package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"hubreach/config"
	"hubreach/pipeline/network"
	"hubreach/pipeline/siting"
)

// sitingLSOA is one demand point: an LSOA of the area (area_role 'area').
type sitingLSOA struct {
	code, ward, wardName, locality  string
	pt                              orb.Point
	deprived, age04, age015, age019 sql.NullFloat64
}

// sitingCand is one candidate building (core.site role 'candidate').
type sitingCand struct {
	id, name, siteType, ward, wardName, locality string
	pt                                           orb.Point
}

// sitingHub is an existing hub site of any tier (core.site role 'hub').
type sitingHub struct {
	id, name, tier string
	pt             orb.Point
}

// sitingData is what every scenario is built from.
type sitingData struct {
	lsoas  []sitingLSOA
	cands  []sitingCand
	hubs   []sitingHub
	graphs *Graphs
	// arcs caches, per candidate, the travel minutes from each demand point to it, per mode used,
	// bounded at limit[mode].
	arcs    map[string][][]siting.Arc
	limit   map[string]float64
	want    map[string]float64  // the largest limit any scenario needs, per key
	offNet  map[string][]string // mode -> messages about candidates that could not be snapped
	current map[string]map[string]float64
}

// sitingProblem is one scenario made into a siting.Instance.
type sitingProblem struct {
	sc       config.Scenario
	index    int    // position in siting.scenarios
	mode     string // mode actually used: walk, drive or crow
	modeNote string // why the mode differs from the one asked for; "" when it does not
	weight   string // weight actually used (column or formula)
	inst     *siting.Instance
	cons     *siting.Constraints
	k        int
	// covers[j] lists the demand points within the scenario's minutes of candidate j, whatever the
	// objective (used for coverage before and after in every scenario).
	covers  [][]int32
	already []bool
	// cur is each LSOA's minutes to its nearest existing hub, in the scenario's mode and units
	// (+Inf when none is within the access searches' reach).
	cur     []float64
	costCap float64 // p-median only: minutes charged when no site is within reach
}

// sitingSpeedMPM is the crow-fly speed in metres per minute for a scenario mode evaluated without
// a road network: walking pace (access.walk_speed_kph) for walk and crow, access.crow_drive_kph
// for drive, the same conversions as analysis.lsoa_distance.
func sitingSpeedMPM(c config.Access, mode string) float64 {
	if mode == "drive" {
		return c.CrowDriveKPH * 1000 / 60
	}
	return c.WalkSpeedKPH * 1000 / 60
}

func loadSitingData(ctx context.Context, env *Env) (*sitingData, error) {
	d := &sitingData{arcs: map[string][][]siting.Arc{}, limit: map[string]float64{}, want: map[string]float64{}, offNet: map[string][]string{}, current: map[string]map[string]float64{}}
	rows, err := env.DB.Query(ctx, `SELECT lsoa_code, coalesce(ward_code, ''), coalesce(ward_name, ''), coalesce(locality, ''),
			demand_x, demand_y, deprived_children, children_0_4, children_0_15, children_0_19
		FROM analysis.lsoa_need WHERE area_role = 'area' ORDER BY lsoa_code`)
	if err != nil {
		return nil, fmt.Errorf("siting demand (analysis.lsoa_need): %w", err)
	}
	for rows.Next() {
		var l sitingLSOA
		if err := rows.Scan(&l.code, &l.ward, &l.wardName, &l.locality, &l.pt[0], &l.pt[1], &l.deprived, &l.age04, &l.age015, &l.age019); err != nil {
			rows.Close()
			return nil, fmt.Errorf("siting demand (analysis.lsoa_need): %w", err)
		}
		d.lsoas = append(d.lsoas, l)
	}
	rows.Close()
	if len(d.lsoas) == 0 {
		return nil, fmt.Errorf("siting: analysis.lsoa_need has no LSOA with area_role 'area'")
	}
	wards, err := readPolys(ctx, env, `SELECT ward_code, ward_name, geom, NULL FROM core.ward ORDER BY area_role, ward_code`)
	if err != nil {
		return nil, fmt.Errorf("siting: wards: %w", err)
	}
	rows, err = env.DB.Query(ctx, `SELECT site_id, coalesce(name, ''), coalesce(site_type, ''), coalesce(locality, ''), x, y
		FROM core.site WHERE role = 'candidate' ORDER BY source_file, line, site_id`)
	if err != nil {
		return nil, fmt.Errorf("siting candidates (core.site): %w", err)
	}
	for rows.Next() {
		var c sitingCand
		if err := rows.Scan(&c.id, &c.name, &c.siteType, &c.locality, &c.pt[0], &c.pt[1]); err != nil {
			rows.Close()
			return nil, fmt.Errorf("siting candidates (core.site): %w", err)
		}
		for _, w := range wards {
			if planar.MultiPolygonContains(w.mp, c.pt) {
				c.ward, c.wardName = w.code, w.name
				break
			}
		}
		d.cands = append(d.cands, c)
	}
	rows.Close()
	rows, err = env.DB.Query(ctx, `SELECT site_id, coalesce(name, ''), coalesce(tier, ''), x, y
		FROM core.site WHERE role = 'hub' AND x IS NOT NULL AND y IS NOT NULL ORDER BY site_id`)
	if err != nil {
		return nil, fmt.Errorf("siting: existing hubs (core.site): %w", err)
	}
	for rows.Next() {
		var h sitingHub
		if err := rows.Scan(&h.id, &h.name, &h.tier, &h.pt[0], &h.pt[1]); err != nil {
			rows.Close()
			return nil, fmt.Errorf("siting: existing hubs (core.site): %w", err)
		}
		d.hubs = append(d.hubs, h)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("siting: existing hubs (core.site): %w", err)
	}
	return d, nil
}

// usedMode is the mode a scenario is evaluated in: its own when the area has that graph, else crow.
func (d *sitingData) usedMode(mode string) (string, string) {
	if mode == "crow" {
		return "crow", ""
	}
	if d.graphs != nil && d.graphs.Graph(mode) != nil {
		return mode, ""
	}
	return "crow", fmt.Sprintf("no %s network for this area: evaluated crow-fly at %s", mode,
		map[string]string{"walk": "access.walk_speed_kph", "drive": "access.crow_drive_kph"}[mode])
}

// arcKey names a set of travel times: the used mode, or "crow-<asked mode>" for crow-fly (the
// speed depends on the mode asked for).
func arcKey(mode, asked string) string {
	if mode == "crow" {
		return "crow-" + asked
	}
	return mode
}

// scenarioMinutes is the coverage threshold of a scenario and the bound of its searches: the
// threshold for a covering scenario; for p-median, travel is capped at 3 x the threshold (20
// minutes when none is given) and the searches go that far.
func scenarioMinutes(sc config.Scenario) (minutes, limit float64) {
	minutes = sc.Minutes
	if sc.Objective == "pmedian" && minutes <= 0 {
		minutes = 20
	}
	if sc.Objective == "pmedian" {
		return minutes, 3 * minutes
	}
	return minutes, minutes
}

// computeArcs fills d.arcs[key] with the travel minutes from every demand point to every candidate
// within limit minutes. key is the used mode, or "crow-<mode>" for a crow-fly fallback.
//
// On the network the minutes are the family's quickest route from the demand point TO the
// candidate (a bounded search from the candidate on the reverse graph, against the direction of
// travel; like the access stage, which measures from each LSOA to the hubs), plus the legs
// between each point and the road at walking speed (walk) or the service-road speed (drive), as
// analysis.lsoa_distance counts them. Walking costs the same both ways; driving follows one-way
// streets the way the family drives them. Candidates and demand points farther than
// access.snap_limit_m from a usable road reach nothing by that mode. Searches run on two
// goroutines, one Searcher each.
func (d *sitingData) computeArcs(ctx context.Context, env *Env, mode, asked string, limit float64) ([][]siting.Arc, error) {
	key := arcKey(mode, asked)
	if have, ok := d.arcs[key]; ok && d.limit[key] >= limit {
		return have, nil
	}
	limit = max(limit, d.want[key])
	ac := env.Config.Access
	arcs := make([][]siting.Arc, len(d.cands))
	if mode == "crow" {
		mpm := sitingSpeedMPM(ac, asked)
		for j, c := range d.cands {
			for i, l := range d.lsoas {
				if m := math.Hypot(c.pt[0]-l.pt[0], c.pt[1]-l.pt[1]) / mpm; m <= limit {
					arcs[j] = append(arcs[j], siting.Arc{Demand: int32(i), Cost: m})
				}
			}
		}
		d.arcs[key], d.limit[key] = arcs, limit
		return arcs, nil
	}
	g := d.graphs.Graph(mode)
	legMPM := ac.WalkSpeedKPH * 1000 / 60
	if mode == "drive" {
		legMPM = Profile(ac).DriveSpeedKPH["service"] * 1000 / 60
	}
	demand := make([]network.Snap, len(d.lsoas))
	tooFar := 0
	for i, l := range d.lsoas {
		s, err := g.Snap(l.pt, ac.SnapLimitM)
		if err != nil {
			tooFar++
			continue
		}
		demand[i] = s
	}
	if tooFar > 0 {
		env.Note("siting: %d LSOA demand points are farther than access.snap_limit_m (%g m) from the %s network and cannot be measured by %s: they are counted as not measured, never as within or beyond reach", tooFar, ac.SnapLimitM, mode, mode)
	}
	var msgs []string
	srcs := make([]network.Snap, len(d.cands))
	ok := make([]bool, len(d.cands))
	for j, c := range d.cands {
		s, err := g.Snap(c.pt, ac.SnapLimitM)
		if err != nil {
			msgs = append(msgs, fmt.Sprintf("candidate %q (%s) is off the %s network, so it reaches no LSOA by %s: %v", c.id, c.name, mode, mode, err))
			continue
		}
		srcs[j], ok[j] = s, true
	}
	d.offNet[mode] = msgs
	env.Progress.Step("siting: %s searches from %d candidates, up to %g minutes", mode, len(d.cands), limit)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	next := make(chan int)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s := g.Reverse().NewSearcher() // towards the candidate
			var out []network.Reach
			for j := range next {
				leg := srcs[j].Dist / legMPM
				budget := limit - leg
				if budget < 0 || errs[w] != nil {
					continue
				}
				var err error
				out, err = s.Bounded(srcs[j], budget*60, demand, out[:0])
				if err != nil {
					errs[w] = fmt.Errorf("candidate %q: %w", d.cands[j].id, err)
					continue
				}
				for _, r := range out {
					if m := leg + r.Seconds/60 + demand[r.Target].Dist/legMPM; m <= limit {
						arcs[j] = append(arcs[j], siting.Arc{Demand: int32(r.Target), Cost: m})
					}
				}
			}
		}(w)
	}
	for j := range d.cands {
		if !ok[j] {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("siting %s searches: %w", mode, err)
		}
	}
	d.arcs[key], d.limit[key] = arcs, limit
	return arcs, nil
}

// currentMinutes reads analysis.lsoa_distance (tier_group 'any') for a mode: each LSOA's minutes
// to its nearest existing hub; +Inf when there is none within reach (status other than 'ok').
func (d *sitingData) currentMinutes(ctx context.Context, env *Env, mode string) (map[string]float64, error) {
	if m, ok := d.current[mode]; ok {
		return m, nil
	}
	rows, err := env.DB.Query(ctx, `SELECT lsoa_code, CASE WHEN status = 'ok' THEN minutes END, metres
		FROM analysis.lsoa_distance WHERE tier_group = 'any' AND mode = ?`, mode)
	if err != nil {
		return nil, fmt.Errorf("siting: existing coverage (analysis.lsoa_distance): %w", err)
	}
	defer rows.Close()
	m := map[string]float64{}
	for rows.Next() {
		var code string
		var min, metres sql.NullFloat64
		if err := rows.Scan(&code, &min, &metres); err != nil {
			return nil, err
		}
		m[code] = math.Inf(1)
		if min.Valid {
			m[code] = min.Float64
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("siting: analysis.lsoa_distance has no rows for mode %q and tier_group 'any': the access stage must run before siting, with %s in access.modes", mode, mode)
	}
	d.current[mode] = m
	return m, nil
}

// crowMetres reads the crow-fly metres to the nearest hub, for a crow-fly fallback at another speed.
func (d *sitingData) crowMetres(ctx context.Context, env *Env) (map[string]float64, error) {
	key := "crow-metres"
	if m, ok := d.current[key]; ok {
		return m, nil
	}
	rows, err := env.DB.Query(ctx, `SELECT lsoa_code, CASE WHEN status = 'ok' THEN metres END
		FROM analysis.lsoa_distance WHERE tier_group = 'any' AND mode = 'crow'`)
	if err != nil {
		return nil, fmt.Errorf("siting: existing coverage (analysis.lsoa_distance): %w", err)
	}
	defer rows.Close()
	m := map[string]float64{}
	for rows.Next() {
		var code string
		var metres sql.NullFloat64
		if err := rows.Scan(&code, &metres); err != nil {
			return nil, err
		}
		m[code] = math.Inf(1)
		if metres.Valid {
			m[code] = metres.Float64
		}
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("siting: analysis.lsoa_distance has no crow-fly rows (tier_group 'any'): the access stage must run before siting")
	}
	d.current[key] = m
	return m, rows.Err()
}

// decay is the fitted distance-decay curve r = a·exp(-b·minutes) from analysis.distance_decay.
type decay struct{ a, b float64 }

func (dc decay) at(t float64) float64 {
	if math.IsInf(t, 1) {
		return 0
	}
	return dc.a * math.Exp(-dc.b*t)
}

// readDecay reads the fitted distance-decay curve r(t) = a exp(-b t) of the reach stage for a
// mode (analysis.distance_decay, its 'fit' row).
func readDecay(ctx context.Context, env *Env, mode, key string) (decay, error) {
	c, err := ReadDecayCurve(ctx, env.DB, mode)
	if err != nil {
		return decay{}, fmt.Errorf("%s: expected_uptake needs the reach stage's fitted distance decay for %s (use deprived_children, children_0_4 or children_0_15 otherwise): %w", key, mode, err)
	}
	if !(c.A > 0) || !(c.B >= 0) {
		return decay{}, fmt.Errorf("%s: expected_uptake: the fitted curve for %s has a = %g, b = %g; it needs a > 0 and b >= 0", key, mode, c.A, c.B)
	}
	return decay{c.A, c.B}, nil
}

// buildProblem turns scenario i into a siting instance.
func (d *sitingData) buildProblem(ctx context.Context, env *Env, i int, sc config.Scenario) (*sitingProblem, error) {
	key := fmt.Sprintf("siting.scenarios[%d]", i)
	pr := &sitingProblem{sc: sc, index: i, k: sc.K, weight: sc.Weight}
	pr.mode, pr.modeNote = d.usedMode(sc.Mode)
	minutes, limit := scenarioMinutes(sc)
	if sc.Objective == "pmedian" {
		pr.costCap = limit
	}
	arcs, err := d.computeArcs(ctx, env, pr.mode, sc.Mode, limit)
	if err != nil {
		return nil, err
	}
	// Existing coverage from analysis.lsoa_distance in the same mode and units.
	cur := make([]float64, len(d.lsoas))
	if pr.mode == "crow" && sc.Mode == "drive" {
		m, err := d.crowMetres(ctx, env)
		if err != nil {
			return nil, err
		}
		mpm := sitingSpeedMPM(env.Config.Access, "drive")
		for n, l := range d.lsoas {
			cur[n] = math.Inf(1)
			if v, ok := m[l.code]; ok {
				cur[n] = v / mpm
			}
		}
	} else {
		m, err := d.currentMinutes(ctx, env, pr.mode)
		if err != nil {
			return nil, err
		}
		for n, l := range d.lsoas {
			cur[n] = math.Inf(1)
			if v, ok := m[l.code]; ok {
				cur[n] = v
			}
		}
	}
	pr.cur = cur
	pr.already = make([]bool, len(d.lsoas))
	for n := range d.lsoas {
		pr.already[n] = cur[n] <= minutes
	}
	// Weights.
	w := make([]float64, len(d.lsoas))
	missing := 0
	col := func(l sitingLSOA) sql.NullFloat64 {
		switch sc.Weight {
		case "children_0_4":
			return l.age04
		case "children_0_15":
			return l.age015
		}
		return l.deprived
	}
	if sc.Weight == "expected_uptake" {
		dc, err := readDecay(ctx, env, pr.mode, key+".weight")
		if err != nil {
			return nil, err
		}
		band := env.Config.ServiceUse.AgeBand
		pr.weight = fmt.Sprintf("expected_uptake: children %s x (r(%g) - r(now)), r(t) = %.4g exp(-%.4g t)", band, minutes, dc.a, dc.b)
		for n, l := range d.lsoas {
			c := map[string]sql.NullFloat64{"0-4": l.age04, "0-15": l.age015, "0-19": l.age019}[band]
			if !c.Valid {
				missing++
				continue
			}
			w[n] = c.Float64 * math.Max(0, dc.at(minutes)-dc.at(cur[n]))
		}
	} else {
		for n, l := range d.lsoas {
			if v := col(l); v.Valid && v.Float64 >= 0 {
				w[n] = v.Float64
			} else {
				missing++
			}
		}
	}
	if missing > 0 {
		env.Note("siting %q: %d LSOAs have no %s and weigh nothing", sc.Name, missing, sc.Weight)
	}
	cands := make([]siting.Candidate, len(d.cands))
	for j, c := range d.cands {
		cands[j] = siting.Candidate{ID: c.id, Name: c.name, X: c.pt[0], Y: c.pt[1], Group: c.ward}
	}
	pr.covers = siting.CoversWithin(arcs, minutes)
	pr.inst = &siting.Instance{Weights: w, AlreadyCovered: pr.already, Candidates: cands}
	if sc.Objective == "pmedian" {
		pr.inst.Costs = arcs
		pr.inst.CostCap = pr.costCap
		pr.inst.CurrentCost = cur
	} else {
		pr.inst.Covers = pr.covers
	}
	pr.cons = &siting.Constraints{MustOpen: sc.MustOpen, MinSpacing: sc.MinSpaceM, MaxPerGroup: sc.MaxPerWard}
	return pr, nil
}

// sitingProblems loads the data and builds every configured scenario.
func sitingProblems(ctx context.Context, env *Env) (*sitingData, []*sitingProblem, error) {
	scs := env.Config.Siting.Scenarios
	if len(scs) == 0 {
		return nil, nil, nil
	}
	ok, err := env.DB.TableExists(ctx, "analysis", "lsoa_distance")
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, fmt.Errorf("siting needs analysis.lsoa_distance (existing hubs' coverage): run the access stage first (hubreach analyse)")
	}
	d, err := loadSitingData(ctx, env)
	if err != nil {
		return nil, nil, err
	}
	if len(d.cands) == 0 {
		return nil, nil, fmt.Errorf("siting: no candidate sites (core.site with role 'candidate'): give inputs.candidates")
	}
	needNet := false
	for _, sc := range scs {
		needNet = needNet || sc.Mode != "crow"
	}
	if needNet {
		if d.graphs, err = LoadGraphs(ctx, env); err != nil {
			return nil, nil, err
		}
	}
	for _, sc := range scs {
		mode, _ := d.usedMode(sc.Mode)
		_, limit := scenarioMinutes(sc)
		if sc.Objective == "mclp" {
			// The sensitivity re-solves need the travel times up to minutes + sensitivity_minutes.
			limit += env.Config.Siting.SensitivityMinutes
		}
		k := arcKey(mode, sc.Mode)
		d.want[k] = max(d.want[k], limit)
	}
	var out []*sitingProblem
	for i, sc := range scs {
		pr, err := d.buildProblem(ctx, env, i, sc)
		if err != nil {
			return nil, nil, fmt.Errorf("siting scenario %q: %w", sc.Name, err)
		}
		out = append(out, pr)
	}
	return d, out, nil
}

// sitingSlug makes a file name from a scenario name.
func sitingSlug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}
