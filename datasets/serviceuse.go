package datasets

// Service-use extracts are personal data (see ARCHITECTURE.md, "Disclosure control"). This loader
// keeps them that way:
//   - core.contact holds the pseudonymised person id, never a name, and the home LSOA, never the
//     home postcode: a postcode is used only to find the LSOA and is then dropped. No raw.* copy
//     of the extract is written.
//   - rejects (raw.rejects, rejects.csv) name the line and column and say why, but withhold
//     identifying values: a person id is shown as "<person id withheld>", a date of birth as
//     "<date of birth withheld>", and a postcode only by its district ("S60 …").
//   - notes count rows; they never quote a person id.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"math/bits"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/ipc"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"hubreach/internal/store"
	"hubreach/queries"
)

// ServiceUseSpec says what to load with LoadServiceUse.
type ServiceUseSpec struct {
	Path string
	// Today is the run date: contacts after it are rejected as in the future. Zero means now.
	Today time.Time
	// ResolveLSOA returns the LSOA whose polygon contains a BNG point (x, y in metres), for rows
	// that give a home postcode instead of a home LSOA. nil: such rows are rejected with a reason.
	ResolveLSOA func(x, y float64) (string, bool)
	// Column overrides: header (or Parquet field) names that win over recognition. "" = recognise.
	PersonColumn, DateColumn, ServiceColumn, VenueColumn    string
	LSOAColumn, PostcodeColumn, AgeColumn, BirthMonthColumn string
	// BatchSize is the number of rows per record batch read from Parquet (0 = 65,536).
	BatchSize int
}

// Column names recognised by meaning (compared after NormHeader folding), first match wins.
var (
	suPersonNames   = []string{"person_id", "pseudo_id", "pseudonymised_id", "person_ref", "client_id", "child_id", "person", "pid"}
	suDateNames     = []string{"contact_date", "date", "attendance_date", "session_date", "visit_date", "event_date"}
	suServiceNames  = []string{"service", "service_name", "service_type", "activity", "session_type", "programme"}
	suVenueNames    = []string{"venue_id", "venue", "hub_id", "site_id", "hub", "location_id"}
	suLSOANames     = []string{"home_lsoa", "home_lsoa_code", "lsoa", "lsoa_code", "lsoa11cd", "lsoa21cd", "lsoa11", "lsoa21"}
	suPostcodeNames = []string{"home_postcode", "postcode", "post_code", "pcd"}
	suAgeNames      = []string{"child_age_months", "age_months", "age_in_months", "child_age_in_months", "age_m"}
	suBirthNames    = []string{"dob_month", "birth_month", "child_dob_month", "date_of_birth_month", "month_of_birth", "dob", "date_of_birth", "child_dob"}
)

// Values shown in rejects instead of personal data.
const (
	withheldPerson   = "<person id withheld>"
	withheldPostcode = "<postcode withheld>"
	withheldBirth    = "<date of birth withheld>"
)

// Limits on a child's age.
const maxAgeMonths = 25 * 12

// suCols are the column positions (CSV) or field indexes (Arrow) of an extract; -1 = absent.
type suCols struct {
	person, date, service, venue, lsoa, postcode, age, birth int
}

// findServiceUseColumns locates the columns by override or meaning; missing() builds the error
// for a required column that is absent.
func findServiceUseColumns(spec ServiceUseSpec, names []string, missing func(want string, accepted []string) error) (suCols, error) {
	cols := NewColumns(names)
	var errs []error
	find := func(override string, accepted []string) int {
		if override != "" {
			i := cols.Find(override)
			if i < 0 {
				errs = append(errs, missing(override, []string{override}))
			}
			return i
		}
		return cols.Find(accepted...)
	}
	c := suCols{
		person: find(spec.PersonColumn, suPersonNames), date: find(spec.DateColumn, suDateNames),
		service: find(spec.ServiceColumn, suServiceNames), venue: find(spec.VenueColumn, suVenueNames),
		lsoa: find(spec.LSOAColumn, suLSOANames), postcode: find(spec.PostcodeColumn, suPostcodeNames),
		age: find(spec.AgeColumn, suAgeNames), birth: find(spec.BirthMonthColumn, suBirthNames),
	}
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	if c.person < 0 && spec.PersonColumn == "" {
		errs = append(errs, missing("person_id", suPersonNames))
	}
	if c.date < 0 && spec.DateColumn == "" {
		errs = append(errs, missing("contact_date", suDateNames))
	}
	if c.lsoa < 0 && c.postcode < 0 {
		errs = append(errs, missing("home_lsoa or home_postcode", append(append([]string{}, suLSOANames...), suPostcodeNames...)))
	}
	return c, errors.Join(errs...)
}

