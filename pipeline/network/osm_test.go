package network

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// TestReadOSMBadInput checks that input which is not an OSM extract fails with a message
// that names the file and shows what it starts with.
func TestReadOSMBadInput(t *testing.T) {
	csv, err := os.ReadFile("testdata/not-osm.csv")
	if err != nil {
		t.Fatal(err)
	}
	// A PBF file header (length 13, BlobHeader type "OSMHeader", datasize 100) with no blob
	// after it: the format is recognised, the content is missing.
	truncated := []byte{0, 0, 0, 13, 0x0a, 9, 'O', 'S', 'M', 'H', 'e', 'a', 'd', 'e', 'r', 0x18, 100}
	cases := []struct {
		name   string
		data   []byte
		notOSM bool
		msg    string
	}{
		{"not-osm.csv", csv, true,
			`not-osm.csv: not an OpenStreetMap PBF or XML file (first bytes 6c 73 6f 61 31 31 63 64 "lsoa11cd")`},
		{"rutland.osm.pbf", []byte{0x8f, 0x03, 0xa1, 0xff, 0x00, 0x42, 0x13, 0x37, 0x99, 0x10}, true,
			`rutland.osm.pbf: not an OpenStreetMap PBF or XML file (first bytes 8f 03 a1 ff 00 42 13 37 "\x8f\x03\xa1\xff\x00B\x137")`},
		{"empty.osm.pbf", nil, true,
			`empty.osm.pbf: not an OpenStreetMap PBF or XML file (the file is empty)`},
		// gzip-compressed XML must be decompressed first.
		{"rutland.osm.gz", []byte{0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 3}, true,
			`rutland.osm.gz: not an OpenStreetMap PBF or XML file (first bytes 1f 8b 08 00 00 00 00 00 "\x1f\x8b\b\x00\x00\x00\x00\x00")`},
		// XML, but GPX rather than OSM.
		{"track.gpx", []byte(`<?xml version="1.0"?><gpx version="1.1"><trk/></gpx>`), true,
			`track.gpx: not an OpenStreetMap PBF or XML file (first bytes 3c 3f 78 6d 6c 20 76 65 "<?xml ve")`},
		// Cut after the header: nothing to read, and that is an error too.
		{"cut.osm.pbf", truncated, false,
			`cut.osm.pbf: no walkable or drivable ways (read 0 nodes, 0 ways, 0 with a highway tag): is this the right extract?`},
		// Cut 5 bytes into the 100-byte blob.
		{"cut2.osm.pbf", append(truncated, 1, 2, 3, 4, 5), false, `cut2.osm.pbf: reading PBF: unexpected EOF`},
		{"nohighway.osm", []byte(`<osm version="0.6"><node id="1" lat="52.6" lon="-0.7"/><way id="2"><nd ref="1"/><nd ref="1"/><tag k="building" v="yes"/></way></osm>`), false,
			`nohighway.osm: no walkable or drivable ways (read 1 nodes, 1 ways, 0 with a highway tag): is this the right extract?`},
		{"cut.osm", []byte(`<osm version="0.6"><node id="1" lat="52.6" lon="-0.7"/><way id="2"><nd ref="1"/>`), false,
			`cut.osm: reading XML: XML syntax error on line 1: unexpected EOF`},
	}
	for _, c := range cases {
		segs, _, err := ReadOSM(bytes.NewReader(c.data), c.name)
		if err == nil {
			t.Errorf("%s: no error, %d segments", c.name, len(segs))
			continue
		}
		if err.Error() != c.msg || errors.Is(err, ErrNotOSM) != c.notOSM {
			t.Errorf("%s:\n got %v\nwant %s", c.name, err, c.msg)
		}
	}
}

