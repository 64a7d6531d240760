package datasets

import (
	"context"
	"database/sql"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"hubreach/internal/bng"
)

func siteFixture(name string) string { return filepath.Join("testdata", "sites", name) }

// siteLoaded is one core.site row as the tests read it back.
type siteLoaded struct {
	name, role, from, tier, typ, postcode, locality string
	capacity                                        int64
	x, y, lon, lat                                  float64
	line                                            int64
}

func siteRows(t *testing.T, ctx context.Context, db interface {
	Query(context.Context, string, ...any) (*sql.Rows, error)
}, role string) map[string]siteLoaded {
	t.Helper()
	rows, err := db.Query(ctx, `SELECT site_id, name, role, location_from, coalesce(tier, ''), coalesce(site_type, ''),
		coalesce(postcode, ''), coalesce(locality, ''), coalesce(capacity, -1), x, y, lon, lat, line FROM core.site WHERE role = ?`, role)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]siteLoaded{}
	for rows.Next() {
		var id string
		var s siteLoaded
		if err := rows.Scan(&id, &s.name, &s.role, &s.from, &s.tier, &s.typ, &s.postcode, &s.locality, &s.capacity, &s.x, &s.y, &s.lon, &s.lat, &s.line); err != nil {
			t.Fatal(err)
		}
		out[id] = s
	}
	return out
}

func TestLoadHubsEveryKindOfRow(t *testing.T) {
	ctx := context.Background()
	db := siteOpenDB(t)
	if _, err := LoadPostcodes(ctx, db, siteFixture("postcodes.csv")); err != nil {
		t.Fatal(err)
	}
	path := siteFixture("hubs.csv")
	rep, err := LoadSites(ctx, db, SiteSpec{Path: path, Role: RoleHub})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Input != "hubs" || rep.Read != 13 || rep.Loaded != 3 || rep.Rejected != 10 {
		t.Errorf("%s: read %d loaded %d rejected %d, want hubs 13, 3, 10", rep.Input, rep.Read, rep.Loaded, rep.Rejected)
	}
	siteRejectsEqual(t, rep.Rejects, []Reject{
		{Line: 5, Column: "lon, lat", Value: "52.658007833, 1.716073973",
			Reason: "(52.658007833, 1.716073973) looks like latitude, longitude: longitude and latitude are swapped"},
		{Line: 6, Column: "lon, lat", Value: "442000, 392000",
			Reason: "(442000, 392000) in the longitude/latitude columns looks like British National Grid easting and northing in metres, not degrees: put them in easting/northing columns"},
		{Line: 7, Column: "lon, lat", Value: "-3.19, 55.95",
			Reason: "(-3.19, 55.95) is outside England (expected longitude -6.45..1.8 and latitude 49.85..55.85, or easting 80000..660000 and northing 5000..660000)"},
		{Line: 8, Column: "site_id", Value: "H1", Reason: `site id "H1" is used twice: lines 2 and 8 (each site needs its own id)`},
		{Line: 9, Column: "tier", Value: "hub-ish",
			Reason: `unknown tier "hub-ish" (accepted: plus ("plus", "family hub plus", "main", "main hub"); extra ("extra", "family hub extra"); satellite ("satellite", "spoke"); network-point ("network-point", "network point", "outreach"))`},
		{Line: 10, Column: "postcode", Value: "S60 9ZZ",
			Reason: "postcode not found in the postcode lookup (Code-Point Open 2014 is old: newer postcodes are missing)"},
		{Line: 11, Reason: "no location: give lon/lat, easting/northing or a postcode"},
		{Line: 12, Column: "easting, northing", Value: "-1.35, 53.43",
			Reason: "(-1.35, 53.43) in the easting/northing columns looks like longitude and latitude in degrees, not metres: put them in lon/lat columns"},
		{Line: 13, Column: "lat", Reason: `"lat" is empty but "lon" is given: give both`},
		{Line: 14, Column: "capacity", Value: "-3", Reason: "capacity is not a whole number of 0 or more"},
	})

	got := siteRows(t, ctx, db, RoleHub)
	if len(got) != 3 {
		t.Fatalf("%d hubs in core.site, want 3: %v", len(got), got)
	}
	// H1 is OS's worked example, Caister water tower: ETRS89 1.716073973 E, 52.658007833 N is
	// National Grid 651409.792, 313177.448 ("Transformations and OSGM15 user guide", Annexe A);
	// the Helmert transformation is good to about 5 m.
	h1 := got["H1"]
	if d := math.Hypot(h1.x-651409.792, h1.y-313177.448); d > 5 || h1.from != "lon/lat" || h1.tier != "plus" || h1.capacity != 40 || h1.locality != "East" || h1.line != 2 {
		t.Errorf("H1 = %+v (%.1f m from the OS grid reference), want lon/lat, plus, capacity 40, East, line 2", h1, d)
	}
	h2 := got["H2"]
	if h2.x != 442000 || h2.y != 392000 || h2.from != "easting/northing" || h2.tier != "extra" || h2.capacity != -1 {
		t.Errorf("H2 = %+v, want 442000 392000 easting/northing, tier extra (from \"Family Hub Extra\"), no capacity", h2)
	}
	if x, y := bng.ToGrid(h2.lon, h2.lat); math.Hypot(x-442000, y-392000) > 1 {
		t.Errorf("H2 lon/lat %v %v map back to %.1f %.1f, want within 1 m of 442000 392000", h2.lon, h2.lat, x, y)
	}
	h3 := got["H3"]
	if h3.x != 442564 || h3.y != 392661 || h3.from != "postcode" || h3.postcode != "S601AE" || h3.tier != "satellite" {
		t.Errorf("H3 = %+v, want the S60 1AE point 442564 392661 from the postcode, tier satellite", h3)
	}
}