// LoadServiceUse reads a service-use extract (one row per contact) into core.contact. The format
// is detected from the content: Parquet (starts with "PAR1"), Arrow IPC file or stream, otherwise
// CSV (encoding and delimiter detected); anything else is refused. Steps:
//  1. detect the format and find the columns by meaning (person id, contact date, service, venue,
//     home LSOA or home postcode, age in months or birth month);
//  2. read the CSV rows, or the Parquet/Arrow record batches, streaming; validate each row: the
//     date (YYYY-MM-DD or DD/MM/YYYY; not after Today), the venue (a hub in core.site, when hubs are
//     loaded), the home LSOA (a known code when core.iod or core.lsoa exists) or the home postcode
//     (core.postcode, then ResolveLSOA), the age (0 to 25 years); duplicates of an earlier row
//     (same person, date, service and venue) are loaded and counted in a note;
//  3. in one transaction, replace this file's rows in core.contact through the DuckDB appender,
//     and save the report. Rejects withhold personal data (see the top of this file).
func LoadServiceUse(ctx context.Context, db *store.DB, spec ServiceUseSpec) (*Report, error) {
	rep := NewReport("service_use", spec.Path)
	format, err := detectExtractFormat(spec.Path)
	if err != nil {
		return nil, fmt.Errorf("service use: %w", err)
	}
	if rep.SHA256, err = FileSHA256(spec.Path); err != nil {
		return nil, fmt.Errorf("service use: %w", err)
	}
	v, err := newContactValidator(ctx, db, spec, rep)
	if err != nil {
		return nil, fmt.Errorf("service use %s: %w", spec.Path, err)
	}
	// Open the file and find the columns first: the lookups that depend on them run on the one
	// database connection, which the appender holds while rows stream in.
	if format == "csv" {
		err = v.openCSV()
	} else {
		err = v.openArrow(format)
	}
	if err != nil {
		return nil, fmt.Errorf("service use: %w", err)
	}
	defer v.close()
	if err := v.loadPostcodes(); err != nil {
		return nil, fmt.Errorf("service use %s: %w", spec.Path, err)
	}
	err = db.InTx(ctx, func() error {
		exists, err := db.TableExists(ctx, "core", "contact")
		if err != nil {
			return err
		}
		if !exists {
			if _, err := db.Exec(ctx, queries.MustSQL("core.contact")); err != nil {
				return fmt.Errorf("create core.contact: %w", err)
			}
		} else if _, err := db.Exec(ctx, "DELETE FROM core.contact WHERE source_file = ?", spec.Path); err != nil {
			return fmt.Errorf("core.contact: remove rows of an earlier load: %w", err)
		}
		if err := db.Append(ctx, "core", "contact", v.stream); err != nil {
			return err
		}
		v.finish()
		if err := rep.Balanced(); err != nil {
			return err
		}
		return SaveReport(ctx, db, rep)
	})
	if err != nil {
		return nil, fmt.Errorf("service use: %w", err)
	}
	return rep, nil
}

// detectExtractFormat looks at the first bytes: "parquet", "arrow-file", "arrow-stream" or "csv".
func detectExtractFormat(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	head = head[:n]
	neither := func(what string) error {
		return fmt.Errorf("%s: neither CSV nor Parquet: %s (expected a CSV text file with a header line, or a Parquet file)", path, what)
	}
	switch {
	case bytes.HasPrefix(head, []byte("PAR1")):
		return "parquet", nil
	case bytes.HasPrefix(head, []byte("ARROW1")):
		return "arrow-file", nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFF, 0xFF, 0xFF}):
		return "arrow-stream", nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "", neither("it is a zip archive, perhaps an Excel workbook; save the sheet as \"CSV UTF-8\"")
	case bytes.HasPrefix(head, []byte{0x1F, 0x8B}):
		return "", neither("it is gzip-compressed; decompress it first")
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "", neither("it is an old Excel (.xls) or Office file; save the sheet as \"CSV UTF-8\"")
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) || bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return "csv", nil // OpenCSV explains UTF-16
	}
	control := 0
	for _, b := range head {
		if b == 0 {
			return "", neither("the content is binary")
		}
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' {
			control++
		}
	}
	if control > len(head)/100 {
		return "", neither("the content is binary")
	}
	return "csv", nil
}

// contactIn is one row as read, before validation. Typed Arrow values bypass string parsing.
type contactIn struct {
	line                  int64
	person                string
	date                  string
	dateDays              int32
	dateTyped, dateNull   bool
	service, venue        string
	lsoa, postcode        string
	age                   string
	ageVal                float64
	ageTyped              bool
	birth                 string
	personNull, venueNull bool
	serviceNull           bool
	birthTyped            bool
	birthYear, birthMonth int
}

// dateInfo caches per distinct contact date the boxed value for the appender and its month.
type dateInfo struct {
	box         any
	year, month int
}

// pcResult caches per distinct postcode the resolved LSOA or the reason it has none.
type pcResult struct {
	lsoa   any
	reason string
}

// contactValidator validates rows and appends the good ones. The reader goroutine owns
// everything but rep.Loaded, which the appending goroutine counts.
type contactValidator struct {
	ctx  context.Context
	db   *store.DB
	spec ServiceUseSpec
	rep  *Report
	seen hashSet      // hashes of (person, date, service, venue) loaded so far
	hash maphash.Hash // its seed is random per load: the hashes mean nothing outside it

	// streaming: the reader fills batches of validated rows, the appender drains them
	out     []contactOut
	full    chan []contactOut
	free    chan []contactOut
	stopped chan struct{}
	path    any // boxed source file

	c          suCols
	colName    []string
	today      int32
	todayText  string
	hubs       map[string]any // venue id → boxed id; nil = not checked
	hubCount   int
	lsoas      map[string]any // known LSOA code → boxed; nil = not checked
	lsoaSource string
	postcodes  map[string][2]float64 // core.postcode, loaded when the extract has postcodes
	csv        *CSVFile              // the open CSV extract, or
	batches    batchSource           // the open Parquet or Arrow extract
	pcTable    bool
	pcCache    map[string]pcResult
	services   map[string]any
	venues     map[string]any // venue ids seen when hubs are not checked
	dates      map[int32]dateInfo
	lsoaIntern map[string]any // LSOA codes seen when codes are not checked

	duplicates, fromPostcode int64
	isArrow                  bool
}

