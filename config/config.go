// Package config is hubreach's typed configuration: defaults, validation, and loading from a YAML
// file, HUBREACH_* environment variables and command-line flags (flags win over the environment,
// the environment over the file). Only this package and cmd know about viper; everything else
// takes a Config value.
package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Config is one run's configuration: one area, its inputs and the analysis settings.
type Config struct {
	Area       Area       `mapstructure:"area"`
	DataDir    string     `mapstructure:"data_dir"` // base folder for relative input paths (env HUBREACH_DATA)
	Inputs     Inputs     `mapstructure:"inputs"`
	Output     string     `mapstructure:"output"` // output root: <output>/<area.name>/...
	Tiers      Tiers      `mapstructure:"tiers"`
	Access     Access     `mapstructure:"access"`
	Hotspot    Hotspot    `mapstructure:"hotspot"`
	Siting     Siting     `mapstructure:"siting"`
	ServiceUse ServiceUse `mapstructure:"service_use"`
	Disclosure Disclosure `mapstructure:"disclosure"`
	Report     Report     `mapstructure:"report"`
}

// Report configures the report's outputs. BasemapURL is an optional XYZ tile template ({z}, {x},
// {y}) drawn under the interactive map for readers online; "" (the default) keeps it offline.
// BasemapAttribution is the credit the tile provider's terms ask for, shown in the map's corner;
// when empty it is "Basemap © OpenStreetMap contributors" for an openstreetmap URL and
// "Basemap: <URL>" otherwise.
type Report struct {
	BasemapURL         string `mapstructure:"basemap_url"`
	BasemapAttribution string `mapstructure:"basemap_attribution"`
}

// Area names the local authority (or authorities) analysed.
type Area struct {
	Name      string   `mapstructure:"name"`      // folder name, e.g. "rotherham"
	Title     string   `mapstructure:"title"`     // shown on maps and reports
	Codes     []string `mapstructure:"codes"`     // LTLA (E06/E07/E08/E09) or UTLA (E10) codes
	BufferM   float64  `mapstructure:"buffer_m"`  // neighbouring LSOAs kept within this distance
	Synthetic bool     `mapstructure:"synthetic"` // the generated demo area: inputs are written by hubreach itself
}

// Inputs are the files read. Relative paths are resolved against DataDir.
type Inputs struct {
	IoD              []string `mapstructure:"iod"`                // MHCLG IoD LSOA files, any combination
	Population       string   `mapstructure:"population"`         // ONS population by LSOA and age band
	PopulationYear   int      `mapstructure:"population_year"`    // mid-year of the population file
	LSOABoundaries   []string `mapstructure:"lsoa_boundaries"`    // GeoJSON; the area's and neighbours'
	LSOACodeProperty string   `mapstructure:"lsoa_code_property"` // "" = detect (LSOA11CD, LSOA21CD, ...)
	WardBoundaries   []string `mapstructure:"ward_boundaries"`
	WardCodeProperty string   `mapstructure:"ward_code_property"` // "" = detect (WD25CD, ...)
	WardNameProperty string   `mapstructure:"ward_name_property"`
	Centroids        string   `mapstructure:"centroids"`   // population-weighted centroids CSV (optional)
	WardLookup       string   `mapstructure:"ward_lookup"` // LSOA -> ward lookup CSV (optional; else best fit)
	Localities       string   `mapstructure:"localities"`  // LSOA or ward -> locality CSV (optional)
	Postcodes        string   `mapstructure:"postcodes"`   // Code-Point Open style CSV (optional)
	Hubs             string   `mapstructure:"hubs"`
	Candidates       string   `mapstructure:"candidates"`      // candidate sites for satellites (optional)
	CandidateTypes   []string `mapstructure:"candidate_types"` // keep only these types ([] = all)
	OSM              string   `mapstructure:"osm"`             // .osm.pbf or .osm road network (optional: crow-fly only without it)
	LALookup         string   `mapstructure:"la_lookup"`       // district -> county lookup for upper-tier summaries (optional)
	ServiceUse       []string `mapstructure:"service_use"`     // contact extracts, CSV or Parquet (optional)
}

// Tiers maps each canonical hub tier to the spellings accepted in hub files.
type Tiers struct {
	Plus         []string `mapstructure:"plus"`
	Extra        []string `mapstructure:"extra"`
	Satellite    []string `mapstructure:"satellite"`
	NetworkPoint []string `mapstructure:"network_point"`
}

// Names returns canonical tier -> accepted spellings.
func (t Tiers) Names() map[string][]string {
	return map[string][]string{"plus": t.Plus, "extra": t.Extra, "satellite": t.Satellite, "network-point": t.NetworkPoint}
}

