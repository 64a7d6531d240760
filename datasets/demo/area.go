package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Codes and names of the two synthetic local authorities. ONS codes in the 9xxxxx range are not
// used by any real area (real LSOA 2011 codes stop near E01035xxx, wards and districts likewise).
const (
	DemoLADCode    = "E06900001"
	DemoLADName    = "Demoshire (synthetic)"
	NearbyLADCode  = "E06900002"
	NearbyLADName  = "Nearby (synthetic)"
	firstLSOACode  = 1900001 // E01900001
	firstWardCode  = 5900001 // E05900001
	NationalLSOAs  = 32_844  // LSOAs in England (2011 geography): the scale of IoD2019 ranks
	demoLSOAPrefix = "Demoshire"
	nearbyPrefix   = "Nearby"
)

// settlement is a named place the demo is built around (cell coordinates: column, row from the
// south-west corner; fractional values are inside a cell).
type settlement struct {
	name string
	x, y float64
}

var settlements = []settlement{
	{"Demoton", 7.3, 9.8}, {"Sampleford", 1.5, 9.5}, {"Mockley", 11.6, 9.4}, {"Testwick", 6.6, 5.5},
	{"Testwick West", 2.4, 6.1}, {"Fauxbury", 10.4, 5.6}, {"Dummerby", 2.3, 1.6}, {"Placeholm", 6.5, 2.5},
	{"Fixture Down", 10.6, 1.4}, {"Elsewhere", 13.8, 8.6}, {"Elsewhere Magna", 13.6, 2.7},
}

// wardSpec is a block of cells; LSOAs are grown inside it with about k cells each, so rural LSOAs
// are larger than town ones (LSOAs hold similar populations).
type wardSpec struct {
	name           string
	lad            string
	c0, c1, r0, r1 int // columns and rows, inclusive
	k              int
	locality       string
}

var wardSpecs = []wardSpec{
	{"Demoton North", DemoLADCode, 3, 6, 10, 11, 1, "north"},
	{"Demoton Castle", DemoLADCode, 7, 10, 10, 11, 1, "north"},
	{"Sampleford", DemoLADCode, 0, 2, 8, 11, 2, "north"},
	{"Demoton Central", DemoLADCode, 3, 6, 8, 9, 1, "north"},
	{"Demoton Riverside", DemoLADCode, 7, 10, 8, 9, 1, "north"},
	{"Mockley", DemoLADCode, 11, 12, 8, 11, 2, "north"},
	{"Testwick West", DemoLADCode, 0, 4, 4, 7, 3, "central"},
	{"Testwick", DemoLADCode, 5, 8, 4, 7, 3, "central"},
	{"Fauxbury", DemoLADCode, 9, 12, 4, 7, 3, "central"},
	{"Dummerby Vale", DemoLADCode, 0, 4, 0, 3, 4, "south"},
	{"Placeholm", DemoLADCode, 5, 8, 0, 3, 4, "south"},
	{"Fixture Down", DemoLADCode, 9, 12, 0, 3, 4, "south"},
	{"Elsewhere North", NearbyLADCode, 13, 14, 6, 11, 3, ""},
	{"Elsewhere South", NearbyLADCode, 13, 14, 0, 5, 3, ""},
}

type lsoa struct {
	code, name, lad, ward string
	locality              string // north/central/south; "" outside the demo LA
	cells                 []cell
	ring                  []pt        // BNG outline
	poly                  orb.Polygon // WGS84
	pwc                   pt          // population-weighted centroid, BNG
	dep                   float64     // latent deprivation (standard-normal units, squashed)
	iod                   iodRow
	pop                   popRow
}

type ward struct {
	code, name, lad string
	lsoas           []int
	ring            []pt
	poly            orb.Polygon
}

type site struct {
	id, name, kind, tier string // kind: hub or candidate; tier (hubs) or type (candidates)
	p                    pt
	capacity             int
	locality             string
	lonLat               bool // written as lon/lat (else as easting/northing)
}

type area struct {
	seed       uint64
	g          *grid
	lsoas      []lsoa
	wards      []ward
	hubs       []site
	candidates []site
}

