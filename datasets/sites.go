package datasets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"hubreach/internal/bng"
	"hubreach/internal/store"
	"hubreach/queries"
)

// Site roles in core.site.
const (
	RoleHub       = "hub"
	RoleCandidate = "candidate"
)

// TierOrder and TypeOrder are the canonical hub tiers and candidate types, in the order messages
// list them.
var (
	TierOrder = []string{"plus", "extra", "satellite", "network-point"}
	TypeOrder = []string{"library", "school", "community", "vcs", "other"}
)

// DefaultTierNames maps each canonical hub tier to the spellings accepted in hub files (the same
// defaults as the configuration's tiers section). Spellings are compared after NormHeader folding:
// case, punctuation and underscores do not matter.
func DefaultTierNames() map[string][]string {
	return map[string][]string{
		"plus":          {"plus", "family hub plus", "main", "main hub"},
		"extra":         {"extra", "family hub extra"},
		"satellite":     {"satellite", "spoke"},
		"network-point": {"network-point", "network point", "outreach"},
	}
}

// DefaultTypeNames maps each canonical candidate type to the spellings accepted in candidate
// files, including the OpenStreetMap amenity and healthcare values of the Rutland facility list
// (../shared/data/sites/README.md): library; school, kindergarten, college; community_centre,
// townhall, social_centre, arts_centre; place_of_worship, social_facility (voluntary and community
// sector); doctors, clinic, childcare and healthcare centres (other).
func DefaultTypeNames() map[string][]string {
	return map[string][]string{
		"library":   {"library", "public library"},
		"school":    {"school", "kindergarten", "college", "nursery", "nursery school", "primary school", "secondary school", "academy"},
		"community": {"community", "community_centre", "community hall", "village hall", "townhall", "town hall", "social_centre", "arts_centre"},
		"vcs":       {"vcs", "voluntary", "voluntary and community sector", "charity", "place_of_worship", "church", "social_facility"},
		"other":     {"other", "doctors", "doctor", "clinic", "childcare", "centre", "health centre", "midwife"},
	}
}

// SiteSpec says what to load with LoadSites.
type SiteSpec struct {
	Path string
	Role string // RoleHub or RoleCandidate

	// TierNames (hubs) and TypeNames (candidates; hubs optionally) map each canonical value to the
	// spellings accepted in the file. nil means DefaultTierNames / DefaultTypeNames.
	TierNames map[string][]string
	TypeNames map[string][]string

	// Types keeps only candidates of these types, given as canonical types ("school") or as
	// spelt in the file ("place_of_worship"); empty keeps all. Rows left out are rejected with a
	// reason saying so, so that the accounting still balances.
	Types []string

	// NearDuplicateM is the distance within which two sites with the same name are taken to be the
	// same place (an OSM node and its grounds polygon): the first is kept, the other rejected with
	// a note. 0 means 150 m; negative turns the check off.
	NearDuplicateM float64

	// Column overrides: header names that win over recognition by meaning. "" = recognise.
	IDColumn, NameColumn, TierColumn, TypeColumn, CapacityColumn, LocalityColumn string
	LonColumn, LatColumn, EastingColumn, NorthingColumn, PostcodeColumn          string
}

// Header names recognised by meaning (compared after NormHeader folding), first match wins.
var (
	siteIDNames       = []string{"site_id", "id", "osm_id", "hub_id", "venue_id", "site code", "urn"}
	siteNameNames     = []string{"name", "site_name", "hub_name", "venue_name", "site"}
	siteTierNames     = []string{"tier", "hub_tier", "site_tier"}
	siteTypeNames     = []string{"type", "site_type", "category", "amenity"}
	siteCapacityNames = []string{"capacity", "places"}
	siteLocalityNames = []string{"locality", "town", "neighbourhood"}
	siteNoteNames     = []string{"location_note", "location_notes", "note", "notes"}
	siteLonNames      = []string{"lon", "longitude", "long", "lng"}
	siteLatNames      = []string{"lat", "latitude"}
	siteXNames        = []string{"x"}
	siteYNames        = []string{"y"}
	siteEastNames     = []string{"easting", "eastings", "bng_easting", "east"}
	siteNorthNames    = []string{"northing", "northings", "bng_northing", "north"}
	sitePostcodeNames = []string{"postcode", "post code", "postal code", "addr_postcode", "addr:postcode"}
	siteInsideNames   = []string{"inside_la", "in_area", "inside_area"}
)

