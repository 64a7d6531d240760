package datasets

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"hubreach/internal/store"
	"hubreach/queries"
)

// The synthetic extract: 1,000,000 contacts of 150,000 children at 12 hubs over two years, homes
// in 600 LSOAs (90%) or given as one of 3,000 postcodes (9%), ages in months or birth months. About
// 1.5% of rows are bad on purpose (unknown venue, unknown LSOA, missing home, future date; in the
// CSV also unparseable dates), so that the reject path is part of what is measured.
const (
	suBenchRows      = 1_000_000
	suBenchPersons   = 150_000
	suBenchHubs      = 12
	suBenchLSOAs     = 600
	suBenchPostcodes = 3_000
)

var (
	suBenchToday    = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	suBenchServices = []string{"Stay and play", "Health visiting", "Baby massage", "Infant feeding", "Parenting programme", "Speech and language", "Perinatal mental health", "Youth club"}
)

func suBenchPostcode(i int) string {
	// S60 1AA, S60 1AB, ...: 3,000 distinct postcodes in S60 to S69.
	return fmt.Sprintf("S6%d %d%c%c", i/300, (i/26/26)%10, 'A'+(i/26)%26, 'A'+i%26)
}

func suBenchLSOA(i int) string { return fmt.Sprintf("E01%06d", i+1) }

// suBenchRow is one generated contact; empty strings are missing values.
type suBenchRow struct {
	person, date, service, venue, lsoa, postcode, age, dob string
	dateDays                                               int32
	dateBad                                                bool
}

// suBenchGen yields the deterministic rows (math/rand/v2 PCG with a fixed seed).
func suBenchGen(yield func(r *suBenchRow)) {
	rng := rand.New(rand.NewPCG(2019, 926))
	start := daysFromCivil(2023, 1, 1)
	future := daysFromCivil(2025, 7, 15)
	var r suBenchRow
	for i := 0; i < suBenchRows; i++ {
		r = suBenchRow{}
		r.person = "P" + strconv.Itoa(1_000_000+rng.IntN(suBenchPersons))
		r.dateDays = start + int32(rng.IntN(730))
		switch u := rng.IntN(1000); {
		case u < 2:
			r.dateDays = future
		case u < 3:
			r.dateBad = true
		}
		r.service = suBenchServices[rng.IntN(len(suBenchServices))]
		if rng.IntN(200) == 0 {
			r.venue = "H99"
		} else {
			r.venue = fmt.Sprintf("H%02d", 1+rng.IntN(suBenchHubs))
		}
		switch u := rng.IntN(1000); {
		case u < 5: // no home location
		case u < 8:
			r.lsoa = "E01999" + strconv.Itoa(100+rng.IntN(900))
		case u < 908:
			r.lsoa = suBenchLSOA(rng.IntN(suBenchLSOAs))
		default:
			r.postcode = suBenchPostcode(rng.IntN(suBenchPostcodes))
		}
		if rng.IntN(2) == 0 {
			r.age = strconv.Itoa(rng.IntN(60))
		} else {
			y, m, _ := civilFromDays(r.dateDays - int32(rng.IntN(1800)))
			r.dob = fmt.Sprintf("%04d-%02d", y, m)
		}
		yield(&r)
	}
}

func suBenchWriteCSV(tb testing.TB, path string) {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("person_id,contact_date,service,venue_id,home_lsoa,home_postcode,child_age_months,dob_month\n")
	suBenchGen(func(r *suBenchRow) {
		date := formatDays(r.dateDays)
		if r.dateBad {
			date = "31/02/2024"
		} else if r.dateDays%7 == 0 {
			y, m, d := civilFromDays(r.dateDays) // some rows in the UK style
			date = fmt.Sprintf("%02d/%02d/%04d", d, m, y)
		}
		for i, s := range []string{r.person, date, r.service, r.venue, r.lsoa, r.postcode, r.age, r.dob} {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(s)
		}
		w.WriteByte('\n')
	})
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

func suBenchWriteParquet(tb testing.TB, path string) {
	mem := memory.NewGoAllocator()
	str := arrow.BinaryTypes.String
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "person_id", Type: str},
		{Name: "contact_date", Type: arrow.FixedWidthTypes.Date32},
		{Name: "service", Type: str},
		{Name: "venue_id", Type: str},
		{Name: "home_lsoa", Type: str, Nullable: true},
		{Name: "home_postcode", Type: str, Nullable: true},
		{Name: "child_age_months", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "dob_month", Type: str, Nullable: true},
	}, nil)
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(schema, f,
		parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(128<<10), parquet.WithDictionaryDefault(true)),
		pqarrow.DefaultWriterProps())
	if err != nil {
		tb.Fatal(err)
	}
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	optional := func(fb array.Builder, s string) {
		if s == "" {
			fb.AppendNull()
		} else {
			fb.(*array.StringBuilder).Append(s)
		}
	}
	flush := func() {
		rec := b.NewRecord()
		defer rec.Release()
		if err := w.Write(rec); err != nil {
			tb.Fatal(err)
		}
	}
	n := 0
	suBenchGen(func(r *suBenchRow) {
		b.Field(0).(*array.StringBuilder).Append(r.person)
		b.Field(1).(*array.Date32Builder).Append(arrow.Date32(r.dateDays))
		b.Field(2).(*array.StringBuilder).Append(r.service)
		b.Field(3).(*array.StringBuilder).Append(r.venue)
		optional(b.Field(4), r.lsoa)
		optional(b.Field(5), r.postcode)
		if r.age == "" {
			b.Field(6).AppendNull()
		} else {
			a, _ := strconv.Atoi(r.age)
			b.Field(6).(*array.Int32Builder).Append(int32(a))
		}
		optional(b.Field(7), r.dob)
		if n++; n%(64<<10) == 0 {
			flush()
		}
	})
	flush()
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
}

