package network

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
	"github.com/paulmach/osm/osmxml"

	"hubreach/internal/bng"
)

// Segment is one piece of an OpenStreetMap way between two consecutive nodes, in British
// National Grid metres, with what the way's tags allow.
type Segment struct {
	WayID            int64
	FromNode, ToNode int64     // OSM node ids, in the way's order
	A, B             orb.Point // BNG easting/northing of FromNode and ToNode
	Highway          string    // the way's highway=* class
	// Oneway is the driving direction: +1 only from A to B, -1 only from B to A, 0 both.
	Oneway int8
	// MaxSpeedKPH is the way's maxspeed in km/h, 0 when absent or not a number.
	MaxSpeedKPH float64
	// WalkOK and DriveOK say whether a pedestrian or a car may use the way (see tags.go).
	WalkOK, DriveOK bool
}

// Length returns the segment's length in grid metres.
func (s Segment) Length() float64 { return math.Hypot(s.B[0]-s.A[0], s.B[1]-s.A[1]) }

// Reasons a highway way gives no segments, as counted in Stats.Skipped (see also SkipClass).
const (
	SkipArea     = "area=yes (an outline, not a line to travel along)"
	SkipNoAccess = "no access on foot or by car"
	SkipTooShort = "fewer than two nodes"
	SkipNoNodes  = "nodes missing from the file"
)

// SkipClass returns the Stats.Skipped reason for a way whose highway class is not routable.
func SkipClass(highway string) string {
	return fmt.Sprintf("highway=%s is not a routable class", highway)
}

const (
	formatPBF     = "pbf"
	formatXML     = "xml"
	pbfHeaderType = "OSMHeader" // the type of a PBF file's first BlobHeader
)

// Stats counts what ReadOSM read and what it kept, so nothing disappears without a reason.
type Stats struct {
	Format      string // "pbf" or "xml"
	Nodes       int    // nodes read
	Ways        int    // ways read
	HighwayWays int    // ways with a highway tag
	UsedWays    int    // highway ways that gave at least one segment
	// Classes counts highway ways by their highway value (used or not).
	Classes map[string]int
	// Skipped counts highway ways that gave no segment, by reason (SkipArea, SkipNoAccess,
	// SkipTooShort, SkipNoNodes, SkipClass(...)).
	Skipped       map[string]int
	Segments      int // segments kept (walkable or drivable)
	WalkSegments  int // of which walkable
	DriveSegments int // of which drivable
	SegmentNodes  int // distinct nodes at the ends of kept segments
	// MissingNodes counts references from kept highway ways to nodes absent from the file;
	// the segments on either side of such a node are dropped (the way is split there).
	MissingNodes int
	// ZeroSegments counts consecutive repeats of the same node in a way (dropped).
	ZeroSegments int
	// Rejects lists every highway way left out, wholly or in part, with its reason, for the
	// run's rejects file.
	Rejects []Reject
}

// Reject is a highway way ReadOSM left out (Node 0), or a node reference it could not
// resolve (the segments either side of Node were dropped).
type Reject struct {
	WayID   int64
	Node    int64
	Highway string
	Reason  string
}

func (s Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d nodes, %d ways, %d highway ways (%d used), %d segments (%d walk, %d drive), %d segment nodes",
		s.Format, s.Nodes, s.Ways, s.HighwayWays, s.UsedWays, s.Segments, s.WalkSegments, s.DriveSegments, s.SegmentNodes)
	if s.MissingNodes > 0 {
		fmt.Fprintf(&b, ", %d missing node references", s.MissingNodes)
	}
	reasons := make([]string, 0, len(s.Skipped))
	for r := range s.Skipped {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(&b, "; skipped %d: %s", s.Skipped[r], r)
	}
	return b.String()
}

// ErrNotOSM is wrapped by ReadOSM's error for input that is neither OSM PBF nor OSM XML.
var ErrNotOSM = errors.New("not an OpenStreetMap PBF or XML file")

