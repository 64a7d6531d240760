package geoexport

import (
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// GeoParquetVersion is the version of the GeoParquet specification the files follow.
const GeoParquetVersion = "1.1.0"

// BNGProjJSON is EPSG:27700 (OSGB36 / British National Grid) as PROJJSON, the form GeoParquet
// requires for "crs". The parameters are EPSG's (they are also the constants internal/bng uses).
const BNGProjJSON = `{
  "$schema": "https://proj.org/schemas/v0.7/projjson.schema.json",
  "type": "ProjectedCRS",
  "name": "OSGB36 / British National Grid",
  "base_crs": {
    "type": "GeographicCRS",
    "name": "OSGB36",
    "datum": {
      "type": "GeodeticReferenceFrame",
      "name": "Ordnance Survey of Great Britain 1936",
      "ellipsoid": {"name": "Airy 1830", "semi_major_axis": 6377563.396, "inverse_flattening": 299.3249646}
    },
    "coordinate_system": {
      "subtype": "ellipsoidal",
      "axis": [
        {"name": "Geodetic latitude", "abbreviation": "Lat", "direction": "north", "unit": "degree"},
        {"name": "Geodetic longitude", "abbreviation": "Lon", "direction": "east", "unit": "degree"}
      ]
    },
    "id": {"authority": "EPSG", "code": 4277}
  },
  "conversion": {
    "name": "British National Grid",
    "method": {"name": "Transverse Mercator", "id": {"authority": "EPSG", "code": 9807}},
    "parameters": [
      {"name": "Latitude of natural origin", "value": 49, "unit": "degree", "id": {"authority": "EPSG", "code": 8801}},
      {"name": "Longitude of natural origin", "value": -2, "unit": "degree", "id": {"authority": "EPSG", "code": 8802}},
      {"name": "Scale factor at natural origin", "value": 0.9996012717, "unit": "unity", "id": {"authority": "EPSG", "code": 8805}},
      {"name": "False easting", "value": 400000, "unit": "metre", "id": {"authority": "EPSG", "code": 8806}},
      {"name": "False northing", "value": -100000, "unit": "metre", "id": {"authority": "EPSG", "code": 8807}}
    ]
  },
  "coordinate_system": {
    "subtype": "Cartesian",
    "axis": [
      {"name": "Easting", "abbreviation": "E", "direction": "east", "unit": "metre"},
      {"name": "Northing", "abbreviation": "N", "direction": "north", "unit": "metre"}
    ]
  },
  "scope": "Engineering survey, topographic mapping.",
  "area": "United Kingdom (UK) - offshore to boundary of UKCS within 49°45'N to 61°N and 9°W to 2°E; onshore Great Britain (England, Wales and Scotland). Isle of Man onshore.",
  "bbox": {"south_latitude": 49.75, "west_longitude": -9.01, "north_latitude": 61.01, "east_longitude": 2.01},
  "id": {"authority": "EPSG", "code": 27700}
}`

// GeoMetadata is the GeoParquet `geo` file metadata.
type GeoMetadata struct {
	Version       string                       `json:"version"`
	PrimaryColumn string                       `json:"primary_column"`
	Columns       map[string]GeoColumnMetadata `json:"columns"`
}

// GeoColumnMetadata describes one geometry column.
type GeoColumnMetadata struct {
	Encoding      string          `json:"encoding"`
	GeometryTypes []string        `json:"geometry_types"`
	CRS           json.RawMessage `json:"crs,omitempty"`
	BBox          []float64       `json:"bbox,omitempty"`
}

// Metadata returns the `geo` metadata of l's geometry column (BNG coordinates, WKB).
func Metadata(l *Layer) GeoMetadata {
	types := []string{}
	seen := map[string]bool{}
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, f := range l.Features {
		if f.Geometry == nil {
			continue
		}
		t := f.Geometry.GeoJSONType()
		if !seen[t] {
			seen[t] = true
			types = append(types, t)
		}
		fb := f.Geometry.Bound()
		b = b.Union(fb)
	}
	col := GeoColumnMetadata{Encoding: "WKB", GeometryTypes: types, CRS: json.RawMessage(compactJSON(BNGProjJSON))}
	if !math.IsInf(b.Min[0], 1) {
		col.BBox = []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	return GeoMetadata{Version: GeoParquetVersion, PrimaryColumn: GeometryColumn, Columns: map[string]GeoColumnMetadata{GeometryColumn: col}}
}

func compactJSON(s string) []byte {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic("geoexport: bad built-in JSON: " + err.Error())
	}
	b, _ := json.Marshal(v)
	return b
}

// WriteGeoParquet writes l as GeoParquet (zstd-compressed, one row group): one column per
// attribute and the geometry column as little-endian WKB in BNG metres, with the `geo` key in
// the file's key-value metadata.
func WriteGeoParquet(w io.Writer, l *Layer) error {
	if err := l.Validate(); err != nil {
		return err
	}
	fields := make([]arrow.Field, 0, len(l.Columns)+1)
	for _, c := range l.Columns {
		var t arrow.DataType
		switch c.Kind {
		case String:
			t = arrow.BinaryTypes.String
		case Float:
			t = arrow.PrimitiveTypes.Float64
		case Int:
			t = arrow.PrimitiveTypes.Int64
		case Bool:
			t = arrow.FixedWidthTypes.Boolean
		}
		fields = append(fields, arrow.Field{Name: c.Name, Type: t, Nullable: true})
	}
	fields = append(fields, arrow.Field{Name: GeometryColumn, Type: arrow.BinaryTypes.Binary, Nullable: true})
	geo, err := json.Marshal(Metadata(l))
	if err != nil {
		return err
	}
	md := arrow.NewMetadata([]string{"geo"}, []string{string(geo)})
	schema := arrow.NewSchema(fields, &md)

	mem := memory.NewGoAllocator()
	rb := array.NewRecordBuilder(mem, schema)
	defer rb.Release()
	for i, f := range l.Features {
		for j, v := range f.Values {
			nv, _ := normalise(l.Columns[j].Kind, v)
			fb := rb.Field(j)
			if nv == nil {
				fb.AppendNull()
				continue
			}
			switch x := nv.(type) {
			case string:
				fb.(*array.StringBuilder).Append(x)
			case float64:
				fb.(*array.Float64Builder).Append(x)
			case int64:
				fb.(*array.Int64Builder).Append(x)
			case bool:
				fb.(*array.BooleanBuilder).Append(x)
			}
		}
		gb := rb.Field(len(l.Columns)).(*array.BinaryBuilder)
		if f.Geometry == nil {
			gb.AppendNull()
			continue
		}
		b, err := wkb.Marshal(f.Geometry, wkb.DefaultByteOrder)
		if err != nil {
			return fmt.Errorf("layer %s feature %d: WKB: %w", l.Name, i, err)
		}
		gb.Append(b)
	}
	rec := rb.NewRecord()
	defer rec.Release()

	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithCreatedBy("hubreach"))
	// struct{io.Writer} hides w's Close: the parquet writer would close it, the caller owns it.
	fw, err := pqarrow.NewFileWriter(schema, struct{ io.Writer }{w}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return fmt.Errorf("layer %s: parquet writer: %w", l.Name, err)
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return fmt.Errorf("layer %s: write parquet: %w", l.Name, err)
	}
	return fw.Close()
}
