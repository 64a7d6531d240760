package network

import (
	"math"
	"strconv"
	"strings"
)

// Tag rules: which OpenStreetMap ways a pedestrian or a car may use, in which direction, and
// how fast. They follow the OSM wiki's access and oneway conventions and the United Kingdom
// defaults in "OSM tags for routing/Access restrictions" (UK section), with the choices below
// written out so an analyst can see why a way was left out.
//
// Walking (see walkAccess):
//   - classes: footway, path, pedestrian, steps, living_street, residential, service,
//     unclassified, road, tertiary, secondary, primary (and their _link), track, bridleway,
//     cycleway. In England pedestrians may use every public road except motorways, and
//     bridleways and (shared-use) cycleways carry a right of way on foot.
//   - never: motorway, motorway_link (pedestrians are prohibited by law), and anything else
//     (construction, proposed, raceway, corridor, platform, bus_guideway, rest_area, …).
//   - trunk and trunk_link: legal to walk in the UK, and in towns they are ordinary streets
//     with pavements (in Rutland the A606 and A6003 are trunk roads through the middle of
//     Oakham and Uppingham at 30 mph). But a 60–70 mph dual carriageway such as the A1 is not a
//     route anyone would push a pram along, and counting it would invent short cuts. So a
//     trunk way is walkable unless it is fast and has no pavement: refused when its maxspeed
//     is 50 mph (80 km/h) or more, or when it has no maxspeed and sidewalk=no|none; kept when
//     foot is explicitly allowed or a sidewalk (both, left, right, yes) is tagged
//     (sidewalk=separate means the pavement is mapped as its own footway, which is used
//     instead). In Rutland this leaves out 1,091 trunk segments (the A1, most of the A47,
//     the fast stretches of the A606 and A6003); walking them would join 40 small walking
//     islands, about 400 nodes, to the main network.
//   - foot=* decides first (foot=yes|designated|permissive|… admits the way even with
//     access=private; foot=no|private|use_sidepath refuses it); then access=*.
//   - area=yes ways are outlines of squares and car parks, not lines to walk along: refused.
//   - sidewalk=no on other roads does not refuse them: walking along a country lane without a
//     pavement is legal and common, and it is often the only way between villages.
//   - oneway does not apply to walking.
//
// Driving (see driveAccess):
//   - classes: motorway, trunk, primary, secondary, tertiary (and their _link), unclassified,
//     residential, living_street, service, road.
//   - track only when motor vehicles are explicitly allowed (motorcar, motor_vehicle, vehicle
//     or access = yes|designated|permissive|destination|…): most tracks are farm tracks.
//   - never: footway, path, cycleway, bridleway, steps, pedestrian.
//   - the most specific of motorcar, motor_vehicle, vehicle, access decides; "destination"
//     and "customers" are allowed (a hub is a destination), "private", "no",
//     "agricultural", "forestry", "delivery", "permit", … are refused.
//   - oneway=yes|1|true forward, -1|reverse backward, no|false|0 both ways; without an
//     oneway tag, junction=roundabout|circular and highway=motorway imply oneway=yes (OSM
//     wiki). oneway=reversible|alternating ways change direction by time of day: refused.

// walkClasses are the highway values a pedestrian may use (trunk is handled separately).
var walkClasses = map[string]bool{
	"footway": true, "path": true, "pedestrian": true, "steps": true, "living_street": true,
	"residential": true, "service": true, "unclassified": true, "road": true,
	"tertiary": true, "tertiary_link": true, "secondary": true, "secondary_link": true,
	"primary": true, "primary_link": true, "track": true, "bridleway": true, "cycleway": true,
	"trunk": true, "trunk_link": true,
}

// driveClasses are the highway values a car may use (track is handled separately).
var driveClasses = map[string]bool{
	"motorway": true, "motorway_link": true, "trunk": true, "trunk_link": true,
	"primary": true, "primary_link": true, "secondary": true, "secondary_link": true,
	"tertiary": true, "tertiary_link": true, "unclassified": true, "residential": true,
	"living_street": true, "service": true, "road": true,
}

// Routable reports whether a highway class can carry walking or driving under these rules.
func Routable(highway string) bool {
	return walkClasses[highway] || driveClasses[highway] || highway == "track"
}

// accessAllowed and accessDenied classify access values. A value in neither, such as
// "unknown" or an empty string, leaves the decision to a less specific tag or to the class.
// "discouraged" means legal but not advised: allowed.
var accessAllowed = map[string]bool{
	"yes": true, "designated": true, "permissive": true, "destination": true,
	"customers": true, "official": true, "public": true, "discouraged": true,
}