// ReadOSM reads the highway ways of an OpenStreetMap extract, .osm.pbf or .osm XML, and
// returns one Segment per pair of consecutive nodes on each way a pedestrian or a car may use.
// A file that gives no such segment is an error. name labels errors (usually the file
// name); the format is detected from the content, not the name.
//
// Steps: sniff the format; scan once, keeping every node's position (24 bytes a node) and
// the highway ways; sort the nodes by id; project the nodes the ways use to British National
// Grid (in parallel); then cut the ways into segments. One pass works for both formats, any
// element order and a reader that cannot seek; memory is about 24 bytes per node in the file
// plus the highway ways (Rutland's 1.6 MB extract: about 100 MB allocated in all, 0.2 s).
func ReadOSM(r io.Reader, name string) ([]Segment, Stats, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	format, err := sniff(br, name)
	if err != nil {
		return nil, Stats{}, err
	}
	st := Stats{Format: format, Skipped: map[string]int{}, Classes: map[string]int{}}

	var sc osm.Scanner
	var ways atomic.Int64
	var nodes nodeTable
	switch format {
	case formatPBF:
		ps := osmpbf.New(context.Background(), br, runtime.GOMAXPROCS(0))
		ps.SkipRelations = true
		// Record node positions in the decoders and let them reuse the node objects.
		ps.FilterNode = func(n *osm.Node) bool {
			nodes.add(int64(n.ID), n.Lon, n.Lat)
			return false
		}
		ps.FilterWay = func(w *osm.Way) bool {
			ways.Add(1)
			return w.Tags.Find("highway") != ""
		}
		sc = ps
	default:
		sc = osmxml.New(context.Background(), br)
	}
	defer sc.Close()

	var hways []*osm.Way
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Node:
			nodes.add(int64(o.ID), o.Lon, o.Lat)
		case *osm.Way:
			if format == formatXML {
				ways.Add(1)
			}
			if o.Tags.Find("highway") != "" {
				hways = append(hways, o)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, st, fmt.Errorf("%s: reading %s: %w", name, strings.ToUpper(format), err)
	}
	st.Nodes = len(nodes.recs)
	st.Ways = int(ways.Load())
	st.HighwayWays = len(hways)
	nodes.sort()
	refs := nodes.project(hways)

	segs := make([]Segment, 0, 4*len(hways))
	used := map[int64]struct{}{}
	for _, w := range hways {
		st.Classes[w.Tags.Find("highway")]++
		n0 := len(segs)
		var reason string
		segs, reason = cutWay(segs, w, refs[:len(w.Nodes)], &nodes, &st)
		refs = refs[len(w.Nodes):]
		if reason != "" {
			st.Skipped[reason]++
			st.Rejects = append(st.Rejects, Reject{WayID: int64(w.ID), Highway: w.Tags.Find("highway"), Reason: reason})
			continue
		}
		st.UsedWays++
		for _, s := range segs[n0:] {
			used[s.FromNode] = struct{}{}
			used[s.ToNode] = struct{}{}
			if s.WalkOK {
				st.WalkSegments++
			}
			if s.DriveOK {
				st.DriveSegments++
			}
		}
	}
	st.Segments = len(segs)
	st.SegmentNodes = len(used)
	if len(segs) == 0 {
		return nil, st, fmt.Errorf("%s: no walkable or drivable ways (read %d nodes, %d ways, %d with a highway tag): is this the right extract?",
			name, st.Nodes, st.Ways, st.HighwayWays)
	}
	return segs, st, nil
}

// cutWay appends the segments of way w to segs, or returns the reason it gives none. refs
// holds the node table index of each of its nodes (-1 when absent from the file).
func cutWay(segs []Segment, w *osm.Way, refs []int32, nodes *nodeTable, st *Stats) ([]Segment, string) {
	tag := w.Tags.Find
	hw := tag("highway")
	switch {
	case tag("area") == "yes":
		return segs, SkipArea
	case !Routable(hw):
		return segs, SkipClass(hw)
	}
	walk, drive := walkAccess(tag), driveAccess(tag)
	if !walk && !drive {
		return segs, SkipNoAccess
	}
	if len(w.Nodes) < 2 {
		return segs, SkipTooShort
	}
	var oneway int8
	if drive {
		oneway = onewayOf(tag)
	}
	maxspeed := ParseMaxSpeed(tag("maxspeed"))

	n0 := len(segs)
	prevOK := false
	var prevID int64
	var prevPt orb.Point
	for k, wn := range w.Nodes {
		id := int64(wn.ID)
		var pt orb.Point
		ok := true
		switch {
		case refs[k] >= 0:
			pt = nodes.grids[refs[k]]
		case wn.Lat != 0 || wn.Lon != 0: // PBF with node locations on ways
			pt = toGrid(wn.Lon, wn.Lat)
		default:
			ok = false
		}
		if !ok {
			st.MissingNodes++
			st.Rejects = append(st.Rejects, Reject{WayID: int64(w.ID), Node: id, Highway: hw, Reason: "node missing from the file"})
			prevOK = false
			continue
		}
		if prevOK {
			if id == prevID {
				st.ZeroSegments++
				continue
			}
			segs = append(segs, Segment{
				WayID: int64(w.ID), FromNode: prevID, ToNode: id, A: prevPt, B: pt,
				Highway: hw, Oneway: oneway, MaxSpeedKPH: maxspeed, WalkOK: walk, DriveOK: drive,
			})
		}
		prevOK, prevID, prevPt = true, id, pt
	}
	if len(segs) == n0 {
		if len(w.Nodes) >= 2 {
			return segs, SkipNoNodes
		}
		return segs, SkipTooShort
	}
	return segs, ""
}

