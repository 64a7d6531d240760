// Package webmap writes the offline interactive map: one self-contained HTML page (inline
// script, style and GeoJSON; no CDN, no tile server unless a basemap URL is configured) that
// draws LSOA polygons on SVG with pan and zoom, a layer switcher with a legend per layer, hover
// and click details for each area and site, and hub sites by tier.
//
// The same map is also written as a fragment (a div, a style scoped to its id and a script; no
// <html> or <body>) for a report to inline. Input is plain Go values with geometry in BNG
// metres; the page carries WGS84 (the projection on screen is Web Mercator, so that a
// configured XYZ basemap lines up).
package webmap

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"

	"hubreach/pipeline/geoexport"
)

// Detail is one labelled value shown when an area or site is hovered or clicked.
type Detail struct {
	Label, Value string
}

// Area is one polygon of the map (an LSOA).
type Area struct {
	Code, Name string
	Geom       orb.MultiPolygon // BNG metres
	Details    []Detail
}

// Class is one legend entry: a label and a CSS colour (#rrggbb).
type Class struct {
	Label, Color string
}

// Layer is one way of colouring the areas: Class[i] is areas[i]'s class index in Classes, or -1
// for no data (drawn in NoDataColor and listed in the legend as NoData).
type Layer struct {
	ID, Title   string
	Description string // one sentence under the legend: what it shows and where it comes from
	Classes     []Class
	Class       []int
	Value       []string // optional: the value shown on hover for each area ("" = none)
	NoData      string   // legend label for -1, e.g. "No data" or "Suppressed (fewer than 10)"
}

// SiteGroup is how one kind of site is drawn: Shape is "square", "triangle", "circle" or
// "diamond"; Size the symbol's width in screen pixels.
type SiteGroup struct {
	ID    string  `json:"id"`
	Label string  `json:"label"`
	Color string  `json:"color"`
	Shape string  `json:"shape"`
	Size  float64 `json:"size"`
}

// Site is one point (a hub or a candidate site).
type Site struct {
	Name    string
	Group   string    // a SiteGroup's ID
	Point   orb.Point // BNG metres
	Details []Detail
}

// Outline is a named boundary drawn as a line over the areas (wards).
type Outline struct {
	Name string
	Geom orb.MultiPolygon
}

// Map is everything the page shows.
type Map struct {
	ID                 string // element id prefix, unique on the page: [a-z][a-z0-9-]*; default "hubreach-map"
	Title, Subtitle    string
	Source             string // attribution and licences, shown under the map
	Synthetic          bool   // adds a "synthetic data" banner
	BasemapURL         string // optional XYZ tile template with {z}, {x}, {y} (e.g. an OSM tile server); "" = none
	BasemapAttribution string
	Areas              []Area
	Outlines           []Outline
	OutlineLabel       string // legend label of the outlines, e.g. "Ward boundary"
	Sites              []Site
	SiteGroups         []SiteGroup
	Layers             []Layer
	// ToleranceM simplifies polygons (Douglas-Peucker, in BNG metres) before they are inlined;
	// 0 means DefaultToleranceM, a negative value keeps every vertex.
	ToleranceM float64
}

// DefaultToleranceM is the default simplification: 5 m is under a pixel at the scale an LSOA
// map of a district is read at, and roughly halves the page for real boundaries.
const DefaultToleranceM = 5

// Decimals of the inlined WGS84 coordinates: 1e-5 degree is about a metre.
const Decimals = 5

//go:embed map.js
var script string

//go:embed map.css
var style string

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

func (m *Map) validate() error {
	if m.ID == "" {
		m.ID = "hubreach-map"
	}
	if !idPattern.MatchString(m.ID) {
		return fmt.Errorf("web map: id %q: want lower-case letters, digits and hyphens, starting with a letter", m.ID)
	}
	if len(m.Areas) == 0 {
		return fmt.Errorf("web map: no areas to draw")
	}
	if len(m.Layers) == 0 {
		return fmt.Errorf("web map: no layers")
	}
	for _, l := range m.Layers {
		if len(l.Class) != len(m.Areas) {
			return fmt.Errorf("web map layer %s: %d classes for %d areas", l.ID, len(l.Class), len(m.Areas))
		}
		if l.Value != nil && len(l.Value) != len(m.Areas) {
			return fmt.Errorf("web map layer %s: %d values for %d areas", l.ID, len(l.Value), len(m.Areas))
		}
		for i, c := range l.Class {
			if c < -1 || c >= len(l.Classes) {
				return fmt.Errorf("web map layer %s area %s: class %d outside 0..%d", l.ID, m.Areas[i].Code, c, len(l.Classes)-1)
			}
		}
	}
	groups := map[string]bool{}
	for _, g := range m.SiteGroups {
		groups[g.ID] = true
	}
	for _, s := range m.Sites {
		if !groups[s.Group] {
			return fmt.Errorf("web map site %q: group %q is not one of the site groups", s.Name, s.Group)
		}
	}
	if m.BasemapURL != "" && !(strings.Contains(m.BasemapURL, "{z}") && strings.Contains(m.BasemapURL, "{x}") && strings.Contains(m.BasemapURL, "{y}")) {
		return fmt.Errorf("web map: basemap URL %q: want an XYZ template with {z}, {x} and {y}", m.BasemapURL)
	}
	return nil
}

