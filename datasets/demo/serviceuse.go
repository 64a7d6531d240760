package demo

import (
	"bufio"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// ServiceUseHeader is the header of the service-use extract (one row per contact).
const ServiceUseHeader = "person_id,contact_date,service,venue_id,home_lsoa,child_age_months"

// The extract covers two financial years.
var (
	windowStart = time.Date(2023, time.April, 1, 0, 0, 0, 0, time.UTC)
	windowDays  = 731 // 2023-04-01 .. 2025-03-31
)

// Services offered at the hubs. Health visiting and infant feeding are mostly for babies.
var services = []string{"Stay and play", "Health visiting", "Parenting support", "Infant feeding", "Early language"}

// serviceFor picks a service by the child's age in months from u in [0, 1).
func serviceFor(ageMonths int, u float64) string {
	var w [5]float64
	if ageMonths < 12 {
		w = [5]float64{0.15, 0.40, 0.10, 0.30, 0.05}
	} else {
		w = [5]float64{0.50, 0.10, 0.22, 0.03, 0.15}
	}
	for i, x := range w {
		if u < x {
			return services[i]
		}
		u -= x
	}
	return services[0]
}

// dateStrings are the ISO dates of the window, made once.
func dateStrings() [][]byte {
	out := make([][]byte, windowDays)
	for d := range out {
		out[d] = []byte(windowStart.AddDate(0, 0, d).Format("2006-01-02"))
	}
	return out
}

// appendPersonID appends "P" and the number with at least 7 digits.
func appendPersonID(b []byte, n int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(n), 10)
	b = append(b, 'P')
	for i := len(s); i < 7; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// contact is one generated row; day is days from windowStart.
type contact struct {
	person, day, venue, lsoa, age int
	service                       string
}

func appendContact(b []byte, dates [][]byte, c contact, venues, lsoas []string) []byte {
	b = appendPersonID(b, c.person)
	b = append(b, ',')
	b = append(b, dates[c.day]...)
	b = append(b, ',')
	b = append(b, c.service...)
	b = append(b, ',')
	b = append(b, venues[c.venue]...)
	b = append(b, ',')
	b = append(b, lsoas[c.lsoa]...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(c.age), 10)
	return append(b, '\n')
}

// childDays draws a child's birth day (relative to the window start) and returns it with the
// range of window days on which the child is 0 to 59 months old.
func childDays(r *rand.Rand) (birth, lo, hi int) {
	birth = r.IntN(2401) - 1700 // born up to about 4.7 years before the window, or during it
	lo, hi = max(0, birth), min(windowDays-1, birth+1824)
	return birth, lo, hi
}

func ageMonths(birth, day int) int { return (day - birth) * 12 / 365 }

// splitmix64 is a fixed mixing function: the same person number always gives the same
// attributes, whatever order the rows are drawn in.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// WriteServiceUse writes a large synthetic service-use extract of n contacts (plus the header)
// for benchmarks and load tests: about n/4 children, each with a fixed home LSOA, birth date and
// usual venue, contacts spread over two years while the child is under five. Rows are not
// sorted. The same arguments always give the same bytes. It does not model distance decay or
// deprivation (Write's service_use.csv does).
func WriteServiceUse(w io.Writer, n int, seed uint64, lsoas []string, venues []string) error {
	if n < 0 {
		return errors.New("demo.WriteServiceUse: negative row count")
	}
	if len(lsoas) == 0 || len(venues) == 0 {
		return errors.New("demo.WriteServiceUse: need at least one LSOA and one venue")
	}
	r := rand.New(rand.NewPCG(seed, 0x5e41ce))
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(ServiceUseHeader + "\n")
	dates := dateStrings()
	persons := max(1, n/4)
	buf := make([]byte, 0, 128)
	for i := 0; i < n; i++ {
		p := r.IntN(persons)
		h := splitmix64(uint64(p) ^ seed)
		birth := int(h%2401) - 1700
		lo, hi := max(0, birth), min(windowDays-1, birth+1824)
		day := lo + r.IntN(hi-lo+1)
		age := ageMonths(birth, day)
		venue := int((h >> 32) % uint64(len(venues)))
		if r.Uint32()%5 == 0 { // one contact in five away from the usual venue
			venue = r.IntN(len(venues))
		}
		c := contact{person: p + 1, day: day, venue: venue, lsoa: int((h >> 12) % uint64(len(lsoas))), age: age,
			service: serviceFor(age, r.Float64())}
		buf = appendContact(buf[:0], dates, c, venues, lsoas)
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// serviceUse makes the demo extract: children drawn by LSOA in proportion to the under-fives,
// more in deprived LSOAs and fewer far from a hub (uptake decays with distance); each child has a
// usual venue chosen by tier and distance, and repeat contacts go to children near a hub more
// often. Rows are sorted by date, then person.
func (a *area) serviceUse(r *rand.Rand, contacts, children int) ([]contact, []string, []string) {
	venues := make([]string, len(a.hubs))
	for i, h := range a.hubs {
		venues[i] = h.id
	}
	lsoas := make([]string, len(a.lsoas))
	tierWeight := map[string]float64{"plus": 3, "extra": 2, "satellite": 1, "network-point": 0.6}
	// Venue choice weights and the distance to the nearest hub, per LSOA.
	venueW := make([][]float64, len(a.lsoas))
	weights := make([]float64, len(a.lsoas))
	for i, l := range a.lsoas {
		lsoas[i] = l.code
		nearest := math.Inf(1)
		venueW[i] = make([]float64, len(a.hubs))
		for j, h := range a.hubs {
			d := dist(l.pwc, h.p)
			nearest = math.Min(nearest, d)
			venueW[i][j] = tierWeight[h.tier] * math.Exp(-d/2000)
		}
		w := float64(l.pop.a04) * (0.4 + 2.0*l.iod.d[idaciDomain].score) * math.Exp(-nearest/3000)
		if l.lad != DemoLADCode {
			w *= 0.3 // a few families cross the border
		}
		weights[i] = w
	}
	// Children per LSOA: proportional to the weights, at most 0.9 × the under-fives over the whole
	// extract (so that reach in any one year stays below 100%, as it does in real areas).
	alloc := allocate(weights, children, func(i int) int { return int(0.9 * float64(a.lsoas[i].pop.a04)) })
	type child struct {
		lsoa, birth, lo, hi, venue int
		pull                       float64 // propensity to come back
	}
	var kids []child
	for i, k := range alloc {
		for ; k > 0; k-- {
			birth, lo, hi := childDays(r)
			kids = append(kids, child{lsoa: i, birth: birth, lo: lo, hi: hi, venue: pick(r, venueW[i]),
				pull: weights[i] / float64(max(1, a.lsoas[i].pop.a04)) * (0.5 + r.Float64())})
		}
	}
	// Pseudonymous ids: a random permutation, so ids say nothing about where a child lives.
	ids := r.Perm(len(kids) * 10)
	pulls := make([]float64, len(kids))
	for i, k := range kids {
		pulls[i] = k.pull
	}
	counts := make([]int, len(kids))
	for i := range counts {
		counts[i] = 1
	}
	cum := cumulative(pulls)
	for extra := contacts - len(kids); extra > 0 && len(kids) > 0; extra-- {
		counts[pickCum(r, cum)]++
	}
	var out []contact
	for i, k := range kids {
		for c := 0; c < counts[i]; c++ {
			day := k.lo + r.IntN(k.hi-k.lo+1)
			age := ageMonths(k.birth, day)
			venue := k.venue
			if r.Float64() < 0.2 {
				venue = pick(r, venueW[k.lsoa])
			}
			out = append(out, contact{person: ids[i] + 1, day: day, venue: venue, lsoa: k.lsoa, age: age, service: serviceFor(age, r.Float64())})
		}
	}
	slices.SortStableFunc(out, func(x, y contact) int {
		if x.day != y.day {
			return x.day - y.day
		}
		return x.person - y.person
	})
	return out, venues, lsoas
}

// allocate splits total in proportion to weights (largest remainder), capping each at limit(i)
// and passing the excess to the others.
func allocate(weights []float64, total int, limit func(int) int) []int {
	out := make([]int, len(weights))
	open := make([]bool, len(weights))
	for i := range open {
		open[i] = weights[i] > 0 && limit(i) > 0
	}
	left := total
	for left > 0 {
		sum := 0.0
		for i, w := range weights {
			if open[i] {
				sum += w
			}
		}
		if sum == 0 {
			break
		}
		type rem struct {
			i int
			f float64
		}
		var rems []rem
		given := 0
		for i, w := range weights {
			if !open[i] {
				continue
			}
			x := float64(left) * w / sum
			k := int(x)
			out[i] += k
			given += k
			rems = append(rems, rem{i, x - float64(k)})
		}
		slices.SortStableFunc(rems, func(a, b rem) int {
			switch {
			case a.f > b.f:
				return -1
			case a.f < b.f:
				return 1
			}
			return a.i - b.i
		})
		for j := 0; given < left && j < len(rems); j++ {
			out[rems[j].i]++
			given++
		}
		left = 0
		for i := range out {
			if open[i] && out[i] > limit(i) {
				left += out[i] - limit(i)
				out[i] = limit(i)
				open[i] = false
			}
		}
	}
	return out
}

func cumulative(w []float64) []float64 {
	c := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		c[i] = s
	}
	return c
}

func pickCum(r *rand.Rand, cum []float64) int {
	u := r.Float64() * cum[len(cum)-1]
	i, _ := slices.BinarySearch(cum, u)
	return min(i, len(cum)-1)
}

func pick(r *rand.Rand, w []float64) int { return pickCum(r, cumulative(w)) }
