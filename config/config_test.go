package config

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

const minimal = `
area:
  name: test
  codes: [E08000018]
inputs:
  iod: [iod.csv]
  lsoa_boundaries: [lsoa.geojson]
  hubs: hubs.csv
output: from-file
`

func flags(args ...string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.String("output", "", "")
	fs.String("data", "", "")
	fs.Int("threshold", 0, "")
	if err := fs.Parse(args); err != nil {
		panic(err)
	}
	return fs
}

func TestPrecedenceFlagOverEnvOverFile(t *testing.T) {
	cases := []struct {
		name  string
		env   []string
		flags []string
		want  string
	}{
		{"file only", nil, nil, "from-file"},
		{"env over file", []string{"HUBREACH_OUTPUT=from-env"}, nil, "from-env"},
		{"flag over env", []string{"HUBREACH_OUTPUT=from-env"}, []string{"--output=from-flag"}, "from-flag"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Load(strings.NewReader(minimal), c.env, flags(c.flags...))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Output != c.want {
				t.Errorf("output = %q, want %q", cfg.Output, c.want)
			}
		})
	}
}

func TestEnvironmentSetsNestedListAndNumberKeys(t *testing.T) {
	cfg, err := Load(strings.NewReader(minimal), []string{
		"HUBREACH_AREA_BUFFER_M=3500", "HUBREACH_ACCESS_MODES=crow, walk", "HUBREACH_DATA=/data/here", "HUBREACH_DISCLOSURE_THRESHOLD=10",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Area.BufferM != 3500 || strings.Join(cfg.Access.Modes, ",") != "crow,walk" || cfg.DataDir != "/data/here" || cfg.Disclosure.Threshold != 10 {
		t.Errorf("got buffer %v modes %v data %q threshold %d", cfg.Area.BufferM, cfg.Access.Modes, cfg.DataDir, cfg.Disclosure.Threshold)
	}
	// defaults survive where nothing overrides them
	if cfg.Hotspot.Weights != "queen" || len(cfg.Access.Standards) != 3 || cfg.Access.WalkSpeedKPH != 4.0 {
		t.Errorf("defaults lost: %+v %d", cfg.Hotspot, len(cfg.Access.Standards))
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	cases := []struct {
		name, yaml string
		env        []string
		want       []string
	}{
		{"misspelt key", minimal + "hotspt:\n  weights: queen\n", nil, []string{`invalid keys: hotspt`}},
		{"misspelt nested key", minimal + "access:\n  walk_sped_kph: 4\n", nil, []string{`walk_sped_kph`}},
		{"bad la code", strings.Replace(minimal, "E08000018", "Rotherham", 1), nil,
			[]string{`area.codes[0]: "Rotherham" is not a local authority code (expected E06, E07, E08, E09 or E10 followed by 6 digits)`}},
		{"bad mode and weights", minimal + "access:\n  modes: [crow, cycle]\nhotspot:\n  weights: rook\n", nil, []string{
			`access.modes[1]: "cycle" is not a mode (expected crow, walk or drive)`,
			`hotspot.weights: "rook" is not a weights kind (expected queen, distance or knn)`}},
		{"bad env value", minimal, []string{"HUBREACH_AREA_BUFFER_M=two km"}, []string{`area.buffer_m`}},
		{"standard with both minutes and metres", minimal + "access:\n  standards:\n    - {name: x, tiers: [plus], mode: walk, minutes: 10, metres: 800}\n", nil,
			[]string{`access.standards[0]: give exactly one of minutes or metres (positive)`}},
		{"basemap template without {z}", minimal + "report:\n  basemap_url: https://tiles.example.org/{x}/{y}.png\n", nil,
			[]string{`report.basemap_url: "https://tiles.example.org/{x}/{y}.png" has no {z}: expected an XYZ tile template`}},
		{"basemap not http", minimal + "report:\n  basemap_url: tiles/{z}/{x}/{y}.png\n", nil,
			[]string{`report.basemap_url: "tiles/{z}/{x}/{y}.png" is not an http(s) address`}},
		{"basemap credit without basemap", minimal + "report:\n  basemap_attribution: Tiles by Example\n", nil,
			[]string{`report.basemap_attribution: is set but report.basemap_url is not`}},
		{"missing required", "area:\n  name: t\n", nil, []string{"area.codes: give at least one", "inputs.iod: give at least one", "inputs.hubs: give the hub sites file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(c.yaml), c.env, nil)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestShippedConfigsLoad(t *testing.T) {
	for _, f := range []string{"demo.yaml", "rotherham.yaml", "rutland.yaml"} {
		t.Run(f, func(t *testing.T) {
			if _, err := LoadFile(f, nil); err != nil {
				t.Error(err)
			}
		})
	}
}