// data is the JSON the script reads.
type data struct {
	ID                 string          `json:"id"`
	Title              string          `json:"title"`
	BasemapURL         string          `json:"basemap,omitempty"`
	BasemapAttribution string          `json:"basemapAttribution,omitempty"`
	OutlineLabel       string          `json:"outlineLabel,omitempty"`
	Layers             []layerJSON     `json:"layers"`
	SiteGroups         []SiteGroup     `json:"siteGroups"`
	Areas              json.RawMessage `json:"areas"`
	Outlines           json.RawMessage `json:"outlines"`
	Sites              json.RawMessage `json:"sites"`
}

type layerJSON struct {
	ID          string      `json:"id"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Classes     []classJSON `json:"classes"`
	NoData      string      `json:"noData"`
	NoDataCount int         `json:"noDataCount"`
}

type classJSON struct {
	Label string `json:"label"`
	Color string `json:"color"`
	Count int    `json:"count"`
}

// featureCollection writes features with geometry (already WGS84) and properties as GeoJSON.
func featureCollection(n int, geom func(i int) orb.Geometry, props func(i int) any) (json.RawMessage, error) {
	var b []byte
	b = append(b, `{"type":"FeatureCollection","features":[`...)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		b = append(b, `{"type":"Feature","geometry":`...)
		b = geoexport.AppendGeometryJSON(b, geom(i), Decimals)
		p, err := json.Marshal(props(i))
		if err != nil {
			return nil, err
		}
		b = append(b, `,"properties":`...)
		b = append(b, p...)
		b = append(b, '}')
	}
	b = append(b, "]}"...)
	return b, nil
}

func details(ds []Detail) [][2]string {
	out := make([][2]string, len(ds))
	for i, d := range ds {
		out[i] = [2]string{d.Label, d.Value}
	}
	return out
}

func (m *Map) simplified(g orb.MultiPolygon) orb.Geometry {
	tol := m.ToleranceM
	if tol == 0 {
		tol = DefaultToleranceM
	}
	if tol > 0 {
		g = simplify.DouglasPeucker(tol).MultiPolygon(g.Clone())
		// drop rings that collapsed (fewer than four points)
		out := g[:0]
		for _, p := range g {
			if len(p) == 0 || len(p[0]) < 4 {
				continue
			}
			q := p[:1]
			for _, r := range p[1:] {
				if len(r) >= 4 {
					q = append(q, r)
				}
			}
			out = append(out, q)
		}
		g = out
	}
	return geoexport.ToWGS84Decimals(g, Decimals)
}

func (m *Map) json() ([]byte, error) {
	d := data{ID: m.ID, Title: m.Title, BasemapURL: m.BasemapURL, BasemapAttribution: m.BasemapAttribution,
		OutlineLabel: m.OutlineLabel, SiteGroups: m.SiteGroups}
	if d.SiteGroups == nil {
		d.SiteGroups = []SiteGroup{}
	}
	for _, l := range m.Layers {
		lj := layerJSON{ID: l.ID, Title: l.Title, Description: l.Description, NoData: l.NoData}
		if lj.NoData == "" {
			lj.NoData = "No data"
		}
		for _, c := range l.Classes {
			lj.Classes = append(lj.Classes, classJSON{Label: c.Label, Color: c.Color})
		}
		for _, c := range l.Class {
			if c < 0 {
				lj.NoDataCount++
			} else {
				lj.Classes[c].Count++
			}
		}
		d.Layers = append(d.Layers, lj)
	}
	var err error
	d.Areas, err = featureCollection(len(m.Areas), func(i int) orb.Geometry { return m.simplified(m.Areas[i].Geom) }, func(i int) any {
		a := m.Areas[i]
		k := make([]int, len(m.Layers))
		v := make([]string, len(m.Layers))
		for j, l := range m.Layers {
			k[j] = l.Class[i]
			if l.Value != nil {
				v[j] = l.Value[i]
			}
		}
		return map[string]any{"code": a.Code, "name": a.Name, "k": k, "v": v, "d": details(a.Details)}
	})
	if err != nil {
		return nil, err
	}
	d.Outlines, err = featureCollection(len(m.Outlines), func(i int) orb.Geometry { return m.simplified(m.Outlines[i].Geom) }, func(i int) any {
		return map[string]any{"name": m.Outlines[i].Name}
	})
	if err != nil {
		return nil, err
	}
	d.Sites, err = featureCollection(len(m.Sites), func(i int) orb.Geometry { return geoexport.ToWGS84Decimals(m.Sites[i].Point, Decimals) }, func(i int) any {
		s := m.Sites[i]
		return map[string]any{"name": s.Name, "g": s.Group, "d": details(s.Details)}
	})
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	// Inside <script type="application/json"> only "</" could end the element early.
	return bytes.ReplaceAll(b, []byte("</"), []byte(`<\/`)), nil
}

// Fragment returns the map as an HTML fragment: a div with id m.ID, a style scoped to it, the
// data as a JSON script element and the script. It has no <html>, <head> or <body>, and every
// id in it starts with m.ID, so a report can inline it.
func (m *Map) Fragment() ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	js, err := m.json()
	if err != nil {
		return nil, err
	}
	id := m.ID
	var b bytes.Buffer
	fmt.Fprintf(&b, "<div id=\"%s\" class=\"hrmap\">\n", id)
	fmt.Fprintf(&b, "<style>\n%s</style>\n", strings.ReplaceAll(style, "#MAP", "#"+id))
	if m.Synthetic {
		b.WriteString(`<p class="hrmap-synthetic">SYNTHETIC demo data: not real places, people or statistics.</p>` + "\n")
	}
	if m.Title != "" {
		fmt.Fprintf(&b, "<h2 class=\"hrmap-title\">%s</h2>\n", html.EscapeString(m.Title))
	}
	if m.Subtitle != "" {
		fmt.Fprintf(&b, "<p class=\"hrmap-subtitle\">%s</p>\n", html.EscapeString(m.Subtitle))
	}
	fmt.Fprintf(&b, `<div class="hrmap-body">
<div class="hrmap-stage" id="%[1]s-stage" tabindex="0" aria-label="Map: drag to pan, scroll or use + and - to zoom">
<svg id="%[1]s-svg" role="img" aria-labelledby="%[1]s-svgtitle"><title id="%[1]s-svgtitle">%[2]s</title></svg>
<div class="hrmap-zoom"><button type="button" id="%[1]s-zin" title="Zoom in">+</button><button type="button" id="%[1]s-zout" title="Zoom out">&minus;</button><button type="button" id="%[1]s-zreset" title="Show the whole area">&#8962;</button></div>
<div class="hrmap-tip" id="%[1]s-tip" hidden></div>
</div>
<div class="hrmap-side">
<fieldset class="hrmap-layers" id="%[1]s-layers"><legend>Colour the areas by</legend></fieldset>
<div class="hrmap-legend" id="%[1]s-legend"></div>
<div class="hrmap-details" id="%[1]s-details"><p class="hrmap-hint">Hover over an area or a site for its figures; click to keep them here.</p></div>
</div>
</div>
`, id, html.EscapeString(m.Title))
	if m.Source != "" {
		fmt.Fprintf(&b, "<p class=\"hrmap-source\">%s</p>\n", strings.ReplaceAll(html.EscapeString(m.Source), "\n", "<br>"))
	}
	fmt.Fprintf(&b, "<noscript><p>The interactive map needs JavaScript; the same layers are in the layers folder as GeoJSON and GeoParquet.</p></noscript>\n")
	fmt.Fprintf(&b, "<script type=\"application/json\" id=\"%s-data\">%s</script>\n", id, js)
	fmt.Fprintf(&b, "<script>\n%s\nhubreachMap(%q);\n</script>\n</div>\n", script, id)
	return b.Bytes(), nil
}

// Page returns the standalone page: the fragment in a minimal HTML document.
func (m *Map) Page() ([]byte, error) {
	frag, err := m.Fragment()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s</title>
<style>body{margin:0;padding:16px 24px;font-family:Arial,Helvetica,sans-serif;color:#222;background:#fff}</style>
</head>
<body>
`, html.EscapeString(m.Title))
	b.Write(frag)
	b.WriteString("</body>\n</html>\n")
	return b.Bytes(), nil
}
