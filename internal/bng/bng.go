// Package bng converts between WGS84 longitude/latitude and British National Grid
// (EPSG:27700) eastings and northings.
//
// It follows Ordnance Survey's "A guide to coordinate systems in Great Britain": the
// 7-parameter Helmert transformation between WGS84/ETRS89 and OSGB36 (Annexe B/section 6.6),
// then the Transverse Mercator projection of the National Grid on the Airy 1830 ellipsoid
// (Annexe C). OS states that this Helmert transformation is good to about 5 m across Great
// Britain (OSTN15, the definitive transformation, to about 0.1 m); the tests check published
// control points within that bound. For distances between neighbourhoods and family hubs this
// is ample.
//
// github.com/wroge/wgs84 was tried first: its projection was 16 cm off the OS worked example
// and its inverse 14-17 m off, so the formulas are implemented here and tested against OS's
// published values.
package bng

import (
	"fmt"
	"math"
)

type ellipsoid struct{ a, b float64 }

var (
	airy1830 = ellipsoid{6377563.396, 6356256.909}
	grs80    = ellipsoid{6378137.000, 6356752.314140}
)

// National Grid projection constants (OS guide, table A.1).
const (
	f0   = 0.9996012717
	lat0 = 49 * math.Pi / 180
	lon0 = -2 * math.Pi / 180
	e0   = 400000.0
	n0   = -100000.0
)

// helmert holds WGS84→OSGB36 parameters: translations in metres, rotations in arc-seconds,
// scale in parts per million (OS guide, section 6.6).
type helmert struct{ tx, ty, tz, rx, ry, rz, s float64 }

var wgs84ToOSGB36 = helmert{-446.448, 125.157, -542.060, -0.1502, -0.2470, -0.8421, 20.4894}

func (h helmert) inverse() helmert {
	return helmert{-h.tx, -h.ty, -h.tz, -h.rx, -h.ry, -h.rz, -h.s}
}

func (h helmert) apply(x, y, z float64) (float64, float64, float64) {
	const sec = math.Pi / (180 * 3600)
	rx, ry, rz, s := h.rx*sec, h.ry*sec, h.rz*sec, h.s*1e-6
	return h.tx + (1+s)*x - rz*y + ry*z,
		h.ty + rz*x + (1+s)*y - rx*z,
		h.tz - ry*x + rx*y + (1+s)*z
}

func (el ellipsoid) e2() float64 { return (el.a*el.a - el.b*el.b) / (el.a * el.a) }

// toCartesian: geodetic latitude/longitude (radians), height (m) → geocentric x, y, z.
func (el ellipsoid) toCartesian(lat, lon, h float64) (float64, float64, float64) {
	e2 := el.e2()
	sinLat := math.Sin(lat)
	nu := el.a / math.Sqrt(1-e2*sinLat*sinLat)
	return (nu + h) * math.Cos(lat) * math.Cos(lon),
		(nu + h) * math.Cos(lat) * math.Sin(lon),
		((1-e2)*nu + h) * sinLat
}

// fromCartesian: geocentric x, y, z → geodetic latitude/longitude (radians), iterating to 1e-12 rad.
func (el ellipsoid) fromCartesian(x, y, z float64) (lat, lon float64) {
	e2 := el.e2()
	p := math.Hypot(x, y)
	lon = math.Atan2(y, x)
	lat = math.Atan2(z, p*(1-e2))
	for i := 0; i < 20; i++ {
		sinLat := math.Sin(lat)
		nu := el.a / math.Sqrt(1-e2*sinLat*sinLat)
		next := math.Atan2(z+e2*nu*sinLat, p)
		if math.Abs(next-lat) < 1e-12 {
			return next, lon
		}
		lat = next
	}
	return lat, lon
}

// meridional arc M (OS guide, equation C3).
func meridionalArc(el ellipsoid, lat float64) float64 {
	n := (el.a - el.b) / (el.a + el.b)
	n2, n3 := n*n, n*n*n
	dl, sl := lat-lat0, lat+lat0
	return el.b * f0 * ((1+n+1.25*n2+1.25*n3)*dl -
		(3*n+3*n2+2.625*n3)*math.Sin(dl)*math.Cos(sl) +
		(1.875*n2+1.875*n3)*math.Sin(2*dl)*math.Cos(2*sl) -
		(35.0/24)*n3*math.Sin(3*dl)*math.Cos(3*sl))
}

// project: OSGB36 latitude/longitude (radians) → easting, northing (OS guide, Annexe C).
func project(lat, lon float64) (float64, float64) {
	el := airy1830
	e2 := el.e2()
	sinLat, cosLat, tanLat := math.Sin(lat), math.Cos(lat), math.Tan(lat)
	nu := el.a * f0 / math.Sqrt(1-e2*sinLat*sinLat)
	rho := el.a * f0 * (1 - e2) / math.Pow(1-e2*sinLat*sinLat, 1.5)
	eta2 := nu/rho - 1
	m := meridionalArc(el, lat)
	t2, t4 := tanLat*tanLat, math.Pow(tanLat, 4)
	i := m + n0
	ii := nu / 2 * sinLat * cosLat
	iii := nu / 24 * sinLat * math.Pow(cosLat, 3) * (5 - t2 + 9*eta2)
	iiiA := nu / 720 * sinLat * math.Pow(cosLat, 5) * (61 - 58*t2 + t4)
	iv := nu * cosLat
	v := nu / 6 * math.Pow(cosLat, 3) * (nu/rho - t2)
	vi := nu / 120 * math.Pow(cosLat, 5) * (5 - 18*t2 + t4 + 14*eta2 - 58*t2*eta2)
	dl := lon - lon0
	northing := i + ii*dl*dl + iii*math.Pow(dl, 4) + iiiA*math.Pow(dl, 6)
	easting := e0 + iv*dl + v*math.Pow(dl, 3) + vi*math.Pow(dl, 5)
	return easting, northing
}

