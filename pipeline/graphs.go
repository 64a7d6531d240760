package pipeline

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"

	"hubreach/config"
	"hubreach/pipeline/network"
)

// Graphs are the walking and driving graphs built from core.road_segment (nil when the area has no
// road network: distances are then crow-fly only, and the outputs say so).
type Graphs struct {
	Walk, Drive *network.Graph
	Segments    int
}

// Profile turns the configuration into routing speeds. Walking avoids steps: the walking speed
// is a pram-pushing pace (access.walk_speed_kph), and a pram does not go up steps.
func Profile(c config.Access) network.Profile {
	p := network.DefaultProfile()
	p.WalkSpeedKPH = c.WalkSpeedKPH
	p.AvoidSteps = true
	s := c.DriveSpeeds
	for class, v := range map[string]float64{
		"motorway": s.Motorway, "motorway_link": s.Motorway, "trunk": s.Trunk, "trunk_link": s.Trunk,
		"primary": s.Primary, "primary_link": s.Primary, "secondary": s.Secondary, "secondary_link": s.Secondary,
		"tertiary": s.Tertiary, "tertiary_link": s.Tertiary, "unclassified": s.Unclassified,
		"residential": s.Residential, "service": s.Service,
	} {
		if v > 0 {
			p.DriveSpeedKPH[class] = v
		}
	}
	return p
}

// LoadGraphs reads core.road_segment and builds the graphs for the modes the configuration asks for.
func LoadGraphs(ctx context.Context, env *Env) (*Graphs, error) {
	rows, err := env.DB.Query(ctx, `SELECT way_id, from_node, to_node, a_x, a_y, b_x, b_y, highway, oneway,
		coalesce(maxspeed_kph, 0), walk_ok, drive_ok FROM core.road_segment`)
	if err != nil {
		return nil, fmt.Errorf("road network: %w", err)
	}
	var segs []network.Segment
	for rows.Next() {
		var s network.Segment
		var ax, ay, bx, by float64
		if err := rows.Scan(&s.WayID, &s.FromNode, &s.ToNode, &ax, &ay, &bx, &by, &s.Highway, &s.Oneway, &s.MaxSpeedKPH, &s.WalkOK, &s.DriveOK); err != nil {
			rows.Close()
			return nil, fmt.Errorf("road network: %w", err)
		}
		s.A, s.B = orb.Point{ax, ay}, orb.Point{bx, by}
		segs = append(segs, s)
	}
	rows.Close()
	g := &Graphs{Segments: len(segs)}
	if len(segs) == 0 {
		return g, nil
	}
	prof := Profile(env.Config.Access)
	for _, m := range env.Config.Access.Modes {
		switch m {
		case "walk":
			if g.Walk, err = network.Build(segs, network.Walk, prof); err != nil {
				return nil, fmt.Errorf("walking graph: %w", err)
			}
		case "drive":
			if g.Drive, err = network.Build(segs, network.Drive, prof); err != nil {
				return nil, fmt.Errorf("driving graph: %w", err)
			}
		}
	}
	return g, nil
}

// Graph returns the graph for a mode name ("walk", "drive"), or nil.
func (g *Graphs) Graph(mode string) *network.Graph {
	switch mode {
	case "walk":
		return g.Walk
	case "drive":
		return g.Drive
	}
	return nil
}
