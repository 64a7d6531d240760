package pipeline

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"hubreach/datasets"
	"hubreach/pipeline/geoexport"
)

// Layers is the stage that writes every map layer for GIS users, as GeoJSON (WGS84) and
// GeoParquet (BNG, with the `geo` metadata) in <Dir>/layers/, a column dictionary
// (layers/columns.csv), and the offline interactive map (<Dir>/web/map.html and the fragment
// web/map-fragment.html for the report). It runs after every analysis stage; tables a run does
// not have (no siting, no service-use reach) are left out of the layers' columns, the layers
// still written. It reads only area-level tables: never core.contact or anything person-level.
//
// Layers: lsoa (the area's LSOAs: need, hotspots, travel time to the nearest hub by mode,
// access standards met, reach), ward (ward_profile), hub_sites (by tier), candidate_sites,
// siting_choice (the sites each siting scenario chose).
func Layers() Stage { return StageFunc{N: "GIS layers and web map", F: writeLayers} }

// layerCol is one attribute with where it comes from, for layers/columns.csv.
type layerCol struct {
	geoexport.Column
	desc string
}

// layerBuild is a layer under construction: features keyed by their id (LSOA code, ward code,
// site id).
type layerBuild struct {
	name  string
	cols  []layerCol
	feats []geoexport.Feature
	index map[string]int
}

func (b *layerBuild) layer() *geoexport.Layer {
	l := &geoexport.Layer{Name: b.name, Features: b.feats}
	for _, c := range b.cols {
		l.Columns = append(l.Columns, c.Column)
	}
	return l
}

// col returns the column index of name, or -1.
func (b *layerBuild) col(name string) int {
	for i, c := range b.cols {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// value returns feature i's value of column name (nil when absent or null).
func (b *layerBuild) value(i int, name string) any {
	if j := b.col(name); j >= 0 {
		return b.feats[i].Values[j]
	}
	return nil
}

// layerPersonColumns are never written, whatever table they turn up in.
var layerPersonColumns = regexp.MustCompile(`(?i)^(person_id|person|child_id|nhs_number|date_of_birth|dob|contact_date|child_age_months|home_postcode|address.*)$`)

// layerFeatures starts a layer from q, which returns (key, geometry WKB) rows.
func layerFeatures(ctx context.Context, env *Env, name, q string) (*layerBuild, error) {
	rows, err := env.DB.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", name, err)
	}
	defer rows.Close()
	b := &layerBuild{name: name, index: map[string]int{}}
	for rows.Next() {
		var key string
		var wkb []byte
		if err := rows.Scan(&key, &wkb); err != nil {
			return nil, fmt.Errorf("layer %s: %w", name, err)
		}
		var g orb.Geometry
		if wkb != nil {
			mp, err := datasets.DecodeWKB(wkb)
			if err != nil {
				return nil, fmt.Errorf("layer %s, %s geometry: %w", name, key, err)
			}
			g = mp
		}
		b.index[key] = len(b.feats)
		b.feats = append(b.feats, geoexport.Feature{Geometry: g})
	}
	return b, rows.Err()
}

// attach runs q, whose first column is the feature key and the others cols (in order, already
// cast to VARCHAR, DOUBLE, BIGINT or BOOLEAN as their kinds say), and sets the values on the
// features. Rows whose key is not a feature are ignored; features without a row get nulls.
func (b *layerBuild) attach(ctx context.Context, env *Env, q string, cols []layerCol) error {
	var keep []layerCol
	var keepIdx []int
	for i, c := range cols {
		if layerPersonColumns.MatchString(c.Name) || b.col(c.Name) >= 0 {
			continue
		}
		keep = append(keep, c)
		keepIdx = append(keepIdx, i)
	}
	if len(keep) == 0 {
		return nil
	}
	base := len(b.cols)
	b.cols = append(b.cols, keep...)
	for i := range b.feats {
		b.feats[i].Values = append(b.feats[i].Values, make([]any, len(keep))...)
	}
	rows, err := env.DB.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("layer %s: %w", b.name, err)
	}
	defer rows.Close()
	vals := make([]any, len(cols)+1)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("layer %s: %w", b.name, err)
		}
		key, _ := vals[0].(string)
		fi, ok := b.index[key]
		if !ok {
			continue
		}
		for j, ci := range keepIdx {
			b.feats[fi].Values[base+j] = vals[ci+1]
		}
	}
	return rows.Err()
}

