// Package geoexport writes map layers for GIS users: GeoJSON in WGS84 (RFC 7946) and GeoParquet
// in British National Grid (EPSG:27700) with the `geo` file metadata of GeoParquet 1.1.
//
// A Layer is plain Go values: typed attribute columns and one orb geometry per feature, in BNG
// metres as everything else in hubreach. The package does not know about the store.
package geoexport

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Kind is an attribute column's type.
type Kind int

// Attribute kinds. A value may always be nil (null).
const (
	String Kind = iota // Go string
	Float              // Go float64 (NaN and ±Inf are written as null)
	Int                // Go int64 (int and int32 accepted)
	Bool               // Go bool
)

func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Float:
		return "float"
	case Int:
		return "int"
	case Bool:
		return "bool"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Column is one attribute: its name in the output files and its type.
type Column struct {
	Name string
	Kind Kind
}

// Feature is one row: a geometry in BNG metres (nil for none) and one value per column, in
// the layer's column order.
type Feature struct {
	Geometry orb.Geometry
	Values   []any
}

// Layer is a named set of features with the same attributes.
type Layer struct {
	Name     string
	Columns  []Column
	Features []Feature
}

// GeometryColumn is the geometry column's name in GeoParquet files.
const GeometryColumn = "geometry"

// Validate checks that every feature has one value of the right type per column, that column
// names are unique and not the geometry column's, and that geometries are of a supported type.
func (l *Layer) Validate() error {
	seen := map[string]bool{GeometryColumn: true}
	for _, c := range l.Columns {
		if c.Name == "" {
			return fmt.Errorf("layer %s: a column has no name", l.Name)
		}
		if seen[c.Name] {
			return fmt.Errorf("layer %s: column %q appears twice (or is the geometry column's name)", l.Name, c.Name)
		}
		seen[c.Name] = true
	}
	for i, f := range l.Features {
		if len(f.Values) != len(l.Columns) {
			return fmt.Errorf("layer %s feature %d: %d values for %d columns", l.Name, i, len(f.Values), len(l.Columns))
		}
		for j, v := range f.Values {
			if _, err := normalise(l.Columns[j].Kind, v); err != nil {
				return fmt.Errorf("layer %s feature %d column %s: %w", l.Name, i, l.Columns[j].Name, err)
			}
		}
		switch g := f.Geometry.(type) {
		case nil, orb.Point, orb.MultiPoint, orb.LineString, orb.MultiLineString, orb.Polygon, orb.MultiPolygon:
		default:
			return fmt.Errorf("layer %s feature %d: unsupported geometry %T", l.Name, i, g)
		}
	}
	return nil
}

// normalise returns v as the canonical Go type of kind k (string, float64, int64, bool) or nil.
func normalise(k Kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case String:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case Float:
		switch x := v.(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, nil
			}
			return x, nil
		case float32:
			return normalise(k, float64(x))
		}
	case Int:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int:
			return int64(x), nil
		case int32:
			return int64(x), nil
		}
	case Bool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	}
	return nil, fmt.Errorf("value %v (%T) is not a %s", v, v, k)
}
