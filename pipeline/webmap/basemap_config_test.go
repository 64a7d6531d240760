package webmap_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hubreach/config"
	"hubreach/datasets/demo"
	"hubreach/pipeline"
)

// demoConfig writes the demo area's inputs into a temporary folder and returns the demo
// configuration reading them, and the folder.
func demoConfig(t *testing.T) (config.Config, string) {
	t.Helper()
	root := t.TempDir()
	inputs := filepath.Join(root, "inputs")
	if _, err := demo.Write(inputs, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadFile(filepath.Join("..", "..", "config", "demo.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = inputs
	return cfg, root
}

// A basemap_url without the {z}, {x}, {y} placeholders stops the web map stage with an error
// that names the setting to fix (report.basemap_url) and the value given; no map is published.
// A good template reaches the standalone page and the report's fragment, credited.
func TestBasemapURLConfig(t *testing.T) {
	cfg, root := demoConfig(t)
	// the IDACI layer needs only ingest and the need stage
	stages := []pipeline.Stage{pipeline.Ingest(), pipeline.Analyse()[0], pipeline.Layers()}

	bad := "https://tiles.example.org/{x}/{y}.png"
	cfg.Output = filepath.Join(root, "bad")
	cfg.Report.BasemapURL = bad
	_, err := pipeline.Run(context.Background(), cfg, stages, pipeline.Options{FromScratch: true})
	if err == nil {
		t.Fatalf("basemap_url %q without {z}: the run did not fail", bad)
	}
	t.Logf("error: %v", err)
	for _, want := range []string{"report.basemap_url", bad, "{z}"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(cfg.AreaDir(), "web", "map.html")); err == nil {
		t.Error("a map was published despite the bad basemap_url")
	}

	good := "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	cfg.Output = filepath.Join(root, "good")
	cfg.Report.BasemapURL = good
	if _, err := pipeline.Run(context.Background(), cfg, stages, pipeline.Options{FromScratch: true}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"map.html", "map-fragment.html"} {
		b, err := os.ReadFile(filepath.Join(cfg.AreaDir(), "web", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"basemap":"` + good + `"`, `"basemapAttribution":"Basemap © OpenStreetMap contributors"`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("%s: no %s", f, want)
			}
		}
	}

	// Another provider, with the credit its terms ask for (report.basemap_attribution).
	cfg.Output = filepath.Join(root, "credited")
	cfg.Report.BasemapURL = "https://tiles.example.org/{z}/{x}/{y}.png"
	cfg.Report.BasemapAttribution = "Tiles © Example Mapping Ltd"
	if _, err := pipeline.Run(context.Background(), cfg, stages, pipeline.Options{FromScratch: true}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(cfg.AreaDir(), "web", "map.html"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `"basemapAttribution":"Tiles © Example Mapping Ltd"`; !strings.Contains(string(b), want) {
		t.Errorf("map.html: no %s", want)
	}
}
