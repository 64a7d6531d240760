package datasets

// LSOA and ward boundaries: GeoJSON FeatureCollections in WGS84 or British National Grid, into
// core.lsoa and core.ward (geometry as WKB MultiPolygon in BNG metres, bounding box, area in
// hectares) with each LSOA's demand point; LSOA→ward assignment; localities.
//
// Detection rules, per file:
//   - coordinate system: the legacy "crs" member when present (CRS84/EPSG:4326 = WGS84 lon/lat,
//     EPSG:27700 = British National Grid); otherwise the majority of bng.Classify over the first
//     vertex of the first 50 features. Every feature's first vertex must then classify as the
//     file's system (swapped axes, BNG numbers in a CRS84 file and points outside England are
//     rejected feature by feature), and so must its bounding box.
//   - properties: the configured name (case and punctuation ignored) or, when none is set, the
//     property whose folded name reads as an LSOA/ward code (LSOA11CD, LSOA21CD, lsoa11cd,
//     "LSOA code", lsoa_code; WD25CD, WD24CD, "ward code" …), name (LSOA11NM, WD25NM …) and local
//     authority (LADCD_ACTIVE first, then LADnnCD/LTLAnnCD with the latest year, "LA code" …).
//
// Feature numbers in rejects and in the feature columns are 1-based positions in the file's
// "features" array.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"hubreach/internal/bng"
	"hubreach/internal/store"
	"hubreach/queries"
)

// BoundarySpec says which boundary files to load and how to read them.
type BoundarySpec struct {
	// Files are GeoJSON FeatureCollections, e.g. the area's own LA file and its neighbours' files.
	// Each may be WGS84 lon/lat or British National Grid (detected per file).
	Files []string
	// CodeProperty, NameProperty and LAProperty name the feature properties that hold the LSOA
	// (or ward) code, its name and its local authority code. "" detects them.
	CodeProperty, NameProperty, LAProperty string
	// Centroids is an optional CSV of LSOA population-weighted centroids (LSOA boundaries only),
	// e.g. lsoa11cd,lsoa11nm,lon,lat,easting,northing. Without it the demand point is an
	// interior point of the polygon.
	Centroids string
	// CentroidToleranceM is how far outside its own (generalised) polygon a centroid may lie and
	// still be used as the demand point; default DefaultCentroidToleranceM.
	CentroidToleranceM float64
	// Filter selects the area and its neighbour buffer.
	Filter AreaFilter
}

// DefaultCentroidToleranceM allows for the 20 m generalisation of the BGC boundaries and the
// few metres of the Helmert transform.
const DefaultCentroidToleranceM = 25.0

// Demand point and ward sources, as stored in core.lsoa.
const (
	DemandPWC      = "population-weighted centroid"
	DemandInterior = "interior point"
	WardByLookup   = "lookup"
	WardByBestFit  = "best fit: ward containing the demand point"
)

// boundaryKind is what differs between LSOA and ward boundaries.
type boundaryKind struct {
	input, noun        string
	codeRE             *regexp.Regexp
	codeHint           string
	codeProp, nameProp *regexp.Regexp
	codeExamples       string
	coreTable          string // "core.lsoa"
	rawTable           string // table name in schema raw
}

var (
	lsoaCodeRE   = regexp.MustCompile(`^E01\d{6}$`)
	wardCodeRE   = regexp.MustCompile(`^E05\d{6}$`)
	laPropRE     = regexp.MustCompile(`^(ladcd active|(lad|ltla|la|lacd|local authority|local authority district) ?(\d{2,4} ?)?(cd|code)( ?\d{2,4})?)$`)
	yearDigitsRE = regexp.MustCompile(`\d{2,4}`)
	// lookups and centroid files cover England and Wales
	lookupLSOARE = regexp.MustCompile(`^[EW]01\d{6}$`)
	lookupWardRE = regexp.MustCompile(`^[EW]05\d{6}$`)

	lsoaKind = &boundaryKind{
		input: "lsoa_boundaries", noun: "LSOA",
		codeRE: lsoaCodeRE, codeHint: "E01 followed by 6 digits, e.g. E01007657",
		codeProp:     regexp.MustCompile(`^lsoa ?(\d{2,4} ?)?(cd|code)( ?\d{2,4})?$`),
		nameProp:     regexp.MustCompile(`^lsoa ?(\d{2,4} ?)?(nm|name)( ?\d{2,4})?$`),
		codeExamples: `LSOA11CD, LSOA21CD, lsoa11cd, "LSOA code", lsoa_code`,
		coreTable:    "core.lsoa", rawTable: "lsoa_boundary",
	}
	wardKind = &boundaryKind{
		input: "ward_boundaries", noun: "ward",
		codeRE: wardCodeRE, codeHint: "E05 followed by 6 digits, e.g. E05012993",
		codeProp:     regexp.MustCompile(`^(wd|ward) ?(\d{2,4} ?)?(cd|code)( ?\d{2,4})?$`),
		nameProp:     regexp.MustCompile(`^(wd|ward) ?(\d{2,4} ?)?(nm|name)( ?\d{2,4})?$`),
		codeExamples: `WD25CD, WD24CD, WD22CD, "ward code", ward_code`,
		coreTable:    "core.ward", rawTable: "ward_boundary",
	}
)

// bFeature is one feature of a boundary file and what became of it.
type bFeature struct {
	file     string
	index    int // 1-based
	code     string
	name     string
	la       string
	props    string // JSON
	geomType string
	grid     orb.MultiPolygon // BNG; nil when rejected
	bound    orb.Bound
	areaHa   float64
	repairs  geomRepairs
	status   string // "", "area", "buffer", "outside", "rejected"
	demand   orb.Point
	demandBy string
	rep      *Report
}

// featureReject is why one feature was not loaded.
type featureReject struct{ column, value, reason string }

// boundaryFile is one file as read: its report and its features in order.
type boundaryFile struct {
	path     string
	rep      *Report
	feats    []*bFeature
	codeProp string
	laProp   string
}

