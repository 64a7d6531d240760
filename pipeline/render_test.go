package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hubreach/config"
	"hubreach/datasets/demo"
)

// `hubreach render` redraws every map and chart of a published run from its database alone:
// with the maps and charts folders deleted, the render stages bring back every figure the full
// run drew, byte for byte (the SVGs), the analysis figures included (gap maps, hotspots, reach,
// siting), and they are not re-analysed (the analysis tables are left as they were).
func TestRenderRedrawsEveryFigure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	area, extract := runDemoReach(t, demo.Options{}, nil, nil)
	before := map[string][]byte{}
	for _, dir := range []string{"maps", "charts"} {
		files, err := filepath.Glob(filepath.Join(area, dir, "*.svg"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			before[filepath.Join(dir, filepath.Base(f))] = b
		}
	}
	// The full run must have drawn the figures of every analysis stage, or this test proves little.
	for _, want := range []string{"maps/idaci_decile.svg", "maps/gap_1_", "charts/cumulative_travel_time.svg", "maps/hotspots.svg",
		"maps/reach_by_lsoa.svg", "charts/reach_by_decile.svg", "charts/distance_decay.svg", "maps/siting_", "charts/siting_curve_", "charts/ward_league.svg"} {
		found := false
		for f := range before {
			if strings.HasPrefix(f, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("the full run drew no %s*", want)
		}
	}
	for _, dir := range []string{"maps", "charts"} {
		if err := os.RemoveAll(filepath.Join(area, dir)); err != nil {
			t.Fatal(err)
		}
	}

	cfg, err := config.LoadFile(filepath.Join(repoDir(t), "config", "demo.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir, cfg.Output = filepath.Dir(extract), filepath.Dir(area)
	if cfg.AreaDir() != area {
		t.Fatalf("area folder %s, want %s", cfg.AreaDir(), area)
	}
	info, err := Run(context.Background(), cfg, Render(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range info.Stages {
		if s.Name == "access" || s.Name == "siting" || s.Name == "reach" || s.Name == "hotspots" {
			t.Errorf("render ran the %s stage", s.Name)
		}
	}
	for f, b := range before {
		got, err := os.ReadFile(filepath.Join(area, f))
		if err != nil {
			t.Errorf("not redrawn: %v", err)
			continue
		}
		if !bytes.Equal(got, b) {
			t.Errorf("%s redrawn differently (%d bytes, was %d)", f, len(got), len(b))
		}
		png := strings.TrimSuffix(f, ".svg") + ".png"
		if _, err := os.Stat(filepath.Join(area, png)); err != nil {
			t.Errorf("not redrawn: %v", err)
		}
	}
	t.Logf("%d figures redrawn", len(before))
}
