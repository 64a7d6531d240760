package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hubreach/config"
	"hubreach/internal/store"
)

// chartsFixture is a database with a district -> county lookup (Cannock Chase and East
// Staffordshire in Staffordshire) and an upper-tier summary of n authorities, Staffordshire
// ranked 3rd.
func chartsFixture(t *testing.T, n int) *Env {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{"core.la_hierarchy", "core.iod"} {
		if _, err := db.Exec(ctx, mustSQL(q)); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`INSERT INTO core.la_hierarchy VALUES ('E07000192', 'Cannock Chase', 'E10000028', 'Staffordshire'),
			('E07000193', 'East Staffordshire', 'E10000028', 'Staffordshire')`,
		`CREATE SCHEMA IF NOT EXISTS analysis`,
		`CREATE TABLE analysis.la_summary_utla (la_code VARCHAR, la_name VARCHAR, idaci_avg_rank DOUBLE, idaci_avg_rank_rank INTEGER)`,
		`CREATE TABLE analysis.la_summary_ltla AS SELECT * FROM analysis.la_summary_utla`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= n; i++ {
		code, name := fmt.Sprintf("E06%06d", i), fmt.Sprintf("Authority %d", i)
		if i == 3 {
			code, name = "E10000028", "Staffordshire"
		}
		if _, err := db.Exec(ctx, `INSERT INTO analysis.la_summary_utla VALUES (?, ?, ?, ?)`, code, name, 30000-1000*float64(i), i); err != nil {
			t.Fatal(err)
		}
	}
	cfg := config.Default()
	cfg.Area.Name = "cannock"
	cfg.Area.Codes = []string{"E07000192"}
	cfg.Inputs.LALookup = ""
	return &Env{Config: cfg, DB: db, Dir: t.TempDir(), Progress: Quiet{}}
}

// A district is itself among districts, and its county among upper-tier authorities.
func TestHighlightCodes(t *testing.T) {
	env := chartsFixture(t, 12)
	ctx := context.Background()
	lt, err := highlightCodes(ctx, env, env.Config, "ltla")
	if err != nil {
		t.Fatal(err)
	}
	ut, err := highlightCodes(ctx, env, env.Config, "utla")
	if err != nil {
		t.Fatal(err)
	}
	if len(lt) != 1 || !lt["E07000192"] {
		t.Errorf("lower tier %v, want only E07000192", lt)
	}
	if !ut["E10000028"] {
		t.Errorf("upper tier %v, want Staffordshire E10000028", ut)
	}
	// A unitary absent from the lookup is its own upper tier.
	cfg := env.Config
	cfg.Area.Codes = []string{"E08000018"}
	if ut, _ := highlightCodes(ctx, env, cfg, "utla"); !ut["E08000018"] {
		t.Errorf("unitary not its own upper tier: %v", ut)
	}
}

func TestLAComparisonChart(t *testing.T) {
	ctx := context.Background()
	env := chartsFixture(t, 12)
	path := filepath.Join(env.Dir, "charts", "la_comparison")
	if err := drawLAComparison(ctx, env, env.Config, "utla", path); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{".png", ".svg"} {
		if fi, err := os.Stat(path + ext); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", ext, err)
		}
	}
	svg, _ := os.ReadFile(path + ".svg")
	if !strings.Contains(string(svg), "Staffordshire: 3rd of 12") {
		t.Error("the chart does not label the area's county 'Staffordshire: 3rd of 12'")
	}
	// Too few authorities: a note, no chart.
	few := chartsFixture(t, 5)
	p := filepath.Join(few.Dir, "charts", "few")
	if err := drawLAComparison(ctx, few, few.Config, "utla", p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p + ".png"); err == nil || len(few.Notes) != 1 || !strings.Contains(few.Notes[0], "only 5 authorities") {
		t.Errorf("5 authorities: chart drawn or no note (%q)", few.Notes)
	}
}