func newContactValidator(ctx context.Context, db *store.DB, spec ServiceUseSpec, rep *Report) (*contactValidator, error) {
	today := spec.Today
	if today.IsZero() {
		today = time.Now()
	}
	v := &contactValidator{
		ctx: ctx, db: db, spec: spec, rep: rep, path: spec.Path,
		today:     daysFromCivil(today.Year(), int(today.Month()), today.Day()),
		todayText: today.Format("2006-01-02"),
		pcCache:   map[string]pcResult{}, services: map[string]any{}, venues: map[string]any{},
		dates: map[int32]dateInfo{}, lsoaIntern: map[string]any{},
	}
	// Hubs: venues must be hub ids when hub sites are loaded.
	if ok, err := db.TableExists(ctx, "core", "site"); err != nil {
		return nil, err
	} else if ok {
		ids, err := queryStrings(ctx, db, "SELECT site_id FROM core.site WHERE role = 'hub'")
		if err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			v.hubs = make(map[string]any, len(ids))
			for _, id := range ids {
				v.hubs[id] = id
			}
			v.hubCount = len(ids)
		}
	}
	if v.hubs == nil {
		rep.Note("venues not checked: no hub sites are loaded (core.site has no hubs)")
	}
	// LSOAs: codes must be known when an IoD or boundary table exists.
	var sources []string
	for _, t := range []string{"iod", "lsoa"} {
		ok, err := db.TableExists(ctx, "core", t)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		codes, err := queryStrings(ctx, db, "SELECT DISTINCT lsoa_code FROM core."+t)
		if err != nil {
			return nil, err
		}
		if len(codes) == 0 {
			continue
		}
		if v.lsoas == nil {
			v.lsoas = make(map[string]any, len(codes))
		}
		for _, c := range codes {
			v.lsoas[c] = c
		}
		sources = append(sources, "core."+t)
	}
	if v.lsoas == nil {
		rep.Note("home LSOA codes checked for shape only: neither core.iod nor core.lsoa is loaded")
	} else {
		v.lsoaSource = strings.Join(sources, " or ")
	}
	var err error
	if v.pcTable, err = db.TableExists(ctx, "core", "postcode"); err != nil {
		return nil, err
	}
	return v, nil
}

func queryStrings(ctx context.Context, db *store.DB, q string) ([]string, error) {
	rows, err := db.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (v *contactValidator) setColumns(c suCols, names []string) {
	v.c, v.colName = c, names
	if c.venue < 0 {
		v.rep.Note("no venue column: venue_id left empty")
	}
	if c.age < 0 && c.birth < 0 {
		v.rep.Note("no child age column (child_age_months or dob_month): child_age_months left empty")
	}
}

func (v *contactValidator) name(i int) string {
	if i < 0 || i >= len(v.colName) {
		return ""
	}
	return v.colName[i]
}

func (v *contactValidator) reject(line int64, col int, value, reason string) {
	v.rep.Reject(line, v.name(col), value, reason)
}

// maskPostcode shows a postcode only by its district: "S60 1AE" → "S60 …".
func maskPostcode(raw string) string {
	pc, ok := NormalisePostcode(raw)
	if !ok {
		return withheldPostcode
	}
	return pc[:len(pc)-3] + " …"
}

// row validates one contact and appends it, or rejects it. Only the first problem is reported.
func (v *contactValidator) row(in *contactIn) error {
	v.rep.Read++
	c := v.c
	if in.personNull || in.person == "" {
		v.reject(in.line, c.person, "", "person id is empty")
		return nil
	}

	// contact date
	days := in.dateDays
	if !in.dateTyped {
		if in.date == "" {
			in.dateNull = true
		} else {
			d, ok := parseDate(in.date)
			if !ok {
				v.reject(in.line, c.date, in.date, "not a date (expected YYYY-MM-DD, or DD/MM/YYYY)")
				return nil
			}
			days = d
		}
	}
	if in.dateNull {
		v.reject(in.line, c.date, "", "contact date is empty")
		return nil
	}
	if days > v.today {
		val := in.date
		if in.dateTyped {
			val = formatDays(days)
		}
		v.reject(in.line, c.date, val, "contact date is in the future (after "+v.todayText+", the run date)")
		return nil
	}
	di, ok := v.dates[days]
	if !ok {
		y, m, d := civilFromDays(days)
		di = dateInfo{box: time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), year: y, month: m}
		v.dates[days] = di
	}

	// venue
	var venue any
	if c.venue >= 0 && !in.venueNull && in.venue != "" {
		if v.hubs != nil {
			b, ok := v.hubs[in.venue]
			if !ok {
				v.reject(in.line, c.venue, in.venue, fmt.Sprintf("unknown venue: not the id of a hub in core.site (%d hubs loaded)", v.hubCount))
				return nil
			}
			venue = b
		} else {
			b, ok := v.venues[in.venue]
			if !ok {
				s := strings.Clone(in.venue)
				b = s
				v.venues[s] = b
			}
			venue = b
		}
	}

	// home location → LSOA
	var lsoa any
	switch {
	case in.lsoa != "":
		b, ok := v.lsoas[in.lsoa]
		if !ok {
			if !lsoaShape(in.lsoa) {
				v.reject(in.line, c.lsoa, in.lsoa, "not an LSOA code (expected E01 or W01 and 6 digits)")
				return nil
			}
			if v.lsoas != nil {
				v.reject(in.line, c.lsoa, in.lsoa, "unknown LSOA code: not in "+v.lsoaSource+" (LSOA 2011 and 2021 codes differ: check the extract uses the same edition)")
				return nil
			}
			if b, ok = v.lsoaIntern[in.lsoa]; !ok {
				s := strings.Clone(in.lsoa)
				b = s
				v.lsoaIntern[s] = b
			}
		}
		lsoa = b
	case in.postcode != "":
		r, reason := v.postcodeLSOA(in.postcode)
		if r == nil {
			v.reject(in.line, c.postcode, maskPostcode(in.postcode), reason)
			return nil
		}
		lsoa = r
		v.fromPostcode++
	default:
		v.rep.Reject(in.line, v.homeColumns(), "", "missing home location: give the home LSOA code or the home postcode")
		return nil
	}

	// child age in months
	var age any
	switch {
	case in.ageTyped || (c.age >= 0 && in.age != ""):
		a := in.ageVal
		if !in.ageTyped {
			f, err := strconv.ParseFloat(in.age, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				v.reject(in.line, c.age, in.age, "age in months is not a number")
				return nil
			}
			a = f
		}
		m := int(math.Floor(a))
		if m < 0 {
			v.reject(in.line, c.age, strconv.FormatFloat(a, 'f', -1, 64), "negative age")
			return nil
		}
		if m > maxAgeMonths {
			v.reject(in.line, c.age, strconv.FormatFloat(a, 'f', -1, 64), "age over 25 years: not a child's age")
			return nil
		}
		age = int32(m)
	case in.birthTyped || (c.birth >= 0 && in.birth != ""):
		by, bm := in.birthYear, in.birthMonth
		if !in.birthTyped {
			var ok bool
			if by, bm, ok = parseMonth(in.birth); !ok {
				v.reject(in.line, c.birth, withheldBirth, "date of birth month is not a month (expected YYYY-MM)")
				return nil
			}
		}
		m := (di.year*12 + di.month) - (by*12 + bm)
		if m < 0 {
			v.reject(in.line, c.birth, withheldBirth, "negative age: the date of birth is after the contact date")
			return nil
		}
		if m > maxAgeMonths {
			v.reject(in.line, c.birth, withheldBirth, "age over 25 years at the contact date: not a child's age")
			return nil
		}
		age = int32(m)
	}

	// service
	var service any
	if c.service >= 0 && !in.serviceNull && in.service != "" {
		b, ok := v.services[in.service]
		if !ok {
			s := strings.Clone(in.service)
			b = s
			v.services[s] = b
		}
		service = b
	}

	// Repeats of an earlier row (same person, date, service and venue) are loaded and counted.
	// A 64-bit hash of the four stands for the row: no ids are kept, and a false repeat needs a
	// hash collision (odds about 3 in 10^8 for a million rows), which would only shift the note by one.
	h := &v.hash
	h.Reset()
	h.WriteString(in.person)
	h.Write([]byte{0, byte(days), byte(days >> 8), byte(days >> 16), byte(days >> 24)})
	h.WriteString(in.service)
	h.WriteByte(0)
	h.WriteString(in.venue)
	if v.seen.insert(h.Sum64()) {
		v.duplicates++
	}

	return v.emit(contactOut{person: in.person, date: di.box, service: service, venue: venue, lsoa: lsoa, age: age, line: in.line})
}

