// Package demo generates hubreach's synthetic demo area, so that `make run` works on a fresh
// clone with no data at all.
//
// The area is invented: "Demoshire (synthetic)" (E06900001), a town called Demoton in the north
// with deprived estates, villages and farmland in the south, and a strip of a neighbouring
// authority "Nearby (synthetic)" (E06900002) to the east. It sits on the British National Grid
// around easting 460000, northing 330000 (inside England's extent, so the loaders accept it),
// but nothing in it describes the real places there. Codes use ONS prefixes with a 9 that no real
// area has (E01900001…, E05900001…), names are plainly fictional, and every file says SYNTHETIC.
//
// Write lays the files out in the same formats as the real inputs, so the real loaders read them:
// LSOA and ward GeoJSON like the ONS/drkane files, an IoD CSV with the MHCLG File 7 header, ONS
// population-weighted centroids and population bands as in shared/data, hub and candidate site
// lists, an OSM XML road network and a service-use extract. Everything comes from one seed
// through math/rand/v2 PCG streams: the same seed gives the same bytes.
package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// DefaultSeed is used when Options.Seed is zero.
const DefaultSeed uint64 = 20_250_601

// File names written by Write.
const (
	FileLSOA       = "lsoa.geojson"
	FileWards      = "wards.geojson"
	FileIoD        = "iod_file7.csv"
	FilePWC        = "pwc.csv"
	FilePopulation = "population.csv"
	FileHubs       = "hubs.csv"
	FileCandidates = "candidates.csv"
	FileRoads      = "roads.osm"
	FileServiceUse = "service_use.csv"
	FileLocality   = "locality.csv"
	FileReadme     = "README.txt"
)

// Headers of the CSV files (the IoD header is File7Header, the service-use one ServiceUseHeader).
const (
	PWCHeader        = "lsoa11cd,lsoa11nm,lon,lat,easting,northing"
	PopulationHeader = "lsoa11cd,all_ages,age_0_4,age_0_15,age_0_19,age_5_15"
	HubsHeader       = "site_id,name,tier,lon,lat,easting,northing,postcode,locality"
	CandidatesHeader = "site_id,name,type,capacity,lon,lat,easting,northing,postcode"
	LocalityHeader   = "lsoa_code,locality"
)

// Options control the generator. Zero values take the defaults.
type Options struct {
	Seed     uint64 // 0: DefaultSeed
	Contacts int    // rows of service_use.csv; 0: 20,000
	Children int    // children in service_use.csv, about; 0: 5,000
}

// Manifest lists what Write wrote.
type Manifest struct {
	Dir   string
	Seed  uint64
	Files []File
}

// File is one written file.
type File struct {
	Name   string // file name within Manifest.Dir
	What   string // what it holds
	Rows   int    // data rows (CSV, without the header), features (GeoJSON) or ways (OSM); lines for README.txt
	Unit   string // "rows", "features", "ways", "lines"
	Bytes  int64
	SHA256 string // lower-case hex
}

// File returns the entry for name.
func (m Manifest) File(name string) (File, bool) {
	for _, f := range m.Files {
		if f.Name == name {
			return f, true
		}
	}
	return File{}, false
}

