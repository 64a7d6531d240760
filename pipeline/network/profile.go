package network

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Mode is a way of travelling over the network.
type Mode int

// Travel modes.
const (
	Walk Mode = iota + 1
	Drive
)

func (m Mode) String() string {
	switch m {
	case Walk:
		return "walk"
	case Drive:
		return "drive"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// DefaultWalkSpeedKPH is 4.8 km/h (3 mph, 80 m a minute). It is the walking speed of the
// Department for Transport's journey time statistics and the usual planning figure in
// England; it makes the "pram-pushing mile" (1.6 km) a 20-minute walk, the two thresholds
// the Family Hubs guidance puts side by side. People pushing prams or walking with small
// children are slower (about 4 km/h in street surveys): a council that wants a cautious
// reading sets WalkSpeedKPH to 4.0, which stretches every walking time by a fifth.
const DefaultWalkSpeedKPH = 4.8

// DefaultDriveSpeedsKPH are typical travel speeds by road class, in km/h. They are speeds a
// car averages on that class of road in and around English towns (junctions, bends and
// traffic included), not speed limits: motorway 60 mph, trunk 50 mph, primary 40 mph,
// secondary 35 mph, tertiary 30 mph, unclassified 25 mph, residential and road 20 mph,
// service roads and farm tracks 10 mph, living streets walking pace plus (10 km/h);
// link roads a little below their parent class.
var DefaultDriveSpeedsKPH = map[string]float64{
	"motorway":       96,
	"motorway_link":  64,
	"trunk":          80,
	"trunk_link":     56,
	"primary":        64,
	"primary_link":   48,
	"secondary":      56,
	"secondary_link": 40,
	"tertiary":       48,
	"tertiary_link":  32,
	"unclassified":   40,
	"residential":    32,
	"road":           32,
	"living_street":  10,
	"service":        16,
	"track":          16,
}

// Profile holds the speeds that turn metres into seconds.
type Profile struct {
	// WalkSpeedKPH is the walking speed on every walkable way (default 4.8 km/h).
	WalkSpeedKPH float64
	// DriveSpeedKPH is the driving speed by highway class. When a way has a maxspeed below
	// its class speed, the maxspeed is used instead (a 20 mph zone on a primary road, a
	// 30 mph trunk road through a town); a maxspeed above the class speed is ignored,
	// because the class speed already stands for the average below the limit.
	DriveSpeedKPH map[string]float64
	// AvoidSteps leaves highway=steps out of the walking graph (prams, wheelchairs).
	AvoidSteps bool
}

// DefaultProfile returns the default walking speed and driving speeds (a fresh map).
func DefaultProfile() Profile {
	speeds := make(map[string]float64, len(DefaultDriveSpeedsKPH))
	for k, v := range DefaultDriveSpeedsKPH {
		speeds[k] = v
	}
	return Profile{WalkSpeedKPH: DefaultWalkSpeedKPH, DriveSpeedKPH: speeds}
}

// Validate checks that the speeds the mode needs are positive and finite, and that every
// drivable class among segs has a speed. It reports every problem, not only the first.
func (p Profile) Validate(mode Mode, segs []Segment) error {
	bad := func(v float64) bool { return !(v > 0) || math.IsInf(v, 0) }
	var errs []error
	switch mode {
	case Walk:
		if bad(p.WalkSpeedKPH) {
			errs = append(errs, fmt.Errorf("walk speed %g km/h: want a positive number", p.WalkSpeedKPH))
		}
	case Drive:
		missing := map[string]int{}
		for _, s := range segs {
			if s.DriveOK {
				if _, ok := p.DriveSpeedKPH[s.Highway]; !ok {
					missing[s.Highway]++
				}
			}
		}
		classes := make([]string, 0, len(missing))
		for c := range missing {
			classes = append(classes, c)
		}
		sort.Strings(classes)
		for _, c := range classes {
			errs = append(errs, fmt.Errorf("drive speed for highway=%s (%d segments): not set in the profile", c, missing[c]))
		}
		for _, c := range sortedKeys(p.DriveSpeedKPH) {
			if v := p.DriveSpeedKPH[c]; bad(v) {
				errs = append(errs, fmt.Errorf("drive speed for highway=%s is %g km/h: want a positive number", c, v))
			}
		}
	default:
		errs = append(errs, fmt.Errorf("mode %v: want Walk or Drive", mode))
	}
	return errors.Join(errs...)
}

// SpeedKPH returns the speed on segment s in the mode, or 0 when the mode may not use it.
func (p Profile) SpeedKPH(s Segment, mode Mode) float64 {
	switch mode {
	case Walk:
		if !s.WalkOK || (p.AvoidSteps && s.Highway == "steps") {
			return 0
		}
		return p.WalkSpeedKPH
	case Drive:
		if !s.DriveOK {
			return 0
		}
		v := p.DriveSpeedKPH[s.Highway]
		if s.MaxSpeedKPH > 0 && s.MaxSpeedKPH < v {
			v = s.MaxSpeedKPH
		}
		return v
	}
	return 0
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