func TestLoadSitesXYColumnsDetectTheSystem(t *testing.T) {
	ctx := context.Background()
	db := siteOpenDB(t)
	rep, err := LoadSites(ctx, db, SiteSpec{Path: siteFixture("hubs_xy.csv"), Role: RoleHub})
	if err != nil {
		t.Fatal(err)
	}
	siteRejectsEqual(t, rep.Rejects, []Reject{
		{Line: 4, Column: "x, y", Value: "53.4302, -1.3568", Reason: "(53.4302, -1.3568) looks like latitude, longitude: longitude and latitude are swapped"},
	})
	got := siteRows(t, ctx, db, RoleHub)
	if got["X1"].from != "lon/lat" || got["X1"].lon != -1.3568 || got["X2"].from != "easting/northing" || got["X2"].x != 442000 {
		t.Errorf("X1 %+v X2 %+v: want X1 read as lon/lat, X2 as easting/northing", got["X1"], got["X2"])
	}
	if !siteHasNote(rep, "x/y columns: 1 rows read as WGS84 lon/lat, 1 as British National Grid") {
		t.Errorf("notes %q lack the x/y system count", rep.Notes)
	}
}

func siteHasNote(r *Report, s string) bool {
	for _, n := range r.Notes {
		if n == s {
			return true
		}
	}
	return false
}

func TestLoadSitesEncodingsAndSeparators(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		file string
		want map[string][2]any // id → name, lon
	}{
		{"bom.csv", map[string][2]any{"B1": {"Café Hub", -1.3568}}},
		// Excel on Windows: Windows-1252 (é = 0xE9, ë = 0xEB), ';' separator, decimal commas.
		{"excel_1252_semicolon.csv", map[string][2]any{"W1": {"Café Hub", -1.3568}, "W2": {"Brontë Hub", -1.30}}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			db := siteOpenDB(t)
			rep, err := LoadSites(ctx, db, SiteSpec{Path: siteFixture(c.file), Role: RoleHub})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Rejected != 0 {
				t.Errorf("rejects: %v", rep.Rejects)
			}
			got := siteRows(t, ctx, db, RoleHub)
			if len(got) != len(c.want) {
				t.Errorf("%d sites, want %d", len(got), len(c.want))
			}
			for id, w := range c.want {
				if g := got[id]; g.name != w[0] || g.lon != w[1] {
					t.Errorf("%s: name %q lon %v, want %q %v", id, g.name, g.lon, w[0], w[1])
				}
			}
		})
	}
}

