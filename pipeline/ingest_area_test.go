package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hubreach/config"
)

// A county code without a district -> county lookup stops validate (and ingest) with an error
// that names area.codes, before any file is read.
func TestValidateCountyWithoutLookup(t *testing.T) {
	cfg := config.Default()
	cfg.Area.Codes = []string{"E10000024"}
	cfg.Inputs.LALookup = ""
	_, err := Validate(context.Background(), cfg, nil)
	want := "area.codes: E10000024 is a county (upper-tier) code, but the area filter needs district codes"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v, want it to start %q", err, want)
	}
}

// inputs.la_lookup is read relative to data_dir, and the filter gets the county's districts.
func TestAreaFilterExpandsCounty(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "lu.csv"), []byte("ltla19_code,ltla19_name,utla19_code,utla19_name\n"+
		"E07000192,Cannock Chase,E10000028,Staffordshire\nE07000193,East Staffordshire,E10000028,Staffordshire\n"+
		"E08000018,Rotherham,E08000018,Rotherham\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Inputs.LALookup = "lu.csv"
	cfg.Area.Codes = []string{"E10000028"}
	cfg.Area.BufferM = 1500
	f, err := areaFilter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Codes, []string{"E07000192", "E07000193"}) || f.BufferM != 1500 {
		t.Errorf("filter %+v, want the two Staffordshire districts and the 1500 m buffer", f)
	}
	if !f.Contains("E07000193") || f.Contains("E08000018") || f.Contains("E10000028") {
		t.Error("the filter does not select exactly the county's districts")
	}
	if n := expandedNote(cfg, f); n != "area.codes E10000028 expanded to districts E07000192, E07000193 (from inputs.la_lookup)" {
		t.Errorf("note %q", n)
	}
}
