package geoexport

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"hubreach/internal/store"
)

// Ordnance Survey control point "Caister water tower" (OS guide to coordinate systems, and
// internal/bng's tests): ETRS89 (≈ WGS84 in GB within a metre) and its National Grid position.
const (
	caisterLon, caisterLat = 1.716073973, 52.658007833
	caisterE, caisterN     = 651409.792, 313177.448
)

func testLayer() *Layer {
	// A 100 m square wound clockwise (wrong for RFC 7946) with a 20 m hole wound
	// counterclockwise (also wrong), near the control point.
	sq := orb.Polygon{
		{{651000, 313000}, {651000, 313100}, {651100, 313100}, {651100, 313000}, {651000, 313000}},
		{{651040, 313040}, {651060, 313040}, {651060, 313060}, {651040, 313060}, {651040, 313040}},
	}
	return &Layer{
		Name:    "test",
		Columns: []Column{{"code", String}, {"score", Float}, {"children", Int}, {"gap", Bool}},
		Features: []Feature{
			{Geometry: orb.Point{caisterE, caisterN}, Values: []any{"P1", 0.25, int64(12), true}},
			{Geometry: orb.MultiPolygon{sq}, Values: []any{"A1", math.NaN(), nil, false}},
			{Geometry: nil, Values: []any{nil, nil, 3, nil}},
		},
	}
}

// metres between two lon/lat points (equirectangular; fine over a few metres).
func metres(lon1, lat1, lon2, lat2 float64) float64 {
	const r = 6371000.0
	dx := (lon2 - lon1) * math.Pi / 180 * math.Cos(lat1*math.Pi/180) * r
	dy := (lat2 - lat1) * math.Pi / 180 * r
	return math.Hypot(dx, dy)
}

func TestGeoJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteGeoJSON(&buf, testLayer()); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string
		Features []struct {
			Type     string
			Geometry *struct {
				Type        string
				Coordinates json.RawMessage
			}
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &fc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 3 {
		t.Fatalf("got %s with %d features", fc.Type, len(fc.Features))
	}
	// The point: lon, lat order, within OS's 5 m bound of the published position.
	var pt []float64
	json.Unmarshal(fc.Features[0].Geometry.Coordinates, &pt)
	if d := metres(pt[0], pt[1], caisterLon, caisterLat); d > 5 {
		t.Errorf("Caister water tower at %v, %.2f m from the published %.9f, %.9f", pt, d, caisterLon, caisterLat)
	}
	// At most 6 decimals anywhere in the coordinates.
	for _, f := range fc.Features {
		if f.Geometry == nil {
			continue
		}
		for _, num := range strings.FieldsFunc(string(f.Geometry.Coordinates), func(r rune) bool { return r == '[' || r == ']' || r == ',' }) {
			if i := strings.IndexByte(num, '.'); i >= 0 && len(num)-i-1 > 6 {
				t.Errorf("coordinate %s has more than 6 decimals", num)
			}
		}
	}
	// Right-hand rule: exterior counterclockwise, hole clockwise.
	g := fc.Features[1].Geometry
	if g.Type != "MultiPolygon" {
		t.Fatalf("geometry type %s", g.Type)
	}
	var mp [][][][2]float64
	json.Unmarshal(g.Coordinates, &mp)
	area := func(r [][2]float64) float64 {
		a := 0.0
		for i := 0; i+1 < len(r); i++ {
			a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
		}
		return a
	}
	if len(mp) != 1 || len(mp[0]) != 2 {
		t.Fatalf("polygon structure %v", mp)
	}
	if area(mp[0][0]) <= 0 || area(mp[0][1]) >= 0 {
		t.Errorf("winding: exterior area %g (want > 0), hole %g (want < 0)", area(mp[0][0]), area(mp[0][1]))
	}
	if first, last := mp[0][0][0], mp[0][0][len(mp[0][0])-1]; first != last {
		t.Errorf("ring not closed: %v ... %v", first, last)
	}
	if fc.Features[2].Geometry != nil {
		t.Errorf("nil geometry written as %v, want null", fc.Features[2].Geometry)
	}
	p := fc.Features[0].Properties
	if p["code"] != "P1" || p["score"] != 0.25 || p["children"] != 12.0 || p["gap"] != true {
		t.Errorf("properties %v", p)
	}
	p = fc.Features[1].Properties
	if v, ok := p["score"]; !ok || v != nil {
		t.Errorf("NaN score written as %v (present %v), want null", v, ok)
	}
	if v, ok := p["children"]; !ok || v != nil {
		t.Errorf("nil children written as %v, want null", v)
	}
}