// hashSet is a set of 64-bit hashes: open addressing with linear probing, at most half full
// (16 bytes a row at worst, about a third of a Go map's footprint, and no pointers for the GC).
type hashSet struct {
	slots []uint64 // 0 = empty; the key 0 itself is kept in zero
	zero  bool
	n     int
	shift uint // 64 - log2(len(slots))
}

// insert adds k and reports whether it was already there.
func (s *hashSet) insert(k uint64) bool {
	if k == 0 {
		had := s.zero
		s.zero = true
		return had
	}
	if 2*(s.n+1) > len(s.slots) {
		old := s.slots
		s.slots = make([]uint64, max(1<<16, 2*len(old)))
		s.shift = uint(64 - bits.Len(uint(len(s.slots)-1)))
		s.n = 0
		for _, o := range old {
			if o != 0 {
				s.insert(o)
			}
		}
	}
	mask := len(s.slots) - 1
	for i := int((k*0x9E3779B97F4A7C15)>>s.shift) & mask; ; i = (i + 1) & mask { // Fibonacci hashing
		switch s.slots[i] {
		case k:
			return true
		case 0:
			s.slots[i] = k
			s.n++
			return false
		}
	}
}

// contactOut is a validated row, its values boxed for the appender.
type contactOut struct {
	person, date, service, venue, lsoa, age, line any
}

// Rows travel from the reader to the appender in batches of this many.
const contactBatch = 4096

var errStreamStopped = errors.New("appending stopped")

// stream reads and validates the extract in one goroutine while this one appends the validated
// rows: on two cores, parsing and DuckDB's appender overlap.
func (v *contactValidator) stream(a *duckdb.Appender) error {
	v.full = make(chan []contactOut, 4)
	v.free = make(chan []contactOut, 6)
	v.stopped = make(chan struct{})
	for i := 0; i < cap(v.free); i++ {
		v.free <- make([]contactOut, 0, contactBatch)
	}
	v.out = <-v.free
	var readErr error
	go func() {
		defer close(v.full)
		if v.csv != nil {
			readErr = v.readCSV()
		} else {
			readErr = v.readArrow()
		}
		if readErr == nil && len(v.out) > 0 {
			v.full <- v.out
		}
	}()
	var appendErr error
	for b := range v.full {
		if appendErr == nil {
			for _, o := range b {
				if err := a.AppendRow(o.person, o.date, o.service, o.venue, o.lsoa, o.age, v.path, o.line); err != nil {
					appendErr = fmt.Errorf("%s line %v: %w", v.spec.Path, o.line, err)
					close(v.stopped)
					break
				}
			}
			if appendErr == nil {
				v.rep.Loaded += int64(len(b))
			}
		}
		clear(b)
		select {
		case v.free <- b[:0]:
		default:
		}
	}
	if errors.Is(readErr, errStreamStopped) {
		readErr = nil
	}
	return errors.Join(readErr, appendErr)
}