// Access configures travel distance and the reasonable-distance standards.
type Access struct {
	Modes        []string `mapstructure:"modes"`          // crow, walk, drive
	WalkSpeedKPH float64  `mapstructure:"walk_speed_kph"` // also used to turn crow-fly metres into minutes
	SnapLimitM   float64  `mapstructure:"snap_limit_m"`   // farther than this from a usable road: flagged
	// CrowDriveKPH turns crow-fly metres into driving minutes when a drive standard has to be
	// evaluated without a road network: an average urban speed divided by a typical detour factor.
	CrowDriveKPH float64     `mapstructure:"crow_drive_kph"`
	Standards    []Standard  `mapstructure:"standards"`
	DriveSpeeds  DriveSpeeds `mapstructure:"drive_speeds"`
}

// DriveSpeeds are default driving speeds by road class (km/h), used when maxspeed is absent.
type DriveSpeeds struct {
	Motorway     float64 `mapstructure:"motorway"`
	Trunk        float64 `mapstructure:"trunk"`
	Primary      float64 `mapstructure:"primary"`
	Secondary    float64 `mapstructure:"secondary"`
	Tertiary     float64 `mapstructure:"tertiary"`
	Unclassified float64 `mapstructure:"unclassified"`
	Residential  float64 `mapstructure:"residential"`
	Service      float64 `mapstructure:"service"`
}

// Standard is one "reasonable distance" test: a site of these tiers within Minutes (or Metres)
// by Mode. Reason says where the number comes from, and is printed in the report.
type Standard struct {
	Name    string   `mapstructure:"name"`
	Tiers   []string `mapstructure:"tiers"`
	Mode    string   `mapstructure:"mode"`
	Minutes float64  `mapstructure:"minutes"`
	Metres  float64  `mapstructure:"metres"`
	Reason  string   `mapstructure:"reason"`
}

// Hotspot configures the Gi* and local Moran's I analysis.
type Hotspot struct {
	Variable     string  `mapstructure:"variable"`     // idaci_score or deprived_children_per_ha
	Weights      string  `mapstructure:"weights"`      // queen, distance, knn
	DistanceM    float64 `mapstructure:"distance_m"`   // for distance weights
	K            int     `mapstructure:"k"`            // for knn weights
	SnapM        float64 `mapstructure:"snap_m"`       // queen: vertices this close count as shared (like spdep poly2nb snap)
	FDR          bool    `mapstructure:"fdr"`          // Benjamini-Hochberg correction
	Permutations int     `mapstructure:"permutations"` // local Moran's I
	Seed         uint64  `mapstructure:"seed"`
}

// Siting configures satellite siting scenarios.
type Siting struct {
	Scenarios []Scenario `mapstructure:"scenarios"`
	// SensitivityMinutes: each covering scenario is solved again at its minutes minus and plus
	// this much, to show whether each pick survives a slightly different standard (0 = off).
	SensitivityMinutes float64 `mapstructure:"sensitivity_minutes"`
}

// Scenario is one named siting run.
type Scenario struct {
	Name      string   `mapstructure:"name"`
	K         int      `mapstructure:"k"`
	Objective string   `mapstructure:"objective"` // mclp or pmedian
	Mode      string   `mapstructure:"mode"`      // walk, drive, crow
	Minutes   float64  `mapstructure:"minutes"`
	Weight    string   `mapstructure:"weight"` // deprived_children, children_0_4, children_0_15
	MustOpen  []string `mapstructure:"must_open"`
	MinSpaceM float64  `mapstructure:"min_spacing_m"`
	// MaxPerWard caps the chosen candidates in any one ward (0 = no cap), so that one
	// well-placed ward does not take the whole budget.
	MaxPerWard int `mapstructure:"max_per_ward"`
}

// ServiceUse configures the reach analysis of contact extracts.
type ServiceUse struct {
	PeriodStart string `mapstructure:"period_start"` // YYYY-MM-DD; "" = the extract's first date
	PeriodEnd   string `mapstructure:"period_end"`
	AgeBand     string `mapstructure:"age_band"` // 0-4, 0-15, 0-19
}

// Disclosure controls what counts from personal data may be published.
type Disclosure struct {
	Threshold int `mapstructure:"threshold"` // counts 1..threshold-1 are suppressed
	RoundTo   int `mapstructure:"round_to"`  // 0 = no rounding
}

