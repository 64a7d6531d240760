package webmap_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"hubreach/pipeline"
	"hubreach/pipeline/webmap"
)

// The interactive map as the analyst receives it: inside the demo's needs-analysis report (the
// fragment inlined by the notebook) and as the standalone page, both drawn by a whole demo run.
// In headless Chromium each loads without console errors and the self-test switches every layer
// and finds every area filled with its class colour; screenshots of the standalone page's IDACI
// and walking layers show the map (in the report the map is far below the first screen).
func TestBrowserReportPage(t *testing.T) {
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("Chromium is not installed (apt-get install chromium): the browser test of the report's map is skipped")
	}
	cfg, root := demoConfig(t)
	cfg.Output = filepath.Join(root, "out")
	stages := append([]pipeline.Stage{pipeline.Ingest()}, pipeline.Analyse()...)
	stages = append(stages, pipeline.Render()...)
	if _, err := pipeline.Run(context.Background(), cfg, stages, pipeline.Options{FromScratch: true}); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"report/needs-analysis.html", "web/map.html"} {
		t.Run(page, func(t *testing.T) {
			path := filepath.Join(cfg.AreaDir(), page)
			if _, err := os.Stat(path); err != nil {
				t.Fatal(err)
			}
			var layers []string
			if page == "web/map.html" {
				layers = []string{"idaci", "travel-walk"}
			}
			st, shots := webmap.BrowserCheck(t, path, "hubreach-map", layers, t.TempDir())
			if st.Areas != 71 {
				t.Errorf("the map drew %d areas, want the demo's 71 LSOAs", st.Areas)
			}
			ids := map[string]bool{}
			for _, l := range st.Layers {
				ids[l.ID] = true
				if !l.Checked || l.WrongFills != 0 || l.LegendItems == 0 {
					t.Errorf("layer %s: switched %v, %d areas with the wrong fill, %d legend items", l.ID, l.Checked, l.WrongFills, l.LegendItems)
				}
			}
			for _, want := range []string{"idaci", "travel-walk", "travel-drive", "hotspot"} {
				if !ids[want] {
					t.Errorf("no %s layer among %v", want, ids)
				}
			}
			// The first IDACI decile's colour (render.IDACIDecile) fills the most deprived LSOAs.
			if layers != nil {
				if n := webmap.CountColourForTest(shots["idaci"], "#3f007d"); n < 500 {
					t.Errorf("IDACI layer screenshot: %d pixels of the decile-1 colour, want a visible map", n)
				}
			}
		})
	}
}