// suBenchDB is a fresh database (a file in dir, or in memory when dir is "") with the reference
// tables the extract is checked against.
func suBenchDB(tb testing.TB, dir string) *store.DB {
	ctx := context.Background()
	path := "" // in memory
	if dir != "" {
		path = filepath.Join(dir, "bench.duckdb")
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	for _, q := range []string{
		queries.MustSQL("core.site"), queries.MustSQL("core.iod"), queries.MustSQL("core.postcode"),
		`INSERT INTO core.site (site_id, role, tier, x, y, location_from)
			SELECT printf('H%02d', i), 'hub', 'plus', 440000 + i * 500, 392000, 'easting/northing' FROM range(1, 13) t(i)`,
		`INSERT INTO core.iod (lsoa_code, edition) SELECT printf('E01%06d', i), 2019 FROM range(1, 601) t(i)`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			tb.Fatal(err)
		}
	}
	err = db.Append(ctx, "core", "postcode", func(a *duckdb.Appender) error {
		for i := 0; i < suBenchPostcodes; i++ {
			pc, _ := NormalisePostcode(suBenchPostcode(i))
			if err := a.AppendRow(pc, float64(430000+10*i), 392000.0, int16(10), "E08000018"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

// suBenchResolver places postcode i (easting 430000 + 10 i) in LSOA i mod 600.
func suBenchResolver() func(x, y float64) (string, bool) {
	codes := make([]string, suBenchLSOAs)
	for i := range codes {
		codes[i] = suBenchLSOA(i)
	}
	return func(x, y float64) (string, bool) {
		i := int(x-430000) / 10
		if i < 0 || i >= suBenchPostcodes {
			return "", false
		}
		return codes[i%suBenchLSOAs], true
	}
}

// suHeapPeak samples the Go heap in use every millisecond (DuckDB's own memory is C memory and
// not included).
type suHeapPeak struct {
	stopc chan struct{}
	wg    sync.WaitGroup
	peak  uint64
}

func suStartHeapPeak() *suHeapPeak {
	s := &suHeapPeak{stopc: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(sample)
		s.peak = max(s.peak, sample[0].Value.Uint64())
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stopc:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return s
}

func (s *suHeapPeak) stop() uint64 { close(s.stopc); s.wg.Wait(); return s.peak }

// suCPUTime is the user + system CPU time of the whole process (all threads, DuckDB's included):
// steadier than wall time on a shared machine.
func suCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// suVmHWM reads the process's peak resident set (Linux; DuckDB's memory included).
func suVmHWM() (uint64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

// suBenchLoad generates the extract once, then loads it b.N times into a fresh database: a DuckDB
// file (what the pipeline uses: DuckDB compresses and writes the rows as they are appended and at
// commit) and an in-memory database (the parsing, validation and appender alone).
func suBenchLoad(b *testing.B, write func(testing.TB, string), name string) {
	dir := b.TempDir()
	path := filepath.Join(dir, name)
	write(b, path)
	for _, where := range []string{"file", "memory"} {
		b.Run(where, func(b *testing.B) { suBenchLoadInto(b, dir, path, where == "file") })
	}
}

func suBenchLoadInto(b *testing.B, dir, path string, onDisk bool) {
	st, _ := os.Stat(path)
	ctx := context.Background()
	resolve := suBenchResolver()
	var rows, rejected int64
	var elapsed, cpu time.Duration
	var peak uint64
	b.ResetTimer()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		dbDir := ""
		if onDisk {
			dbDir = filepath.Join(dir, "db"+strconv.Itoa(i))
			os.Mkdir(dbDir, 0o755)
		}
		db := suBenchDB(b, dbDir)
		runtime.GC()
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset VmHWM where allowed
		sampler := suStartHeapPeak()
		t0, cpu0 := time.Now(), suCPUTime()
		b.StartTimer()
		rep, err := LoadServiceUse(ctx, db, ServiceUseSpec{Path: path, Today: suBenchToday, ResolveLSOA: resolve})
		b.StopTimer()
		elapsed += time.Since(t0)
		cpu += suCPUTime() - cpu0
		peak = max(peak, sampler.stop())
		if err != nil {
			b.Fatal(err)
		}
		if rep.Read != suBenchRows || rep.Balanced() != nil {
			b.Fatalf("read %d loaded %d rejected %d", rep.Read, rep.Loaded, rep.Rejected)
		}
		rows += rep.Read
		rejected = rep.Rejected
		db.Close()
		if dbDir != "" {
			os.RemoveAll(dbDir)
		}
	}
	b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	if rss, ok := suVmHWM(); ok {
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
	}
	b.ReportMetric(float64(rejected), "rejects")
	b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
}

// BenchmarkLoadServiceUseCSV1M loads a generated 1,000,000-row CSV extract into a fresh database
// per iteration, validating every row against hubs, LSOAs and postcodes.
func BenchmarkLoadServiceUseCSV1M(b *testing.B) {
	suBenchLoad(b, suBenchWriteCSV, "contacts.csv")
}

// BenchmarkLoadServiceUseParquet1M is the same extract as Parquet (typed dates and ages,
// dictionary-encoded text, row groups of 131,072), read in record batches of 65,536.
func BenchmarkLoadServiceUseParquet1M(b *testing.B) {
	suBenchLoad(b, suBenchWriteParquet, "contacts.parquet")
}