// unproject: easting, northing → OSGB36 latitude/longitude (radians) (OS guide, Annexe C).
func unproject(easting, northing float64) (float64, float64) {
	el := airy1830
	e2 := el.e2()
	lat := (northing-n0)/(el.a*f0) + lat0
	m := meridionalArc(el, lat)
	for i := 0; i < 50 && math.Abs(northing-n0-m) >= 1e-5; i++ {
		lat += (northing - n0 - m) / (el.a * f0)
		m = meridionalArc(el, lat)
	}
	sinLat, cosLat, tanLat := math.Sin(lat), math.Cos(lat), math.Tan(lat)
	nu := el.a * f0 / math.Sqrt(1-e2*sinLat*sinLat)
	rho := el.a * f0 * (1 - e2) / math.Pow(1-e2*sinLat*sinLat, 1.5)
	eta2 := nu/rho - 1
	t2, t4, t6 := tanLat*tanLat, math.Pow(tanLat, 4), math.Pow(tanLat, 6)
	sec := 1 / cosLat
	vii := tanLat / (2 * rho * nu)
	viii := tanLat / (24 * rho * math.Pow(nu, 3)) * (5 + 3*t2 + eta2 - 9*t2*eta2)
	ix := tanLat / (720 * rho * math.Pow(nu, 5)) * (61 + 90*t2 + 45*t4)
	x := sec / nu
	xi := sec / (6 * math.Pow(nu, 3)) * (nu/rho + 2*t2)
	xii := sec / (120 * math.Pow(nu, 5)) * (5 + 28*t2 + 24*t4)
	xiiA := sec / (5040 * math.Pow(nu, 7)) * (61 + 662*t2 + 1320*t4 + 720*t6)
	de := easting - e0
	outLat := lat - vii*de*de + viii*math.Pow(de, 4) - ix*math.Pow(de, 6)
	outLon := lon0 + x*de - xi*math.Pow(de, 3) + xii*math.Pow(de, 5) - xiiA*math.Pow(de, 7)
	return outLat, outLon
}

const deg = math.Pi / 180

// ToGrid converts WGS84 longitude and latitude (degrees) to BNG easting and northing (metres).
func ToGrid(lon, lat float64) (easting, northing float64) {
	x, y, z := grs80.toCartesian(lat*deg, lon*deg, 0)
	x, y, z = wgs84ToOSGB36.apply(x, y, z)
	la, lo := airy1830.fromCartesian(x, y, z)
	return project(la, lo)
}

// ToLonLat converts BNG easting and northing (metres) to WGS84 longitude and latitude (degrees).
func ToLonLat(easting, northing float64) (lon, lat float64) {
	la, lo := unproject(easting, northing)
	x, y, z := airy1830.toCartesian(la, lo, 0)
	x, y, z = wgs84ToOSGB36.inverse().apply(x, y, z)
	la, lo = grs80.fromCartesian(x, y, z)
	return lo / deg, la / deg
}

// England's extent, generous by a few kilometres, in both systems. Coordinates outside
// it are refused by the loaders: they are almost always swapped axes or the wrong system.
const (
	MinLon, MaxLon = -6.45, 1.80
	MinLat, MaxLat = 49.85, 55.85
	MinE, MaxE     = 80_000.0, 660_000.0
	MinN, MaxN     = 5_000.0, 660_000.0
)

// InEnglandLonLat reports whether lon/lat (degrees) lie within England's extent.
func InEnglandLonLat(lon, lat float64) bool {
	return lon >= MinLon && lon <= MaxLon && lat >= MinLat && lat <= MaxLat
}

// InEnglandGrid reports whether an easting/northing pair lies within England's extent.
func InEnglandGrid(e, n float64) bool {
	return e >= MinE && e <= MaxE && n >= MinN && n <= MaxN
}

// System is a coordinate reference system an input may use.
type System int

const (
	Unknown System = iota
	WGS84          // longitude, latitude in degrees
	Grid           // British National Grid easting, northing in metres
)

func (s System) String() string {
	switch s {
	case WGS84:
		return "WGS84 lon/lat"
	case Grid:
		return "British National Grid"
	}
	return "unknown"
}

// Classify says which system a coordinate pair (x first, as written in the file: lon or easting)
// belongs to, and explains what is wrong when it fits neither. It recognises the common mistakes:
// latitude and longitude swapped, and easting and northing swapped.
func Classify(x, y float64) (System, error) {
	switch {
	case math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0):
		return Unknown, fmt.Errorf("coordinate is not a number")
	case InEnglandLonLat(x, y):
		return WGS84, nil
	case InEnglandLonLat(y, x):
		return Unknown, fmt.Errorf("(%g, %g) looks like latitude, longitude: longitude and latitude are swapped", x, y)
	case InEnglandGrid(x, y):
		return Grid, nil
	case InEnglandGrid(y, x):
		return Unknown, fmt.Errorf("(%g, %g) looks like northing, easting: easting and northing are swapped", x, y)
	}
	return Unknown, fmt.Errorf("(%g, %g) is outside England (expected longitude %g..%g and latitude %g..%g, or easting %.0f..%.0f and northing %.0f..%.0f)",
		x, y, MinLon, MaxLon, MinLat, MaxLat, MinE, MaxE, MinN, MaxN)
}