// Default is the configuration every key starts from.
func Default() Config {
	return Config{
		Area:   Area{BufferM: 2000},
		Output: "out",
		Inputs: Inputs{PopulationYear: 0},
		Tiers: Tiers{
			Plus:         []string{"plus", "family hub plus", "main", "main hub"},
			Extra:        []string{"extra", "family hub extra"},
			Satellite:    []string{"satellite", "spoke"},
			NetworkPoint: []string{"network-point", "network point", "outreach"},
		},
		Access: Access{
			Modes:        []string{"crow", "walk", "drive"},
			WalkSpeedKPH: 4.0, // pushing a pram, slower than the 4.8 km/h of an unladen adult
			SnapLimitM:   500,
			CrowDriveKPH: 25, // about 32 km/h on the road over a route about 1.3 times the straight line
			Standards: []Standard{
				{Name: "main hub within 20 minutes' walk", Tiers: []string{"plus", "extra"}, Mode: "walk", Minutes: 20,
					Reason: "DfE Family Hubs guidance asks for help within a reasonable distance; 20 minutes' walk is the standard many programme authorities adopted for a main hub"},
				{Name: "main hub within 15 minutes' drive", Tiers: []string{"plus", "extra"}, Mode: "drive", Minutes: 15,
					Reason: "the drive-time standard for rural families used alongside the walking one"},
				{Name: "any site within 1.6 km (the pram-pushing mile)", Tiers: []string{"plus", "extra", "satellite", "network-point"}, Mode: "walk", Metres: 1600,
					Reason: "the 'pram-pushing distance' of about a mile used for Sure Start children's centres"},
			},
			DriveSpeeds: DriveSpeeds{Motorway: 96, Trunk: 80, Primary: 64, Secondary: 56, Tertiary: 48, Unclassified: 40, Residential: 32, Service: 16},
		},
		Hotspot:    Hotspot{Variable: "idaci_score", Weights: "queen", DistanceM: 2000, K: 6, SnapM: 1, FDR: true, Permutations: 999, Seed: 20190926},
		ServiceUse: ServiceUse{AgeBand: "0-4"},
		Siting:     Siting{SensitivityMinutes: 2},
		Disclosure: Disclosure{Threshold: 5, RoundTo: 0},
	}
}

var laCode = regexp.MustCompile(`^E(06|07|08|09|10)\d{6}$`)