// emit queues a validated row for the appender.
func (v *contactValidator) emit(o contactOut) error {
	v.out = append(v.out, o)
	if len(v.out) < contactBatch {
		return nil
	}
	select {
	case v.full <- v.out:
	case <-v.stopped:
		return errStreamStopped
	}
	select {
	case v.out = <-v.free:
	case <-v.stopped:
		return errStreamStopped
	}
	return nil
}

func (v *contactValidator) homeColumns() string {
	var parts []string
	for _, i := range []int{v.c.lsoa, v.c.postcode} {
		if n := v.name(i); n != "" {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, ", ")
}

// postcodeLSOA resolves a home postcode to a boxed LSOA code, or returns the reason it cannot.
func (v *contactValidator) postcodeLSOA(raw string) (any, string) {
	if r, ok := v.pcCache[raw]; ok {
		return r.lsoa, r.reason
	}
	r := v.resolvePostcode(raw)
	v.pcCache[strings.Clone(raw)] = r
	return r.lsoa, r.reason
}

func (v *contactValidator) resolvePostcode(raw string) pcResult {
	pc, ok := NormalisePostcode(raw)
	if !ok {
		return pcResult{reason: "home postcode is not a UK postcode"}
	}
	if !v.pcTable {
		return pcResult{reason: "home postcode given but no postcode lookup is loaded (give a Code-Point Open file in inputs.postcodes)"}
	}
	xy, ok := v.postcodes[pc]
	if !ok {
		return pcResult{reason: MsgPostcodeNotFound}
	}
	if v.spec.ResolveLSOA == nil {
		return pcResult{reason: "home postcode cannot be placed in an LSOA: no LSOA boundaries were given to resolve postcodes (give the home LSOA code, or load LSOA boundaries)"}
	}
	code, ok := v.spec.ResolveLSOA(xy[0], xy[1])
	if !ok || code == "" {
		return pcResult{reason: "home postcode lies outside every loaded LSOA boundary (outside the area and its buffer)"}
	}
	if b, ok := v.lsoas[code]; ok {
		return pcResult{lsoa: b}
	}
	return pcResult{lsoa: code}
}

// loadPostcodes reads core.postcode into memory when the extract has a home postcode column.
func (v *contactValidator) loadPostcodes() error {
	if v.c.postcode < 0 || !v.pcTable {
		return nil
	}
	v.postcodes = map[string][2]float64{}
	rows, err := v.db.Query(v.ctx, "SELECT postcode, x, y FROM core.postcode")
	if err != nil {
		return fmt.Errorf("postcode lookup: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var xy [2]float64
		if err := rows.Scan(&p, &xy[0], &xy[1]); err != nil {
			return fmt.Errorf("postcode lookup: %w", err)
		}
		v.postcodes[p] = xy
	}
	return rows.Err()
}

func (v *contactValidator) close() {
	if v.csv != nil {
		v.csv.Close()
	}
	if v.batches != nil {
		v.batches.Close()
	}
}

func (v *contactValidator) finish() {
	if v.duplicates > 0 {
		v.rep.Note("%d rows repeat an earlier row (same person, date, service and venue): loaded, not rejected; count distinct people or contacts as the measure needs", v.duplicates)
	}
	if v.fromPostcode > 0 {
		v.rep.Note("%d rows placed in an LSOA from the home postcode (postcodes are not stored)", v.fromPostcode)
	}
	if v.isArrow {
		v.rep.Note("line numbers of a Parquet or Arrow file are row numbers (1 = first row)")
	}
}

// openCSV opens a CSV extract and finds its columns.
func (v *contactValidator) openCSV() error {
	f, err := OpenCSV(v.spec.Path)
	if err != nil {
		return err
	}
	c, err := findServiceUseColumns(v.spec, f.Header, func(want string, accepted []string) error {
		return MissingColumnError(v.spec.Path, want, accepted, f.Header)
	})
	if err != nil {
		f.Close()
		return err
	}
	v.csv = f
	v.setColumns(c, f.Header)
	return nil
}

// readCSV streams the rows of the CSV extract.
func (v *contactValidator) readCSV() error {
	f, c := v.csv, v.c
	get := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		s := rec[i]
		if len(s) > 0 && (s[0] == ' ' || s[len(s)-1] == ' ') {
			s = strings.TrimSpace(s)
		}
		return s
	}
	var in contactIn
	for {
		rec, line, err := f.Next()
		if err == io.EOF {
			break
		}
		var re *RowError
		if errors.As(err, &re) {
			v.rep.Read++
			v.rep.Reject(line, "", "", "the row cannot be split into fields: "+re.Err.Error())
			continue
		}
		if err != nil {
			return fmt.Errorf("%s line %d: %w", v.spec.Path, line, err)
		}
		if v.rep.Read&0xFFFF == 0 {
			if err := v.ctx.Err(); err != nil {
				return err
			}
		}
		in = contactIn{
			line: line, person: get(rec, c.person), date: get(rec, c.date),
			service: get(rec, c.service), venue: get(rec, c.venue),
			lsoa: get(rec, c.lsoa), postcode: get(rec, c.postcode),
			age: get(rec, c.age), birth: get(rec, c.birth),
		}
		if err := v.row(&in); err != nil {
			return err
		}
	}
	if v.rep.Read == 0 {
		return fmt.Errorf("%s: the file has a header but no data rows", v.spec.Path)
	}
	return nil
}

// batchSource yields Arrow record batches; Next returns io.EOF at the end.
type batchSource interface {
	Schema() *arrow.Schema
	Next() (arrow.Record, error)
	Close() error
}

type parquetSource struct {
	f  *os.File
	rr pqarrow.RecordReader
}

func (p *parquetSource) Schema() *arrow.Schema { return p.rr.Schema() }
func (p *parquetSource) Next() (arrow.Record, error) {
	if p.rr.Next() {
		return p.rr.Record(), nil
	}
	if err := p.rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return nil, io.EOF
}
func (p *parquetSource) Close() error { p.rr.Release(); return p.f.Close() }

type ipcFileSource struct {
	f *os.File
	r *ipc.FileReader
	i int
}

func (s *ipcFileSource) Schema() *arrow.Schema { return s.r.Schema() }
func (s *ipcFileSource) Next() (arrow.Record, error) {
	if s.i >= s.r.NumRecords() {
		return nil, io.EOF
	}
	s.i++
	return s.r.Record(s.i - 1)
}
func (s *ipcFileSource) Close() error { s.r.Close(); return s.f.Close() }

type ipcStreamSource struct {
	f *os.File
	r *ipc.Reader
}

func (s *ipcStreamSource) Schema() *arrow.Schema { return s.r.Schema() }
func (s *ipcStreamSource) Next() (arrow.Record, error) {
	if s.r.Next() {
		return s.r.Record(), nil
	}
	if err := s.r.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return nil, io.EOF
}
func (s *ipcStreamSource) Close() error { s.r.Release(); return s.f.Close() }

// openBatches opens a Parquet or Arrow IPC file for reading in record batches; for Parquet only
// the recognised columns are decoded.
func (v *contactValidator) openBatches(format string) (batchSource, error) {
	path := v.spec.Path
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	mem := memory.NewGoAllocator()
	switch format {
	case "parquet":
		pf, err := file.NewParquetReader(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: not a readable Parquet file: %w", path, err)
		}
		batch := v.spec.BatchSize
		if batch <= 0 {
			batch = 1 << 16
		}
		fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(batch)}, mem)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		sc, err := fr.Schema()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: Parquet schema: %w", path, err)
		}
		if sc.NumFields() != pf.MetaData().Schema.NumColumns() {
			f.Close()
			return nil, fmt.Errorf("%s: nested Parquet columns are not supported (expected one flat column per field)", path)
		}
		c, err := findServiceUseColumns(v.spec, fieldNames(sc), v.missingField(sc, "Parquet"))
		if err != nil {
			f.Close()
			return nil, err
		}
		var idx []int
		for _, i := range []int{c.person, c.date, c.service, c.venue, c.lsoa, c.postcode, c.age, c.birth} {
			if i >= 0 {
				idx = append(idx, i)
			}
		}
		rr, err := fr.GetRecordReader(v.ctx, idx, nil)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return &parquetSource{f: f, rr: rr}, nil
	case "arrow-file":
		r, err := ipc.NewFileReader(f, ipc.WithAllocator(mem))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: not a readable Arrow IPC file: %w", path, err)
		}
		return &ipcFileSource{f: f, r: r}, nil
	default:
		r, err := ipc.NewReader(bufio.NewReaderSize(f, 1<<16), ipc.WithAllocator(mem))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: not a readable Arrow IPC stream: %w", path, err)
		}
		return &ipcStreamSource{f: f, r: r}, nil
	}
}