// readBoundaryFile reads and validates every feature of one GeoJSON file. File-level problems
// (missing, empty, not GeoJSON, no features, no code property, unknown crs) are errors naming
// the file; feature-level problems are rejects in the report.
func readBoundaryFile(path string, kind *boundaryKind, spec BoundarySpec) (*boundaryFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s boundaries: %w", kind.noun, err)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, fmt.Errorf("%s: the file is empty (expected a GeoJSON FeatureCollection of %s polygons)", path, kind.noun)
	}
	var top struct {
		Type     string            `json:"type"`
		CRS      json.RawMessage   `json:"crs"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s: not GeoJSON: invalid JSON near byte %d (%v)", path, se.Offset, se)
		}
		return nil, fmt.Errorf("%s: not a GeoJSON FeatureCollection: %v", path, err)
	}
	if top.Type != "FeatureCollection" {
		return nil, fmt.Errorf("%s: not a GeoJSON FeatureCollection (its \"type\" is %q)", path, top.Type)
	}
	if len(top.Features) == 0 {
		return nil, fmt.Errorf("%s: the FeatureCollection has no features", path)
	}
	declared, crsName, err := parseCRS(top.CRS)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}

	bf := &boundaryFile{path: path, rep: NewReport(kind.input, path)}
	bf.rep.Read = int64(len(top.Features))
	if bf.rep.SHA256, err = FileSHA256(path); err != nil {
		return nil, err
	}

	// Sample the first features for property names and the coordinate system.
	keys := map[string]bool{}
	votes := map[bng.System]int{}
	var order []bng.System
	sampled := 0
	for _, raw := range top.Features {
		if sampled >= 50 {
			break
		}
		f, err := geojson.UnmarshalFeature(raw)
		if err != nil {
			continue
		}
		sampled++
		for k := range f.Properties {
			keys[k] = true
		}
		if mp, gerr := polygonsOf(f.Geometry); gerr == nil && len(mp[0][0]) > 0 {
			p := mp[0][0][0]
			if sys, err := bng.Classify(p[0], p[1]); err == nil {
				if votes[sys] == 0 {
					order = append(order, sys)
				}
				votes[sys]++
			}
		}
	}
	keyList := make([]string, 0, len(keys))
	for k := range keys {
		keyList = append(keyList, k)
	}
	sort.Strings(keyList)

	codeProp, err := pickCodeProperty(path, kind, spec.CodeProperty, keyList, top.Features)
	if err != nil {
		return nil, err
	}
	nameProp, err := pickProperty(path, "name_property", spec.NameProperty, keyList)
	if err != nil {
		return nil, err
	}
	if spec.NameProperty == "" {
		nameProp = preferSameYear(matching(keyList, kind.nameProp), codeProp)
	}
	laProp, err := pickProperty(path, "la_property", spec.LAProperty, keyList)
	if err != nil {
		return nil, err
	}
	if spec.LAProperty == "" {
		laProp = preferLA(matching(keyList, laPropRE))
	}
	bf.codeProp, bf.laProp = codeProp, laProp

	detected := bng.Unknown
	for _, s := range order {
		if detected == bng.Unknown || votes[s] > votes[detected] {
			detected = s
		}
	}
	fileSys := declared
	if declared == bng.Unknown {
		fileSys = detected
	} else if detected != bng.Unknown && detected != declared {
		bf.rep.Note("the crs member says %s (%s) but %d of the first %d features have %s coordinates; those are rejected",
			crsName, declared, votes[detected], sampled, detected)
	}
	sysWhy := ""
	if declared != bng.Unknown {
		sysWhy = fmt.Sprintf("the file's crs member says %s (%s)", crsName, declared)
	} else if fileSys != bng.Unknown {
		sysWhy = fmt.Sprintf("the rest of the file is %s", fileSys)
	}

	// Features are independent: read them in parallel, record results in order.
	n := len(top.Features)
	feats := make([]*bFeature, n)
	rejs := make([]*featureReject, n)
	var wg sync.WaitGroup
	next := make(chan int, 256)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				feats[i], rejs[i] = readFeature(path, i, top.Features[i], kind, codeProp, nameProp, laProp, fileSys, sysWhy)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()

	dups, spikes, dupFeats, spikeFeats := 0, 0, 0, 0
	for i, f := range feats {
		f.rep = bf.rep
		if r := rejs[i]; r != nil {
			f.status = "rejected"
			f.grid = nil
			bf.rep.Reject(int64(f.index), r.column, r.value, r.reason)
		} else {
			bf.rep.Loaded++
			if f.repairs.Duplicates > 0 {
				dups += f.repairs.Duplicates
				dupFeats++
			}
			if f.repairs.Spikes > 0 {
				spikes += f.repairs.Spikes
				spikeFeats++
			}
			for _, m := range f.repairs.Merged {
				bf.rep.Note("%s %s (feature %d): %s (an invalid MultiPolygon as simplified; merging leaves its area unchanged)", kind.noun, f.code, f.index, m)
			}
			for _, m := range f.repairs.Touching {
				bf.rep.Note("%s %s (feature %d): %s; kept as it is (the areas do not overlap)", kind.noun, f.code, f.index, m)
			}
		}
		bf.feats = append(bf.feats, f)
	}
	if dups > 0 {
		bf.rep.Note("dropped %d repeated consecutive vertices (features affected: %d)", dups, dupFeats)
	}
	if spikes > 0 {
		bf.rep.Note("removed %d zero-width spikes (features affected: %d)", spikes, spikeFeats)
	}
	if declared == bng.Unknown && fileSys != bng.Unknown {
		bf.rep.Note("coordinates detected as %s (no crs member)", fileSys)
	}
	return bf, nil
}

// readFeature validates one feature: code, then geometry (structure, repairs), then coordinates.
func readFeature(path string, i int, raw json.RawMessage, kind *boundaryKind, codeProp, nameProp, laProp string, fileSys bng.System, sysWhy string) (*bFeature, *featureReject) {
	f := &bFeature{file: path, index: i + 1}
	gf, err := geojson.UnmarshalFeature(raw)
	if err != nil {
		return f, &featureReject{"", truncate(string(raw), 200), "cannot read the feature: " + strings.TrimPrefix(err.Error(), "geojson: ")}
	}
	if b, err := json.Marshal(gf.Properties); err == nil {
		f.props = string(b)
	}
	if gf.Geometry != nil {
		f.geomType = gf.Geometry.GeoJSONType()
	}
	f.code = strings.ToUpper(propString(gf.Properties, codeProp))
	f.name = propString(gf.Properties, nameProp)
	f.la = strings.ToUpper(propString(gf.Properties, laProp))
	if _, ok := gf.Properties[codeProp]; !ok || f.code == "" {
		present := sortedKeys(gf.Properties)
		return f, &featureReject{codeProp, "", fmt.Sprintf("%s code missing: the feature has no %s value (its properties: %s)", kind.noun, codeProp, strings.Join(present, ", "))}
	}
	if !kind.codeRE.MatchString(f.code) {
		return f, &featureReject{codeProp, propString(gf.Properties, codeProp), fmt.Sprintf("malformed %s code: expected %s", kind.noun, kind.codeHint)}
	}
	mp, rep, gerr := cleanGeometry(gf.Geometry)
	if gerr != nil {
		return f, &featureReject{"geometry", gerr.At, gerr.Reason}
	}
	f.repairs = rep
	first := mp[0][0][0]
	sys, cerr := bng.Classify(first[0], first[1])
	switch {
	case cerr != nil:
		return f, &featureReject{"geometry", fmtPoint(first), cerr.Error()}
	case fileSys == bng.Unknown:
		return f, &featureReject{"geometry", fmtPoint(first), "cannot tell the coordinate system: no crs member and no feature has coordinates in England"}
	case sys != fileSys:
		return f, &featureReject{"geometry", fmtPoint(first), fmt.Sprintf("coordinates look like %s but %s", describeSystem(sys), sysWhy)}
	}
	for _, poly := range mp {
		for _, ring := range poly {
			for _, p := range ring {
				s, err := bng.Classify(p[0], p[1])
				if err != nil {
					return f, &featureReject{"geometry", fmtPoint(p), "a vertex is out of place: " + err.Error()}
				}
				if s != sys {
					return f, &featureReject{"geometry", fmtPoint(p), fmt.Sprintf("a vertex looks like %s, unlike the rest of the geometry (%s)", describeSystem(s), describeSystem(sys))}
				}
			}
		}
	}
	if sys == bng.WGS84 {
		f.grid = transformMP(mp, bng.ToGrid)
	} else {
		f.grid = mp
	}
	f.bound = f.grid.Bound()
	f.areaHa = planar.Area(f.grid) / 10_000
	return f, nil
}

func describeSystem(s bng.System) string {
	switch s {
	case bng.WGS84:
		return "WGS84 longitude/latitude"
	case bng.Grid:
		return "British National Grid easting/northing"
	}
	return "an unknown system"
}

var crsEPSG = regexp.MustCompile(`EPSG:(?:[\d.]*:)?(\d+)$`)

// parseCRS reads the legacy GeoJSON "crs" member: {"type":"name","properties":{"name":...}} or
// {"type":"EPSG","properties":{"code":27700}}. Absent: Unknown, no error.
func parseCRS(raw json.RawMessage) (bng.System, string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return bng.Unknown, "", nil
	}
	var c struct {
		Properties struct {
			Name string          `json:"name"`
			Code json.RawMessage `json:"code"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return bng.Unknown, "", fmt.Errorf("cannot read the crs member %s: %v", truncate(string(raw), 100), err)
	}
	name := c.Properties.Name
	if name == "" && len(c.Properties.Code) > 0 {
		name = "EPSG:" + strings.Trim(string(c.Properties.Code), `"`)
	}
	u := strings.ToUpper(strings.TrimSpace(name))
	code := ""
	if m := crsEPSG.FindStringSubmatch(u); m != nil {
		code = m[1]
	}
	switch {
	case strings.HasSuffix(u, "CRS84") || code == "4326":
		return bng.WGS84, name, nil
	case code == "27700":
		return bng.Grid, name, nil
	}
	return bng.Unknown, name, fmt.Errorf("the crs member names %q, which hubreach does not read (expected CRS84 or EPSG:4326 longitude/latitude, or EPSG:27700 British National Grid)", name)
}