// Write generates the demo area and writes its files into dir (created if needed; files there
// with the same names are replaced, each atomically). It returns what it wrote.
func Write(dir string, opts Options) (Manifest, error) {
	if opts.Seed == 0 {
		opts.Seed = DefaultSeed
	}
	if opts.Contacts == 0 {
		opts.Contacts = 20_000
	}
	if opts.Children == 0 {
		opts.Children = 5_000
	}
	if opts.Contacts < opts.Children {
		return Manifest{}, fmt.Errorf("demo: %d contacts for %d children: every child has at least one contact", opts.Contacts, opts.Children)
	}
	a, err := build(opts.Seed)
	if err != nil {
		return Manifest{}, fmt.Errorf("demo: building the area (seed %d): %w", opts.Seed, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Manifest{}, fmt.Errorf("demo: %w", err)
	}
	m := Manifest{Dir: dir, Seed: opts.Seed}
	steps := []struct {
		name, what, unit string
		write            func(w io.Writer) (int, error)
	}{
		{FileLSOA, "LSOA boundaries, WGS84 (like ONS LSOA 2011 BGC per-LA files)", "features", a.writeLSOAs},
		{FileWards, "ward boundaries, WGS84 (like ONS wards 2025 BGC per-LA files)", "features", a.writeWards},
		{FileIoD, "Indices of Deprivation, MHCLG IoD2019 File 7 layout", "rows", a.writeIoD},
		{FilePWC, "LSOA population-weighted centroids", "rows", a.writePWC},
		{FilePopulation, "population mid-2019 by LSOA and age band", "rows", a.writePopulation},
		{FileHubs, "family hub sites with tiers", "rows", a.writeHubs},
		{FileCandidates, "candidate buildings for satellites", "rows", a.writeCandidates},
		{FileRoads, "road and path network, OSM XML", "ways", func(w io.Writer) (int, error) {
			n := a.buildRoads(rand.New(rand.NewPCG(opts.Seed, 6)))
			return len(n.ways), writeOSM(w, n, opts.Seed)
		}},
		{FileServiceUse, "service-use contacts (pseudonymised children)", "rows", func(w io.Writer) (int, error) {
			rows, venues, lsoas := a.serviceUse(rand.New(rand.NewPCG(opts.Seed, 7)), opts.Contacts, opts.Children)
			dates := dateStrings()
			b := []byte(ServiceUseHeader + "\n")
			for _, c := range rows {
				b = appendContact(b, dates, c, venues, lsoas)
			}
			_, err := w.Write(b)
			return len(rows), err
		}},
		{FileLocality, "locality (north / central / south) by LSOA of the demo authority", "rows", a.writeLocality},
	}
	for _, s := range steps {
		f, err := writeFile(dir, s.name, s.write)
		if err != nil {
			return m, fmt.Errorf("demo: %s: %w", s.name, err)
		}
		f.What, f.Unit = s.what, s.unit
		m.Files = append(m.Files, f)
	}
	f, err := writeFile(dir, FileReadme, func(w io.Writer) (int, error) { return a.writeReadme(w, m) })
	if err != nil {
		return m, fmt.Errorf("demo: %s: %w", FileReadme, err)
	}
	f.What, f.Unit = "what this folder is", "lines"
	m.Files = append(m.Files, f)
	return m, nil
}

// writeFile writes name in dir through a temporary file and a rename, hashing as it goes.
func writeFile(dir, name string, write func(io.Writer) (int, error)) (File, error) {
	tmp, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return File{}, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(tmp, h)}
	rows, err := write(cw)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return File{}, err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return File{}, err
	}
	return File{Name: name, Rows: rows, Bytes: cw.n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func ladName(code string) string {
	if code == DemoLADCode {
		return DemoLADName
	}
	return NearbyLADName
}

// geometry returns the polygon as written: Polygon for the demo authority, MultiPolygon (one
// part) for its neighbour, since the real files mix both.
func geometry(p orb.Polygon, lad string) orb.Geometry {
	if lad == NearbyLADCode {
		return orb.MultiPolygon{p}
	}
	return p
}

func writeCollection(w io.Writer, name string, feats []*geojson.Feature) error {
	fc := geojson.NewFeatureCollection()
	fc.Features = feats
	fc.ExtraMembers = geojson.Properties{
		"name":        name,
		"description": "SYNTHETIC DEMO DATA generated by hubreach: not real places",
		"crs":         map[string]any{"type": "name", "properties": map[string]any{"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
	}
	b, err := json.Marshal(fc)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func (a *area) writeLSOAs(w io.Writer) (int, error) {
	var feats []*geojson.Feature
	for i, l := range a.lsoas {
		f := geojson.NewFeature(geometry(l.poly, l.lad))
		f.Properties = geojson.Properties{
			"FID": i + 1, "LSOA11CD": l.code, "LSOA11NM": l.name, "LADCD_ACTIVE": l.lad,
		}
		feats = append(feats, f)
	}
	return len(feats), writeCollection(w, "demo_lsoa11", feats)
}

func (a *area) writeWards(w io.Writer) (int, error) {
	var feats []*geojson.Feature
	for i, wd := range a.wards {
		f := geojson.NewFeature(geometry(wd.poly, wd.lad))
		f.Properties = geojson.Properties{
			"FID": i + 1, "WD25CD": wd.code, "WD25NM": wd.name, "LAD25CD": wd.lad, "LAD25NM": ladName(wd.lad),
		}
		feats = append(feats, f)
	}
	return len(feats), writeCollection(w, "demo_wards25", feats)
}

func (a *area) writeIoD(w io.Writer) (int, error) {
	var b strings.Builder
	b.WriteString(File7Header + "\n")
	for i := range a.lsoas {
		appendFile7(&b, &a.lsoas[i], ladName(a.lsoas[i].lad))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return len(a.lsoas), err
}

func ff(x float64, dp int) string { return strconv.FormatFloat(x, 'f', dp, 64) }

func (a *area) writePWC(w io.Writer) (int, error) {
	var b strings.Builder
	b.WriteString(PWCHeader + "\n")
	for _, l := range a.lsoas {
		ll := lonLat(l.pwc)
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s\n", l.code, l.name, ff(ll[0], 6), ff(ll[1], 6), ff(l.pwc.E, 1), ff(l.pwc.N, 1))
	}
	_, err := io.WriteString(w, b.String())
	return len(a.lsoas), err
}

func (a *area) writePopulation(w io.Writer) (int, error) {
	var b strings.Builder
	b.WriteString(PopulationHeader + "\n")
	for _, l := range a.lsoas {
		p := l.pop
		fmt.Fprintf(&b, "%s,%d,%d,%d,%d,%d\n", l.code, p.all, p.a04, p.a015, p.a019, p.a515)
	}
	_, err := io.WriteString(w, b.String())
	return len(a.lsoas), err
}

// coords gives lon,lat,easting,northing with one pair filled: sites alternate between the two
// systems so that both loader paths run.
func coords(s site) string {
	if s.lonLat {
		ll := lonLat(s.p)
		return ff(ll[0], 6) + "," + ff(ll[1], 6) + ",,"
	}
	return ",," + ff(s.p.E, 0) + "," + ff(s.p.N, 0)
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func (a *area) writeHubs(w io.Writer) (int, error) {
	var b strings.Builder
	b.WriteString(HubsHeader + "\n")
	for _, h := range a.hubs {
		fmt.Fprintf(&b, "%s,%s,%s,%s,,%s\n", h.id, csvField(h.name), h.tier, coords(h), h.locality)
	}
	_, err := io.WriteString(w, b.String())
	return len(a.hubs), err
}

func (a *area) writeCandidates(w io.Writer) (int, error) {
	var b strings.Builder
	b.WriteString(CandidatesHeader + "\n")
	for _, c := range a.candidates {
		fmt.Fprintf(&b, "%s,%s,%s,%d,%s,\n", c.id, csvField(c.name), c.tier, c.capacity, coords(c))
	}
	_, err := io.WriteString(w, b.String())
	return len(a.candidates), err
}

func (a *area) writeLocality(w io.Writer) (int, error) {
	var b strings.Builder
	b.WriteString(LocalityHeader + "\n")
	n := 0
	for _, l := range a.lsoas {
		if l.locality != "" {
			fmt.Fprintf(&b, "%s,%s\n", l.code, l.locality)
			n++
		}
	}
	_, err := io.WriteString(w, b.String())
	return n, err
}

func (a *area) writeReadme(w io.Writer, m Manifest) (int, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `SYNTHETIC DEMO DATA generated by hubreach.

Nothing here describes real places or real people. "Demoshire (synthetic)" (%s),
"Nearby (synthetic)" (%s), the town of Demoton, its villages, wards, LSOAs, hubs, roads and
children are invented. The area is placed on the British National Grid around easting 460000,
northing 330000 only so that coordinate checks pass; it does not describe what is there.
Codes use a 9 after the ONS prefix (E01900001..., E05900001..., E069000xx), which no real area has.
Deprivation values imitate the MHCLG IoD2019 File 7 layout with ranks placed on a national scale
of %d LSOAs; they are not statistics. Children's ids (P0000001...) are random numbers.

Generator: hubreach datasets/demo, seed %d. The same seed always gives the same bytes.
Regenerate with the same seed to check a copy.

Files:
`, DemoLADCode, NearbyLADCode, NationalLSOAs, a.seed)
	for _, f := range m.Files {
		fmt.Fprintf(&b, "  %-16s %6d %-8s %s\n", f.Name, f.Rows, f.Unit, f.What)
	}
	b.WriteString("\nNo licence restrictions: generated data, free to use for any purpose.\n")
	lines := bytes.Count(b.Bytes(), []byte("\n"))
	_, err := w.Write(b.Bytes())
	return lines, err
}
