package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/paulmach/orb"

	"hubreach/config"
	"hubreach/pipeline/network"
)

// Access is the stage that measures how far every LSOA is from the hub sites, by crow-fly and
// (when the area has a road network) on foot and by car, and which LSOAs fall short of the
// configured standards.
//
// It writes analysis.lsoa_distance (nearest site by mode and tier group: one multi-source
// Dijkstra search per mode and group), analysis.lsoa_site_time (every LSOA to every hub site,
// for the travel time to the venue a family used), analysis.access_standard, and from
// queries/analysis: lsoa_access, ward_access, locality_access, area_access and gap_lsoas. The render
// stage draws the gap maps (one per standard) and the chart of the cumulative share of
// income-deprived children by travel time from these tables (access_maps.go).
func Access() Stage { return StageFunc{N: "access", F: access} }

// accessTables are the SQL-built access tables, in order.
var accessTables = []string{"analysis.lsoa_access", "analysis.ward_access", "analysis.locality_access", "analysis.area_access", "analysis.gap_lsoas"}

type demandPoint struct {
	code, role string
	pt         orb.Point
}

type hubSite struct {
	id, tier string
	pt       orb.Point
}

// tierGroup is a set of hub tiers searched together: nearest "main" hub, nearest of any tier, ...
type tierGroup struct {
	name  string
	tiers []string
}

// distRow is one row of analysis.lsoa_distance or analysis.lsoa_site_time.
type distRow struct {
	lsoa, role, mode, group, site string
	metres, minutes, snap         float64 // NaN = NULL
	status                        string
}

const (
	statusOK        = "ok"
	statusNoSite    = "no site of this tier"
	statusTooFar    = "too far from the network"
	statusNoConnect = "not connected"
)

// tierGroups returns the tier groups to search: each tier, main (plus or extra), any, and one
// per standard whose tiers are none of those. It also maps each standard to its group.
func tierGroups(standards []config.Standard) ([]tierGroup, []string) {
	all := []string{"plus", "extra", "satellite", "network-point"}
	groups := []tierGroup{{"plus", []string{"plus"}}, {"extra", []string{"extra"}}, {"satellite", []string{"satellite"}},
		{"network-point", []string{"network-point"}}, {"main", []string{"plus", "extra"}}, {"any", all}}
	key := func(ts []string) string {
		s := slices.Clone(ts)
		slices.SortFunc(s, func(a, b string) int { return slices.Index(all, a) - slices.Index(all, b) })
		return strings.Join(slices.Compact(s), "+")
	}
	byKey := map[string]string{}
	for _, g := range groups {
		byKey[key(g.tiers)] = g.name
	}
	of := make([]string, len(standards))
	for i, s := range standards {
		k := key(s.Tiers)
		name, ok := byKey[k]
		if !ok {
			name = k
			byKey[k] = k
			groups = append(groups, tierGroup{k, strings.Split(k, "+")})
		}
		of[i] = name
	}
	return groups, of
}

func access(ctx context.Context, env *Env) error {
	cfg := env.Config.Access
	demands, err := readDemandPoints(ctx, env)
	if err != nil {
		return err
	}
	hubs, err := readHubSites(ctx, env)
	if err != nil {
		return err
	}
	if len(hubs) == 0 {
		return fmt.Errorf("access: there are no hub sites (inputs.hubs loaded no rows)")
	}
	graphs, err := LoadGraphs(ctx, env)
	if err != nil {
		return err
	}
	groups, standardGroup := tierGroups(cfg.Standards)
	modes := []string{"crow"}
	for _, m := range cfg.Modes {
		if m == "crow" {
			continue
		}
		if graphs.Graph(m) == nil {
			env.Note("access: no road network for %s (inputs.osm not given or empty): %s distances are not computed; %s standards are evaluated crow-fly", m, m, m)
			continue
		}
		modes = append(modes, m)
	}
	var nearest, bySite []distRow
	for _, mode := range modes {
		env.Progress.Step("travel to hubs: %s (%d LSOAs, %d hub sites, %d tier groups)", mode, len(demands), len(hubs), len(groups))
		var n, s []distRow
		if mode == "crow" {
			n, s = crowDistances(demands, hubs, groups, cfg.WalkSpeedKPH)
		} else {
			if n, s, err = networkDistances(env, graphs.Graph(mode), mode, demands, hubs, groups); err != nil {
				return err
			}
		}
		nearest = append(nearest, n...)
		bySite = append(bySite, s...)
	}
	if err := writeDistances(ctx, env, nearest, bySite); err != nil {
		return err
	}
	if err := writeStandards(ctx, env, modes, standardGroup); err != nil {
		return err
	}
	for _, t := range accessTables {
		env.Progress.Step("building %s", t)
		if _, err := env.DB.Exec(ctx, mustSQL(t)); err != nil {
			return fmt.Errorf("%s (queries/%s.sql): %w", t, dotToSlash(t), err)
		}
	}
	return nil
}

