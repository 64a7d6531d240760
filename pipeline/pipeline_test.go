package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hubreach/config"
)

func testConfig(t *testing.T) config.Config {
	c := config.Default()
	c.Area.Name = "t"
	c.Output = t.TempDir()
	return c
}

func makeTable(name string, rows int) Stage {
	return StageFunc{N: "make " + name, F: func(ctx context.Context, env *Env) error {
		if _, err := env.DB.Exec(ctx, "CREATE OR REPLACE TABLE analysis."+name+" AS SELECT range AS i FROM range(?)", rows); err != nil {
			return err
		}
		return WriteFileAtomic(filepath.Join(env.Dir, name+".txt"), []byte(name))
	}}
}

// A run that fails half way leaves the previous database and outputs exactly as they were, and no
// working folder behind.
func TestFailedRunLeavesPreviousOutputs(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	if _, err := Run(ctx, cfg, []Stage{makeTable("first", 10)}, Options{FromScratch: true}); err != nil {
		t.Fatal(err)
	}
	dbBefore, _ := os.ReadFile(filepath.Join(cfg.AreaDir(), DBFile))
	runBefore, _ := os.ReadFile(filepath.Join(cfg.AreaDir(), "run.json"))

	boom := errors.New("disk on fire")
	failing := StageFunc{N: "fail", F: func(ctx context.Context, env *Env) error { return boom }}
	_, err := Run(ctx, cfg, []Stage{makeTable("first", 99), makeTable("second", 5), failing}, Options{FromScratch: true})
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "fail: ") {
		t.Fatalf("error = %v, want the failing stage's error", err)
	}
	dbAfter, _ := os.ReadFile(filepath.Join(cfg.AreaDir(), DBFile))
	runAfter, _ := os.ReadFile(filepath.Join(cfg.AreaDir(), "run.json"))
	if string(dbAfter) != string(dbBefore) || string(runAfter) != string(runBefore) {
		t.Error("previous database or run.json changed by a failed run")
	}
	if _, err := os.Stat(filepath.Join(cfg.AreaDir(), "second.txt")); err == nil {
		t.Error("output of the failed run was published")
	}
	entries, _ := os.ReadDir(cfg.Output)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("output folder holds %v, want only the published area", names)
	}
}

// Re-running one stage continues from the published database and replaces only its own tables.
func TestRerunStageContinuesFromPublished(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	if _, err := Run(ctx, cfg, []Stage{makeTable("first", 10), makeTable("second", 3)}, Options{FromScratch: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, cfg, []Stage{makeTable("second", 7)}, Options{}); err != nil {
		t.Fatal(err)
	}
	db := openPublished(t, cfg)
	for table, want := range map[string]int64{"analysis.first": 10, "analysis.second": 7} {
		n, err := db.Count(ctx, table)
		if err != nil || n != want {
			t.Errorf("%s: %d rows (err %v), want %d", table, n, err, want)
		}
	}
}

func TestRerunWithoutEarlierRunSaysSo(t *testing.T) {
	cfg := testConfig(t)
	_, err := Run(context.Background(), cfg, []Stage{makeTable("x", 1)}, Options{})
	if err == nil || !strings.Contains(err.Error(), "run `hubreach run` (or ingest) first") {
		t.Errorf("error = %v", err)
	}
}