func toGrid(lon, lat float64) orb.Point {
	e, n := bng.ToGrid(lon, lat)
	return orb.Point{e, n}
}

// nodeTable holds node positions compactly (24 bytes a node while reading) and the BNG
// positions of the nodes that highway ways use.
type nodeTable struct {
	mu    sync.Mutex
	recs  []nodeRec
	grids []orb.Point
	done  []bool
}

type nodeRec struct {
	id       int64
	lon, lat float64
}

// add records a node; it is safe for concurrent use (the PBF decoders call it in parallel).
func (t *nodeTable) add(id int64, lon, lat float64) {
	t.mu.Lock()
	t.recs = append(t.recs, nodeRec{id, lon, lat})
	t.mu.Unlock()
}

// sort orders the table by id (parallel decoding and XML files need not give them in order).
// When a node id repeats, the last occurrence wins, as in an OSM change applied in order.
func (t *nodeTable) sort() {
	if !slices.IsSortedFunc(t.recs, cmpNode) {
		slices.SortStableFunc(t.recs, cmpNode)
	}
	out := t.recs[:0]
	for _, r := range t.recs {
		if n := len(out); n > 0 && out[n-1].id == r.id {
			out[n-1] = r
			continue
		}
		out = append(out, r)
	}
	t.recs = out
	t.grids = make([]orb.Point, len(out))
	t.done = make([]bool, len(out))
}

func cmpNode(a, b nodeRec) int { return cmp.Compare(a.id, b.id) }

func (t *nodeTable) find(id int64) (int, bool) {
	return slices.BinarySearchFunc(t.recs, id, func(r nodeRec, id int64) int { return cmp.Compare(r.id, id) })
}

// project computes the BNG positions of the nodes the ways use, in parallel (the WGS84 to
// OSGB36 transformation is the costliest step of reading). It returns the table index of
// every node reference of every way, in order (-1 when the node is absent).
func (t *nodeTable) project(ways []*osm.Way) []int32 {
	n := 0
	for _, w := range ways {
		n += len(w.Nodes)
	}
	refs := make([]int32, 0, n)
	var need []int32
	for _, w := range ways {
		for _, wn := range w.Nodes {
			i, ok := t.find(int64(wn.ID))
			if !ok {
				refs = append(refs, -1)
				continue
			}
			refs = append(refs, int32(i))
			if !t.done[i] {
				t.done[i] = true
				need = append(need, int32(i))
			}
		}
	}
	workers := runtime.GOMAXPROCS(0)
	chunk := max(1, (len(need)+workers-1)/workers)
	var wg sync.WaitGroup
	for lo := 0; lo < len(need); lo += chunk {
		part := need[lo:min(lo+chunk, len(need))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, i := range part {
				t.grids[i] = toGrid(t.recs[i].lon, t.recs[i].lat)
			}
		}()
	}
	wg.Wait()
	return refs
}

// sniff detects the format from the first bytes: a PBF file starts with a 4-byte big-endian
// length and a BlobHeader whose type (protobuf field 1) is "OSMHeader"; an OSM XML file
// starts (after an optional byte-order mark and white space) with "<?xml" or "<osm" and has
// an <osm> element near the top.
func sniff(br *bufio.Reader, name string) (string, error) {
	head, err := br.Peek(4096)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return "", fmt.Errorf("%s: reading the first bytes: %w", name, err)
	}
	if len(head) == 0 {
		return "", fmt.Errorf("%s: %w (the file is empty)", name, ErrNotOSM)
	}
	if len(head) >= 6+len(pbfHeaderType) {
		n := binary.BigEndian.Uint32(head[:4])
		if n > 0 && n < 64<<10 && head[4] == 0x0a && int(head[5]) == len(pbfHeaderType) &&
			string(head[6:6+len(pbfHeaderType)]) == pbfHeaderType {
			return formatPBF, nil
		}
	}
	text := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if bytes.HasPrefix(text, []byte("<osm")) ||
		(bytes.HasPrefix(text, []byte("<?xml")) && bytes.Contains(text, []byte("<osm"))) {
		return formatXML, nil
	}
	first := head[:min(len(head), 8)]
	return "", fmt.Errorf("%s: %w (first bytes % x %q)", name, ErrNotOSM, first, first)
}