func TestValidateRejectsWrongTypes(t *testing.T) {
	cases := []struct {
		name string
		l    Layer
		want string
	}{
		{"string in int", Layer{Name: "x", Columns: []Column{{"n", Int}}, Features: []Feature{{Values: []any{"7"}}}}, "not a int"},
		{"short row", Layer{Name: "x", Columns: []Column{{"n", Int}, {"m", Int}}, Features: []Feature{{Values: []any{1}}}}, "1 values for 2 columns"},
		{"duplicate", Layer{Name: "x", Columns: []Column{{"n", Int}, {"n", Float}}}, "appears twice"},
		{"geometry name", Layer{Name: "x", Columns: []Column{{"geometry", String}}}, "appears twice"},
	}
	for _, c := range cases {
		err := c.l.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestGeoParquetReadByDuckDB writes a layer and reads it back with DuckDB: the attributes, the
// WKB geometry (decoded with orb) and the `geo` metadata required by GeoParquet 1.1.
func TestGeoParquetReadByDuckDB(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "test.parquet")
	l := testLayer()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteGeoParquet(f, l); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "read.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(ctx, `SELECT code, score, children, gap, geometry FROM read_parquet(?)`, path)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		code     *string
		score    *float64
		children *int64
		gap      *bool
		geom     []byte
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.code, &r.score, &r.children, &r.gap, &r.geom); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	rows.Close()
	if len(got) != 3 {
		t.Fatalf("%d rows, want 3", len(got))
	}
	if got[0].code == nil || *got[0].code != "P1" || *got[0].score != 0.25 || *got[0].children != 12 || !*got[0].gap {
		t.Errorf("row 0: %+v", got[0])
	}
	if got[1].score != nil || got[1].children != nil || got[1].gap == nil || *got[1].gap {
		t.Errorf("row 1 nulls: score %v children %v gap %v", got[1].score, got[1].children, got[1].gap)
	}
	if got[2].geom != nil || got[2].code != nil || *got[2].children != 3 {
		t.Errorf("row 2: %+v", got[2])
	}
	g0, err := wkb.Unmarshal(got[0].geom)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := g0.(orb.Point); !ok || p != (orb.Point{caisterE, caisterN}) {
		t.Errorf("point geometry %v, want BNG %v, %v unchanged", g0, caisterE, caisterN)
	}
	g1, err := wkb.Unmarshal(got[1].geom)
	if err != nil {
		t.Fatal(err)
	}
	if mp, ok := g1.(orb.MultiPolygon); !ok || len(mp) != 1 || len(mp[0]) != 2 || mp[0][0][2] != (orb.Point{651100, 313100}) {
		t.Errorf("polygon geometry %v", g1)
	}

	var geo string
	if err := db.QueryRow(ctx, `SELECT decode(value) FROM parquet_kv_metadata(?) WHERE decode(key) = 'geo'`, path).Scan(&geo); err != nil {
		t.Fatalf("geo metadata: %v", err)
	}
	var md struct {
		Version       string `json:"version"`
		PrimaryColumn string `json:"primary_column"`
		Columns       map[string]struct {
			Encoding      string    `json:"encoding"`
			GeometryTypes []string  `json:"geometry_types"`
			BBox          []float64 `json:"bbox"`
			CRS           struct {
				Type     string                    `json:"type"`
				Name     string                    `json:"name"`
				BaseCRS  *struct{ Name string }    `json:"base_crs"`
				Conv     *struct{ Name string }    `json:"conversion"`
				CoordSys *struct{ Subtype string } `json:"coordinate_system"`
				ID       struct {
					Authority string `json:"authority"`
					Code      int    `json:"code"`
				} `json:"id"`
			} `json:"crs"`
		} `json:"columns"`
	}
	if err := json.Unmarshal([]byte(geo), &md); err != nil {
		t.Fatalf("geo metadata is not JSON: %v\n%s", err, geo)
	}
	if !strings.HasPrefix(md.Version, "1.") || md.PrimaryColumn != "geometry" {
		t.Errorf("version %q primary_column %q", md.Version, md.PrimaryColumn)
	}
	c, ok := md.Columns["geometry"]
	if !ok {
		t.Fatalf("no columns.geometry in %s", geo)
	}
	if c.Encoding != "WKB" {
		t.Errorf("encoding %q", c.Encoding)
	}
	if strings.Join(c.GeometryTypes, ",") != "Point,MultiPolygon" {
		t.Errorf("geometry_types %v, want [Point MultiPolygon]", c.GeometryTypes)
	}
	// bbox by hand: x from the square's 651000 to the point's 651409.792, y from 313000 to 313177.448.
	want := []float64{651000, 313000, 651409.792, 313177.448}
	if len(c.BBox) != 4 || c.BBox[0] != want[0] || c.BBox[1] != want[1] || c.BBox[2] != want[2] || c.BBox[3] != want[3] {
		t.Errorf("bbox %v, want %v", c.BBox, want)
	}
	if c.CRS.Type != "ProjectedCRS" || c.CRS.ID.Authority != "EPSG" || c.CRS.ID.Code != 27700 ||
		c.CRS.BaseCRS == nil || c.CRS.Conv == nil || c.CRS.CoordSys == nil || c.CRS.CoordSys.Subtype != "Cartesian" {
		t.Errorf("crs is not PROJJSON for EPSG:27700: %+v", c.CRS)
	}
}