// layerTableColumns returns schema.table's columns (name, DuckDB type) in order, or nil when the
// table does not exist in this run.
func layerTableColumns(ctx context.Context, env *Env, schema, table string) ([][2]string, error) {
	rows, err := env.DB.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`, schema, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var c [2]string
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// layerKind maps a DuckDB type to an attribute kind and the cast that yields it; ok is false for
// types a GIS attribute cannot carry (BLOB, lists, structs).
func layerKind(dataType string) (geoexport.Kind, string, bool) {
	t := strings.ToUpper(dataType)
	switch {
	case t == "VARCHAR" || t == "DATE" || strings.HasPrefix(t, "TIMESTAMP") || t == "TIME" || t == "UUID":
		return geoexport.String, "VARCHAR", true
	case t == "BOOLEAN":
		return geoexport.Bool, "BOOLEAN", true
	case slices.Contains([]string{"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "HUGEINT"}, t):
		return geoexport.Int, "BIGINT", true
	case t == "DOUBLE" || t == "FLOAT" || t == "REAL" || strings.HasPrefix(t, "DECIMAL"):
		return geoexport.Float, "DOUBLE", true
	}
	return 0, "", false
}

// attachTable attaches every usable column of schema.table except skip, joined on key; prefix
// is put before column names that do not already start with it. A missing table attaches
// nothing. When the table has more than one row per key it is left out with a note.
func (b *layerBuild) attachTable(ctx context.Context, env *Env, schema, table, key, prefix string, skip []string) error {
	tcols, err := layerTableColumns(ctx, env, schema, table)
	if err != nil || tcols == nil {
		return err
	}
	var n, keys int64
	q := fmt.Sprintf(`SELECT count(*), count(DISTINCT %s) FROM %s.%s`, quoteIdent(key), schema, quoteIdent(table))
	if err := env.DB.QueryRow(ctx, q).Scan(&n, &keys); err != nil {
		return fmt.Errorf("layer %s: %s.%s: %w", b.name, schema, table, err)
	}
	if n != keys {
		env.Note("GIS layer %s: %s.%s has more than one row per %s, so its columns are not in the layer", b.name, schema, table, key)
		return nil
	}
	sel := []string{quoteIdent(key) + "::VARCHAR"}
	var cols []layerCol
	for _, c := range tcols {
		if c[0] == key || slices.Contains(skip, c[0]) || layerPersonColumns.MatchString(c[0]) {
			continue
		}
		kind, cast, ok := layerKind(c[1])
		if !ok {
			continue
		}
		name := c[0]
		if prefix != "" && !strings.HasPrefix(name, prefix) {
			name = prefix + name
		}
		sel = append(sel, fmt.Sprintf("%s::%s", quoteIdent(c[0]), cast))
		cols = append(cols, layerCol{geoexport.Column{Name: name, Kind: kind}, layerDescription(name, fmt.Sprintf("%s.%s.%s", schema, table, c[0]))})
	}
	return b.attach(ctx, env, fmt.Sprintf("SELECT %s FROM %s.%s", strings.Join(sel, ", "), schema, quoteIdent(table)), cols)
}

var layerDescriptions = map[string]string{
	"lsoa_code":         "LSOA code (ONS)",
	"lsoa_name":         "LSOA name (ONS)",
	"ward_code":         "electoral ward the LSOA is assigned to",
	"ward_name":         "ward name",
	"locality":          "locality (family hub area) from the localities lookup",
	"idaci_rank":        "IDACI national rank (1 = most deprived LSOA in England)",
	"idaci_decile":      "IDACI national decile (1 = most deprived 10%)",
	"idaci_score":       "IDACI score: share of children 0-15 in income-deprived families",
	"children_0_15":     "children aged 0-15",
	"children_0_4":      "children aged 0-4",
	"deprived_children": "income-deprived children 0-15 (IDACI)",
	"hotspot_class":     "Getis-Ord Gi* class: hot-99/95/90, not-significant, cold-90/95/99, island",
	"hotspot_z":         "Gi* z-score",
	"hotspot_p_fdr":     "Gi* p-value, Benjamini-Hochberg adjusted when hotspot.fdr is on",
	"hotspot_variable":  "variable the hotspot statistics were computed on",
}

func layerDescription(name, from string) string {
	if d, ok := layerDescriptions[name]; ok {
		return d + " (" + from + ")"
	}
	return from
}

var layerModes = []string{"crow", "walk", "drive"}

// lsoaLayer builds the area's LSOAs with need, hotspots, travel time by mode, access standards
// met and reach.
func lsoaLayer(ctx context.Context, env *Env) (*layerBuild, error) {
	b, err := layerFeatures(ctx, env, "lsoa", `SELECT lsoa_code, geom FROM core.lsoa WHERE area_role = 'area' ORDER BY lsoa_code`)
	if err != nil {
		return nil, err
	}
	need := []layerCol{}
	var sel []string
	for _, c := range []struct {
		name string
		kind geoexport.Kind
	}{{"lsoa_code", geoexport.String}, {"lsoa_name", geoexport.String}, {"ward_code", geoexport.String}, {"ward_name", geoexport.String},
		{"locality", geoexport.String}, {"idaci_rank", geoexport.Int}, {"idaci_decile", geoexport.Int}, {"idaci_score", geoexport.Float},
		{"children_0_15", geoexport.Float}, {"children_0_4", geoexport.Float}, {"deprived_children", geoexport.Float}} {
		cast := map[geoexport.Kind]string{geoexport.String: "VARCHAR", geoexport.Int: "BIGINT", geoexport.Float: "DOUBLE"}[c.kind]
		sel = append(sel, fmt.Sprintf("%s::%s", c.name, cast))
		need = append(need, layerCol{geoexport.Column{Name: c.name, Kind: c.kind}, layerDescription(c.name, "analysis.lsoa_need."+c.name)})
	}
	if err := b.attach(ctx, env, "SELECT lsoa_code, "+strings.Join(sel, ", ")+" FROM analysis.lsoa_need", need); err != nil {
		return nil, err
	}
	if cols, err := layerTableColumns(ctx, env, "analysis", "lsoa_hotspots"); err != nil {
		return nil, err
	} else if cols != nil {
		if err := b.attach(ctx, env, `SELECT lsoa_code, class::VARCHAR, gi_star_z::DOUBLE, p_fdr::DOUBLE, variable::VARCHAR FROM analysis.lsoa_hotspots`, []layerCol{
			{geoexport.Column{Name: "hotspot_class", Kind: geoexport.String}, layerDescription("hotspot_class", "analysis.lsoa_hotspots.class")},
			{geoexport.Column{Name: "hotspot_z", Kind: geoexport.Float}, layerDescription("hotspot_z", "analysis.lsoa_hotspots.gi_star_z")},
			{geoexport.Column{Name: "hotspot_p_fdr", Kind: geoexport.Float}, layerDescription("hotspot_p_fdr", "analysis.lsoa_hotspots.p_fdr")},
			{geoexport.Column{Name: "hotspot_variable", Kind: geoexport.String}, layerDescription("hotspot_variable", "analysis.lsoa_hotspots.variable")},
		}); err != nil {
			return nil, err
		}
	}
	// Travel to the nearest hub: one column set per mode present and tier group any / main.
	if cols, err := layerTableColumns(ctx, env, "analysis", "lsoa_distance"); err != nil {
		return nil, err
	} else if cols != nil {
		present := map[string]bool{}
		rows, err := env.DB.Query(ctx, `SELECT DISTINCT mode FROM analysis.lsoa_distance WHERE tier_group IN ('any', 'main')`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var m string
			if err := rows.Scan(&m); err != nil {
				rows.Close()
				return nil, err
			}
			present[m] = true
		}
		rows.Close()
		var sel []string
		var cols []layerCol
		for _, m := range layerModes {
			if !present[m] {
				continue
			}
			for _, g := range []string{"any", "main"} {
				f := fmt.Sprintf("FILTER (WHERE mode = '%s' AND tier_group = '%s')", m, g)
				what := map[string]string{"any": "any hub site", "main": "a main hub (plus or extra)"}[g]
				how := map[string]string{"crow": "straight line at walking speed", "walk": "walking on the road network", "drive": "driving on the road network"}[m]
				p := m + "_" + g + "_"
				sel = append(sel, "(max(minutes) "+f+")::DOUBLE", "(max(metres) "+f+")::DOUBLE", "(any_value(site_id) "+f+")::VARCHAR", "(any_value(status) "+f+")::VARCHAR")
				cols = append(cols,
					layerCol{geoexport.Column{Name: p + "minutes", Kind: geoexport.Float}, fmt.Sprintf("minutes to the nearest %s, %s (analysis.lsoa_distance.minutes)", what, how)},
					layerCol{geoexport.Column{Name: p + "metres", Kind: geoexport.Float}, fmt.Sprintf("metres to the nearest %s, %s (analysis.lsoa_distance.metres)", what, how)},
					layerCol{geoexport.Column{Name: p + "site", Kind: geoexport.String}, fmt.Sprintf("site_id of the nearest %s, %s (analysis.lsoa_distance.site_id)", what, how)},
					layerCol{geoexport.Column{Name: p + "status", Kind: geoexport.String}, "ok, or why minutes are missing (analysis.lsoa_distance.status)"})
			}
		}
		if len(sel) > 0 {
			if err := b.attach(ctx, env, "SELECT lsoa_code, "+strings.Join(sel, ", ")+" FROM analysis.lsoa_distance GROUP BY lsoa_code", cols); err != nil {
				return nil, err
			}
		}
	}
	// Access standards: within (TRUE), beyond (FALSE, a gap) or unknown (NULL), one column each.
	if cols, err := layerTableColumns(ctx, env, "analysis", "lsoa_access"); err != nil {
		return nil, err
	} else if cols != nil {
		rows, err := env.DB.Query(ctx, `SELECT DISTINCT standard_id::BIGINT, standard::VARCHAR FROM analysis.lsoa_access ORDER BY 1`)
		if err != nil {
			return nil, err
		}
		var sel []string
		var lc []layerCol
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, err
			}
			sel = append(sel, fmt.Sprintf("(any_value(within) FILTER (WHERE standard_id = %d))::BOOLEAN", id))
			lc = append(lc, layerCol{geoexport.Column{Name: fmt.Sprintf("std%d_within", id), Kind: geoexport.Bool},
				fmt.Sprintf("within access standard %d %q: true, false = a gap, null = unknown (analysis.lsoa_access.within)", id, name)})
		}
		rows.Close()
		if len(sel) > 0 {
			if err := b.attach(ctx, env, "SELECT lsoa_code, "+strings.Join(sel, ", ")+" FROM analysis.lsoa_access GROUP BY lsoa_code", lc); err != nil {
				return nil, err
			}
		}
	}
	// Service-use reach by LSOA (already suppressed by the reach stage: copied as it is).
	skip := []string{"lsoa_name", "area_role", "ward_code", "ward_name", "locality", "la_code", "idaci_rank", "idaci_decile", "idaci_score",
		"children_0_15", "children_0_4", "children_0_19", "deprived_children"}
	if err := b.attachTable(ctx, env, "analysis", "reach_by_lsoa", "lsoa_code", "reach_", skip); err != nil {
		return nil, err
	}
	return b, nil
}

func wardLayer(ctx context.Context, env *Env) (*layerBuild, error) {
	b, err := layerFeatures(ctx, env, "ward", `SELECT ward_code, geom FROM core.ward WHERE area_role = 'area' ORDER BY ward_code`)
	if err != nil {
		return nil, err
	}
	if err := b.attach(ctx, env, `SELECT ward_code, ward_code, ward_name::VARCHAR FROM core.ward`, []layerCol{
		{geoexport.Column{Name: "ward_code", Kind: geoexport.String}, "ward code (ONS) (core.ward.ward_code)"},
		{geoexport.Column{Name: "ward_name", Kind: geoexport.String}, "ward name (core.ward.ward_name)"},
	}); err != nil {
		return nil, err
	}
	if err := b.attachTable(ctx, env, "analysis", "ward_profile", "ward_code", "", nil); err != nil {
		return nil, err
	}
	return b, nil
}

// siteLayer builds point features from core.site for one role.
func siteLayer(ctx context.Context, env *Env, name, role string) (*layerBuild, error) {
	b := &layerBuild{name: name, index: map[string]int{}}
	rows, err := env.DB.Query(ctx, `SELECT site_id, x, y FROM core.site WHERE role = ? ORDER BY site_id`, role)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", name, err)
	}
	for rows.Next() {
		var id string
		var p orb.Point
		if err := rows.Scan(&id, &p[0], &p[1]); err != nil {
			rows.Close()
			return nil, err
		}
		b.index[id] = len(b.feats)
		b.feats = append(b.feats, geoexport.Feature{Geometry: p})
	}
	rows.Close()
	var cols []layerCol
	var sel []string
	tcols, err := layerTableColumns(ctx, env, "core", "site")
	if err != nil {
		return nil, err
	}
	for _, c := range tcols {
		if !slices.Contains([]string{"site_id", "name", "tier", "site_type", "capacity", "postcode", "locality", "x", "y"}, c[0]) {
			continue
		}
		if role == "candidate" && c[0] == "tier" {
			continue
		}
		kind, cast, ok := layerKind(c[1])
		if !ok {
			continue
		}
		sel = append(sel, fmt.Sprintf("%s::%s", quoteIdent(c[0]), cast))
		cols = append(cols, layerCol{geoexport.Column{Name: c[0], Kind: kind}, "core.site." + c[0]})
	}
	if err := b.attach(ctx, env, "SELECT site_id, "+strings.Join(sel, ", ")+" FROM core.site", cols); err != nil {
		return nil, err
	}
	return b, nil
}

// sitingLayer is analysis.siting_choice as points (one per scenario and chosen site), or nil
// when the run has no siting.
func sitingLayer(ctx context.Context, env *Env) (*layerBuild, error) {
	tcols, err := layerTableColumns(ctx, env, "analysis", "siting_choice")
	if err != nil || tcols == nil {
		return nil, err
	}
	b := &layerBuild{name: "siting_choice", index: map[string]int{}}
	var sel []string
	var cols []layerCol
	for _, c := range tcols {
		kind, cast, ok := layerKind(c[1])
		if !ok {
			continue
		}
		sel = append(sel, fmt.Sprintf("%s::%s", quoteIdent(c[0]), cast))
		cols = append(cols, layerCol{geoexport.Column{Name: c[0], Kind: kind}, "analysis.siting_choice." + c[0]})
	}
	rows, err := env.DB.Query(ctx, `SELECT scenario || '/' || selection_order::VARCHAR, x, y FROM analysis.siting_choice ORDER BY scenario, selection_order`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var key string
		var x, y *float64
		if err := rows.Scan(&key, &x, &y); err != nil {
			rows.Close()
			return nil, err
		}
		f := geoexport.Feature{}
		if x != nil && y != nil {
			f.Geometry = orb.Point{*x, *y}
		}
		b.index[key] = len(b.feats)
		b.feats = append(b.feats, f)
	}
	rows.Close()
	if err := b.attach(ctx, env, "SELECT scenario || '/' || selection_order::VARCHAR, "+strings.Join(sel, ", ")+" FROM analysis.siting_choice", cols); err != nil {
		return nil, err
	}
	return b, nil
}

func writeLayers(ctx context.Context, env *Env) error {
	dir := filepath.Join(env.Dir, "layers")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	lsoa, err := lsoaLayer(ctx, env)
	if err != nil {
		return err
	}
	ward, err := wardLayer(ctx, env)
	if err != nil {
		return err
	}
	hubs, err := siteLayer(ctx, env, "hub_sites", "hub")
	if err != nil {
		return err
	}
	cands, err := siteLayer(ctx, env, "candidate_sites", "candidate")
	if err != nil {
		return err
	}
	siting, err := sitingLayer(ctx, env)
	if err != nil {
		return err
	}
	all := []*layerBuild{lsoa, ward, hubs, cands}
	if siting != nil {
		all = append(all, siting)
	}
	var dict [][]string
	for _, b := range all {
		env.Progress.Step("writing layer %s (%d features, %d columns)", b.name, len(b.feats), len(b.cols))
		l := b.layer()
		if err := layerWrite(filepath.Join(dir, b.name+".geojson"), l, geoexport.WriteGeoJSON); err != nil {
			return err
		}
		if err := layerWrite(filepath.Join(dir, b.name+".parquet"), l, geoexport.WriteGeoParquet); err != nil {
			return err
		}
		for _, c := range b.cols {
			dict = append(dict, []string{b.name, c.Name, c.Kind.String(), c.desc})
		}
	}
	if err := layerDictionary(filepath.Join(dir, "columns.csv"), dict); err != nil {
		return err
	}
	return writeWebMap(ctx, env, lsoa, ward, hubs, cands, siting)
}

func layerWrite(path string, l *geoexport.Layer, write func(io.Writer, *geoexport.Layer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f, l); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func layerDictionary(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"layer", "column", "type", "description (source table.column)"})
	w.WriteAll(rows)
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