func TestLoadSitesFileErrors(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		file, role, want string
	}{
		{"empty.csv", RoleHub, "hubs: testdata/sites/empty.csv: the file is empty (expected a header line and data rows)"},
		{"header_only.csv", RoleHub, "hubs: testdata/sites/header_only.csv: the file has a header but no data rows"},
		{"no_location.csv", RoleHub, `hubs: testdata/sites/no_location.csv line 1: no location columns: expected lon/lat (or longitude/latitude, x/y), easting/northing, or postcode; the header has: "site_id", "name", "tier", "address"`},
		{"hubs_xy.csv", RoleCandidate, `candidates: testdata/sites/hubs_xy.csv line 1: required column "type" is missing (accepted names: "type", "site_type", "category", "amenity"); the header has: "id", "name", "tier", "x", "y"`},
		{"candidates.csv", RoleHub, `hubs: testdata/sites/candidates.csv line 1: required column "tier" is missing (accepted names: "tier", "hub_tier", "site_tier"); the header has: "osm_id", "name", "tag_key", "type", "lon", "lat", "addr_postcode", "inside_la"`},
		{"hubs.csv", "spoke", `sites testdata/sites/hubs.csv: role "spoke" is not a site role (expected "hub" or "candidate")`},
	}
	for _, c := range cases {
		t.Run(c.file+" as "+c.role, func(t *testing.T) {
			db := siteOpenDB(t)
			_, err := LoadSites(ctx, db, SiteSpec{Path: siteFixture(c.file), Role: c.role})
			if err == nil || err.Error() != c.want {
				t.Errorf("got  %v\nwant %s", err, c.want)
			}
		})
	}
	// A spelling given for two tiers is a configuration error.
	db := siteOpenDB(t)
	_, err := LoadSites(ctx, db, SiteSpec{Path: siteFixture("hubs.csv"), Role: RoleHub,
		TierNames: map[string][]string{"plus": {"main"}, "satellite": {"Main"}}})
	if want := `hubs testdata/sites/hubs.csv: tier spelling "Main" is given for both "plus" and "satellite"`; err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

// metresApart estimates the distance between two WGS84 points on a sphere of radius 6,371 km
// (equirectangular; ample below a kilometre).
func metresApart(lon1, lat1, lon2, lat2 float64) float64 {
	const r = 6_371_000.0
	rad := math.Pi / 180
	dx := (lon2 - lon1) * rad * math.Cos((lat1+lat2)/2*rad) * r
	dy := (lat2 - lat1) * rad * r
	return math.Hypot(dx, dy)
}