func propString(p geojson.Properties, key string) string {
	if key == "" {
		return ""
	}
	switch v := p[key].(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return strings.TrimSpace(fmt.Sprint(v))
	}
}

func sortedKeys(p geojson.Properties) []string {
	out := make([]string, 0, len(p))
	for k := range p {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func matching(keys []string, re *regexp.Regexp) []string {
	var out []string
	for _, k := range keys {
		if re.MatchString(NormHeader(k)) {
			out = append(out, k)
		}
	}
	return out
}

// pickProperty resolves a configured property name (case and punctuation ignored) against the
// properties present; an empty name resolves to "" (the caller detects).
func pickProperty(path, setting, want string, keys []string) (string, error) {
	if want == "" {
		return "", nil
	}
	for _, k := range keys {
		if k == want {
			return k, nil
		}
	}
	for _, k := range keys {
		if NormHeader(k) == NormHeader(want) {
			return k, nil
		}
	}
	return "", fmt.Errorf("%s: property %q (%s) is not in the features; they have: %s", path, want, setting, strings.Join(keys, ", "))
}

// pickCodeProperty finds the code property: the configured one, or the only property whose
// name reads as a code of this kind (when several do, the one whose values look like codes).
func pickCodeProperty(path string, kind *boundaryKind, want string, keys []string, features []json.RawMessage) (string, error) {
	if want != "" {
		return pickProperty(path, "code_property", want, keys)
	}
	cands := matching(keys, kind.codeProp)
	if len(cands) == 0 {
		return "", fmt.Errorf("%s: no %s code property found (looked for names like %s; set code_property); the features have: %s",
			path, kind.noun, kind.codeExamples, strings.Join(keys, ", "))
	}
	if len(cands) == 1 {
		return cands[0], nil
	}
	// Several: keep those whose values in the first features look like codes.
	good := map[string]int{}
	for i := 0; i < len(features) && i < 50; i++ {
		f, err := geojson.UnmarshalFeature(features[i])
		if err != nil {
			continue
		}
		for _, c := range cands {
			if kind.codeRE.MatchString(strings.ToUpper(propString(f.Properties, c))) {
				good[c]++
			}
		}
	}
	var best []string
	for _, c := range cands {
		if good[c] > 0 {
			best = append(best, c)
		}
	}
	if len(best) == 1 {
		return best[0], nil
	}
	return "", fmt.Errorf("%s: several properties could be the %s code (%s); set code_property to the one to use", path, kind.noun, strings.Join(cands, ", "))
}

// preferSameYear picks, among name properties, the one with the code property's year digits
// (LSOA11NM for LSOA11CD), else the first.
func preferSameYear(cands []string, codeProp string) string {
	if len(cands) == 0 {
		return ""
	}
	y := yearDigitsRE.FindString(codeProp)
	for _, c := range cands {
		if yearDigitsRE.FindString(c) == y {
			return c
		}
	}
	return cands[0]
}

// preferLA picks the local authority property: LADCD_ACTIVE (the current LA, as drkane's files
// have it) first, then the one with the latest year (LAD25CD before LAD11CD), then the first.
func preferLA(cands []string) string {
	best, bestYear := "", -1
	for _, c := range cands {
		n := NormHeader(c)
		if n == "ladcd active" {
			return c
		}
		y := 0
		if d := yearDigitsRE.FindString(n); d != "" {
			y, _ = strconv.Atoi(d)
			if y < 100 {
				y += 2000
			}
		}
		if y > bestYear {
			best, bestYear = c, y
		}
	}
	return best
}

// readBoundaryFiles reads every file and rejects codes seen before (in this file or an earlier one).
func readBoundaryFiles(kind *boundaryKind, spec BoundarySpec) ([]*boundaryFile, error) {
	if len(spec.Files) == 0 {
		return nil, fmt.Errorf("%s boundaries: no files given", kind.noun)
	}
	var files []*boundaryFile
	seen := map[string]*bFeature{}
	for _, p := range spec.Files {
		bf, err := readBoundaryFile(p, kind, spec)
		if err != nil {
			return nil, err
		}
		for _, f := range bf.feats {
			if f.status == "rejected" {
				continue
			}
			if first, ok := seen[f.code]; ok {
				where := fmt.Sprintf("%s feature %d", first.file, first.index)
				if first.file == f.file {
					where = fmt.Sprintf("feature %d of this file", first.index)
				}
				f.status, f.grid = "rejected", nil
				bf.rep.Loaded--
				bf.rep.Reject(int64(f.index), bf.codeProp, f.code, fmt.Sprintf("duplicate %s code: already read from %s", kind.noun, where))
				continue
			}
			seen[f.code] = f
		}
		files = append(files, bf)
	}
	return files, nil
}

func validFeatures(files []*boundaryFile) []*bFeature {
	var out []*bFeature
	for _, bf := range files {
		for _, f := range bf.feats {
			if f.status != "rejected" {
				out = append(out, f)
			}
		}
	}
	return out
}

// assignRoles sets status to area, buffer or outside. inArea decides membership of the area;
// the buffer is every other feature within BufferM of an area feature.
func assignRoles(feats []*bFeature, filter AreaFilter, inArea func(*bFeature) bool) {
	var area []*bFeature
	var all orb.Bound
	for _, f := range feats {
		if inArea(f) {
			f.status = "area"
			if len(area) == 0 {
				all = f.bound
			} else {
				all = all.Union(f.bound)
			}
			area = append(area, f)
		} else {
			f.status = "outside"
		}
	}
	if filter.BufferM <= 0 || len(area) == 0 {
		return
	}
	d := filter.BufferM
	reach := all.Pad(d)
	var wg sync.WaitGroup
	next := make(chan *bFeature, 64)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range next {
				for _, a := range area {
					if a.bound.Pad(d).Intersects(f.bound) && WithinDistance(f.grid, a.grid, d) {
						f.status = "buffer"
						break
					}
				}
			}
		}()
	}
	for _, f := range feats {
		if f.status == "outside" && reach.Intersects(f.bound) {
			next <- f
		}
	}
	close(next)
	wg.Wait()
}