// Validate checks every field and returns all problems at once, each naming its key.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.Area.Name == "" {
		bad("area.name", "is required (it names the output folder)")
	} else if strings.ContainsAny(c.Area.Name, `/\ `) || c.Area.Name == "." || c.Area.Name == ".." {
		bad("area.name", "%q must be a plain folder name (letters, digits, '-' or '_')", c.Area.Name)
	}
	if len(c.Area.Codes) == 0 {
		bad("area.codes", "give at least one local authority code (E06/E07/E08/E09 district or E10 county)")
	}
	for i, code := range c.Area.Codes {
		if !laCode.MatchString(code) {
			bad(fmt.Sprintf("area.codes[%d]", i), "%q is not a local authority code (expected E06, E07, E08, E09 or E10 followed by 6 digits)", code)
		}
	}
	if c.Area.BufferM < 0 {
		bad("area.buffer_m", "%g is negative", c.Area.BufferM)
	}
	if c.Output == "" {
		bad("output", "is required")
	}
	if len(c.Inputs.IoD) == 0 {
		bad("inputs.iod", "give at least one Indices of Deprivation LSOA file")
	}
	if len(c.Inputs.LSOABoundaries) == 0 {
		bad("inputs.lsoa_boundaries", "give at least one LSOA boundary GeoJSON file")
	}
	if c.Inputs.Hubs == "" {
		bad("inputs.hubs", "give the hub sites file")
	}
	for i, m := range c.Access.Modes {
		if !slices.Contains([]string{"crow", "walk", "drive"}, m) {
			bad(fmt.Sprintf("access.modes[%d]", i), "%q is not a mode (expected crow, walk or drive)", m)
		}
	}
	if c.Access.WalkSpeedKPH <= 0 || c.Access.WalkSpeedKPH > 10 {
		bad("access.walk_speed_kph", "%g is not a walking speed (expected more than 0 and at most 10 km/h)", c.Access.WalkSpeedKPH)
	}
	if c.Access.SnapLimitM <= 0 {
		bad("access.snap_limit_m", "%g must be positive", c.Access.SnapLimitM)
	}
	if c.Access.CrowDriveKPH <= 0 || c.Access.CrowDriveKPH > 120 {
		bad("access.crow_drive_kph", "%g is not a driving speed (expected more than 0 and at most 120 km/h)", c.Access.CrowDriveKPH)
	}
	tiers := c.Tiers.Names()
	for i, s := range c.Access.Standards {
		key := fmt.Sprintf("access.standards[%d]", i)
		if s.Name == "" {
			bad(key+".name", "is required")
		}
		if !slices.Contains([]string{"crow", "walk", "drive"}, s.Mode) {
			bad(key+".mode", "%q is not a mode (expected crow, walk or drive)", s.Mode)
		}
		if (s.Minutes > 0) == (s.Metres > 0) {
			bad(key, "give exactly one of minutes or metres (positive)")
		}
		if len(s.Tiers) == 0 {
			bad(key+".tiers", "name at least one tier")
		}
		for _, t := range s.Tiers {
			if _, ok := tiers[t]; !ok {
				bad(key+".tiers", "%q is not a tier (expected plus, extra, satellite or network-point)", t)
			}
		}
	}
	if u := c.Report.BasemapURL; u != "" {
		for _, p := range []string{"{z}", "{x}", "{y}"} {
			if !strings.Contains(u, p) {
				bad("report.basemap_url", "%q has no %s: expected an XYZ tile template with {z}, {x} and {y}, e.g. https://tiles.example.org/{z}/{x}/{y}.png", u, p)
				break
			}
		}
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			bad("report.basemap_url", "%q is not an http(s) address", u)
		}
	}
	if c.Report.BasemapAttribution != "" && c.Report.BasemapURL == "" {
		bad("report.basemap_attribution", "is set but report.basemap_url is not")
	}
	if !slices.Contains([]string{"idaci_score", "deprived_children_per_ha"}, c.Hotspot.Variable) {
		bad("hotspot.variable", "%q is not supported (expected idaci_score or deprived_children_per_ha)", c.Hotspot.Variable)
	}
	switch c.Hotspot.Weights {
	case "queen":
	case "distance":
		if c.Hotspot.DistanceM <= 0 {
			bad("hotspot.distance_m", "must be positive for distance weights")
		}
	case "knn":
		if c.Hotspot.K < 1 {
			bad("hotspot.k", "must be at least 1 for knn weights")
		}
	default:
		bad("hotspot.weights", "%q is not a weights kind (expected queen, distance or knn)", c.Hotspot.Weights)
	}
	if c.Hotspot.Permutations < 0 {
		bad("hotspot.permutations", "%d is negative", c.Hotspot.Permutations)
	}
	if !(c.Siting.SensitivityMinutes >= 0) {
		bad("siting.sensitivity_minutes", "%g must be 0 (off) or positive", c.Siting.SensitivityMinutes)
	}
	names := map[string]bool{}
	for i, s := range c.Siting.Scenarios {
		key := fmt.Sprintf("siting.scenarios[%d]", i)
		if s.Name == "" || names[s.Name] {
			bad(key+".name", "%q must be present and unique", s.Name)
		}
		names[s.Name] = true
		if s.K < 1 {
			bad(key+".k", "%d must be at least 1", s.K)
		}
		if !slices.Contains([]string{"mclp", "pmedian"}, s.Objective) {
			bad(key+".objective", "%q is not an objective (expected mclp or pmedian)", s.Objective)
		}
		if !slices.Contains([]string{"crow", "walk", "drive"}, s.Mode) {
			bad(key+".mode", "%q is not a mode (expected crow, walk or drive)", s.Mode)
		}
		if s.Objective == "mclp" && s.Minutes <= 0 {
			bad(key+".minutes", "must be positive for a covering scenario")
		}
		if s.MaxPerWard < 0 {
			bad(key+".max_per_ward", "%d is negative (0 = no cap)", s.MaxPerWard)
		}
		if !slices.Contains([]string{"deprived_children", "children_0_4", "children_0_15", "expected_uptake"}, s.Weight) {
			bad(key+".weight", "%q is not a weight (expected deprived_children, children_0_4, children_0_15 or expected_uptake)", s.Weight)
		}
	}
	if !slices.Contains([]string{"0-4", "0-15", "0-19"}, c.ServiceUse.AgeBand) {
		bad("service_use.age_band", "%q is not an age band (expected 0-4, 0-15 or 0-19)", c.ServiceUse.AgeBand)
	}
	for _, k := range []struct{ key, v string }{{"service_use.period_start", c.ServiceUse.PeriodStart}, {"service_use.period_end", c.ServiceUse.PeriodEnd}} {
		if k.v != "" && !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(k.v) {
			bad(k.key, "%q is not a date (expected YYYY-MM-DD)", k.v)
		}
	}
	if c.Disclosure.Threshold < 1 {
		bad("disclosure.threshold", "%d must be at least 1 (5 is the usual rule: counts below 5 are suppressed)", c.Disclosure.Threshold)
	}
	if c.Disclosure.RoundTo < 0 {
		bad("disclosure.round_to", "%d is negative", c.Disclosure.RoundTo)
	}
	return errors.Join(errs...)
}

// Path resolves an input path against DataDir. Absolute paths, "", and paths starting with "./"
// (relative to the current directory: files shipped with hubreach, such as config/rutland_hubs.csv)
// are returned as they are.
func (c Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || c.DataDir == "" || strings.HasPrefix(p, "./") {
		return p
	}
	return filepath.Join(c.DataDir, p)
}

// Paths resolves several input paths.
func (c Config) Paths(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = c.Path(p)
	}
	return out
}

// AreaDir is the published output folder of the area.
func (c Config) AreaDir() string { return filepath.Join(c.Output, c.Area.Name) }