// build makes the whole synthetic area from the seed. Each step draws from its own PCG stream,
// so changing one step does not reshuffle the others.
func build(seed uint64) (*area, error) {
	stream := func(n uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, n)) }
	a := &area{seed: seed, g: newGrid(stream(1))}
	if err := a.buildBoundaries(stream(2)); err != nil {
		return nil, err
	}
	a.placeCentroids(stream(3))
	a.assignDeprivation(stream(4))
	a.placeHubs()
	a.placeCandidates(stream(5))
	return a, nil
}

func (a *area) buildBoundaries(r *rand.Rand) error {
	// Ward order: north to south, then west to east (the MSOA-like numbering of LSOA names follows it).
	specs := slices.Clone(wardSpecs)
	slices.SortStableFunc(specs, func(x, y wardSpec) int {
		if (x.lad == NearbyLADCode) != (y.lad == NearbyLADCode) {
			return boolInt(x.lad == NearbyLADCode) - boolInt(y.lad == NearbyLADCode)
		}
		if x.r1 != y.r1 {
			return y.r1 - x.r1
		}
		return x.c0 - y.c0
	})
	seq := map[string]int{}
	for wi, ws := range specs {
		var cells []cell
		for j := ws.r1; j >= ws.r0; j-- {
			for i := ws.c0; i <= ws.c1; i++ {
				cells = append(cells, cell{i, j})
			}
		}
		w := ward{code: fmt.Sprintf("E0%d", firstWardCode+wi), name: ws.name, lad: ws.lad}
		ring, err := a.g.ring(cells)
		if err != nil {
			return fmt.Errorf("ward %s: %w", ws.name, err)
		}
		w.ring, w.poly = ring, orb.Polygon{lonLatRing(ring)}
		prefix := demoLSOAPrefix
		if ws.lad == NearbyLADCode {
			prefix = nearbyPrefix
		}
		seq[prefix]++
		for li, reg := range grow(r, cells, ws.k) {
			ring, err := a.g.ring(reg)
			if err != nil {
				return fmt.Errorf("ward %s LSOA %d: %w", ws.name, li, err)
			}
			w.lsoas = append(w.lsoas, len(a.lsoas))
			a.lsoas = append(a.lsoas, lsoa{
				code:     fmt.Sprintf("E0%d", firstLSOACode+len(a.lsoas)),
				name:     fmt.Sprintf("%s %03d%s", prefix, seq[prefix], letter(li)),
				lad:      ws.lad,
				ward:     w.code,
				locality: ws.locality,
				cells:    reg,
				ring:     ring,
				poly:     orb.Polygon{lonLatRing(ring)},
			})
		}
		a.wards = append(a.wards, w)
	}
	return nil
}

func letter(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return string(rune('A'+i/26-1)) + string(rune('A'+i%26))
}

// cellXY converts cell coordinates (columns, rows, fractional) to BNG on the unjittered grid.
func cellXY(x, y float64) pt { return pt{originE + x*cellM, originN + y*cellM} }

func dist(a, b pt) float64 { return math.Hypot(a.E-b.E, a.N-b.N) }

func nearestSettlement(p pt) (settlement, float64) {
	best, bd := settlements[0], math.Inf(1)
	for _, s := range settlements {
		if d := dist(p, cellXY(s.x, s.y)); d < bd {
			best, bd = s, d
		}
	}
	return best, bd
}

// placeCentroids puts each LSOA's population-weighted centroid in its cell nearest a settlement,
// pulled a little towards the settlement (people live in the villages), and always inside the
// polygon.
func (a *area) placeCentroids(r *rand.Rand) {
	for i := range a.lsoas {
		l := &a.lsoas[i]
		best, bd := l.cells[0], math.Inf(1)
		for _, c := range l.cells {
			if _, d := nearestSettlement(a.g.centre(c)); d < bd {
				best, bd = c, d
			}
		}
		ctr := a.g.centre(best)
		s, d := nearestSettlement(ctr)
		p := ctr
		if d > 0 {
			pull := math.Min(0.15*cellM, d) / d
			sp := cellXY(s.x, s.y)
			p = pt{ctr.E + (sp.E-ctr.E)*pull, ctr.N + (sp.N-ctr.N)*pull}
		}
		p.E += (r.Float64()*2 - 1) * 0.08 * cellM
		p.N += (r.Float64()*2 - 1) * 0.08 * cellM
		p = pt{round(p.E, 1), round(p.N, 1)}
		if !planar.PolygonContains(l.poly, lonLat(p)) {
			p = pt{round(ctr.E, 1), round(ctr.N, 1)}
		}
		l.pwc = p
	}
}