// countRoles fills each file report's InArea/InBuffer/OutsideArea.
func countRoles(files []*boundaryFile, kind *boundaryKind, filter AreaFilter) {
	for _, bf := range files {
		bf.rep.InArea, bf.rep.InBuffer, bf.rep.OutsideArea = 0, 0, 0
		for _, f := range bf.feats {
			switch f.status {
			case "area":
				bf.rep.InArea++
			case "buffer":
				bf.rep.InBuffer++
			case "outside":
				bf.rep.OutsideArea++
			}
		}
		if bf.rep.OutsideArea > 0 {
			bf.rep.Note("%d %ss outside the area (%s) and its %g m buffer are kept in raw.%s only, not in %s",
				bf.rep.OutsideArea, kind.noun, strings.Join(filter.Codes, ", "), math.Max(filter.BufferM, 0), kind.rawTable, kind.coreTable)
		}
	}
}

// laFromIoD returns lsoa_code → lad_code from core.iod (latest edition), or nil when the table
// does not exist.
func laFromIoD(ctx context.Context, db *store.DB) (map[string]string, error) {
	ok, err := db.TableExists(ctx, "core", "iod")
	if err != nil || !ok {
		return nil, err
	}
	rows, err := db.Query(ctx, `SELECT lsoa_code, arg_max(lad_code, edition) FROM core.iod WHERE lad_code IS NOT NULL GROUP BY lsoa_code`)
	if err != nil {
		return nil, fmt.Errorf("read LA codes from core.iod: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var c, la string
		if err := rows.Scan(&c, &la); err != nil {
			return nil, fmt.Errorf("read LA codes from core.iod: %w", err)
		}
		out[c] = la
	}
	return out, rows.Err()
}

func listLAs(feats []*bFeature) string {
	set := map[string]bool{}
	for _, f := range feats {
		if f.la != "" {
			set[f.la] = true
		}
	}
	var las []string
	for la := range set {
		las = append(las, la)
	}
	sort.Strings(las)
	if len(las) > 20 {
		return strings.Join(las[:20], ", ") + fmt.Sprintf(" and %d more", len(las)-20)
	}
	if len(las) == 0 {
		return "none"
	}
	return strings.Join(las, ", ")
}

func fileList(files []string) string { return strings.Join(files, ", ") }

// noValidError says that every feature was rejected, with the first reasons.
func noValidError(kind *boundaryKind, paths []string, files []*boundaryFile) error {
	var first []string
	n := 0
	for _, bf := range files {
		n += int(bf.rep.Read)
		for _, r := range bf.rep.Rejects {
			if len(first) < 3 {
				first = append(first, r.Error())
			}
		}
	}
	return fmt.Errorf("%s: no valid %s boundaries: all %d features were rejected (first: %s)", fileList(paths), kind.noun, n, strings.Join(first, "; "))
}

// LoadLSOABoundaries reads LSOA boundary files into core.lsoa (area and buffer LSOAs, BNG
// geometry, demand point) and raw.lsoa_boundary (every feature and what became of it), and
// saves one report per file (plus one for the centroids file) to raw.load_report/raw.rejects.
// The LA of an LSOA comes from the feature's LA property or, when the files have none, from
// core.iod. The demand point is the population-weighted centroid when spec.Centroids is given
// and the centroid lies within CentroidToleranceM of the polygon, otherwise InteriorPoint.
func LoadLSOABoundaries(ctx context.Context, db *store.DB, spec BoundarySpec) ([]*Report, error) {
	files, err := readBoundaryFiles(lsoaKind, spec)
	if err != nil {
		return nil, err
	}
	feats := validFeatures(files)
	var reports []*Report
	for _, bf := range files {
		reports = append(reports, bf.rep)
	}

	// LA of each LSOA.
	if spec.Filter.Active() {
		missing := 0
		for _, f := range feats {
			if f.la == "" {
				missing++
			}
		}
		if missing > 0 {
			iod, err := laFromIoD(ctx, db)
			if err != nil {
				return nil, err
			}
			filled := 0
			for _, f := range feats {
				if f.la == "" && iod[f.code] != "" {
					f.la = iod[f.code]
					filled++
				}
			}
			if filled == 0 && missing == len(feats) {
				why := "core.iod is not loaded"
				if iod != nil {
					why = "core.iod has none of their codes"
				}
				return nil, fmt.Errorf("%s: cannot tell which LSOAs are in the area: the features have no local authority property (looked for LADCD_ACTIVE, LAD24CD, LAD11CD, \"LA code\"; set la_property) and %s; load the IoD file first", fileList(spec.Files), why)
			}
			for _, bf := range files {
				n, m := 0, 0
				for _, f := range bf.feats {
					if f.status == "rejected" {
						continue
					}
					if bf.laProp == "" && f.la != "" {
						n++
					}
					if f.la == "" {
						m++
					}
				}
				if n > 0 {
					bf.rep.Note("LA codes of %d LSOAs taken from core.iod (the file has no LA property)", n)
				}
				if m > 0 {
					bf.rep.Note("%d LSOAs have no LA code (no LA property, not in core.iod): they can only be buffer or outside", m)
				}
			}
		}
	}
	assignRoles(feats, spec.Filter, func(f *bFeature) bool { return spec.Filter.Contains(f.la) })
	countRoles(files, lsoaKind, spec.Filter)
	nArea := 0
	for _, f := range feats {
		if f.status == "area" {
			nArea++
		}
	}
	if len(feats) == 0 {
		return nil, noValidError(lsoaKind, spec.Files, files)
	}
	if nArea == 0 {
		return nil, fmt.Errorf("%s: none of the %d valid LSOAs belongs to the area's local authorities %s (the files have LSOAs of: %s)",
			fileList(spec.Files), len(feats), strings.Join(spec.Filter.Codes, ", "), listLAs(feats))
	}

	// Demand points.
	var kept []*bFeature
	for _, f := range feats {
		if f.status == "area" || f.status == "buffer" {
			kept = append(kept, f)
		}
	}
	var cents map[string]Centroid
	if spec.Centroids != "" {
		var crep *Report
		cents, crep, err = LoadCentroids(spec.Centroids)
		if err != nil {
			return nil, err
		}
		reports = append(reports, crep)
	}
	tol := spec.CentroidToleranceM
	if tol <= 0 {
		tol = DefaultCentroidToleranceM
	}
	setDemandPoints(kept, cents, tol, spec.Centroids != "", files)

	// Write.
	err = db.InTx(ctx, func() error {
		if _, err := db.Exec(ctx, queries.MustSQL("core.lsoa")); err != nil {
			return fmt.Errorf("create core.lsoa: %w", err)
		}
		if err := writeRawBoundaries(ctx, db, lsoaKind, files); err != nil {
			return err
		}
		err := db.Append(ctx, "core", "lsoa", func(a *duckdb.Appender) error {
			for _, f := range kept {
				if err := a.AppendRow(f.code, nullStr(f.name), nullStr(f.la), f.status, EncodeWKB(f.grid),
					f.bound.Min[0], f.bound.Min[1], f.bound.Max[0], f.bound.Max[1], f.areaHa,
					f.demand[0], f.demand[1], f.demandBy, nil, nil, f.file, int32(f.index)); err != nil {
					return fmt.Errorf("core.lsoa %s: %w", f.code, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if cents != nil {
			matchCentroidReport(reports[len(reports)-1], kept, cents)
		}
		for _, r := range reports {
			if err := SaveReport(ctx, db, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return reports, nil
}

// matchCentroidReport counts, in the centroid file's report, the rows used for area and
// buffer LSOAs and the rows not needed.
func matchCentroidReport(crep *Report, kept []*bFeature, cents map[string]Centroid) {
	crep.InArea, crep.InBuffer = 0, 0
	for _, f := range kept {
		if _, ok := cents[f.code]; ok {
			if f.status == "area" {
				crep.InArea++
			} else {
				crep.InBuffer++
			}
		}
	}
	crep.OutsideArea = crep.Loaded - crep.InArea - crep.InBuffer
}

// setDemandPoints gives every kept LSOA its demand point and notes centroids that were missing
// or too far outside their polygon.
func setDemandPoints(kept []*bFeature, cents map[string]Centroid, tol float64, haveFile bool, files []*boundaryFile) {
	type far struct {
		f *bFeature
		d float64
	}
	var missing []*bFeature
	var outside []far
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := make(chan *bFeature, 64)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range next {
				if c, ok := cents[f.code]; ok {
					pt := orb.Point{c.X, c.Y}
					d := 0.0
					if !planar.MultiPolygonContains(f.grid, pt) {
						d = planar.DistanceFrom(f.grid, pt)
					}
					if d <= tol {
						f.demand, f.demandBy = pt, DemandPWC
						if d > 0 {
							mu.Lock()
							outside = append(outside, far{f, d})
							mu.Unlock()
						}
						continue
					}
					mu.Lock()
					outside = append(outside, far{f, d})
					mu.Unlock()
				} else if haveFile {
					mu.Lock()
					missing = append(missing, f)
					mu.Unlock()
				}
				p, ok := InteriorPoint(f.grid)
				if !ok { // cannot happen for a geometry that passed cleanGeometry
					p = f.bound.Center()
				}
				f.demand, f.demandBy = p, DemandInterior
			}
		}()
	}
	for _, f := range kept {
		next <- f
	}
	close(next)
	wg.Wait()
	sort.Slice(outside, func(i, j int) bool { return outside[i].f.code < outside[j].f.code })
	sort.Slice(missing, func(i, j int) bool { return missing[i].code < missing[j].code })
	for _, o := range outside {
		if o.d <= tol {
			o.f.rep.Note("population-weighted centroid of %s is %.1f m outside its polygon (within the %g m tolerance): used", o.f.code, o.d, tol)
		} else {
			o.f.rep.Note("population-weighted centroid of %s is %.0f m outside its polygon (more than %g m): an interior point is used instead", o.f.code, o.d, tol)
		}
	}
	for _, bf := range files {
		var codes []string
		for _, f := range missing {
			if f.rep == bf.rep {
				codes = append(codes, f.code)
			}
		}
		if len(codes) > 0 {
			bf.rep.Note("%d LSOAs have no usable row in the centroids file (%s): an interior point is used", len(codes), firstN(codes, 10))
		}
	}
}

func firstN(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:n], ", ") + fmt.Sprintf(" and %d more", len(s)-n)
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// writeRawBoundaries (re)creates raw.<kind.rawTable> with every feature of every file.
func writeRawBoundaries(ctx context.Context, db *store.DB, kind *boundaryKind, files []*boundaryFile) error {
	if _, err := db.Exec(ctx, queries.MustSQL("raw."+kind.rawTable)); err != nil {
		return fmt.Errorf("create raw.%s: %w", kind.rawTable, err)
	}
	return db.Append(ctx, "raw", kind.rawTable, func(a *duckdb.Appender) error {
		for _, bf := range files {
			for _, f := range bf.feats {
				var geom any
				if f.grid != nil {
					geom = EncodeWKB(f.grid)
				}
				if err := a.AppendRow(f.file, int32(f.index), nullStr(f.code), nullStr(f.name), nullStr(f.la), f.status,
					nullStr(f.geomType), geom, nullStr(f.props)); err != nil {
					return fmt.Errorf("raw.%s: %w", kind.rawTable, err)
				}
			}
		}
		return nil
	})
}

// Centroid is one row of a centroids file: a demand point in BNG metres.
type Centroid struct {
	X, Y float64
	From string // "easting/northing", "lon/lat" or "x/y"
	Line int64
}

// centroidAgreeM is how far apart a row's easting/northing and lon/lat may be (the same point
// through two Helmert implementations agrees to well under a metre; OSTN15 to a few metres).
const centroidAgreeM = 50.0

// LoadCentroids reads a CSV of LSOA centroids (e.g. the ONS population-weighted centroids:
// lsoa11cd,lsoa11nm,lon,lat,easting,northing). Columns are found by meaning: an LSOA code
// column; easting/northing, preferred when present (and then checked against lon/lat when those
// are present too); else lon/lat; else x/y, classified per row as lon/lat or easting/northing.
// Rows with a malformed or repeated code, a missing or non-numeric coordinate, coordinates
// outside England or swapped, are rejected.
func LoadCentroids(path string) (map[string]Centroid, *Report, error) {
	c, err := OpenCSV(path)
	if err != nil {
		return nil, nil, err
	}
	defer c.Close()
	rep := NewReport("lsoa_centroids", path)
	if rep.SHA256, err = FileSHA256(path); err != nil {
		return nil, nil, err
	}
	cols := NewColumns(c.Header)
	code := -1
	for i, h := range c.Header {
		if lsoaKind.codeProp.MatchString(NormHeader(h)) {
			code = i
			break
		}
	}
	if code < 0 {
		code = cols.Find("code")
	}
	if code < 0 {
		return nil, nil, MissingColumnError(path, "LSOA code", []string{"lsoa11cd", "lsoa21cd", "LSOA code", "lsoa_code", "code"}, c.Header)
	}
	ei, ni := cols.Find("easting", "bng e", "bng easting", "oseast1m", "east"), cols.Find("northing", "bng n", "bng northing", "osnrth1m", "north")
	loi, lai := cols.Find("lon", "long", "longitude", "lng"), cols.Find("lat", "latitude")
	xi, yi := cols.Find("x"), cols.Find("y")
	haveEN, haveLL, haveXY := ei >= 0 && ni >= 0, loi >= 0 && lai >= 0, xi >= 0 && yi >= 0
	if !haveEN && !haveLL && !haveXY {
		return nil, nil, MissingColumnError(path, "easting/northing or lon/lat", []string{"easting", "northing", "lon", "lat", "x", "y"}, c.Header)
	}
	out := map[string]Centroid{}
	firstLine := map[string]int64{}
	num := func(rec []string, i int) (float64, string, bool) {
		if i >= len(rec) {
			return 0, "", false
		}
		s := strings.TrimSpace(rec[i])
		v, err := strconv.ParseFloat(s, 64)
		return v, s, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
	}
	for {
		rec, line, err := c.Next()
		if err == io.EOF {
			break
		}
		rep.Read++
		var re *RowError
		if errors.As(err, &re) {
			rep.Reject(line, "", "", "cannot split the line into fields: "+re.Err.Error())
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		cd := ""
		if code < len(rec) {
			cd = strings.ToUpper(strings.TrimSpace(rec[code]))
		}
		if !lookupLSOARE.MatchString(cd) {
			rep.Reject(line, cols.Name(code), cd, "malformed LSOA code: expected E01 (or W01) followed by 6 digits, e.g. E01007657")
			continue
		}
		if l, ok := firstLine[cd]; ok {
			rep.Reject(line, cols.Name(code), cd, fmt.Sprintf("duplicate LSOA code: already on line %d", l))
			continue
		}
		var pt Centroid
		bad := func(col int, val, why string) { rep.Reject(line, cols.Name(col), val, why) }
		switch {
		case haveEN && ei < len(rec) && strings.TrimSpace(rec[ei]) != "":
			e, es, ok1 := num(rec, ei)
			n, ns, ok2 := num(rec, ni)
			if !ok1 {
				bad(ei, es, "easting is not a number")
				continue
			}
			if !ok2 {
				bad(ni, ns, "northing is not a number")
				continue
			}
			sys, cerr := bng.Classify(e, n)
			if cerr != nil || sys != bng.Grid {
				why := "easting/northing look like longitude/latitude"
				if cerr != nil {
					why = cerr.Error()
				}
				bad(ei, es+", "+ns, why)
				continue
			}
			pt = Centroid{X: e, Y: n, From: "easting/northing", Line: line}
			if haveLL {
				if lo, _, ok1 := num(rec, loi); ok1 {
					if la, _, ok2 := num(rec, lai); ok2 && bng.InEnglandLonLat(lo, la) {
						x, y := bng.ToGrid(lo, la)
						if d := math.Hypot(x-e, y-n); d > centroidAgreeM {
							bad(ei, fmt.Sprintf("%s, %s", es, ns), fmt.Sprintf("easting/northing and lon/lat (%s, %s) are %.0f m apart; expected the same point", strings.TrimSpace(rec[loi]), strings.TrimSpace(rec[lai]), d))
							continue
						}
					}
				}
			}
		case haveLL || haveXY:
			xc, yc, from := loi, lai, "lon/lat"
			if !haveLL {
				xc, yc, from = xi, yi, "x/y"
			}
			x, xs, ok1 := num(rec, xc)
			y, ys, ok2 := num(rec, yc)
			if !ok1 {
				bad(xc, xs, "coordinate is not a number")
				continue
			}
			if !ok2 {
				bad(yc, ys, "coordinate is not a number")
				continue
			}
			sys, cerr := bng.Classify(x, y)
			switch {
			case cerr != nil:
				bad(xc, xs+", "+ys, cerr.Error())
				continue
			case sys == bng.WGS84:
				e, n := bng.ToGrid(x, y)
				pt = Centroid{X: e, Y: n, From: from, Line: line}
			case from == "lon/lat":
				bad(xc, xs+", "+ys, "lon/lat look like British National Grid easting/northing")
				continue
			default:
				pt = Centroid{X: x, Y: y, From: "easting/northing", Line: line}
			}
		default:
			bad(ei, "", "easting and northing are empty")
			continue
		}
		out[cd] = pt
		firstLine[cd] = line
		rep.Loaded++
	}
	return out, rep, nil
}

// LoadWards reads ward boundary files into core.ward and raw.ward_boundary, with the same
// checks as LoadLSOABoundaries. A ward is in the area when its LA property (LADCD_ACTIVE,
// LAD25CD …) is one of the filter's codes or, when the files have no LA property, when it holds
// the demand point of at least one area LSOA in core.lsoa. Other wards within BufferM of an
// area ward are 'buffer'.
func LoadWards(ctx context.Context, db *store.DB, spec BoundarySpec) ([]*Report, error) {
	files, err := readBoundaryFiles(wardKind, spec)
	if err != nil {
		return nil, err
	}
	feats := validFeatures(files)
	var reports []*Report
	for _, bf := range files {
		reports = append(reports, bf.rep)
	}
	inArea := func(f *bFeature) bool { return spec.Filter.Contains(f.la) }
	if spec.Filter.Active() {
		noLA := 0
		for _, f := range feats {
			if f.la == "" {
				noLA++
			}
		}
		if noLA > 0 {
			pts, err := areaDemandPoints(ctx, db)
			if err != nil {
				return nil, err
			}
			if pts == nil && noLA == len(feats) {
				return nil, fmt.Errorf("%s: cannot tell which wards are in the area: the features have no local authority property (looked for LADCD_ACTIVE, LAD25CD, \"LA code\"; set la_property) and core.lsoa is not loaded; load the LSOA boundaries first", fileList(spec.Files))
			}
			holds := map[*bFeature]bool{}
			for _, f := range feats {
				if f.la != "" {
					continue
				}
				for _, p := range pts {
					if f.bound.Contains(p) && planar.MultiPolygonContains(f.grid, p) {
						holds[f] = true
						break
					}
				}
			}
			for _, bf := range files {
				n := 0
				for _, f := range bf.feats {
					if holds[f] {
						n++
					}
				}
				if n > 0 {
					bf.rep.Note("%d wards without an LA code are in the area because they hold the demand point of an area LSOA", n)
				}
			}
			inArea = func(f *bFeature) bool {
				if f.la != "" {
					return spec.Filter.Contains(f.la)
				}
				return holds[f]
			}
		}
	}
	assignRoles(feats, spec.Filter, inArea)
	countRoles(files, wardKind, spec.Filter)
	var kept []*bFeature
	for _, f := range feats {
		if f.status == "area" || f.status == "buffer" {
			kept = append(kept, f)
		}
	}
	if len(feats) == 0 {
		return nil, noValidError(wardKind, spec.Files, files)
	}
	if !anyArea(kept) {
		return nil, fmt.Errorf("%s: none of the %d valid wards belongs to the area's local authorities %s (the files have wards of: %s)",
			fileList(spec.Files), len(feats), strings.Join(spec.Filter.Codes, ", "), listLAs(feats))
	}
	err = db.InTx(ctx, func() error {
		if _, err := db.Exec(ctx, queries.MustSQL("core.ward")); err != nil {
			return fmt.Errorf("create core.ward: %w", err)
		}
		if err := writeRawBoundaries(ctx, db, wardKind, files); err != nil {
			return err
		}
		err := db.Append(ctx, "core", "ward", func(a *duckdb.Appender) error {
			for _, f := range kept {
				if err := a.AppendRow(f.code, nullStr(f.name), nullStr(f.la), f.status, EncodeWKB(f.grid),
					f.bound.Min[0], f.bound.Min[1], f.bound.Max[0], f.bound.Max[1], f.areaHa, f.file, int32(f.index)); err != nil {
					return fmt.Errorf("core.ward %s: %w", f.code, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range reports {
			if err := SaveReport(ctx, db, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return reports, nil
}

func anyArea(fs []*bFeature) bool {
	for _, f := range fs {
		if f.status == "area" {
			return true
		}
	}
	return false
}

// areaDemandPoints returns the demand points of the area LSOAs in core.lsoa, or nil when the
// table does not exist.
func areaDemandPoints(ctx context.Context, db *store.DB) ([]orb.Point, error) {
	ok, err := db.TableExists(ctx, "core", "lsoa")
	if err != nil || !ok {
		return nil, err
	}
	rows, err := db.Query(ctx, `SELECT demand_x, demand_y FROM core.lsoa WHERE area_role = 'area'`)
	if err != nil {
		return nil, fmt.Errorf("read core.lsoa demand points: %w", err)
	}
	defer rows.Close()
	pts := []orb.Point{}
	for rows.Next() {
		var p orb.Point
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		pts = append(pts, p)
	}
	return pts, rows.Err()
}

// wardShape is a loaded ward, for point-in-polygon.
type wardShape struct {
	code  string
	geom  orb.MultiPolygon
	bound orb.Bound
}

type lsoaPoint struct {
	code, role string
	pt         orb.Point
}

type lookupRow struct {
	ward string
	line int64
}

// AssignWards sets core.lsoa.ward_code and ward_source for every LSOA. Without a lookup file
// (lookupPath "") it uses the best fit: the ward of core.ward containing the LSOA's demand point
// (a point on the boundary of two wards goes to the ward it lies deepest in, then the lower
// code, and is noted). With a lookup CSV (e.g. ONS lsoa21_ward24_ltla24.csv; the LSOA code and
// ward code columns are found by their names, and when several could be the LSOA or ward
// column, the one whose codes match core.lsoa or core.ward most) the lookup decides, except
// that an LSOA missing from the lookup, or whose lookup ward is not among the loaded wards, is
// reported and falls back to the best fit. It returns the assignment report, preceded by the
// lookup file's report when there is one. The assignment report counts LSOAs: read = LSOAs in
// core.lsoa; rejected = area LSOAs left without a ward, each with the reason; loaded = the
// rest, of which InArea/InBuffer were given a ward and OutsideArea are buffer LSOAs beyond the
// loaded wards, left without one (noted: expected when only the area's ward file is loaded).
func AssignWards(ctx context.Context, db *store.DB, lookupPath string) ([]*Report, error) {
	ok, err := db.TableExists(ctx, "core", "lsoa")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("assign wards: core.lsoa is not loaded; load the LSOA boundaries first")
	}
	var lsoas []lsoaPoint
	rows, err := db.Query(ctx, `SELECT lsoa_code, area_role, demand_x, demand_y FROM core.lsoa ORDER BY lsoa_code`)
	if err != nil {
		return nil, fmt.Errorf("assign wards: read core.lsoa: %w", err)
	}
	for rows.Next() {
		var l lsoaPoint
		if err := rows.Scan(&l.code, &l.role, &l.pt[0], &l.pt[1]); err != nil {
			rows.Close()
			return nil, fmt.Errorf("assign wards: read core.lsoa: %w", err)
		}
		lsoas = append(lsoas, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	wards, err := readWardShapes(ctx, db)
	if err != nil {
		return nil, err
	}
	if lookupPath == "" && len(wards) == 0 {
		return nil, errors.New("assign wards: no lookup file given and core.ward is empty or not loaded; load the ward boundaries or give an LSOA-to-ward lookup")
	}
	wardSet := map[string]bool{}
	for _, w := range wards {
		wardSet[w.code] = true
	}

	var reports []*Report
	var lookup map[string]lookupRow
	var lrep *Report
	var lookupRows []lookupEntry
	if lookupPath != "" {
		lsoaSet := map[string]bool{}
		for _, l := range lsoas {
			lsoaSet[l.code] = true
		}
		lookup, lookupRows, lrep, err = readWardLookup(lookupPath, lsoaSet, wardSet)
		if err != nil {
			return nil, err
		}
		reports = append(reports, lrep)
		lrep.InArea, lrep.InBuffer = 0, 0
		for _, l := range lsoas {
			if _, ok := lookup[l.code]; ok {
				if l.role == "area" {
					lrep.InArea++
				} else {
					lrep.InBuffer++
				}
			}
		}
		lrep.OutsideArea = lrep.Loaded - lrep.InArea - lrep.InBuffer
		if lrep.OutsideArea > 0 {
			lrep.Note("%d rows are for LSOAs not in core.lsoa: kept in raw.lsoa_ward_lookup only", lrep.OutsideArea)
		}
	}
	arepFile := lookupPath
	if arepFile == "" {
		arepFile = "core.ward (best fit)"
	}
	arep := NewReport("lsoa_ward", arepFile)
	arep.Read = int64(len(lsoas))
	arep.InArea, arep.InBuffer, arep.OutsideArea = 0, 0, 0

	type assignment struct{ lsoa, ward, source string }
	var out []assignment
	var notInLookup, notLoaded, bufferNone []string
	unassigned := func(l lsoaPoint, why string) {
		if l.role == "area" {
			arep.Reject(0, "lsoa_code", l.code, "area LSOA left without a ward: "+why)
			return
		}
		arep.Loaded++
		bufferNone = append(bufferNone, l.code)
	}
	for _, l := range lsoas {
		if lookup != nil {
			if r, ok := lookup[l.code]; ok {
				if len(wards) == 0 || wardSet[r.ward] {
					out = append(out, assignment{l.code, r.ward, WardByLookup})
					continue
				}
				notLoaded = append(notLoaded, fmt.Sprintf("%s→%s", l.code, r.ward))
			} else {
				notInLookup = append(notInLookup, l.code)
			}
			if len(wards) == 0 {
				unassigned(l, "not in the lookup, and no ward boundaries are loaded for a best fit")
				continue
			}
		}
		w, tie, nearest, dist := bestFitWard(wards, l.pt)
		if w == "" {
			unassigned(l, fmt.Sprintf("its demand point %s lies in none of the loaded wards (nearest: %s, %.0f m away)",
				fmtPoint(orb.Point{math.Round(l.pt[0]*10) / 10, math.Round(l.pt[1]*10) / 10}), nearest, dist))
			continue
		}
		if len(tie) > 1 {
			arep.Note("demand point of %s lies on the boundary of wards %s: assigned to %s", l.code, strings.Join(tie, " and "), w)
		}
		out = append(out, assignment{l.code, w, WardByBestFit})
	}
	if len(notInLookup) > 0 {
		arep.Note("%d LSOAs are not in the lookup (%s): best fit used", len(notInLookup), firstN(notInLookup, 10))
	}
	if len(notLoaded) > 0 {
		arep.Note("%d LSOAs have a lookup ward that is not among the loaded wards (%s; lookup and boundaries may be from different years): best fit used", len(notLoaded), firstN(notLoaded, 10))
	}
	if len(bufferNone) > 0 {
		arep.Note("%d buffer LSOAs lie outside the loaded wards and have no ward (%s); load the neighbouring authorities' ward files to assign them", len(bufferNone), firstN(bufferNone, 10))
	}
	roles := map[string]string{}
	for _, l := range lsoas {
		roles[l.code] = l.role
	}
	for _, a := range out {
		arep.Loaded++
		if roles[a.lsoa] == "area" {
			arep.InArea++
		} else {
			arep.InBuffer++
		}
	}
	arep.OutsideArea = int64(len(bufferNone))
	reports = append(reports, arep)

	err = db.InTx(ctx, func() error {
		if lookupPath != "" {
			if _, err := db.Exec(ctx, queries.MustSQL("raw.lsoa_ward_lookup")); err != nil {
				return fmt.Errorf("create raw.lsoa_ward_lookup: %w", err)
			}
			err := db.Append(ctx, "raw", "lsoa_ward_lookup", func(a *duckdb.Appender) error {
				for _, r := range lookupRows {
					if err := a.AppendRow(lookupPath, r.line, r.lsoa, r.ward); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if _, err := db.Exec(ctx, queries.MustSQL("raw.lsoa_ward_staging")); err != nil {
			return err
		}
		err := db.Append(ctx, "raw", "lsoa_ward_staging", func(a *duckdb.Appender) error {
			for _, x := range out {
				if err := a.AppendRow(x.lsoa, x.ward, x.source); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, q := range []string{
			`UPDATE core.lsoa SET ward_code = NULL, ward_source = NULL`,
			`UPDATE core.lsoa SET ward_code = s.ward_code, ward_source = s.ward_source FROM raw.lsoa_ward_staging s WHERE core.lsoa.lsoa_code = s.lsoa_code`,
			`DROP TABLE raw.lsoa_ward_staging`,
		} {
			if _, err := db.Exec(ctx, q); err != nil {
				return fmt.Errorf("assign wards: %w", err)
			}
		}
		for _, r := range reports {
			if err := SaveReport(ctx, db, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return reports, nil
}

// readWardShapes reads core.ward's geometry, or nothing when the table does not exist.
func readWardShapes(ctx context.Context, db *store.DB) ([]wardShape, error) {
	ok, err := db.TableExists(ctx, "core", "ward")
	if err != nil || !ok {
		return nil, err
	}
	rows, err := db.Query(ctx, `SELECT ward_code, geom FROM core.ward ORDER BY ward_code`)
	if err != nil {
		return nil, fmt.Errorf("read core.ward: %w", err)
	}
	defer rows.Close()
	var out []wardShape
	for rows.Next() {
		var w wardShape
		var b []byte
		if err := rows.Scan(&w.code, &b); err != nil {
			return nil, fmt.Errorf("read core.ward: %w", err)
		}
		if w.geom, err = DecodeWKB(b); err != nil {
			return nil, fmt.Errorf("core.ward %s: %w", w.code, err)
		}
		w.bound = w.geom.Bound()
		out = append(out, w)
	}
	return out, rows.Err()
}

// bestFitWard returns the ward containing p (ties: all containing wards, the chosen one being
// the one p lies deepest in, then the lowest code); when none contains it, the nearest ward
// and its distance.
func bestFitWard(wards []wardShape, p orb.Point) (ward string, tie []string, nearest string, dist float64) {
	bestDepth := -1.0
	for _, w := range wards {
		if !w.bound.Contains(p) || !planar.MultiPolygonContains(w.geom, p) {
			continue
		}
		tie = append(tie, w.code)
		if d := planar.DistanceFrom(w.geom, p); d > bestDepth {
			ward, bestDepth = w.code, d
		}
	}
	if ward != "" {
		return ward, tie, "", 0
	}
	dist = math.Inf(1)
	for _, w := range wards {
		if d := planar.DistanceFrom(w.geom, p); d < dist {
			nearest, dist = w.code, d
		}
	}
	return "", nil, nearest, dist
}

type lookupEntry struct {
	line       int64
	lsoa, ward string
}

// readWardLookup reads an LSOA→ward lookup CSV. Columns are found by meaning: LSOA code columns
// (lsoa11_code, LSOA21CD, "LSOA code" …) and ward code columns (ward24_code, WD17CD …); when
// several could serve, the one whose values match the given codes most.
func readWardLookup(path string, lsoaSet, wardSet map[string]bool) (map[string]lookupRow, []lookupEntry, *Report, error) {
	c, err := OpenCSV(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer c.Close()
	rep := NewReport("lsoa_ward_lookup", path)
	if rep.SHA256, err = FileSHA256(path); err != nil {
		return nil, nil, nil, err
	}
	var lcols, wcols []int
	for i, h := range c.Header {
		n := NormHeader(h)
		switch {
		case lsoaKind.codeProp.MatchString(n):
			lcols = append(lcols, i)
		case wardKind.codeProp.MatchString(n):
			wcols = append(wcols, i)
		}
	}
	if len(lcols) == 0 {
		return nil, nil, nil, MissingColumnError(path, "LSOA code", []string{"lsoa21_code", "lsoa11_code", "LSOA21CD", "LSOA11CD", "LSOA code"}, c.Header)
	}
	if len(wcols) == 0 {
		return nil, nil, nil, MissingColumnError(path, "ward code", []string{"ward24_code", "ward17_code", "WD24CD", "WD17CD", "ward code"}, c.Header)
	}
	type rec struct {
		line   int64
		fields []string
		err    error
	}
	var recs []rec
	for {
		r, line, err := c.Next()
		if err == io.EOF {
			break
		}
		var re *RowError
		if err != nil && !errors.As(err, &re) {
			return nil, nil, nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		recs = append(recs, rec{line, append([]string(nil), r...), err})
	}
	pick := func(cols []int, set map[string]bool, what string) (int, error) {
		if len(cols) == 1 {
			return cols[0], nil
		}
		best, bestN := -1, 0
		for _, ci := range cols {
			n := 0
			for _, r := range recs {
				if ci < len(r.fields) && set[strings.ToUpper(strings.TrimSpace(r.fields[ci]))] {
					n++
				}
			}
			if n > bestN {
				best, bestN = ci, n
			}
		}
		if best < 0 {
			names := make([]string, len(cols))
			for i, ci := range cols {
				names[i] = fmt.Sprintf("%q", c.Header[ci])
			}
			return -1, fmt.Errorf("%s line 1: several columns could be the %s (%s) and none matches the loaded codes", path, what, strings.Join(names, ", "))
		}
		return best, nil
	}
	lc, err := pick(lcols, lsoaSet, "LSOA code")
	if err != nil {
		return nil, nil, nil, err
	}
	wc, err := pick(wcols, wardSet, "ward code")
	if err != nil {
		return nil, nil, nil, err
	}
	if len(lcols) > 1 || len(wcols) > 1 {
		rep.Note("using columns %q (LSOA) and %q (ward)", c.Header[lc], c.Header[wc])
	}
	out := map[string]lookupRow{}
	var entries []lookupEntry
	for _, r := range recs {
		rep.Read++
		if r.err != nil {
			rep.Reject(r.line, "", "", "cannot split the line into fields: "+r.err.(*RowError).Err.Error())
			continue
		}
		get := func(i int) string {
			if i < len(r.fields) {
				return strings.ToUpper(strings.TrimSpace(r.fields[i]))
			}
			return ""
		}
		l, w := get(lc), get(wc)
		switch {
		case !lookupLSOARE.MatchString(l):
			rep.Reject(r.line, c.Header[lc], l, "malformed LSOA code: expected E01 (or W01) followed by 6 digits, e.g. E01007657")
		case !lookupWardRE.MatchString(w):
			rep.Reject(r.line, c.Header[wc], w, "malformed ward code: expected E05 (or W05) followed by 6 digits, e.g. E05012993")
		default:
			if prev, ok := out[l]; ok {
				rep.Reject(r.line, c.Header[lc], l, fmt.Sprintf("duplicate LSOA code: already on line %d (ward %s)", prev.line, prev.ward))
				continue
			}
			out[l] = lookupRow{w, r.line}
			entries = append(entries, lookupEntry{r.line, l, w})
			rep.Loaded++
		}
	}
	return out, entries, rep, nil
}
