package pipeline

import (
	"context"
	"fmt"
	"image/color"
	"path/filepath"

	"github.com/paulmach/orb"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"hubreach/pipeline/render"
)

// sitingWeightName is how a weight reads on a map or chart.
func sitingWeightName(w string) string {
	switch w {
	case "deprived_children":
		return "income-deprived children"
	case "children_0_4":
		return "children aged 0-4"
	case "children_0_15":
		return "children aged 0-15"
	case "expected_uptake":
		return "expected extra users"
	}
	return w
}

func sitingModeName(mode string) string {
	return map[string]string{"walk": "walk", "drive": "drive", "crow": "straight-line"}[mode]
}

// drawSitingMap draws a scenario's recommended sites: LSOAs shaded by whether existing hubs reach
// them, the chosen sites newly reach them, or they stay beyond reach (outlined in red when they
// hold any weight); ward outlines and names; existing hubs; the chosen candidates numbered in
// order of selection with their names; the other candidates as small grey rings.
func drawSitingMap(ctx context.Context, env *Env, d *sitingData, o *sitingOutcome) error {
	pr := o.pr
	polys, err := readPolys(ctx, env, `SELECT lsoa_code, NULL, geom, NULL FROM core.lsoa WHERE area_role = 'area' ORDER BY lsoa_code`)
	if err != nil {
		return err
	}
	geom := map[string]orb.MultiPolygon{}
	for _, p := range polys {
		geom[p.code] = p.mp
	}
	st := o.lsoaStates(d)
	ch := &render.Choropleth{
		Palette: []color.Color{
			color.RGBA{0xc6, 0xdb, 0xef, 0xff}, // already within reach
			color.RGBA{0x31, 0xa3, 0x54, 0xff}, // newly within reach
			color.RGBA{0xff, 0xf7, 0xec, 0xff}, // beyond reach
		},
		Labels:      []string{"Already within reach of a hub", "Newly within reach (chosen sites)", "Still beyond reach"},
		LegendTitle: fmt.Sprintf("LSOAs, %s %g minutes", sitingModeName(pr.mode), pr.sc.Minutes),
	}
	gaps := render.Outlines{Width: 1.6, Color: color.RGBA{0xcb, 0x18, 0x1d, 0xff}, LegendLabel: "Gap: need still beyond reach"}
	for i, l := range d.lsoas {
		mp, ok := geom[l.code]
		if !ok {
			continue
		}
		class := 2
		switch {
		case pr.already[i]:
			class = 0
		case st[i].after:
			class = 1
		}
		ch.Polys = append(ch.Polys, mp)
		ch.Class = append(ch.Class, class)
		if class == 2 && pr.inst.Weights[i] > 0 {
			gaps.Polys = append(gaps.Polys, mp)
		}
	}
	wards, hubs, err := mapContext(ctx, env)
	if err != nil {
		return err
	}
	chosenStyle := len(hubs.Styles)
	otherStyle := chosenStyle + 1
	hubs.Styles = append(hubs.Styles,
		render.PointStyle{Label: "Recommended site, in order", Shape: draw.PyramidGlyph{}, Size: 7, Fill: color.RGBA{0x08, 0x51, 0x9c, 0xff}},
		render.PointStyle{Label: "Other candidate building", Shape: draw.RingGlyph{}, Size: 2, Fill: color.RGBA{0x80, 0x80, 0x80, 0xff}})
	chosen := map[int]int{}
	for n, j := range o.order {
		chosen[j] = n
	}
	// Other candidates underneath, then hubs, then the chosen sites on top.
	var pts []orb.Point
	var cats []int
	var nums []string
	for j, c := range d.cands {
		if _, ok := chosen[j]; !ok {
			pts, cats, nums = append(pts, c.pt), append(cats, otherStyle), append(nums, "")
		}
	}
	for i, p := range hubs.Pts {
		pts, cats, nums = append(pts, p), append(cats, hubs.Category[i]), append(nums, "")
	}
	for n, j := range o.order {
		c := d.cands[j]
		name := c.name
		if name == "" {
			name = c.id
		}
		if r := []rune(name); len(r) > 30 {
			name = string(r[:29]) + "…"
		}
		pts, cats, nums = append(pts, c.pt), append(cats, chosenStyle), append(nums, fmt.Sprintf("%d %s", n+1, name))
	}
	hubs.Pts, hubs.Category, hubs.Numbers = pts, cats, nums
	minutes, _ := scenarioMinutes(pr.sc)
	sub := fmt.Sprintf("%s: %s within %g min by %s: %.0f%% reached now, %.0f%% with these %d sites",
		pr.sc.Name, sitingWeightName(pr.sc.Weight), minutes, sitingModeName(pr.mode),
		pct(sumIf(pr.inst.Weights, pr.already), o.totalW), pct(sumAfter(pr.inst.Weights, st), o.totalW), len(o.order))
	if len(o.order) == 0 {
		sub = fmt.Sprintf("%s: no candidate adds anything; %.0f%% of %s are within %g min by %s now", pr.sc.Name,
			pct(sumIf(pr.inst.Weights, pr.already), o.totalW), sitingWeightName(pr.sc.Weight), minutes, sitingModeName(pr.mode))
	}
	if pr.modeNote != "" {
		sub += " (no " + pr.sc.Mode + " network: straight-line)"
	}
	m := &render.Map{
		Title:      fmt.Sprintf("%s: recommended new sites", areaTitle(env)),
		Subtitle:   sub,
		Source:     sitingSourceLine(env, o),
		Synthetic:  env.Config.Area.Synthetic,
		Choropleth: ch, Outlines: []render.Outlines{wards, gaps}, Points: hubs,
	}
	return render.Save(m, filepath.Join(env.Dir, "maps", "siting_"+sitingSlug(pr.sc.Name)))
}

