package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func execute(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// repoRoot is the folder holding go.mod (tests run in cmd/hubreach).
func repoRoot(t *testing.T) string {
	wd, _ := os.Getwd()
	return filepath.Join(wd, "..", "..")
}

// The demo run from a fresh state: generates the synthetic inputs, runs every stage, publishes
// the database, tables, rejects.csv and run.json, and says it is synthetic.
func TestRunDemoEndToEnd(t *testing.T) {
	out := t.TempDir()
	t.Setenv("HUBREACH_DATA", filepath.Join(out, "demo-inputs"))
	stdout, err := execute(t, "run", "--config", filepath.Join(repoRoot(t), "config", "demo.yaml"), "--output", out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	if !strings.Contains(stdout, "SYNTHETIC") {
		t.Errorf("output does not say the data are synthetic:\n%s", stdout)
	}
	for _, f := range []string{"hubreach.duckdb", "run.json", "rejects.csv", "tables/lsoa_need.csv", "tables/ward_profile.parquet"} {
		if _, err := os.Stat(filepath.Join(out, "demo", f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, "demo", "run.json"))
	var info struct {
		Synthetic bool
		Inputs    []struct {
			Input                         string
			RowsRead, RowsLoaded, RowsRej int64
		}
	}
	if err := json.Unmarshal(b, &info); err != nil || !info.Synthetic || len(info.Inputs) < 10 {
		t.Errorf("run.json: synthetic %v, %d inputs, err %v", info.Synthetic, len(info.Inputs), err)
	}
}

// validate exits with the "unusable input" error when a required input cannot be read, and
// prints the accounting of what it could read.
func TestValidateUnusableInput(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bad.yaml")
	os.WriteFile(filepath.Join(dir, "iod.csv"), []byte("not,an,iod,file\n1,2,3,4\n"), 0o644)
	os.WriteFile(cfg, []byte(`
area: {name: bad, codes: [E08000018]}
data_dir: `+dir+`
output: `+dir+`/out
inputs:
  iod: [iod.csv]
  lsoa_boundaries: [missing.geojson]
  hubs: hubs.csv
`), 0o644)
	_, err := execute(t, "validate", "--config", cfg)
	var iu inputsUnusable
	if !errors.As(err, &iu) {
		t.Fatalf("error %v (%T), want inputsUnusable", err, err)
	}
	for _, want := range []string{"Indices of Deprivation", "LSOA boundaries", "hub sites"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %q:\n%v", want, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("validate wrote an output folder")
	}
}

func TestMisspeltConfigKeyIsUsageError(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("area: {name: x, codes: [E08000018]}\nhotspt: {weights: queen}\n"), 0o644)
	_, err := execute(t, "validate", "--config", cfg)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "hotspt") {
		t.Errorf("error %v, want a usage error naming hotspt", err)
	}
}