// depField is the latent deprivation surface: a deprived cluster in the north of Demoton, a
// smaller pocket at Fauxbury, a slight north–south gradient; the rural south is least deprived.
func depField(p pt) float64 {
	x, y := (p.E-originE)/cellM, (p.N-originN)/cellM
	g := func(cx, cy, s float64) float64 { return math.Exp(-((x-cx)*(x-cx) + (y-cy)*(y-cy)) / (2 * s * s)) }
	return -1.35 + 3.6*g(7.8, 10.2, 1.6) + 1.3*g(10.5, 5.5, 1.0) + 0.05*y
}

func (a *area) assignDeprivation(r *rand.Rand) {
	for i := range a.lsoas {
		l := &a.lsoas[i]
		z := depField(l.pwc) + r.NormFloat64()*0.2
		l.dep = 2.3 * math.Tanh(z/2.3) // a soft cap keeps scores inside the plausible range
		l.iod = makeIoD(r, l.dep)
		l.pop = makePopulation(r, l.iod)
	}
}

// hubSpecs: the current family hub network, mostly in the urban north, so the rural south has gaps.
var hubSpecs = []struct {
	name, tier string
	x, y       float64
}{
	{"Demoton Central Family Hub", "plus", 7.3, 9.4},
	{"Demoton North Family Hub", "plus", 4.6, 10.6},
	{"Testwick Family Hub", "extra", 6.6, 5.4},
	{"Sampleford Library Satellite", "satellite", 1.5, 9.5},
	{"Mockley Community Centre Satellite", "satellite", 11.6, 9.3},
	{"Fauxbury Children's Centre Satellite", "satellite", 10.4, 5.6},
	{"Castle Estate Satellite", "satellite", 9.2, 10.8},
	{"Riverside Church Hall", "network-point", 8.8, 8.4},
	{"Demoton Library", "network-point", 5.7, 8.7},
	{"Testwick West Primary School", "network-point", 2.6, 6.2},
	{"Demoton East Health Centre", "network-point", 10.3, 10.4},
	{"Placeholm Village Hall", "network-point", 6.5, 2.6},
}

func localityOf(p pt) string {
	switch y := (p.N - originN) / cellM; {
	case y >= 8:
		return "north"
	case y >= 4:
		return "central"
	default:
		return "south"
	}
}

func (a *area) placeHubs() {
	for i, h := range hubSpecs {
		p := cellXY(h.x, h.y)
		p = pt{round(p.E, 0), round(p.N, 0)}
		a.hubs = append(a.hubs, site{
			id: fmt.Sprintf("DEMO-H%02d", i+1), name: h.name, kind: "hub", tier: h.tier, p: p,
			locality: localityOf(p), lonLat: i%2 == 0,
		})
	}
}

var candidateTypes = []struct {
	typ, label    string
	count, lo, hi int // how many, capacity range
}{
	{"library", "Library", 8, 20, 60},
	{"school", "Primary School", 16, 30, 120},
	{"community", "Community Centre", 10, 20, 80},
	{"vcs", "Family Support Project", 6, 10, 40},
}

// placeCandidates scatters candidate buildings over the demo authority: half near a settlement,
// half anywhere (so the rural south has options too).
func (a *area) placeCandidates(r *rand.Rand) {
	used := map[string]int{}
	n := 0
	for _, ct := range candidateTypes {
		for k := 0; k < ct.count; k++ {
			var p pt
			if n%2 == 0 {
				s := settlements[r.IntN(len(settlements)-2)] // not the two Nearby places
				p = cellXY(s.x+(r.Float64()*2-1)*0.6, s.y+(r.Float64()*2-1)*0.6)
			} else {
				p = cellXY(0.3+r.Float64()*12.4, 0.3+r.Float64()*11.4)
			}
			p = pt{round(p.E, 0), round(p.N, 0)}
			s, _ := nearestSettlement(p)
			name := s.name + " " + ct.label
			used[name]++
			if used[name] > 1 {
				name = fmt.Sprintf("%s %d", name, used[name])
			}
			n++
			a.candidates = append(a.candidates, site{
				id: fmt.Sprintf("DEMO-C%02d", n), name: name, kind: "candidate", tier: ct.typ, p: p,
				capacity: ct.lo + r.IntN(ct.hi-ct.lo+1), locality: localityOf(p), lonLat: n%2 == 1,
			})
		}
	}
}
