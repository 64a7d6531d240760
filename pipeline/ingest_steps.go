package pipeline

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"hubreach/config"
	"hubreach/datasets"
	"hubreach/pipeline/network"
)

func boundarySteps(cfg config.Config, area datasets.AreaFilter) []step {
	steps := []step{{"LSOA boundaries", func(ctx context.Context, env *Env) ([]*datasets.Report, error) {
		return datasets.LoadLSOABoundaries(ctx, env.DB, datasets.BoundarySpec{
			Files: cfg.Paths(cfg.Inputs.LSOABoundaries), CodeProperty: cfg.Inputs.LSOACodeProperty,
			Centroids: cfg.Path(cfg.Inputs.Centroids), Filter: area,
		})
	}}}
	if len(cfg.Inputs.WardBoundaries) > 0 {
		steps = append(steps, step{"ward boundaries", func(ctx context.Context, env *Env) ([]*datasets.Report, error) {
			return datasets.LoadWards(ctx, env.DB, datasets.BoundarySpec{
				Files: cfg.Paths(cfg.Inputs.WardBoundaries), CodeProperty: cfg.Inputs.WardCodeProperty,
				NameProperty: cfg.Inputs.WardNameProperty, Filter: area,
			})
		}}, step{"LSOA to ward assignment", func(ctx context.Context, env *Env) ([]*datasets.Report, error) {
			return datasets.AssignWards(ctx, env.DB, cfg.Path(cfg.Inputs.WardLookup))
		}})
	}
	if cfg.Inputs.Localities != "" {
		steps = append(steps, step{"localities", func(ctx context.Context, env *Env) ([]*datasets.Report, error) {
			r, err := datasets.LoadLocalities(ctx, env.DB, cfg.Path(cfg.Inputs.Localities))
			return one(r), err
		}})
	}
	return steps
}

func siteSteps(cfg config.Config) []step {
	steps := []step{{"hub sites", func(ctx context.Context, env *Env) ([]*datasets.Report, error) {
		r, err := datasets.LoadSites(ctx, env.DB, datasets.SiteSpec{Path: cfg.Path(cfg.Inputs.Hubs), Role: datasets.RoleHub, TierNames: cfg.Tiers.Names()})
		return one(r), err
	}}}
	if cfg.Inputs.Candidates != "" {
		steps = append(steps, step{"candidate sites", func(ctx context.Context, env *Env) ([]*datasets.Report, error) {
			r, err := datasets.LoadSites(ctx, env.DB, datasets.SiteSpec{Path: cfg.Path(cfg.Inputs.Candidates), Role: datasets.RoleCandidate,
				TierNames: cfg.Tiers.Names(), Types: cfg.Inputs.CandidateTypes})
			return one(r), err
		}})
	}
	return steps
}

func serviceUseSteps(cfg config.Config) []step {
	var steps []step
	for _, p := range cfg.Inputs.ServiceUse {
		path := cfg.Path(p)
		steps = append(steps, step{"service use " + p, func(ctx context.Context, env *Env) ([]*datasets.Report, error) {
			resolve, err := lsoaResolver(ctx, env)
			if err != nil {
				return nil, err
			}
			today := env.Now
			if today.IsZero() {
				today = time.Now()
			}
			r, err := datasets.LoadServiceUse(ctx, env.DB, datasets.ServiceUseSpec{Path: path, Today: today, ResolveLSOA: resolve})
			return one(r), err
		}})
	}
	return steps
}

// lsoaResolver returns a point-in-polygon lookup over core.lsoa (BNG), for home postcodes.
func lsoaResolver(ctx context.Context, env *Env) (func(x, y float64) (string, bool), error) {
	rows, err := env.DB.Query(ctx, `SELECT lsoa_code, geom FROM core.lsoa`)
	if err != nil {
		return nil, fmt.Errorf("LSOA polygons for postcode lookup: %w", err)
	}
	type poly struct {
		code string
		mp   orb.MultiPolygon
		b    orb.Bound
	}
	var polys []poly
	for rows.Next() {
		var code string
		var wkb []byte
		if err := rows.Scan(&code, &wkb); err != nil {
			rows.Close()
			return nil, err
		}
		mp, err := datasets.DecodeWKB(wkb)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("core.lsoa %s geometry: %w", code, err)
		}
		polys = append(polys, poly{code, mp, mp.Bound()})
	}
	rows.Close()
	return func(x, y float64) (string, bool) {
		p := orb.Point{x, y}
		for _, q := range polys {
			if q.b.Contains(p) && planar.MultiPolygonContains(q.mp, p) {
				return q.code, true
			}
		}
		return "", false
	}, nil
}

func networkSteps(cfg config.Config) []step {
	if cfg.Inputs.OSM == "" {
		return nil
	}
	return []step{{"road network", func(ctx context.Context, env *Env) ([]*datasets.Report, error) {
		r, err := loadRoadNetwork(ctx, env, cfg.Path(cfg.Inputs.OSM))
		return one(r), err
	}}}
}

// loadRoadNetwork reads an OpenStreetMap extract (PBF or XML) into core.road_segment: every
// highway way split into segments between consecutive nodes, in BNG metres, with the walking and
// driving rules of pipeline/network applied.
func loadRoadNetwork(ctx context.Context, env *Env, path string) (*datasets.Report, error) {
	rep := datasets.NewReport("osm", path)
	f, err := os.Open(path)
	if err != nil {
		return rep, fmt.Errorf("road network: %w", err)
	}
	defer f.Close()
	segs, stats, err := network.ReadOSM(bufio.NewReaderSize(f, 1<<20), path)
	if err != nil {
		return rep, err
	}
	// Accounting by highway way: loaded = ways that gave at least one segment. Ways left out in
	// part (a missing node splits them) are listed in the rejects too, with their reason.
	rep.Read = int64(stats.HighwayWays)
	rep.Loaded = int64(stats.UsedWays)
	rep.Rejected = rep.Read - rep.Loaded
	for _, rj := range stats.Rejects {
		rep.Rejects = append(rep.Rejects, datasets.Reject{Input: rep.Input, File: path, Line: rj.WayID, Column: "way " + rj.Highway,
			Value: fmt.Sprint(rj.Node), Reason: rj.Reason})
	}
	rep.Note("%s", stats.String())
	if _, err := env.DB.Exec(ctx, mustSQL("core.road_segment")); err != nil {
		return rep, err
	}
	err = env.DB.Append(ctx, "core", "road_segment", func(a *duckdb.Appender) error {
		for _, s := range segs {
			var ms any
			if s.MaxSpeedKPH > 0 {
				ms = s.MaxSpeedKPH
			}
			if err := a.AppendRow(s.WayID, s.FromNode, s.ToNode, s.A[0], s.A[1], s.B[0], s.B[1], s.Length(), s.Highway, s.Oneway, ms, s.WalkOK, s.DriveOK); err != nil {
				return err
			}
		}
		return nil
	})
	return rep, err
}