// MsgNoLocation is the reason given to a site row with no coordinates and no postcode.
const MsgNoLocation = "no location: give lon/lat, easting/northing or a postcode"

// MsgPostcodeNotFound is the reason given to a postcode absent from core.postcode.
const MsgPostcodeNotFound = "postcode not found in the postcode lookup (Code-Point Open 2014 is old: newer postcodes are missing)"

// siteCols are the column indexes found in a site file (-1 = absent).
type siteCols struct {
	id, name, tier, typ, capacity, locality, inside, note int
	lon, lat, x, y, east, north, postcode                 int
}

type siteRow struct {
	line             int64
	id, name         string
	tier, typ        any // canonical value or nil
	capacity         any // int32 or nil
	x, y, lon, lat   float64
	from             string // "lon/lat", "easting/northing" or "postcode"
	postcode, locale any
	note             any // free text about the location, e.g. "APPROXIMATE: ..." (nil when none)
	inside           string
	named            bool // the name was given, not made up from type and id
}

// siteReject is why one row is rejected.
type siteReject struct{ column, value, reason string }

// LoadSites reads a file of hub sites (with tiers) or candidate buildings (with types) into
// core.site. Steps:
//  1. open the CSV and find its columns by meaning (or by the spec's overrides);
//  2. validate each row: id present and unique, tier or type known (and selected), location from
//     lon/lat, x/y (system detected), easting/northing or a postcode in core.postcode, each
//     classified with bng.Classify so that swapped axes, grid metres in degree columns and places
//     outside England are rejected with a message saying which;
//  3. reject near-duplicates (the same name within NearDuplicateM);
//  4. check ids against sites already loaded from other files (same role: rejected; the other
//     role: noted);
//  5. in one transaction, replace this file's rows of this role in core.site and save the report.
func LoadSites(ctx context.Context, db *store.DB, spec SiteSpec) (*Report, error) {
	input := map[string]string{RoleHub: "hubs", RoleCandidate: "candidates"}[spec.Role]
	if input == "" {
		return nil, fmt.Errorf("sites %s: role %q is not a site role (expected %q or %q)", spec.Path, spec.Role, RoleHub, RoleCandidate)
	}
	l, err := newSiteLoader(spec)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", input, spec.Path, err)
	}
	rep := NewReport(input, spec.Path)
	if rep.SHA256, err = FileSHA256(spec.Path); err != nil {
		return nil, fmt.Errorf("%s: %w", input, err)
	}
	f, err := OpenCSV(spec.Path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", input, err)
	}
	defer f.Close()
	if err := l.findColumns(f); err != nil {
		return nil, fmt.Errorf("%s: %w", input, err)
	}
	if l.havePostcodeTable, err = db.TableExists(ctx, "core", "postcode"); err != nil {
		return nil, err
	}
	l.db, l.ctx = db, ctx

	rows, err := l.readRows(f, rep)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", input, err)
	}
	rows = l.dropNearDuplicates(rows, rep)
	if rows, err = l.checkOtherFiles(rows, rep); err != nil {
		return nil, fmt.Errorf("%s %s: %w", input, spec.Path, err)
	}
	l.noteSummary(rows, rep)
	sort.SliceStable(rep.Rejects, func(i, j int) bool { return rep.Rejects[i].Line < rep.Rejects[j].Line })

	err = db.InTx(ctx, func() error {
		exists, err := db.TableExists(ctx, "core", "site")
		if err != nil {
			return err
		}
		if !exists {
			if _, err := db.Exec(ctx, queries.MustSQL("core.site")); err != nil {
				return fmt.Errorf("create core.site: %w", err)
			}
		} else if _, err := db.Exec(ctx, "DELETE FROM core.site WHERE role = ? AND source_file = ?", spec.Role, spec.Path); err != nil {
			return fmt.Errorf("core.site: remove rows of an earlier load: %w", err)
		}
		err = db.Append(ctx, "core", "site", func(a *duckdb.Appender) error {
			for _, r := range rows {
				if err := a.AppendRow(r.id, r.name, spec.Role, r.tier, r.typ, r.capacity, r.x, r.y, r.lon, r.lat,
					r.from, r.postcode, r.locale, r.note, spec.Path, int32(r.line)); err != nil {
					return fmt.Errorf("line %d: %w", r.line, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		rep.Loaded = int64(len(rows))
		if err := rep.Balanced(); err != nil {
			return err
		}
		return SaveReport(ctx, db, rep)
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", input, spec.Path, err)
	}
	return rep, nil
}

// siteLoader holds one LoadSites call's state.
type siteLoader struct {
	spec        SiteSpec
	path        string
	tiers       valueNames
	types       valueNames
	keepTypes   map[string]bool // canonical types kept (nil = all)
	keepRaw     map[string]bool // folded file spellings kept
	nearM       float64
	header      []string
	c           siteCols
	decimalComa bool
	idFromName  bool

	ctx               context.Context
	db                *store.DB
	havePostcodeTable bool
	postcodes         map[string][2]float64 // lookups done so far; NaN = not found

	xySystems       map[bng.System]int
	hubTypesUnknown map[string]int
}

// valueNames resolves spellings to canonical values.
type valueNames struct {
	what      string // "tier" or "type"
	canonical map[string]string
	order     []string
	names     map[string][]string
}

func newValueNames(what string, names map[string][]string, order []string) (valueNames, error) {
	v := valueNames{what: what, canonical: map[string]string{}, names: names}
	for _, k := range order {
		if _, ok := names[k]; ok {
			v.order = append(v.order, k)
		}
	}
	var extra []string
	for k := range names {
		if !slices.Contains(order, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	v.order = append(v.order, extra...)
	var errs []error
	for _, k := range v.order {
		for _, s := range append([]string{k}, names[k]...) {
			f := NormHeader(s)
			if f == "" {
				continue
			}
			if prev, ok := v.canonical[f]; ok && prev != k {
				errs = append(errs, fmt.Errorf("%s spelling %q is given for both %q and %q", what, s, prev, k))
				continue
			}
			v.canonical[f] = k
		}
	}
	return v, errors.Join(errs...)
}

func (v valueNames) lookup(s string) (string, bool) {
	c, ok := v.canonical[NormHeader(s)]
	return c, ok
}

// accepted lists the canonical values with their spellings: `plus ("plus", "main"); extra ("extra")`.
func (v valueNames) accepted() string {
	parts := make([]string, len(v.order))
	for i, k := range v.order {
		parts[i] = k + " (" + strings.Join(quoteAll(v.names[k]), ", ") + ")"
	}
	return strings.Join(parts, "; ")
}

func newSiteLoader(spec SiteSpec) (*siteLoader, error) {
	l := &siteLoader{spec: spec, path: spec.Path, nearM: spec.NearDuplicateM, xySystems: map[bng.System]int{},
		postcodes: map[string][2]float64{}, hubTypesUnknown: map[string]int{}}
	if l.nearM == 0 {
		l.nearM = 150
	}
	tn, yn := spec.TierNames, spec.TypeNames
	if tn == nil {
		tn = DefaultTierNames()
	}
	if yn == nil {
		yn = DefaultTypeNames()
	}
	var err1, err2 error
	l.tiers, err1 = newValueNames("tier", tn, TierOrder)
	l.types, err2 = newValueNames("type", yn, TypeOrder)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	if len(spec.Types) > 0 {
		l.keepTypes, l.keepRaw = map[string]bool{}, map[string]bool{}
		for _, t := range spec.Types {
			if _, ok := yn[t]; ok {
				l.keepTypes[t] = true
			} else if _, ok := l.types.lookup(t); ok {
				l.keepRaw[NormHeader(t)] = true
			} else {
				return nil, fmt.Errorf("candidate type filter: %q is not a type (accepted: %s)", t, l.types.accepted())
			}
		}
	}
	return l, nil
}

// findColumns locates the columns by the spec's overrides or by meaning.
func (l *siteLoader) findColumns(f *CSVFile) error {
	l.header = f.Header
	l.decimalComa = f.Delimiter == ';'
	cols := NewColumns(f.Header)
	var errs []error
	find := func(override string, names []string) int {
		if override != "" {
			i := cols.Find(override)
			if i < 0 {
				errs = append(errs, fmt.Errorf("%s line 1: column %q (from the configuration) is not in the header; the header has: %s",
					l.path, override, strings.Join(quoteAll(f.Header), ", ")))
			}
			return i
		}
		return cols.Find(names...)
	}
	s := l.spec
	l.c = siteCols{
		id: find(s.IDColumn, siteIDNames), name: find(s.NameColumn, siteNameNames),
		tier: find(s.TierColumn, siteTierNames), typ: find(s.TypeColumn, siteTypeNames),
		capacity: find(s.CapacityColumn, siteCapacityNames), locality: find(s.LocalityColumn, siteLocalityNames),
		inside: cols.Find(siteInsideNames...), note: cols.Find(siteNoteNames...),
		lon: find(s.LonColumn, siteLonNames), lat: find(s.LatColumn, siteLatNames),
		x: cols.Find(siteXNames...), y: cols.Find(siteYNames...),
		east: find(s.EastingColumn, siteEastNames), north: find(s.NorthingColumn, siteNorthNames),
		postcode: find(s.PostcodeColumn, sitePostcodeNames),
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	c := l.c
	if c.id < 0 {
		if c.name < 0 {
			return MissingColumnError(l.path, "site_id", siteIDNames, f.Header)
		}
		l.idFromName = true
	}
	if l.spec.Role == RoleHub && c.tier < 0 {
		return MissingColumnError(l.path, "tier", siteTierNames, f.Header)
	}
	if l.spec.Role == RoleCandidate && c.typ < 0 {
		return MissingColumnError(l.path, "type", siteTypeNames, f.Header)
	}
	pair := func(a, b int) bool { return a >= 0 && b >= 0 }
	if !pair(c.lon, c.lat) && !pair(c.x, c.y) && !pair(c.east, c.north) && c.postcode < 0 {
		return fmt.Errorf("%s line 1: no location columns: expected lon/lat (or longitude/latitude, x/y), easting/northing, or postcode; the header has: %s",
			l.path, strings.Join(quoteAll(f.Header), ", "))
	}
	return nil
}

// readRows validates every row, rejecting the bad ones into rep.
func (l *siteLoader) readRows(f *CSVFile, rep *Report) ([]siteRow, error) {
	var rows []siteRow
	ids := map[string]int64{}
	for {
		rec, line, err := f.Next()
		if err == io.EOF {
			break
		}
		var re *RowError
		if errors.As(err, &re) {
			rep.Read++
			rep.Reject(line, "", "", "the row cannot be split into fields: "+re.Err.Error())
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", l.path, line, err)
		}
		rep.Read++
		r, p := l.row(rec, line, ids)
		if p != nil {
			rep.Reject(line, p.column, p.value, p.reason)
			continue
		}
		rows = append(rows, r)
	}
	if rep.Read == 0 {
		return nil, fmt.Errorf("%s: the file has a header but no data rows", l.path)
	}
	return rows, nil
}

func siteCell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// row validates one record.
func (l *siteLoader) row(rec []string, line int64, ids map[string]int64) (siteRow, *siteReject) {
	c := l.c
	r := siteRow{line: line, name: siteCell(rec, c.name), inside: siteCell(rec, c.inside)}
	r.named = r.name != ""
	col := func(i int) string { return l.header[i] }

	// id: present and unique in the file
	if l.idFromName {
		r.id = strings.ReplaceAll(NormHeader(r.name), " ", "-")
		if r.id == "" {
			return r, &siteReject{col(c.name), "", "no site id: the file has no id column and the name is empty"}
		}
	} else {
		r.id = siteCell(rec, c.id)
		if r.id == "" {
			return r, &siteReject{col(c.id), "", "site id is empty (every site needs its own id)"}
		}
	}
	idCol := l.idColumn()
	if first, dup := ids[r.id]; dup {
		return r, &siteReject{idCol, r.id, fmt.Sprintf("site id %q is used twice: lines %d and %d (each site needs its own id)", r.id, first, line)}
	}
	ids[r.id] = line

	// tier (hubs) and type
	label := ""
	if l.spec.Role == RoleHub {
		raw := siteCell(rec, c.tier)
		t, ok := l.tiers.lookup(raw)
		if !ok {
			return r, &siteReject{col(c.tier), raw, fmt.Sprintf("unknown tier %q (accepted: %s)", raw, l.tiers.accepted())}
		}
		r.tier, label = t, t
	}
	if c.typ >= 0 {
		raw := siteCell(rec, c.typ)
		switch t, ok := l.types.lookup(raw); {
		case ok:
			r.typ = t
			if l.spec.Role == RoleCandidate && l.keepTypes != nil && !l.keepTypes[t] && !l.keepRaw[NormHeader(raw)] {
				return r, &siteReject{col(c.typ), raw, fmt.Sprintf("type %q (%s) is not among the selected candidate types (%s)",
					raw, t, strings.Join(l.spec.Types, ", "))}
			}
			if label == "" {
				label = strings.ReplaceAll(raw, "_", " ")
			}
		case l.spec.Role == RoleHub:
			// A hub's type is optional and only descriptive: an unknown one is left empty.
			if raw != "" {
				l.hubTypesUnknown[raw]++
			}
		default:
			return r, &siteReject{col(c.typ), raw, fmt.Sprintf("unknown type %q (accepted: %s)", raw, l.types.accepted())}
		}
	}
	if r.name == "" {
		if label == "" {
			label = "site"
		}
		r.name = label + " (" + r.id + ")"
	}

	// location
	if p := l.locate(rec, &r); p != nil {
		return r, p
	}

	// capacity, postcode, locality
	if s := siteCell(rec, c.capacity); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 || v > math.MaxInt32 {
			return r, &siteReject{col(c.capacity), s, "capacity is not a whole number of 0 or more"}
		}
		r.capacity = int32(v)
	}
	if r.postcode == nil {
		if s := siteCell(rec, c.postcode); s != "" {
			if pc, ok := NormalisePostcode(s); ok {
				r.postcode = pc
			} else {
				r.postcode = s
			}
		}
	}
	if s := siteCell(rec, c.locality); s != "" {
		r.locale = s
	}
	if s := siteCell(rec, c.note); s != "" {
		r.note = s
	}
	return r, nil
}

// idColumn names the id column in messages.
func (l *siteLoader) idColumn() string {
	if l.c.id >= 0 {
		return l.header[l.c.id]
	}
	return "site id"
}

// number parses a coordinate; in a ';'-separated file a decimal comma ("53,43") is accepted.
func (l *siteLoader) number(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && l.decimalComa && strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		v, err = strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	}
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}

// locate sets the row's BNG and WGS84 coordinates from the first location source the row fills:
// lon/lat, x/y, easting/northing, then postcode.
func (l *siteLoader) locate(rec []string, r *siteRow) *siteReject {
	c := l.c
	type source struct {
		a, b int
		kind string // "lonlat", "xy", "en"
	}
	for _, s := range []source{{c.lon, c.lat, "lonlat"}, {c.x, c.y, "xy"}, {c.east, c.north, "en"}} {
		if s.a < 0 || s.b < 0 {
			continue
		}
		as, bs := siteCell(rec, s.a), siteCell(rec, s.b)
		if as == "" && bs == "" {
			continue
		}
		na, nb := l.header[s.a], l.header[s.b]
		if as == "" || bs == "" {
			empty, full := na, nb
			if bs == "" {
				empty, full = nb, na
			}
			return &siteReject{empty, "", fmt.Sprintf("%q is empty but %q is given: give both", empty, full)}
		}
		a, ok := l.number(as)
		if !ok {
			return &siteReject{na, as, "not a number"}
		}
		b, ok := l.number(bs)
		if !ok {
			return &siteReject{nb, bs, "not a number"}
		}
		both, vals := na+", "+nb, as+", "+bs
		sys, err := bng.Classify(a, b)
		switch s.kind {
		case "lonlat":
			if sys == bng.Grid {
				return &siteReject{both, vals, fmt.Sprintf("(%s) in the longitude/latitude columns looks like British National Grid easting and northing in metres, not degrees: put them in easting/northing columns", vals)}
			}
			if err != nil && bng.InEnglandGrid(b, a) {
				return &siteReject{both, vals, err.Error() + "; and they are grid metres, not degrees: put them in easting/northing columns"}
			}
		case "en":
			if sys == bng.WGS84 {
				return &siteReject{both, vals, fmt.Sprintf("(%s) in the easting/northing columns looks like longitude and latitude in degrees, not metres: put them in lon/lat columns", vals)}
			}
		case "xy":
			if err == nil {
				l.xySystems[sys]++
			}
		}
		if err != nil {
			return &siteReject{both, vals, err.Error()}
		}
		if sys == bng.WGS84 {
			r.lon, r.lat = a, b
			r.x, r.y = bng.ToGrid(a, b)
			r.from = "lon/lat"
		} else {
			r.x, r.y = a, b
			r.lon, r.lat = bng.ToLonLat(a, b)
			r.from = "easting/northing"
		}
		return nil
	}
	if c.postcode >= 0 {
		if raw := siteCell(rec, c.postcode); raw != "" {
			return l.locatePostcode(raw, r)
		}
	}
	return &siteReject{"", "", MsgNoLocation}
}

func (l *siteLoader) locatePostcode(raw string, r *siteRow) *siteReject {
	colName := l.header[l.c.postcode]
	pc, ok := NormalisePostcode(raw)
	if !ok {
		return &siteReject{colName, raw, `not a UK postcode (expected the shape of "S60 1AE")`}
	}
	if !l.havePostcodeTable {
		return &siteReject{colName, raw, "postcode lookup not loaded: give a Code-Point Open file (inputs.postcodes), or lon/lat or easting/northing for this site"}
	}
	xy, seen := l.postcodes[pc]
	if !seen {
		err := l.db.QueryRow(l.ctx, "SELECT x, y FROM core.postcode WHERE postcode = ? LIMIT 1", pc).Scan(&xy[0], &xy[1])
		if errors.Is(err, sql.ErrNoRows) {
			xy = [2]float64{math.NaN(), math.NaN()}
		} else if err != nil {
			return &siteReject{colName, raw, "postcode lookup failed: " + err.Error()}
		}
		l.postcodes[pc] = xy
	}
	if math.IsNaN(xy[0]) {
		return &siteReject{colName, raw, MsgPostcodeNotFound}
	}
	if !bng.InEnglandGrid(xy[0], xy[1]) {
		return &siteReject{colName, raw, fmt.Sprintf("postcode %s is at (%.0f, %.0f), outside England", raw, xy[0], xy[1])}
	}
	r.x, r.y = xy[0], xy[1]
	r.lon, r.lat = bng.ToLonLat(r.x, r.y)
	r.from, r.postcode = "postcode", pc
	return nil
}

// dropNearDuplicates rejects a site that has the same (folded, non-empty) name as an earlier kept
// site within l.nearM metres: in OpenStreetMap a school is often both a node and its grounds.
func (l *siteLoader) dropNearDuplicates(rows []siteRow, rep *Report) []siteRow {
	if l.nearM < 0 {
		return rows
	}
	byName := map[string][]int{}
	kept := rows[:0:0]
	n := 0
	for _, r := range rows {
		key := NormHeader(r.name)
		if r.named && key != "" {
			dup := -1
			for _, k := range byName[key] {
				if math.Hypot(kept[k].x-r.x, kept[k].y-r.y) <= l.nearM {
					dup = k
					break
				}
			}
			if dup >= 0 {
				k := kept[dup]
				d := math.Hypot(k.x-r.x, k.y-r.y)
				rep.Reject(r.line, l.header[l.c.name], r.name, fmt.Sprintf("near-duplicate, not an error: same name as site %q on line %d, %.0f m away (within %.0f m; e.g. an OSM node and its grounds polygon): line %d is kept, this row is not loaded",
					k.id, k.line, d, l.nearM, k.line))
				n++
				continue
			}
			byName[key] = append(byName[key], len(kept))
		}
		kept = append(kept, r)
	}
	if n > 0 {
		rep.Note("%d near-duplicate sites (same name within %.0f m) not loaded: see the rejects; they are not errors", n, l.nearM)
	}
	return kept
}

// checkOtherFiles compares ids with core.site rows from other files: the same id in the same role
// is rejected; an id that is a hub in one file and a candidate in another is noted.
func (l *siteLoader) checkOtherFiles(rows []siteRow, rep *Report) ([]siteRow, error) {
	exists, err := l.db.TableExists(l.ctx, "core", "site")
	if err != nil || !exists {
		return rows, err
	}
	q, err := l.db.Query(l.ctx, `SELECT site_id, role, source_file, line FROM core.site WHERE NOT (role = ? AND source_file = ?)`, l.spec.Role, l.path)
	if err != nil {
		return nil, err
	}
	type where struct {
		role, file string
		line       sql.NullInt64
	}
	others := map[string]where{}
	for q.Next() {
		var id string
		var w where
		var file sql.NullString
		if err := q.Scan(&id, &w.role, &file, &w.line); err != nil {
			q.Close()
			return nil, err
		}
		w.file = file.String
		if _, seen := others[id]; !seen || w.role == l.spec.Role {
			others[id] = w
		}
	}
	if err := errors.Join(q.Err(), q.Close()); err != nil {
		return nil, err
	}
	var both []string
	kept := rows[:0:0]
	for _, r := range rows {
		w, ok := others[r.id]
		switch {
		case !ok:
		case w.role == l.spec.Role:
			rep.Reject(r.line, l.idColumn(), r.id, fmt.Sprintf("site id %q is already used by a %s in %s line %d (each site needs its own id)", r.id, w.role, w.file, w.line.Int64))
			continue
		default:
			both = append(both, fmt.Sprintf("%q (line %d here; %s line %d)", r.id, r.line, w.file, w.line.Int64))
		}
		kept = append(kept, r)
	}
	if len(both) > 0 {
		rep.Note("%d site ids are used both as a hub and as a candidate: %s", len(both), strings.Join(both, ", "))
	}
	return kept, nil
}

// noteSummary adds notes on how rows were located and typed, and sets the area counts when the
// file says which sites lie inside the area (inside_la).
func (l *siteLoader) noteSummary(rows []siteRow, rep *Report) {
	if l.idFromName {
		rep.Note("no id column (accepted: %s): site ids made from the names", strings.Join(quoteAll(siteIDNames), ", "))
	}
	if n := l.xySystems[bng.WGS84] + l.xySystems[bng.Grid]; n > 0 {
		rep.Note("x/y columns: %d rows read as WGS84 lon/lat, %d as British National Grid", l.xySystems[bng.WGS84], l.xySystems[bng.Grid])
	}
	if len(l.hubTypesUnknown) > 0 {
		var parts []string
		for t, n := range l.hubTypesUnknown {
			parts = append(parts, fmt.Sprintf("%q (%d)", t, n))
		}
		sort.Strings(parts)
		rep.Note("hub types not recognised, left empty (hubs are kept): %s; accepted: %s", strings.Join(parts, ", "), l.types.accepted())
	}
	if l.c.typ >= 0 {
		counts := map[string]int{}
		for _, r := range rows {
			if t, ok := r.typ.(string); ok {
				counts[t]++
			}
		}
		var parts []string
		for _, t := range l.types.order {
			if counts[t] > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", t, counts[t]))
			}
		}
		if len(parts) > 0 {
			rep.Note("types loaded: %s", strings.Join(parts, ", "))
		}
	}
	if l.c.inside >= 0 {
		var in, out int64
		for _, r := range rows {
			switch strings.ToLower(r.inside) {
			case "1", "true", "yes", "y":
				in++
			default:
				out++
			}
		}
		rep.InArea, rep.InBuffer, rep.OutsideArea = in, out, 0
		if out > 0 {
			rep.Note("%s: %d sites inside the area, %d just outside it (kept: they can serve families near the boundary)", l.header[l.c.inside], in, out)
		}
	}
}
