package bng

import (
	"fmt"
	"math"
	"testing"
)

// Published Ordnance Survey control points. ETRS89 is within a metre of WGS84 in Great Britain,
// and the Helmert transformation is stated by OS to be good to about 5 m, so 5 m is the bound.
func TestToGridControlPoints(t *testing.T) {
	cases := []struct {
		name         string
		lon, lat     float64 // ETRS89
		wantE, wantN float64 // OSGB36 National Grid (OSTN15 / OSTN02)
	}{
		// "Transformations and OSGM15 user guide", Annexe A worked example: Caister Water Tower.
		{"Caister water tower", 1.716073973, 52.658007833, 651409.792, 313177.448},
		// OSTN15 developer pack test point TP01 (St Mary's, Isles of Scilly).
		{"OSTN15 TP01", -6.29977752014, 49.92226393730, 91492.146, 11318.804},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, n := ToGrid(c.lon, c.lat)
			if d := math.Hypot(e-c.wantE, n-c.wantN); d > 5 {
				t.Errorf("ToGrid(%v, %v) = (%.3f, %.3f), want (%.3f, %.3f) within 5 m; off by %.2f m", c.lon, c.lat, e, n, c.wantE, c.wantN, d)
			}
			lon, lat := ToLonLat(e, n)
			e2, n2 := ToGrid(lon, lat)
			if d := math.Hypot(e2-e, n2-n); d > 0.01 {
				t.Errorf("round trip off by %.4f m", d)
			}
		})
	}
}

// The projection alone (no datum shift), against the OS "A guide to coordinate systems in Great
// Britain" worked example, Annexe C: OSGB36 52°39'27.2531"N 1°43'4.5177"E → 651409.903, 313177.270.
func TestProjectionWorkedExample(t *testing.T) {
	lat := 52 + 39.0/60 + 27.2531/3600
	lon := 1 + 43.0/60 + 4.5177/3600
	e, n := project(lat*deg, lon*deg)
	if math.Abs(e-651409.903) > 0.002 || math.Abs(n-313177.270) > 0.002 {
		t.Errorf("projection = (%.4f, %.4f), want (651409.903, 313177.270) within 2 mm", e, n)
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		x, y    float64
		want    System
		wantErr string
	}{
		{-1.356, 53.43, WGS84, ""},
		{442000, 392000, Grid, ""},
		{53.43, -1.356, Unknown, "(53.43, -1.356) looks like latitude, longitude: longitude and latitude are swapped"},
		{392000, 442000, Grid, ""}, // both orders inside the extent: cannot tell, accepted as written
		{50000, 400000, Unknown, "(50000, 400000) looks like northing, easting: easting and northing are swapped"},
		{2.35, 48.85, Unknown, "(2.35, 48.85) is outside England (expected longitude -6.45..1.8 and latitude 49.85..55.85, or easting 80000..660000 and northing 5000..660000)"},
	}
	for _, c := range cases {
		got, err := Classify(c.x, c.y)
		if got != c.want {
			t.Errorf("Classify(%v, %v) = %v, want %v", c.x, c.y, got, c.want)
		}
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if msg != c.wantErr {
			t.Errorf("Classify(%v, %v) error = %q, want %q", c.x, c.y, msg, c.wantErr)
		}
	}
}

// The inverse projection against the same OS worked example (Annexe C, grid to lat/lon).
func TestUnprojectWorkedExample(t *testing.T) {
	lat, lon := unproject(651409.903, 313177.270)
	wantLat := 52 + 39.0/60 + 27.2531/3600
	wantLon := 1 + 43.0/60 + 4.5177/3600
	if math.Abs(lat/deg-wantLat) > 1e-7 || math.Abs(lon/deg-wantLon) > 1e-7 {
		t.Errorf("unproject = (%.8f, %.8f), want (%.8f, %.8f)", lat/deg, lon/deg, wantLat, wantLon)
	}
}

func ExampleToGrid() {
	// Caister Water Tower (OS worked example): published OSGB36 grid 651409.792, 313177.448.
	e, n := ToGrid(1.716073973, 52.658007833)
	fmt.Println("within 5 m:", math.Hypot(e-651409.792, n-313177.448) < 5)
	// Output: within 5 m: true
}