func readDemandPoints(ctx context.Context, env *Env) ([]demandPoint, error) {
	rows, err := env.DB.Query(ctx, `SELECT lsoa_code, area_role, demand_x, demand_y FROM core.lsoa ORDER BY lsoa_code`)
	if err != nil {
		return nil, fmt.Errorf("demand points: %w", err)
	}
	defer rows.Close()
	var out []demandPoint
	for rows.Next() {
		var d demandPoint
		if err := rows.Scan(&d.code, &d.role, &d.pt[0], &d.pt[1]); err != nil {
			return nil, fmt.Errorf("demand points: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func readHubSites(ctx context.Context, env *Env) ([]hubSite, error) {
	rows, err := env.DB.Query(ctx, `SELECT site_id, coalesce(tier, ''), x, y FROM core.site WHERE role = 'hub' ORDER BY site_id`)
	if err != nil {
		return nil, fmt.Errorf("hub sites: %w", err)
	}
	defer rows.Close()
	var out []hubSite
	for rows.Next() {
		var h hubSite
		if err := rows.Scan(&h.id, &h.tier, &h.pt[0], &h.pt[1]); err != nil {
			return nil, fmt.Errorf("hub sites: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func inGroup(g tierGroup, tier string) bool { return slices.Contains(g.tiers, tier) }

// crowDistances measures straight lines in BNG metres; minutes at the walking speed.
func crowDistances(demands []demandPoint, hubs []hubSite, groups []tierGroup, walkKPH float64) (nearest, bySite []distRow) {
	perMin := walkKPH * 1000 / 60
	nan := math.NaN()
	for _, d := range demands {
		for _, g := range groups {
			best, bestD := -1, math.Inf(1)
			for j, h := range hubs {
				if !inGroup(g, h.tier) {
					continue
				}
				if dist := math.Hypot(d.pt[0]-h.pt[0], d.pt[1]-h.pt[1]); dist < bestD || (dist == bestD && h.id < hubs[best].id) {
					best, bestD = j, dist
				}
			}
			r := distRow{lsoa: d.code, role: d.role, mode: "crow", group: g.name, metres: nan, minutes: nan, snap: nan, status: statusNoSite}
			if best >= 0 {
				r.site, r.metres, r.minutes, r.status = hubs[best].id, bestD, bestD/perMin, statusOK
			}
			nearest = append(nearest, r)
		}
		for _, h := range hubs {
			dist := math.Hypot(d.pt[0]-h.pt[0], d.pt[1]-h.pt[1])
			bySite = append(bySite, distRow{lsoa: d.code, mode: "crow", site: h.id, metres: dist, minutes: dist / perMin, snap: nan, status: statusOK})
		}
	}
	return nearest, bySite
}

// networkDistances snaps the demand points and hubs to g and runs one multi-source search per
// tier group (nearest site) and one single-source search per hub (every LSOA to every hub).
// The legs between a point and its edge are added at the walking speed (walk) or the
// service-road speed (drive).
//
// Every time is the family's, from the LSOA's demand point TO the hub: the searches run on the
// reverse graph (g.Reverse()), towards the hubs, so driving follows one-way streets in the
// direction the family drives them. Walking costs the same both ways, so for walking this is
// exactly the search from the hubs.
func networkDistances(env *Env, g *network.Graph, mode string, demands []demandPoint, hubs []hubSite, groups []tierGroup) (nearest, bySite []distRow, err error) {
	toHub := g.Reverse()
	cfg := env.Config.Access
	legKPH := cfg.WalkSpeedKPH
	if mode == "drive" {
		legKPH = cfg.DriveSpeeds.Service
	}
	legPerMin := legKPH * 1000 / 60
	nan := math.NaN()

	if islands := g.Components().Islands(); len(islands) > 0 {
		nodes := 0
		for _, c := range islands {
			nodes += c.Nodes
		}
		env.Note("access: the %s network has %d disconnected islands (%d of %d nodes) besides its main part; points snap to the main part when it is within %g m", mode, len(islands), nodes, g.NumNodes(), cfg.SnapLimitM)
	}
	hubSnap := make([]network.Snap, len(hubs))
	hubOK := make([]bool, len(hubs))
	for j, h := range hubs {
		s, err := g.Snap(h.pt, cfg.SnapLimitM)
		if err != nil {
			env.Note("access: hub site %s cannot be reached by %s and is left out of %s distances: %v", h.id, mode, mode, err)
			continue
		}
		hubSnap[j], hubOK[j] = s, true
	}
	demSnap := make([]network.Snap, len(demands))
	demStatus := make([]string, len(demands))
	var far []string
	maxSnap := 0.0
	for i, d := range demands {
		s, err := g.Snap(d.pt, cfg.SnapLimitM)
		switch {
		case err == nil:
			demSnap[i], demStatus[i] = s, statusOK
			maxSnap = math.Max(maxSnap, s.Dist)
		case errors.Is(err, network.ErrTooFar), errors.Is(err, network.ErrOutside):
			demStatus[i] = statusTooFar
			if d.role == "area" {
				var tf *network.TooFarError
				if errors.As(err, &tf) && !math.IsInf(tf.Dist, 1) {
					far = append(far, fmt.Sprintf("%s (%.0f m)", d.code, tf.Dist))
				} else {
					far = append(far, d.code+" (outside the network's extent)")
				}
			}
		default:
			return nil, nil, fmt.Errorf("%s network: snapping LSOA %s: %w", mode, d.code, err)
		}
	}
	if len(far) > 0 {
		env.Note("access: %d area LSOAs have a demand point farther than access.snap_limit_m = %g m from any %s edge and are flagged, not joined (their %s distance is unknown): %s", len(far), cfg.SnapLimitM, mode, mode, strings.Join(far, ", "))
	}
	env.Note("access: %s: %d of %d LSOA demand points snapped (largest snap %.0f m)", mode, len(demands)-countOf(demStatus, statusTooFar), len(demands), maxSnap)

	measure := func(t *network.Tree, srcSnap []network.Snap, i int) (src int, metres, minutes float64, status string) {
		if demStatus[i] != statusOK {
			return -1, nan, nan, demStatus[i]
		}
		src, sec, met, ok := t.To(demSnap[i])
		if !ok {
			return -1, nan, nan, statusNoConnect
		}
		legs := demSnap[i].Dist + srcSnap[src].Dist
		return src, met + legs, sec/60 + legs/legPerMin, statusOK
	}
	for _, grp := range groups {
		var srcs []network.Snap
		var ids []string
		for j, h := range hubs {
			if hubOK[j] && inGroup(grp, h.tier) {
				srcs, ids = append(srcs, hubSnap[j]), append(ids, h.id)
			}
		}
		if len(srcs) == 0 {
			for i, d := range demands {
				nearest = append(nearest, distRow{lsoa: d.code, role: d.role, mode: mode, group: grp.name, metres: nan, minutes: nan, snap: snapOf(demSnap[i], demStatus[i]), status: statusNoSite})
			}
			continue
		}
		t, err := toHub.Nearest(srcs)
		if err != nil {
			return nil, nil, fmt.Errorf("%s network, %s sites: %w", mode, grp.name, err)
		}
		for i, d := range demands {
			src, met, min, st := measure(t, srcs, i)
			r := distRow{lsoa: d.code, role: d.role, mode: mode, group: grp.name, metres: met, minutes: min, snap: snapOf(demSnap[i], demStatus[i]), status: st}
			if src >= 0 {
				r.site = ids[src]
			}
			nearest = append(nearest, r)
		}
	}
	for j, h := range hubs {
		if !hubOK[j] {
			for _, d := range demands {
				bySite = append(bySite, distRow{lsoa: d.code, mode: mode, site: h.id, metres: nan, minutes: nan, snap: nan, status: statusTooFar})
			}
			continue
		}
		srcs := []network.Snap{hubSnap[j]}
		t, err := toHub.Nearest(srcs)
		if err != nil {
			return nil, nil, fmt.Errorf("%s network, site %s: %w", mode, h.id, err)
		}
		for i, d := range demands {
			_, met, min, st := measure(t, srcs, i)
			bySite = append(bySite, distRow{lsoa: d.code, mode: mode, site: h.id, metres: met, minutes: min, snap: nan, status: st})
		}
	}
	return nearest, bySite, nil
}

func snapOf(s network.Snap, status string) float64 {
	if status == statusTooFar {
		return math.NaN()
	}
	return s.Dist
}

func countOf(xs []string, v string) int {
	n := 0
	for _, x := range xs {
		if x == v {
			n++
		}
	}
	return n
}

func nullFloat(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func writeDistances(ctx context.Context, env *Env, nearest, bySite []distRow) error {
	for _, t := range []string{"analysis.lsoa_distance", "analysis.lsoa_site_time"} {
		if _, err := env.DB.Exec(ctx, mustSQL(t)); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	err := env.DB.Append(ctx, "analysis", "lsoa_distance", func(a *duckdb.Appender) error {
		for _, r := range nearest {
			if err := a.AppendRow(r.lsoa, r.role, r.mode, r.group, nullString(r.site), nullFloat(r.metres), nullFloat(r.minutes), nullFloat(r.snap), r.status); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("analysis.lsoa_distance: %w", err)
	}
	err = env.DB.Append(ctx, "analysis", "lsoa_site_time", func(a *duckdb.Appender) error {
		for _, r := range bySite {
			if err := a.AppendRow(r.lsoa, r.site, r.mode, nullFloat(r.metres), nullFloat(r.minutes), r.status); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("analysis.lsoa_site_time: %w", err)
	}
	return nil
}

// writeStandards records the standards as evaluated: a walk or drive standard without a
// network for its mode falls back to crow-fly, at the walking speed or access.crow_drive_kph.
func writeStandards(ctx context.Context, env *Env, modes []string, group []string) error {
	cfg := env.Config.Access
	if _, err := env.DB.Exec(ctx, mustSQL("analysis.access_standard")); err != nil {
		return err
	}
	return env.DB.Append(ctx, "analysis", "access_standard", func(a *duckdb.Appender) error {
		for i, s := range cfg.Standards {
			mode := s.Mode
			var crowKPH any
			if !slices.Contains(modes, mode) {
				env.Note("access: standard %q asks for %s but there is no %s network: it is evaluated crow-fly at %g km/h", s.Name, s.Mode, s.Mode, crowSpeed(cfg, s.Mode))
				mode = "crow"
			}
			if mode == "crow" {
				crowKPH = crowSpeed(cfg, s.Mode)
			}
			var minutes, metres any
			if s.Minutes > 0 {
				minutes = s.Minutes
			} else {
				metres = s.Metres
			}
			if err := a.AppendRow(int32(i+1), s.Name, strings.Join(s.Tiers, ","), group[i], s.Mode, mode, crowKPH, minutes, metres, s.Reason); err != nil {
				return err
			}
		}
		return nil
	})
}

func crowSpeed(cfg config.Access, requested string) float64 {
	if requested == "drive" {
		return cfg.CrowDriveKPH
	}
	return cfg.WalkSpeedKPH
}