var accessDenied = map[string]bool{
	"no": true, "private": true, "agricultural": true, "forestry": true, "delivery": true,
	"permit": true, "military": true, "emergency": true, "use_sidepath": true,
	"restricted": true,
}

// accessValue returns +1 when value allows, -1 when it refuses, 0 when it says nothing.
func accessValue(value string) int {
	// Take the first of a list such as "no;destination" (the most restrictive convention
	// varies; the first is what most mappers mean).
	if i := strings.IndexByte(value, ';'); i >= 0 {
		value = value[:i]
	}
	value = strings.TrimSpace(value)
	switch {
	case accessAllowed[value]:
		return 1
	case accessDenied[value]:
		return -1
	}
	return 0
}

// firstAccess returns the verdict of the first key (most specific first) that says something.
func firstAccess(tag func(string) string, keys ...string) int {
	for _, k := range keys {
		if v := accessValue(tag(k)); v != 0 {
			return v
		}
	}
	return 0
}

// walkAccess reports whether a way with these tags may be walked.
func walkAccess(tag func(string) string) bool {
	hw := tag("highway")
	if !walkClasses[hw] || tag("area") == "yes" {
		return false
	}
	switch firstAccess(tag, "foot") {
	case 1:
		return true
	case -1:
		return false
	}
	if firstAccess(tag, "access") == -1 {
		return false
	}
	if hw == "trunk" || hw == "trunk_link" {
		switch tag("sidewalk") {
		case "both", "left", "right", "yes":
			return true
		}
		speed := ParseMaxSpeed(tag("maxspeed"))
		if speed >= 80 {
			return false
		}
		if speed == 0 {
			switch tag("sidewalk") {
			case "no", "none":
				return false
			}
		}
	}
	return true
}

// driveAccess reports whether a way with these tags may be driven by car.
func driveAccess(tag func(string) string) bool {
	hw := tag("highway")
	if tag("area") == "yes" {
		return false
	}
	switch tag("oneway") {
	case "reversible", "alternating":
		return false
	}
	verdict := firstAccess(tag, "motorcar", "motor_vehicle", "vehicle", "access")
	switch {
	case hw == "track":
		return verdict == 1
	case !driveClasses[hw]:
		return false
	}
	return verdict != -1
}

// onewayOf returns the driving direction of a way: +1 forward only (in the order of its
// nodes), -1 backward only, 0 both ways.
func onewayOf(tag func(string) string) int8 {
	switch tag("oneway") {
	case "yes", "1", "true":
		return 1
	case "-1", "reverse":
		return -1
	case "no", "false", "0":
		return 0
	}
	switch tag("junction") {
	case "roundabout", "circular":
		return 1
	}
	if tag("highway") == "motorway" {
		return 1
	}
	return 0
}

const mphToKPH = 1.609344

// namedSpeeds are the implicit maxspeed values used in Great Britain. A bare "national" is
// ambiguous (60 mph on a single carriageway, 70 mph on a dual one), so it gives 0 and the
// class speed applies.
var namedSpeeds = map[string]float64{
	"gb:nsl_single":     60 * mphToKPH,
	"gb:nsl_dual":       70 * mphToKPH,
	"gb:motorway":       70 * mphToKPH,
	"gb:nsl_restricted": 30 * mphToKPH,
	"uk:nsl_single":     60 * mphToKPH,
	"uk:nsl_dual":       70 * mphToKPH,
	"uk:motorway":       70 * mphToKPH,
}

// ParseMaxSpeed reads an OSM maxspeed value in km/h: "50" (km/h is OSM's default unit),
// "30 mph", "20mph", "50 km/h", "12 knots", "GB:nsl_single". Of a list ("30 mph;40 mph") the
// first value counts. It returns 0 when the value is absent or not a speed ("national",
// "none", "signals", "walk", "variable").
func ParseMaxSpeed(value string) float64 {
	if i := strings.IndexByte(value, ';'); i >= 0 {
		value = value[:i]
	}
	v := strings.ToLower(strings.TrimSpace(value))
	if v == "" {
		return 0
	}
	if s, ok := namedSpeeds[v]; ok {
		return s
	}
	factor := 1.0
	for _, u := range []struct {
		suffix string
		factor float64
	}{{"mph", mphToKPH}, {"km/h", 1}, {"kmh", 1}, {"kph", 1}, {"knots", 1.852}} {
		if strings.HasSuffix(v, u.suffix) {
			v = strings.TrimSpace(strings.TrimSuffix(v, u.suffix))
			factor = u.factor
			break
		}
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n <= 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0
	}
	return n * factor
}
