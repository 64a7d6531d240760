package network

import (
	"math"
	"strings"
	"testing"
)

// tags parses "k=v|k=v" into a lookup function.
func tags(s string) func(string) string {
	m := map[string]string{}
	for _, kv := range strings.Split(s, "|") {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

func TestAccessRules(t *testing.T) {
	cases := []struct {
		tags        string
		walk, drive bool
		why         string
	}{
		{"highway=residential", true, true, "ordinary street"},
		{"highway=footway", true, false, "cars never use footways"},
		{"highway=path", true, false, ""},
		{"highway=steps", true, false, ""},
		{"highway=pedestrian", true, false, "pedestrian street"},
		{"highway=pedestrian|area=yes", false, false, "a square's outline is not a line to walk along"},
		{"highway=cycleway", true, false, "UK cycleways are mostly shared use"},
		{"highway=cycleway|foot=no", false, false, "foot=no"},
		{"highway=bridleway", true, false, "public bridleways carry a right of way on foot"},
		{"highway=track", true, false, "farm track: walkers yes, cars only if allowed"},
		{"highway=track|motor_vehicle=yes", true, true, "explicit motor access"},
		{"highway=track|access=private", false, false, "private track"},
		{"highway=track|access=private|foot=designated", true, false, "public footpath along a private track"},
		{"highway=motorway", false, true, "pedestrians are banned from motorways"},
		{"highway=motorway_link", false, true, ""},
		{"highway=trunk|maxspeed=30 mph", true, true, "a trunk road through a town (the A606 in Oakham)"},
		{"highway=trunk", true, true, "trunk with no maxspeed: legal to walk in the UK"},
		{"highway=trunk|maxspeed=70", true, true, "70 km/h is below 80 km/h"},
		{"highway=trunk|maxspeed=60 mph", false, true, "fast and no pavement tagged"},
		{"highway=trunk|maxspeed=60 mph|foot=yes", true, true, "explicit foot access wins (one A47 way in Rutland)"},
		{"highway=trunk|maxspeed=50 mph|sidewalk=left", true, true, "a pavement on one side"},
		{"highway=trunk|sidewalk=no", false, true, "no maxspeed and no pavement"},
		{"highway=trunk_link|sidewalk=none", false, true, "slip road without pavement"},
		{"highway=trunk|maxspeed=GB:nsl_dual", false, true, "70 mph dual carriageway"},
		{"highway=trunk|maxspeed=80", false, true, "exactly 80 km/h is refused"},
		{"highway=trunk|foot=no", false, true, ""},
		{"highway=service|access=private", false, false, "private drive"},
		{"highway=service|access=customers", true, true, "car park aisle for customers"},
		{"highway=service|access=destination", true, true, ""},
		{"highway=residential|access=no|motor_vehicle=destination", false, true, "most specific tag wins for cars"},
		{"highway=residential|motor_vehicle=no", true, false, "a modal filter"},
		{"highway=residential|motorcar=no|motor_vehicle=yes", true, false, "motorcar is more specific than motor_vehicle"},
		{"highway=residential|vehicle=no", true, false, ""},
		{"highway=residential|access=agricultural", false, false, ""},
		{"highway=residential|foot=use_sidepath", false, true, "walk on the separately mapped pavement"},
		{"highway=residential|oneway=reversible", true, false, "direction changes by time of day"},
		{"highway=unclassified|foot=unknown", true, true, "unknown says nothing"},
		{"highway=unclassified|access=no;destination", false, false, "first value of a list"},
		{"highway=road", true, true, "unknown class: treated as a minor road"},
		{"highway=construction", false, false, "not open"},
		{"highway=proposed", false, false, ""},
		{"highway=raceway", false, false, ""},
		{"highway=corridor", false, false, "indoors"},
		{"highway=bus_guideway", false, false, ""},
		{"highway=living_street", true, true, ""},
		{"highway=primary|sidewalk=no", true, true, "sidewalk=no does not forbid walking on other roads"},
	}
	for _, c := range cases {
		tag := tags(c.tags)
		if got := walkAccess(tag); got != c.walk {
			t.Errorf("%s: walk = %v, want %v (%s)", c.tags, got, c.walk, c.why)
		}
		if got := driveAccess(tag); got != c.drive {
			t.Errorf("%s: drive = %v, want %v (%s)", c.tags, got, c.drive, c.why)
		}
	}
}

func TestOneway(t *testing.T) {
	cases := []struct {
		tags string
		want int8
	}{
		{"highway=residential", 0},
		{"highway=residential|oneway=yes", 1},
		{"highway=residential|oneway=1", 1},
		{"highway=residential|oneway=true", 1},
		{"highway=residential|oneway=-1", -1},
		{"highway=residential|oneway=reverse", -1},
		{"highway=residential|oneway=no", 0},
		{"highway=primary|junction=roundabout", 1},
		{"highway=primary|junction=circular", 1},
		{"highway=primary|junction=roundabout|oneway=no", 0},
		{"highway=primary|junction=roundabout|oneway=-1", -1},
		{"highway=motorway", 1},
		{"highway=motorway|oneway=no", 0},
		{"highway=motorway_link", 0},
		{"highway=residential|oneway=unknown", 0},
	}
	for _, c := range cases {
		if got := onewayOf(tags(c.tags)); got != c.want {
			t.Errorf("%s: oneway = %d, want %d", c.tags, got, c.want)
		}
	}
}

func TestParseMaxSpeed(t *testing.T) {
	cases := []struct {
		in   string
		want float64 // km/h; 1 mph = 1.609344 km/h exactly (international mile)
	}{
		{"", 0},
		{"50", 50},
		{"30 mph", 48.28032},
		{"20 mph", 32.18688},
		{"20mph", 32.18688},
		{"70 MPH", 112.65408},
		{"50 km/h", 50},
		{"50km/h", 50},
		{"40 kmh", 40},
		{"10 knots", 18.52},
		{"30 mph;40 mph", 48.28032},
		{"GB:nsl_single", 96.56064},
		{"GB:nsl_dual", 112.65408},
		{"national", 0},
		{"none", 0},
		{"signals", 0},
		{"walk", 0},
		{"variable", 0},
		{"-20", 0},
		{"fast", 0},
	}
	for _, c := range cases {
		if got := ParseMaxSpeed(c.in); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("ParseMaxSpeed(%q) = %g, want %g", c.in, got, c.want)
		}
	}
}

func TestSpeedKPH(t *testing.T) {
	p := DefaultProfile()
	p.AvoidSteps = true
	cases := []struct {
		seg  Segment
		mode Mode
		want float64
	}{
		{Segment{Highway: "residential", WalkOK: true, DriveOK: true}, Walk, 4.8},
		{Segment{Highway: "residential", WalkOK: true, DriveOK: true}, Drive, 32},
		{Segment{Highway: "residential", DriveOK: true, MaxSpeedKPH: 32.18688}, Drive, 32},   // 20 mph is above the class speed
		{Segment{Highway: "primary", DriveOK: true, MaxSpeedKPH: 32.18688}, Drive, 32.18688}, // 20 mph zone on a primary road
		{Segment{Highway: "trunk", DriveOK: true, MaxSpeedKPH: 112.65408}, Drive, 80},        // limit above the class speed: ignored
		{Segment{Highway: "footway", WalkOK: true}, Drive, 0},                                // not drivable
		{Segment{Highway: "motorway", DriveOK: true}, Walk, 0},                               // not walkable
		{Segment{Highway: "steps", WalkOK: true}, Walk, 0},                                   // AvoidSteps
	}
	for _, c := range cases {
		if got := p.SpeedKPH(c.seg, c.mode); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%+v %v: speed %g, want %g", c.seg, c.mode, got, c.want)
		}
	}
}

func TestProfileValidate(t *testing.T) {
	segs := []Segment{{Highway: "residential", DriveOK: true}, {Highway: "busway", DriveOK: true}, {Highway: "busway", DriveOK: true}}
	p := Profile{WalkSpeedKPH: -1, DriveSpeedKPH: map[string]float64{"residential": 0}}
	if err := p.Validate(Walk, segs); err == nil || err.Error() != "walk speed -1 km/h: want a positive number" {
		t.Errorf("walk: got %v", err)
	}
	want := "drive speed for highway=busway (2 segments): not set in the profile\n" +
		"drive speed for highway=residential is 0 km/h: want a positive number"
	if err := p.Validate(Drive, segs); err == nil || err.Error() != want {
		t.Errorf("drive: got %v\nwant %s", err, want)
	}
	if err := DefaultProfile().Validate(Mode(7), nil); err == nil || err.Error() != "mode Mode(7): want Walk or Drive" {
		t.Errorf("bad mode: got %v", err)
	}
}
