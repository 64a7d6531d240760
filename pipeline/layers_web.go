package pipeline

import (
	"context"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb"

	"hubreach/internal/numfmt"
	"hubreach/pipeline/render"
	"hubreach/pipeline/webmap"
)

func layerHex(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// layerFmt formats a value for the map's hover details: thousands separators, one decimal for
// fractional numbers, "yes"/"no" for booleans, "–" for null.
func layerFmt(v any) string {
	switch x := v.(type) {
	case nil:
		return "–"
	case string:
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case int64:
		return numfmt.Thousands(float64(x), 0)
	case float64:
		if x == float64(int64(x)) {
			return numfmt.Thousands(x, 0)
		}
		return layerThousands1(x)
	}
	return fmt.Sprint(v)
}

func layerThousands1(x float64) string { return numfmt.Thousands(x, 1) }

var layerModeTitle = map[string]string{"crow": "straight line, walking pace", "walk": "walking", "drive": "driving"}

// writeWebMap draws the offline interactive map from the layers just built.
func writeWebMap(ctx context.Context, env *Env, lsoa, ward, hubs, cands, siting *layerBuild) error {
	m := &webmap.Map{
		ID:           "hubreach-map",
		Title:        fmt.Sprintf("%s: interactive map of need and access", areaTitle(env)),
		Subtitle:     fmt.Sprintf("The area's %d LSOAs with ward boundaries and family hub sites. Choose what colours the areas; hover or click for figures. Drag to pan, scroll or use + and − to zoom.", len(lsoa.feats)),
		Source:       sourceLine(env),
		Synthetic:    env.Config.Area.Synthetic,
		BasemapURL:   env.Config.Report.BasemapURL,
		OutlineLabel: "Ward boundary",
	}
	switch {
	case m.BasemapURL == "":
	case env.Config.Report.BasemapAttribution != "":
		m.BasemapAttribution = env.Config.Report.BasemapAttribution
	case strings.Contains(m.BasemapURL, "openstreetmap"):
		m.BasemapAttribution = "Basemap © OpenStreetMap contributors"
	default:
		m.BasemapAttribution = "Basemap: " + m.BasemapURL
	}
	n := len(lsoa.feats)
	for i, f := range lsoa.feats {
		mp, _ := f.Geometry.(orb.MultiPolygon)
		a := webmap.Area{Code: layerFmt(lsoa.value(i, "lsoa_code")), Geom: mp}
		if s, ok := lsoa.value(i, "lsoa_name").(string); ok {
			a.Name = s
		}
		add := func(label, col string) {
			if lsoa.col(col) >= 0 {
				a.Details = append(a.Details, webmap.Detail{Label: label, Value: layerFmt(lsoa.value(i, col))})
			}
		}
		add("Ward", "ward_name")
		add("Locality", "locality")
		add("IDACI national decile", "idaci_decile")
		add("IDACI national rank", "idaci_rank")
		add("Children 0-15", "children_0_15")
		add("Children 0-4", "children_0_4")
		if v, ok := lsoa.value(i, "deprived_children").(float64); ok {
			a.Details = append(a.Details, webmap.Detail{Label: "Income-deprived children", Value: numfmt.Thousands(v, 0)})
		}
		add("Gi* hotspot class", "hotspot_class")
		for _, mode := range layerModes {
			add(fmt.Sprintf("Minutes to nearest hub (%s)", layerModeTitle[mode]), mode+"_any_minutes")
			add(fmt.Sprintf("Minutes to a main hub (%s)", layerModeTitle[mode]), mode+"_main_minutes")
		}
		for _, c := range lsoa.cols {
			switch {
			case strings.HasPrefix(c.Name, "std") && strings.HasSuffix(c.Name, "_within"):
				add("Meets "+layerStandardName(c), c.Name)
			case strings.HasPrefix(c.Name, "reach_"):
				add("Reach: "+strings.ReplaceAll(strings.TrimPrefix(c.Name, "reach_"), "_", " "), c.Name)
			}
		}
		m.Areas = append(m.Areas, a)
	}

	// IDACI decile.
	if lsoa.col("idaci_decile") >= 0 {
		l := webmap.Layer{ID: "idaci", Title: "IDACI national decile", NoData: "No IDACI decile",
			Description: "Income Deprivation Affecting Children Index, national decile of each LSOA (1 = most deprived 10% in England)."}
		labels := []string{"1 most deprived 10%", "2", "3", "4", "5", "6", "7", "8", "9", "10 least deprived 10%"}
		for i, c := range render.IDACIDecile() {
			l.Classes = append(l.Classes, webmap.Class{Label: labels[i], Color: layerHex(c)})
		}
		for i := 0; i < n; i++ {
			k := -1
			if d, ok := lsoa.value(i, "idaci_decile").(int64); ok && d >= 1 && d <= 10 {
				k = int(d - 1)
			}
			l.Class = append(l.Class, k)
		}
		m.Layers = append(m.Layers, l)
	}
	// Travel time to the nearest hub (any tier), one layer per mode.
	pal := travelPalette()
	labels := breakLabels(minuteBreaks, "min")
	for _, mode := range layerModes {
		col := mode + "_any_minutes"
		if lsoa.col(col) < 0 {
			continue
		}
		l := webmap.Layer{ID: "travel-" + mode, Title: fmt.Sprintf("Minutes to the nearest hub site (%s)", layerModeTitle[mode]),
			NoData:      "Unknown (too far from the road network, or not connected)",
			Description: fmt.Sprintf("Travel time from each LSOA's population-weighted centre to the nearest family hub site of any tier, %s (analysis.lsoa_distance).", layerModeTitle[mode])}
		if mode == "crow" {
			l.Description = "Straight-line distance from each LSOA's population-weighted centre to the nearest family hub site of any tier, as minutes at walking speed (analysis.lsoa_distance)."
		}
		for i, c := range pal {
			l.Classes = append(l.Classes, webmap.Class{Label: labels[i], Color: layerHex(c)})
		}
		for i := 0; i < n; i++ {
			k := -1
			v, ok := lsoa.value(i, col).(float64)
			if ok {
				k = classOf(v, minuteBreaks)
			}
			l.Class = append(l.Class, k)
			if ok {
				l.Value = append(l.Value, layerThousands1(v)+" min")
			} else {
				l.Value = append(l.Value, "")
			}
		}
		m.Layers = append(m.Layers, l)
	}
	// Gi* hotspot class.
	if lsoa.col("hotspot_class") >= 0 {
		classes := []string{"hot-99", "hot-95", "hot-90", "not-significant", "cold-90", "cold-95", "cold-99"}
		labels := []string{"Hotspot, 99% confidence", "Hotspot, 95%", "Hotspot, 90%", "Not significant", "Coldspot, 90%", "Coldspot, 95%", "Coldspot, 99% confidence"}
		l := webmap.Layer{ID: "hotspot", Title: "Gi* hotspots of need", NoData: "Not tested (island: no neighbours)",
			Description: "Getis-Ord Gi* clusters of high (hot) and low (cold) need, with the false discovery rate controlled (analysis.lsoa_hotspots)."}
		for i, c := range render.Diverging7() {
			l.Classes = append(l.Classes, webmap.Class{Label: labels[i], Color: layerHex(c)})
		}
		for i := 0; i < n; i++ {
			k := -1
			s, _ := lsoa.value(i, "hotspot_class").(string)
			for j, c := range classes {
				if s == c {
					k = j
				}
			}
			l.Class = append(l.Class, k)
		}
		m.Layers = append(m.Layers, l)
	}
	// Access standards: within or beyond (a gap).
	for _, c := range lsoa.cols {
		if !strings.HasPrefix(c.Name, "std") || !strings.HasSuffix(c.Name, "_within") {
			continue
		}
		name := layerStandardName(c)
		l := webmap.Layer{ID: strings.TrimSuffix(c.Name, "_within"), Title: "Gap: " + name, NoData: "Unknown (not connected to the road network)",
			Description: "LSOAs whose population-weighted centre is beyond this access standard are coverage gaps (analysis.lsoa_access).",
			Classes:     []webmap.Class{{Label: "Within the standard", Color: "#c6dbef"}, {Label: "Beyond it: a gap", Color: "#d7301f"}}}
		for i := 0; i < n; i++ {
			k := -1
			if w, ok := lsoa.value(i, c.Name).(bool); ok {
				k = 1
				if w {
					k = 0
				}
			}
			l.Class = append(l.Class, k)
		}
		m.Layers = append(m.Layers, l)
	}
	// Reach: the first reach column that is a rate or share.
	if l, ok := reachWebLayer(lsoa); ok {
		m.Layers = append(m.Layers, l)
	}

	for i, f := range ward.feats {
		mp, _ := f.Geometry.(orb.MultiPolygon)
		m.Outlines = append(m.Outlines, webmap.Outline{Name: layerFmt(ward.value(i, "ward_name")), Geom: mp})
	}
	m.SiteGroups = []webmap.SiteGroup{
		{ID: "plus", Label: "Family hub (Plus)", Color: "#e6550d", Shape: "square", Size: 13},
		{ID: "extra", Label: "Family hub (Extra)", Color: "#fdae6b", Shape: "square", Size: 11},
		{ID: "satellite", Label: "Satellite", Color: "#31a354", Shape: "triangle", Size: 11},
		{ID: "network-point", Label: "Network point", Color: "#a1d99b", Shape: "circle", Size: 8},
		{ID: "chosen", Label: "Site chosen by a siting scenario", Color: "#6a3d9a", Shape: "diamond", Size: 10},
		{ID: "candidate", Label: "Candidate site", Color: "#ffffff", Shape: "circle", Size: 6},
	}
	siteDetails := func(b *layerBuild, i int, cols ...string) []webmap.Detail {
		var ds []webmap.Detail
		for _, c := range cols {
			if b.col(c) >= 0 && b.value(i, c) != nil {
				ds = append(ds, webmap.Detail{Label: strings.ReplaceAll(c, "_", " "), Value: layerFmt(b.value(i, c))})
			}
		}
		return ds
	}
	chosen := map[string][]string{}
	if siting != nil {
		for i := range siting.feats {
			id, _ := siting.value(i, "site_id").(string)
			chosen[id] = append(chosen[id], fmt.Sprintf("%s (#%s)", layerFmt(siting.value(i, "scenario")), layerFmt(siting.value(i, "selection_order"))))
		}
	}
	for i, f := range cands.feats {
		p, ok := f.Geometry.(orb.Point)
		if !ok {
			continue
		}
		id, _ := cands.value(i, "site_id").(string)
		s := webmap.Site{Name: layerFmt(cands.value(i, "name")), Group: "candidate", Point: p, Details: siteDetails(cands, i, "site_id", "site_type", "locality")}
		if sc := chosen[id]; len(sc) > 0 {
			s.Group = "chosen"
			s.Details = append(s.Details, webmap.Detail{Label: "Chosen by", Value: strings.Join(sc, "; ")})
		}
		m.Sites = append(m.Sites, s)
	}
	for i, f := range hubs.feats {
		p, ok := f.Geometry.(orb.Point)
		if !ok {
			continue
		}
		tier, _ := hubs.value(i, "tier").(string)
		if tier != "plus" && tier != "extra" && tier != "satellite" {
			tier = "network-point"
		}
		m.Sites = append(m.Sites, webmap.Site{Name: layerFmt(hubs.value(i, "name")), Group: tier, Point: p, Details: siteDetails(hubs, i, "site_id", "tier", "site_type", "locality")})
	}
	if len(m.Layers) == 0 {
		env.Note("web map: no LSOA layer to show (no IDACI deciles, travel times, hotspots or reach): not written")
		return nil
	}
	page, err := m.Page()
	if err != nil {
		if env.Config.Report.BasemapURL != "" && strings.Contains(err.Error(), "basemap") {
			return fmt.Errorf("report.basemap_url: %w", err)
		}
		return err
	}
	frag, err := m.Fragment()
	if err != nil {
		return err
	}
	dir := filepath.Join(env.Dir, "web")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "map.html"), page, 0o644); err != nil {
		return err
	}
	env.Progress.Step("web map: %d LSOAs, %d layers, %.0f kB", n, len(m.Layers), float64(len(page))/1024)
	return os.WriteFile(filepath.Join(dir, "map-fragment.html"), frag, 0o644)
}