// sitingSourceLine puts the method and its bound first, then the usual source lines.
func sitingSourceLine(env *Env, o *sitingOutcome) string {
	how := fmt.Sprintf("Method: %s; ", o.method)
	switch {
	case o.optimal:
		how += "proven optimal."
	case o.pr.sc.Objective == "pmedian":
		how += fmt.Sprintf("within %.1f%% of the least possible weighted travel time (Lagrangian bound).", 100*o.gap)
	default:
		how += fmt.Sprintf("within %.1f%% of the best possible (upper bound %.0f).", 100*o.gap, o.bound)
	}
	return how + "\n" + sourceLine(env)
}

func pct(a, total float64) float64 {
	if total <= 0 {
		return 0
	}
	return 100 * a / total
}

func sumIf(w []float64, b []bool) float64 {
	s := 0.0
	for i, x := range w {
		if b[i] {
			s += x
		}
	}
	return s
}

func sumAfter(w []float64, st []sitingLSOAState) float64 {
	s := 0.0
	for i, x := range w {
		if st[i].after {
			s += x
		}
	}
	return s
}

// sitingFlatBelow is the step (percentage points) under which the curve counts as flat.
const sitingFlatBelow = 1.0

// flatK is the smallest k after which every further site adds less than below percentage points.
func flatK(base float64, ks []int, vals []float64, below float64) int {
	flat := 0
	prev := base
	for i := range ks {
		if vals[i]-prev >= below {
			flat = 0
		} else if flat == 0 && i > 0 {
			flat = ks[i-1]
		}
		prev = vals[i]
	}
	return flat
}

// drawSitingCurve draws the k-versus-coverage chart of a covering scenario.
func drawSitingCurve(env *Env, o *sitingOutcome) error {
	pr := o.pr
	before := sumIf(pr.inst.Weights, pr.already)
	var ks []int
	var vals, bounds []float64
	for _, p := range o.curve {
		ks = append(ks, p.K)
		vals = append(vals, pct(before+p.Value, o.totalW))
		b := 0.0
		if p.Bound > 0 {
			b = pct(before+p.Bound, o.totalW)
		}
		bounds = append(bounds, b)
	}
	base := pct(before, o.totalW)
	flat := flatK(base, ks, vals, sitingFlatBelow)
	p, err := render.CoverageCurve(render.CurveOptions{K: ks, Value: vals, Bound: bounds, Base: base, Chosen: pr.k,
		Flat: flat, FlatBelow: sitingFlatBelow,
		XLabel: "new sites (k); 0 = existing hubs only",
		YLabel: fmt.Sprintf("%% of %s within reach", sitingWeightName(pr.sc.Weight))})
	if err != nil {
		return err
	}
	minutes, _ := scenarioMinutes(pr.sc)
	chart := &render.Chart{
		Title:    fmt.Sprintf("%s: coverage as new sites are added", areaTitle(env)),
		Subtitle: fmt.Sprintf("%s: within %g min by %s of a hub or a new site (best k sites found)", pr.sc.Name, minutes, sitingModeName(pr.mode)),
		Source:   sourceLine(env), Synthetic: env.Config.Area.Synthetic, Plot: p, Height: 11 * vg.Centimeter,
	}
	return render.Save(chart, filepath.Join(env.Dir, "charts", "siting_curve_"+sitingSlug(pr.sc.Name)))
}