func fieldNames(sc *arrow.Schema) []string {
	names := make([]string, sc.NumFields())
	for i, f := range sc.Fields() {
		names[i] = f.Name
	}
	return names
}

func (v *contactValidator) missingField(sc *arrow.Schema, kind string) func(string, []string) error {
	return func(want string, accepted []string) error {
		return fmt.Errorf("%s: required column %q is missing from the %s schema (accepted names: %s); the file has: %s",
			v.spec.Path, want, kind, strings.Join(quoteAll(accepted), ", "), strings.Join(quoteAll(fieldNames(sc)), ", "))
	}
}

// openArrow opens a Parquet or Arrow IPC extract and finds its columns.
func (v *contactValidator) openArrow(format string) error {
	v.isArrow = true
	src, err := v.openBatches(format)
	if err != nil {
		return err
	}
	names := fieldNames(src.Schema())
	c, err := findServiceUseColumns(v.spec, names, v.missingField(src.Schema(), map[bool]string{true: "Parquet", false: "Arrow"}[format == "parquet"]))
	if err != nil {
		src.Close()
		return err
	}
	v.batches = src
	v.setColumns(c, names)
	return nil
}

// readArrow streams the record batches of the Parquet or Arrow extract, validating each batch.
func (v *contactValidator) readArrow() error {
	src, c := v.batches, v.c
	var line int64
	var in contactIn
	for {
		rec, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: reading the record batch after row %d: %w", v.spec.Path, line, err)
		}
		if err := v.ctx.Err(); err != nil {
			return err
		}
		b, err := v.batchColumns(rec, c)
		if err != nil {
			return err
		}
		n := int(rec.NumRows())
		for i := 0; i < n; i++ {
			line++
			in = contactIn{line: line}
			b.fill(i, &in)
			if err := v.row(&in); err != nil {
				return err
			}
		}
	}
	if line == 0 {
		return fmt.Errorf("%s: the file has no rows", v.spec.Path)
	}
	return nil
}

// strGetter reads column values as strings; ok is false for a null.
type strGetter func(i int) (string, bool)

type batchCols struct {
	person, service, venue, lsoa, postcode, age, birth strGetter
	date                                               func(i int, in *contactIn)
	ageNum                                             func(i int) (float64, bool, bool) // value, valid, typed
	birthDate                                          func(i int) (int32, bool)         // days, valid
}

