package geoexport

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/paulmach/orb"

	"hubreach/internal/bng"
)

// Decimals is the number of decimal places of GeoJSON coordinates: 1e-6 degree is about 0.1 m,
// well inside the 5 m of the BNG transformation (RFC 7946 section 11.2 recommends 6).
const Decimals = 6

// ToWGS84 converts a BNG geometry to WGS84 longitude/latitude with internal/bng's inverse,
// rounded to Decimals places, with repeated points (after rounding) dropped and polygon rings
// wound by the RFC 7946 right-hand rule (exterior rings counterclockwise, holes clockwise).
func ToWGS84(g orb.Geometry) orb.Geometry {
	return ToWGS84Decimals(g, Decimals)
}

// ToWGS84Decimals is ToWGS84 rounding to dec decimal places (the web map uses fewer).
func ToWGS84Decimals(g orb.Geometry, dec int) orb.Geometry {
	scale := 1.0
	for i := 0; i < dec; i++ {
		scale *= 10
	}
	pt := func(p orb.Point) orb.Point {
		lon, lat := bng.ToLonLat(p[0], p[1])
		return orb.Point{roundTo(lon, scale), roundTo(lat, scale)}
	}
	line := func(ls []orb.Point) []orb.Point {
		out := make([]orb.Point, 0, len(ls))
		for _, p := range ls {
			q := pt(p)
			if len(out) > 0 && out[len(out)-1] == q {
				continue
			}
			out = append(out, q)
		}
		return out
	}
	ring := func(r orb.Ring, exterior bool) orb.Ring {
		out := orb.Ring(line(r))
		if len(out) > 0 && out[0] != out[len(out)-1] {
			out = append(out, out[0])
		}
		if a := signedArea(out); (exterior && a < 0) || (!exterior && a > 0) {
			out.Reverse()
		}
		return out
	}
	poly := func(p orb.Polygon) orb.Polygon {
		out := make(orb.Polygon, 0, len(p))
		for i, r := range p {
			rr := ring(r, i == 0)
			if len(rr) < 4 { // collapsed by rounding: a hole or sliver smaller than 0.1 m
				if i == 0 {
					return nil
				}
				continue
			}
			out = append(out, rr)
		}
		return out
	}
	switch g := g.(type) {
	case nil:
		return nil
	case orb.Point:
		return pt(g)
	case orb.MultiPoint:
		out := make(orb.MultiPoint, len(g))
		for i, p := range g {
			out[i] = pt(p)
		}
		return out
	case orb.LineString:
		return orb.LineString(line(g))
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, l := range g {
			out[i] = line(l)
		}
		return out
	case orb.Polygon:
		return poly(g)
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, 0, len(g))
		for _, p := range g {
			if pp := poly(p); pp != nil {
				out = append(out, pp)
			}
		}
		return out
	}
	panic(fmt.Sprintf("geoexport: unsupported geometry %T", g))
}

func roundTo(v, scale float64) float64 { return math.Round(v*scale) / scale }

// signedArea is the shoelace area: positive for a counterclockwise ring (x east, y north).
func signedArea(r orb.Ring) float64 {
	a := 0.0
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a / 2
}

// WriteGeoJSON writes l as an RFC 7946 FeatureCollection in WGS84 (see ToWGS84). Null values
// are written as JSON null. The layer's name is written as the foreign member "name".
func WriteGeoJSON(w io.Writer, l *Layer) error {
	if err := l.Validate(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	name, _ := json.Marshal(l.Name)
	fmt.Fprintf(bw, `{"type":"FeatureCollection","name":%s,"features":[`, name)
	keys := make([][]byte, len(l.Columns))
	for i, c := range l.Columns {
		keys[i], _ = json.Marshal(c.Name)
	}
	var buf []byte
	for i, f := range l.Features {
		buf = buf[:0]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n"+`{"type":"Feature","geometry":`...)
		buf = AppendGeometryJSON(buf, ToWGS84(f.Geometry), Decimals)
		buf = append(buf, `,"properties":{`...)
		for j, v := range f.Values {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, keys[j]...)
			buf = append(buf, ':')
			nv, _ := normalise(l.Columns[j].Kind, v)
			buf = appendValue(buf, nv)
		}
		buf = append(buf, "}}"...)
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		s, _ := json.Marshal(x)
		return append(b, s...)
	case float64:
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case bool:
		return strconv.AppendBool(b, x)
	}
	panic(fmt.Sprintf("geoexport: value %T", v))
}

// AppendGeometryJSON appends g (already in the output coordinates) as a GeoJSON geometry object
// with dec decimal places (trailing zeros trimmed), or null.
func AppendGeometryJSON(b []byte, g orb.Geometry, dec int) []byte {
	point := func(b []byte, p orb.Point) []byte {
		b = append(b, '[')
		b = appendCoord(b, p[0], dec)
		b = append(b, ',')
		b = appendCoord(b, p[1], dec)
		return append(b, ']')
	}
	points := func(b []byte, ps []orb.Point) []byte {
		b = append(b, '[')
		for i, p := range ps {
			if i > 0 {
				b = append(b, ',')
			}
			b = point(b, p)
		}
		return append(b, ']')
	}
	poly := func(b []byte, p orb.Polygon) []byte {
		b = append(b, '[')
		for i, r := range p {
			if i > 0 {
				b = append(b, ',')
			}
			b = points(b, r)
		}
		return append(b, ']')
	}
	switch g := g.(type) {
	case nil:
		return append(b, "null"...)
	case orb.Point:
		b = append(b, `{"type":"Point","coordinates":`...)
		b = point(b, g)
	case orb.MultiPoint:
		b = append(b, `{"type":"MultiPoint","coordinates":`...)
		b = points(b, g)
	case orb.LineString:
		b = append(b, `{"type":"LineString","coordinates":`...)
		b = points(b, g)
	case orb.MultiLineString:
		b = append(b, `{"type":"MultiLineString","coordinates":[`...)
		for i, l := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = points(b, l)
		}
		b = append(b, ']')
	case orb.Polygon:
		b = append(b, `{"type":"Polygon","coordinates":`...)
		b = poly(b, g)
	case orb.MultiPolygon:
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		for i, p := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = poly(b, p)
		}
		b = append(b, ']')
	default:
		panic(fmt.Sprintf("geoexport: unsupported geometry %T", g))
	}
	return append(b, '}')
}

func appendCoord(b []byte, v float64, dec int) []byte {
	n := len(b)
	b = strconv.AppendFloat(b, v, 'f', dec, 64)
	if dec <= 0 {
		return b
	}
	// trim trailing zeros and a bare decimal point
	for len(b) > n && b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if len(b) > n && b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	if string(b[n:]) == "-0" {
		b = append(b[:n], '0')
	}
	return b
}