// layerStandardName is the access standard's name quoted in a std<id>_within column's description.
func layerStandardName(c layerCol) string {
	if i, j := strings.Index(c.desc, `"`), strings.LastIndex(c.desc, `"`); i >= 0 && j > i {
		return c.desc[i+1 : j]
	}
	return c.Name
}

// reachWebLayer maps the first reach column that is a rate, share or percentage (numeric). NULL
// (suppressed or no data) is drawn as no data, never as zero.
func reachWebLayer(lsoa *layerBuild) (webmap.Layer, bool) {
	col := ""
	for _, c := range lsoa.cols {
		if !strings.HasPrefix(c.Name, "reach_") || c.Kind.String() != "float" {
			continue
		}
		for _, w := range []string{"rate", "share", "pct", "percent", "proportion"} {
			if strings.Contains(c.Name, w) {
				col = c.Name
				break
			}
		}
		if col != "" {
			break
		}
	}
	if col == "" {
		return webmap.Layer{}, false
	}
	// Percent or share: shares are 0..1.
	max := 0.0
	for i := range lsoa.feats {
		if v, ok := lsoa.value(i, col).(float64); ok && v > max {
			max = v
		}
	}
	scale, unit := 1.0, "%"
	if max <= 1 {
		scale = 100
	}
	breaks := []float64{10, 20, 40, 60, 80}
	pal := []string{"#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"} // blues, like the reach map (greens are the satellite markers)
	l := webmap.Layer{ID: "reach", Title: "Reach: " + strings.ReplaceAll(strings.TrimPrefix(col, "reach_"), "_", " "), NoData: "Suppressed (small numbers) or no data",
		Description: fmt.Sprintf("Service-use reach by LSOA from analysis.reach_by_lsoa (%s); small counts are suppressed as the disclosure rules require.", strings.TrimPrefix(col, "reach_"))}
	for i, lab := range breakLabels(breaks, unit) {
		l.Classes = append(l.Classes, webmap.Class{Label: lab, Color: pal[i]})
	}
	for i := range lsoa.feats {
		v, ok := lsoa.value(i, col).(float64)
		if !ok {
			l.Class = append(l.Class, -1)
			l.Value = append(l.Value, "")
			continue
		}
		l.Class = append(l.Class, classOf(v*scale, breaks))
		l.Value = append(l.Value, layerThousands1(v*scale)+"%")
	}
	return l, true
}
