package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"hubreach/config"
	"hubreach/datasets/demo"
	"hubreach/internal/store"
)

// reachBenchContacts is the size of the benchmark extract.
const reachBenchContacts = 10_000_000

// reachBenchDB runs the demo's ingest, need and access stages, then replaces core.contact with
// reachBenchContacts contacts from demo.WriteServiceUse (the project's generator: about 2.5 million
// children over the demo's LSOAs and hubs, two years) and returns the database and the config.
func reachBenchDB(b *testing.B) (*store.DB, config.Config) {
	b.Helper()
	ctx := context.Background()
	root := b.TempDir()
	inputs := filepath.Join(root, "inputs")
	if _, err := demo.Write(inputs, demo.Options{}); err != nil {
		b.Fatal(err)
	}
	cfg, err := config.LoadFile(filepath.Join(repoDirB(b), "config", "demo.yaml"), nil)
	if err != nil {
		b.Fatal(err)
	}
	cfg.DataDir, cfg.Output = inputs, filepath.Join(root, "out")
	stages := []Stage{Ingest(), sqlStage("need", "analysis.lsoa_need", "analysis.ward_profile"), Access()}
	if _, err := Run(ctx, cfg, stages, Options{FromScratch: true}); err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(cfg.AreaDir(), DBFile))
	if err != nil {
		b.Fatal(err)
	}
	lsoas, err := queryCol(ctx, db, `SELECT lsoa_code FROM core.lsoa ORDER BY lsoa_code`)
	if err != nil {
		b.Fatal(err)
	}
	venues, err := queryCol(ctx, db, `SELECT site_id FROM core.site WHERE role = 'hub' ORDER BY site_id`)
	if err != nil {
		b.Fatal(err)
	}
	csvPath := filepath.Join(root, "contacts.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		b.Fatal(err)
	}
	if err := demo.WriteServiceUse(f, reachBenchContacts, 20260401, lsoas, venues); err != nil {
		b.Fatal(err)
	}
	f.Close()
	for _, q := range []string{`DELETE FROM core.contact`,
		fmt.Sprintf(`INSERT INTO core.contact (person_id, contact_date, service, venue_id, home_lsoa, child_age_months)
			SELECT person_id, contact_date, service, venue_id, home_lsoa, child_age_months
			FROM read_csv('%s', header = true, columns = {'person_id': 'VARCHAR', 'contact_date': 'DATE', 'service': 'VARCHAR',
				'venue_id': 'VARCHAR', 'home_lsoa': 'VARCHAR', 'child_age_months': 'INTEGER'})`, csvPath),
		`CHECKPOINT`} {
		if _, err := db.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	os.Remove(csvPath)
	return db, cfg
}

func repoDirB(b *testing.B) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			b.Fatal("no go.mod")
		}
		dir = up
	}
}

func queryCol(ctx context.Context, db *store.DB, q string) ([]string, error) {
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

// peakRSS is the process's peak resident set (VmHWM, Linux), DuckDB's memory included.
func peakRSS() (uint64, bool) {
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

// BenchmarkReach10M runs the reach stage (classification, private counts, disclosure control,
// both distance-decay fits, all reach tables, map and charts) on 10 million generated contacts,
// in a transaction as the pipeline does. Peak RSS is reset before the timed runs where the
// kernel allows it (/proc/self/clear_refs), so it measures the stage, not the set-up.
func BenchmarkReach10M(b *testing.B) {
	ctx := context.Background()
	db, cfg := reachBenchDB(b)
	defer db.Close()
	env := &Env{Config: cfg, DB: db, Dir: b.TempDir(), Progress: &stepTimer{b: b}, Now: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)}
	runtime.GC()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	b.ResetTimer()
	t0 := time.Now()
	for i := 0; i < b.N; i++ {
		env.Notes = nil
		if err := db.InTx(ctx, func() error { return Reach().Run(ctx, env) }); err != nil {
			b.Fatal(err)
		}
		env.Progress.Step("end")
		env.Progress.(*stepTimer).name = ""
	}
	el := time.Since(t0)
	b.StopTimer()
	b.ReportMetric(float64(reachBenchContacts)*float64(b.N)/el.Seconds(), "rows/s")
	if rss, ok := peakRSS(); ok {
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
	}
	var children int64
	if err := db.QueryRow(ctx, `SELECT count(*) FROM private.reach_child`).Scan(&children); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(children), "children")
	for _, n := range env.Notes {
		b.Log(n)
	}
}

// stepTimer logs how long each step of the stage took (with -v).
type stepTimer struct {
	b    *testing.B
	last time.Time
	name string
}

func (s *stepTimer) Stage(string) {}
func (s *stepTimer) Step(format string, args ...any) {
	s.flush()
	s.name, s.last = fmt.Sprintf(format, args...), time.Now()
}
func (s *stepTimer) Done(string, time.Duration) { s.flush() }
func (s *stepTimer) flush() {
	if s.name != "" {
		s.b.Logf("%-45s %6.2f s", s.name, time.Since(s.last).Seconds())
	}
	s.name = ""
}