// TestReadOSMMissingNodes: a way whose middle node is not in the file is split there (its
// neighbouring segments dropped and counted), and a way with no node in the file is skipped
// with its reason.
func TestReadOSMMissingNodes(t *testing.T) {
	xml := `<?xml version="1.0"?>
<osm version="0.6">
  <node id="1" lat="52.6718945" lon="-0.7295957"/>
  <node id="2" lat="52.6718787" lon="-0.7281172"/>
  <node id="4" lat="52.6727933" lon="-0.7295696"/>
  <node id="5" lat="52.6727774" lon="-0.7280911"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="5"/><tag k="highway" v="residential"/></way>
  <way id="11"><nd ref="98"/><nd ref="99"/><tag k="highway" v="footway"/></way>
  <way id="12"><nd ref="1"/><tag k="highway" v="footway"/></way>
  <way id="13"><nd ref="1"/><nd ref="1"/><nd ref="4"/><tag k="highway" v="service"/><tag k="access" v="private"/></way>
  <way id="14"><nd ref="1"/><nd ref="1"/><nd ref="4"/><tag k="highway" v="service"/></way>
</osm>`
	segs, st, err := ReadOSM(bytes.NewReader([]byte(xml)), "gaps.osm")
	if err != nil {
		t.Fatal(err)
	}
	// Way 10: 1-2 kept, 2-3 and 3-4 dropped (node 3 missing), 4-5 kept. Way 14: 1-1 dropped
	// (zero length), 1-4 kept.
	if len(segs) != 3 || segs[0].FromNode != 1 || segs[0].ToNode != 2 || segs[1].FromNode != 4 || segs[1].ToNode != 5 ||
		segs[2].FromNode != 1 || segs[2].ToNode != 4 {
		t.Errorf("segments %+v", segs)
	}
	wantRejects := []Reject{
		{10, 3, "residential", "node missing from the file"},
		{11, 98, "footway", "node missing from the file"},
		{11, 99, "footway", "node missing from the file"},
		{11, 0, "footway", SkipNoNodes},
		{12, 0, "footway", SkipTooShort},
		{13, 0, "service", SkipNoAccess},
	}
	if len(st.Rejects) != len(wantRejects) {
		t.Errorf("rejects %+v, want %+v", st.Rejects, wantRejects)
	} else {
		for i, r := range st.Rejects {
			if r != wantRejects[i] {
				t.Errorf("reject %d: %+v, want %+v", i, r, wantRejects[i])
			}
		}
	}
	if st.MissingNodes != 3 || st.ZeroSegments != 1 || st.UsedWays != 2 ||
		st.Skipped[SkipNoNodes] != 1 || st.Skipped[SkipTooShort] != 1 || st.Skipped[SkipNoAccess] != 1 {
		t.Errorf("stats %s (missing %d, zero %d)", st, st.MissingNodes, st.ZeroSegments)
	}
}

// TestReadOSMDuplicateNode: when an XML file lists a node twice (as osmium merges can), the
// later position wins.
func TestReadOSMDuplicateNode(t *testing.T) {
	xml := `<osm version="0.6">
  <node id="2" lat="52.6718787" lon="-0.7281172"/>
  <node id="1" lat="52.0" lon="-0.5"/>
  <node id="1" lat="52.6718945" lon="-0.7295957"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>
</osm>`
	segs, st, err := ReadOSM(bytes.NewReader([]byte(xml)), "dup.osm")
	if err != nil {
		t.Fatal(err)
	}
	// Nodes 1 and 2 are O and O + (100, 0) of the tiny network.
	if st.Nodes != 3 || len(segs) != 1 || dist(segs[0].A, tinyO) > 0.01 || !near(segs[0].Length(), 100, 0.02) {
		t.Errorf("stats %s, segments %+v", st, segs)
	}
}

func TestBuildErrors(t *testing.T) {
	footways := []Segment{
		{WayID: 1, FromNode: 1, ToNode: 2, A: at(0, 0), B: at(100, 0), Highway: "footway", WalkOK: true},
		{WayID: 2, FromNode: 2, ToNode: 3, A: at(100, 0), B: at(200, 0), Highway: "footway", WalkOK: true},
	}
	cases := []struct {
		name string
		segs []Segment
		mode Mode
		p    Profile
		msg  string
	}{
		{"footways by car", footways, Drive, DefaultProfile(), "build drive graph: none of the 2 segments may be used for drive"},
		{"no walking speed", footways, Walk, Profile{}, "build walk graph: walk speed 0 km/h: want a positive number"},
		{"no segments", nil, Walk, DefaultProfile(), "build walk graph: none of the 0 segments may be used for walk"},
	}
	for _, c := range cases {
		if _, err := Build(c.segs, c.mode, c.p); err == nil || err.Error() != c.msg {
			t.Errorf("%s: got %v\nwant %s", c.name, err, c.msg)
		}
	}
}