func TestLoadCandidatesTypesNearDuplicatesAndFilter(t *testing.T) {
	ctx := context.Background()
	db := siteOpenDB(t)
	if _, err := LoadSites(ctx, db, SiteSpec{Path: siteFixture("hubs.csv"), Role: RoleHub}); err != nil {
		t.Fatal(err)
	}
	path := siteFixture("candidates.csv")
	rep, err := LoadSites(ctx, db, SiteSpec{Path: path, Role: RoleCandidate})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Input != "candidates" || rep.Read != 8 || rep.Loaded != 6 || rep.Rejected != 2 || rep.InArea != 5 || rep.InBuffer != 1 {
		t.Errorf("read %d loaded %d rejected %d in area %d buffer %d; want 8, 6, 2, 5, 1", rep.Read, rep.Loaded, rep.Rejected, rep.InArea, rep.InBuffer)
	}
	if len(rep.Rejects) != 2 {
		t.Fatalf("rejects %v", rep.Rejects)
	}
	// Line 4 is the grounds polygon of the school on line 3, about 40 m away.
	nd := rep.Rejects[0]
	re := regexp.MustCompile(`^near-duplicate, not an error: same name as site "n2" on line 3, (\d+) m away \(within 150 m; e\.g\. an OSM node and its grounds polygon\): line 3 is kept, this row is not loaded$`)
	m := re.FindStringSubmatch(nd.Reason)
	if nd.Line != 4 || nd.Column != "name" || nd.Value != "Catmose Primary School" || m == nil {
		t.Fatalf("near-duplicate reject = %+v", nd)
	}
	if d, _ := strconv.Atoi(m[1]); math.Abs(float64(d)-metresApart(-0.7200, 52.6650, -0.7195, 52.6652)) > 2 {
		t.Errorf("near-duplicate distance %d m, want %.0f", d, metresApart(-0.7200, 52.6650, -0.7195, 52.6652))
	}
	siteRejectsEqual(t, rep.Rejects[1:], []Reject{{Line: 6, Column: "type", Value: "cinema",
		Reason: `unknown type "cinema" (accepted: library ("library", "public library"); ` +
			`school ("school", "kindergarten", "college", "nursery", "nursery school", "primary school", "secondary school", "academy"); ` +
			`community ("community", "community_centre", "community hall", "village hall", "townhall", "town hall", "social_centre", "arts_centre"); ` +
			`vcs ("vcs", "voluntary", "voluntary and community sector", "charity", "place_of_worship", "church", "social_facility"); ` +
			`other ("other", "doctors", "doctor", "clinic", "childcare", "centre", "health centre", "midwife"))`}})
	for _, n := range []string{
		`1 site ids are used both as a hub and as a candidate: "H2" (line 8 here; testdata/sites/hubs.csv line 3)`,
		"1 near-duplicate sites (same name within 150 m) not loaded: see the rejects; they are not errors",
		"types loaded: library 1, school 2, community 1, vcs 1, other 1",
	} {
		if !siteHasNote(rep, n) {
			t.Errorf("missing note %q in %q", n, rep.Notes)
		}
	}
	got := siteRows(t, ctx, db, RoleCandidate)
	want := map[string][2]string{ // id → type, name
		"n1": {"library", "Oakham Library"}, "n2": {"school", "Catmose Primary School"},
		"n4": {"vcs", "place of worship (n4)"}, "n6": {"community", "Victoria Hall"},
		"H2": {"other", "Grid Hub Clinic"}, "n8": {"school", "Catmose Primary School"}, // the same name 9 km away is another school
	}
	for id, w := range want {
		if g, ok := got[id]; !ok || g.typ != w[0] || g.name != w[1] || g.tier != "" {
			t.Errorf("candidate %s = %+v, want type %q name %q", id, g, w[0], w[1])
		}
	}
	if got["n1"].postcode != "LE156AA" || got["n1"].from != "lon/lat" {
		t.Errorf("n1 postcode %q from %q, want LE156AA (normalised) and lon/lat", got["n1"].postcode, got["n1"].from)
	}
	// Loading the same file again replaces its rows; the hubs stay.
	if _, err := LoadSites(ctx, db, SiteSpec{Path: path, Role: RoleCandidate}); err != nil {
		t.Fatal(err)
	}
	var n, hubs int
	db.QueryRow(ctx, "SELECT count(*) FILTER (WHERE role = 'candidate'), count(*) FILTER (WHERE role = 'hub') FROM core.site").Scan(&n, &hubs)
	if n != 6 || hubs != 2 { // no postcode lookup here: H3 (a postcode) was rejected
		t.Errorf("after reloading: %d candidates and %d hubs, want 6 and 2", n, hubs)
	}

	// Only schools and places of worship: the rest are rejected with the reason.
	db2 := siteOpenDB(t)
	rep, err = LoadSites(ctx, db2, SiteSpec{Path: path, Role: RoleCandidate, Types: []string{"school", "place_of_worship"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Loaded != 3 || rep.Rejected != 5 {
		t.Errorf("filtered: loaded %d rejected %d, want 3 (n2, n4, n8) and 5", rep.Loaded, rep.Rejected)
	}
	var filtered []string
	for _, r := range rep.Rejects {
		if strings.Contains(r.Reason, "not among the selected") {
			filtered = append(filtered, r.Reason)
		}
	}
	wantFiltered := []string{
		`type "library" (library) is not among the selected candidate types (school, place_of_worship)`,
		`type "townhall" (community) is not among the selected candidate types (school, place_of_worship)`,
		`type "clinic" (other) is not among the selected candidate types (school, place_of_worship)`,
	}
	if strings.Join(filtered, "\n") != strings.Join(wantFiltered, "\n") {
		t.Errorf("filtered reasons:\n%s\nwant\n%s", strings.Join(filtered, "\n"), strings.Join(wantFiltered, "\n"))
	}
	if _, err := LoadSites(ctx, db2, SiteSpec{Path: path, Role: RoleCandidate, Types: []string{"cinema"}}); err == nil ||
		!strings.HasPrefix(err.Error(), `candidates testdata/sites/candidates.csv: candidate type filter: "cinema" is not a type (accepted: library (`) {
		t.Errorf("unknown filter type: %v", err)
	}
}

func TestLoadHubsWithTypes(t *testing.T) {
	ctx := context.Background()
	db := siteOpenDB(t)
	rep, err := LoadSites(ctx, db, SiteSpec{Path: siteFixture("hubs_typed.csv"), Role: RoleHub, Types: []string{"school"}})
	if err != nil {
		t.Fatal(err)
	}
	// The candidate type filter does not apply to hubs; an unknown hub type is left empty, noted.
	if rep.Loaded != 3 || rep.Rejected != 0 {
		t.Errorf("loaded %d rejected %d, want 3, 0: %v", rep.Loaded, rep.Rejected, rep.Rejects)
	}
	got := siteRows(t, ctx, db, RoleHub)
	if got["T1"].typ != "library" || got["T2"].typ != "" || got["T3"].typ != "" || got["T3"].tier != "satellite" {
		t.Errorf("types: T1 %q T2 %q T3 %q", got["T1"].typ, got["T2"].typ, got["T3"].typ)
	}
	if want := `hub types not recognised, left empty (hubs are kept): "children's centre" (1); accepted: library (`; len(rep.Notes) == 0 || !strings.HasPrefix(rep.Notes[0], want) {
		t.Errorf("notes %q, want one starting %q", rep.Notes, want)
	}
}

func TestLoadSitesPostcodeWithoutLookup(t *testing.T) {
	db := siteOpenDB(t)
	rep, err := LoadSites(context.Background(), db, SiteSpec{Path: siteFixture("hubs.csv"), Role: RoleHub})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Rejects {
		if r.Line == 4 {
			if want := "postcode lookup not loaded: give a Code-Point Open file (inputs.postcodes), or lon/lat or easting/northing for this site"; r.Reason != want {
				t.Errorf("line 4: %q, want %q", r.Reason, want)
			}
			return
		}
	}
	t.Errorf("line 4 (a postcode, no lookup loaded) was not rejected")
}

// TestLoadRutlandFacilities loads the real OSM facility list as candidates and checks the counts
// against ../shared/data/sites/README.md: place_of_worship 64, community_centre 28, school 27,
// social_facility 9, kindergarten 4, library 4, doctors 3, townhall 3, clinic 2, arts_centre 1.
func TestLoadRutlandFacilities(t *testing.T) {
	path := filepath.Join(sharedData(t), "sites", "rutland_osm_pois.csv")
	ctx := context.Background()
	db := siteOpenDB(t)
	rep, err := LoadSites(ctx, db, SiteSpec{Path: path, Role: RoleCandidate})
	if err != nil {
		t.Fatal(err)
	}
	// The README's counts mapped to the canonical types by hand.
	wantRead := map[string]int{
		"vcs":       64 + 9,     // place_of_worship, social_facility
		"community": 28 + 3 + 1, // community_centre, townhall, arts_centre
		"school":    27 + 4,     // school, kindergarten
		"library":   4,
		"other":     3 + 2, // doctors, clinic
	}
	if rep.Read != 145 {
		t.Errorf("read %d rows, want 145", rep.Read)
	}
	// The one near-duplicate in this file: two "Oakham Medical Practice" nodes about 140 m apart.
	if rep.Rejected != 1 || rep.Loaded != 144 || rep.Rejects[0].Value != "Oakham Medical Practice" ||
		!strings.HasPrefix(rep.Rejects[0].Reason, "near-duplicate, not an error: same name as site \"n1168664238\" on line 33, ") {
		t.Fatalf("loaded %d rejected %d: %v", rep.Loaded, rep.Rejected, rep.Rejects)
	}
	got := map[string]int{"other": 1} // the near-duplicate is a doctors' surgery
	rows, err := db.Query(ctx, "SELECT site_type, count(*) FROM core.site WHERE role = 'candidate' GROUP BY 1")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var typ string
		var n int
		rows.Scan(&typ, &n)
		got[typ] += n
	}
	rows.Close()
	for typ, n := range wantRead {
		if got[typ] != n {
			t.Errorf("%s: %d rows, want %d", typ, got[typ], n)
		}
	}
	if len(got) != len(wantRead) {
		t.Errorf("types %v, want %v", got, wantRead)
	}
	// Seven rows have no name; the arts centre on line 2 is one.
	var name string
	if err := db.QueryRow(ctx, "SELECT name FROM core.site WHERE site_id = 'n18345156'").Scan(&name); err != nil || name != "arts centre (n18345156)" {
		t.Errorf("unnamed arts centre: %q (%v)", name, err)
	}
	var unnamed int
	db.QueryRow(ctx, "SELECT count(*) FROM core.site WHERE name LIKE '%(' || site_id || ')'").Scan(&unnamed)
	if unnamed != 7 {
		t.Errorf("%d sites named from type and id, want 7", unnamed)
	}
	if rep.InArea+rep.InBuffer != rep.Loaded || rep.InBuffer != 3 {
		t.Errorf("inside_la: %d in area, %d just outside, of %d loaded; want 3 outside (the README: 142 inside, 3 not)", rep.InArea, rep.InBuffer, rep.Loaded)
	}
	var outside int
	db.QueryRow(ctx, "SELECT count(*) FROM core.site WHERE lon < -0.9 OR lon > -0.4 OR lat < 52.5 OR lat > 52.8").Scan(&outside)
	if outside != 0 {
		t.Errorf("%d candidates outside Rutland's box", outside)
	}
}

// TestLoadRotherhamHubsFailsHonestly: the public list names the hubs but gives no address,
// postcode or coordinates, so every row is rejected and nothing is made up.
func TestLoadRotherhamHubsFailsHonestly(t *testing.T) {
	path := filepath.Join(sharedData(t), "sites", "rotherham_family_hubs.csv")
	ctx := context.Background()
	db := siteOpenDB(t)
	rep, err := LoadSites(ctx, db, SiteSpec{Path: path, Role: RoleHub})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 3 || rep.Loaded != 0 || rep.Rejected != 3 {
		t.Errorf("read %d loaded %d rejected %d, want 3, 0, 3", rep.Read, rep.Loaded, rep.Rejected)
	}
	siteRejectsEqual(t, rep.Rejects, []Reject{
		{Line: 2, Reason: MsgNoLocation}, {Line: 3, Reason: MsgNoLocation}, {Line: 4, Reason: MsgNoLocation},
	})
	if n, err := db.Count(ctx, "core.site"); err != nil || n != 0 {
		t.Errorf("core.site has %d rows (%v), want none", n, err)
	}
	var saved int
	db.QueryRow(ctx, "SELECT count(*) FROM raw.rejects WHERE input = 'hubs' AND reason = ?", MsgNoLocation).Scan(&saved)
	if saved != 3 {
		t.Errorf("raw.rejects has %d of the rejects, want 3", saved)
	}
}

// A location_note column (here "Notes") is kept as it is: it is how a hubs file says a location
// is approximate, and every distance depends on the locations. A row without one has NULL.
func TestLoadSitesLocationNote(t *testing.T) {
	ctx := context.Background()
	db := siteOpenDB(t)
	path := filepath.Join(t.TempDir(), "hubs.csv")
	csv := "site_id,name,tier,easting,northing,Notes\n" +
		"H1,Centre,plus,444766,398912,\"APPROXIMATE: placed at the ward label point\"\n" +
		"H2,Library,satellite,445000,399000,\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSites(ctx, db, SiteSpec{Path: path, Role: RoleHub}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]any{"H1": "APPROXIMATE: placed at the ward label point", "H2": nil} {
		var got any
		if err := db.QueryRow(ctx, `SELECT location_note FROM core.site WHERE site_id = ?`, id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s location_note = %#v, want %#v", id, got, want)
		}
	}
}