func (b *batchCols) fill(i int, in *contactIn) {
	var ok bool
	in.person, ok = b.person(i)
	in.personNull = !ok
	// The value may point into the batch's buffers, which are released when the reader moves on;
	// the appender runs in another goroutine, so keep a copy.
	in.person = strings.Clone(in.person)
	b.date(i, in)
	if b.service != nil {
		in.service, ok = b.service(i)
		in.serviceNull = !ok
	}
	if b.venue != nil {
		in.venue, ok = b.venue(i)
		in.venueNull = !ok
	}
	if b.lsoa != nil {
		in.lsoa, _ = b.lsoa(i)
	}
	if b.postcode != nil {
		in.postcode, _ = b.postcode(i)
	}
	if b.ageNum != nil {
		if a, valid, _ := b.ageNum(i); valid {
			in.ageVal, in.ageTyped = a, true
		}
	} else if b.age != nil {
		in.age, _ = b.age(i)
	}
	if b.birthDate != nil {
		if d, valid := b.birthDate(i); valid {
			y, m, _ := civilFromDays(d)
			in.birthYear, in.birthMonth, in.birthTyped = y, m, true
		}
	} else if b.birth != nil {
		in.birth, _ = b.birth(i)
	}
}

// batchColumns builds typed accessors for one record batch.
func (v *contactValidator) batchColumns(rec arrow.Record, c suCols) (*batchCols, error) {
	sc := rec.Schema()
	col := func(name string) (arrow.Array, error) {
		idx := sc.FieldIndices(name)
		if len(idx) == 0 {
			return nil, fmt.Errorf("%s: column %q is missing from a record batch", v.spec.Path, name)
		}
		return rec.Column(idx[0]), nil
	}
	strs := func(i int) (strGetter, error) {
		if i < 0 {
			return nil, nil
		}
		a, err := col(v.colName[i])
		if err != nil {
			return nil, err
		}
		g, err := stringValues(a)
		if err != nil {
			return nil, fmt.Errorf("%s: column %q: %w", v.spec.Path, v.colName[i], err)
		}
		return g, nil
	}
	b := &batchCols{}
	var err error
	if b.person, err = strs(c.person); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		dst *strGetter
		i   int
	}{{&b.service, c.service}, {&b.venue, c.venue}, {&b.lsoa, c.lsoa}, {&b.postcode, c.postcode}} {
		if *p.dst, err = strs(p.i); err != nil {
			return nil, err
		}
	}
	da, err := col(v.colName[c.date])
	if err != nil {
		return nil, err
	}
	if days, ok := dateValues(da); ok {
		b.date = func(i int, in *contactIn) {
			d, valid := days(i)
			in.dateTyped, in.dateNull, in.dateDays = true, !valid, d
		}
	} else {
		g, err := stringValues(da)
		if err != nil {
			return nil, fmt.Errorf("%s: column %q: %w (expected a date or text YYYY-MM-DD)", v.spec.Path, v.colName[c.date], err)
		}
		b.date = func(i int, in *contactIn) { in.date, _ = g(i) }
	}
	if c.age >= 0 {
		aa, err := col(v.colName[c.age])
		if err != nil {
			return nil, err
		}
		if num, ok := numberValues(aa); ok {
			b.ageNum = num
		} else if b.age, err = stringValues(aa); err != nil {
			return nil, fmt.Errorf("%s: column %q: %w", v.spec.Path, v.colName[c.age], err)
		}
	}
	if c.birth >= 0 {
		ba, err := col(v.colName[c.birth])
		if err != nil {
			return nil, err
		}
		if days, ok := dateValues(ba); ok {
			b.birthDate = days
		} else if b.birth, err = stringValues(ba); err != nil {
			return nil, fmt.Errorf("%s: column %q: %w", v.spec.Path, v.colName[c.birth], err)
		}
	}
	return b, nil
}

// stringValues reads text, binary, integer or dictionary-encoded text columns as strings.
func stringValues(a arrow.Array) (strGetter, error) {
	switch t := a.(type) {
	case *array.String:
		return func(i int) (string, bool) {
			if t.IsNull(i) {
				return "", false
			}
			return strings.TrimSpace(t.Value(i)), true
		}, nil
	case *array.LargeString:
		return func(i int) (string, bool) {
			if t.IsNull(i) {
				return "", false
			}
			return strings.TrimSpace(t.Value(i)), true
		}, nil
	case *array.Binary:
		return func(i int) (string, bool) {
			if t.IsNull(i) {
				return "", false
			}
			return strings.TrimSpace(string(t.Value(i))), true
		}, nil
	case *array.Dictionary:
		inner, err := stringValues(t.Dictionary())
		if err != nil {
			return nil, err
		}
		return func(i int) (string, bool) {
			if t.IsNull(i) {
				return "", false
			}
			return inner(t.GetValueIndex(i))
		}, nil
	case *array.Int64:
		return func(i int) (string, bool) {
			if t.IsNull(i) {
				return "", false
			}
			return strconv.FormatInt(t.Value(i), 10), true
		}, nil
	case *array.Int32:
		return func(i int) (string, bool) {
			if t.IsNull(i) {
				return "", false
			}
			return strconv.FormatInt(int64(t.Value(i)), 10), true
		}, nil
	case *array.Uint64:
		return func(i int) (string, bool) {
			if t.IsNull(i) {
				return "", false
			}
			return strconv.FormatUint(t.Value(i), 10), true
		}, nil
	case *array.Float64:
		return func(i int) (string, bool) {
			if t.IsNull(i) {
				return "", false
			}
			return strconv.FormatFloat(t.Value(i), 'f', -1, 64), true
		}, nil
	case *array.Null:
		return func(int) (string, bool) { return "", false }, nil
	}
	return nil, fmt.Errorf("type %s is not supported (expected text or whole numbers)", a.DataType())
}

// dateValues reads date and timestamp columns as days since 1970-01-01; ok is false for other types.
func dateValues(a arrow.Array) (func(i int) (int32, bool), bool) {
	switch t := a.(type) {
	case *array.Date32:
		return func(i int) (int32, bool) {
			if t.IsNull(i) {
				return 0, false
			}
			return int32(t.Value(i)), true
		}, true
	case *array.Date64:
		return func(i int) (int32, bool) {
			if t.IsNull(i) {
				return 0, false
			}
			return int32(math.Floor(float64(t.Value(i)) / 86_400_000)), true
		}, true
	case *array.Timestamp:
		unit := t.DataType().(*arrow.TimestampType).Unit
		perDay := float64(86_400) * map[arrow.TimeUnit]float64{arrow.Second: 1, arrow.Millisecond: 1e3, arrow.Microsecond: 1e6, arrow.Nanosecond: 1e9}[unit]
		return func(i int) (int32, bool) {
			if t.IsNull(i) {
				return 0, false
			}
			return int32(math.Floor(float64(t.Value(i)) / perDay)), true
		}, true
	}
	return nil, false
}

// numberValues reads integer and floating-point columns; ok is false for other types.
func numberValues(a arrow.Array) (func(i int) (float64, bool, bool), bool) {
	type numeric interface {
		IsNull(int) bool
	}
	var get func(i int) float64
	switch t := a.(type) {
	case *array.Int8:
		get = func(i int) float64 { return float64(t.Value(i)) }
	case *array.Int16:
		get = func(i int) float64 { return float64(t.Value(i)) }
	case *array.Int32:
		get = func(i int) float64 { return float64(t.Value(i)) }
	case *array.Int64:
		get = func(i int) float64 { return float64(t.Value(i)) }
	case *array.Uint8:
		get = func(i int) float64 { return float64(t.Value(i)) }
	case *array.Uint16:
		get = func(i int) float64 { return float64(t.Value(i)) }
	case *array.Uint32:
		get = func(i int) float64 { return float64(t.Value(i)) }
	case *array.Float32:
		get = func(i int) float64 { return float64(t.Value(i)) }
	case *array.Float64:
		get = func(i int) float64 { return t.Value(i) }
	default:
		return nil, false
	}
	n := a.(numeric)
	return func(i int) (float64, bool, bool) {
		if n.IsNull(i) {
			return 0, false, true
		}
		return get(i), true, true
	}, true
}

// lsoaShape checks an LSOA code's form: E01 (England) or W01 (Wales) and six digits.
func lsoaShape(s string) bool {
	if len(s) != 9 || (s[0] != 'E' && s[0] != 'W') || s[1] != '0' || s[2] != '1' {
		return false
	}
	for i := 3; i < 9; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDate reads YYYY-MM-DD (optionally followed by a time after 'T' or a space), or the UK
// style DD/MM/YYYY (also D/M/YYYY), into days since 1970-01-01, checking the day exists.
func parseDate(s string) (int32, bool) {
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' && (len(s) == 10 || s[10] == 'T' || s[10] == ' ') {
		y, ok1 := digits(s[0:4])
		m, ok2 := digits(s[5:7])
		d, ok3 := digits(s[8:10])
		if ok1 && ok2 && ok3 && validDay(y, m, d) {
			return daysFromCivil(y, m, d), true
		}
		return 0, false
	}
	d1 := strings.IndexByte(s, '/')
	if d1 < 1 || d1 > 2 {
		return 0, false
	}
	d2 := strings.IndexByte(s[d1+1:], '/')
	if d2 < 1 || d2 > 2 {
		return 0, false
	}
	d2 += d1 + 1
	rest := s[d2+1:]
	if sp := strings.IndexAny(rest, " T"); sp >= 0 {
		rest = rest[:sp]
	}
	d, ok1 := digits(s[:d1])
	m, ok2 := digits(s[d1+1 : d2])
	y, ok3 := digits(rest)
	if ok1 && ok2 && ok3 && len(rest) == 4 && validDay(y, m, d) {
		return daysFromCivil(y, m, d), true
	}
	return 0, false
}

// parseMonth reads a birth month: YYYY-MM, YYYY-MM-DD (the day is ignored) or MM/YYYY.
func parseMonth(s string) (year, month int, ok bool) {
	switch {
	case len(s) >= 7 && s[4] == '-' && (len(s) == 7 || s[7] == '-'):
		y, ok1 := digits(s[0:4])
		m, ok2 := digits(s[5:7])
		if ok1 && ok2 && m >= 1 && m <= 12 && y >= 1900 {
			return y, m, true
		}
	case len(s) == 7 && s[2] == '/':
		m, ok1 := digits(s[0:2])
		y, ok2 := digits(s[3:7])
		if ok1 && ok2 && m >= 1 && m <= 12 && y >= 1900 {
			return y, m, true
		}
	}
	return 0, 0, false
}

func digits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func validDay(y, m, d int) bool {
	if y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 {
		return false
	}
	dim := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		dim = 29
	}
	return d <= dim
}

// daysFromCivil and civilFromDays convert between proleptic Gregorian dates and days since
// 1970-01-01 (H. Hinnant, "chrono-compatible low-level date algorithms").
func daysFromCivil(y, m, d int) int32 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int32(era*146097 + doe - 719468)
}

func civilFromDays(days int32) (y, m, d int) {
	z := int(days) + 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func formatDays(days int32) string {
	y, m, d := civilFromDays(days)
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}
