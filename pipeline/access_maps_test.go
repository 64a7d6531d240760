package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hubreach/pipeline/render"
)

// The cumulative travel-time chart ends each line at the share within 60 minutes, which the
// legend states: on the fixture (income-deprived children A 50, B 40, C 30) walking reaches A
// (16.5 min) and B (15.75 min) but C is off the network, so 90 of 120 = 75.0%; crow-fly reaches
// all three (C at 41.9 min) = 100.0%.
func TestCumulativeChartShares(t *testing.T) {
	env := accessFixture(t, []string{"crow", "walk", "drive"})
	if err := drawCumulativeChart(context.Background(), env, []string{"crow", "walk", "drive"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(env.Dir, "charts", "cumulative_travel_time.svg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"walking pace: 100.0% within 60 min", "walking (road and path network): 75.0% within 60 min",
		"driving (road network): 75.0% within 60 min"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("chart legend has no %q", want)
		}
	}
}

// A gap map's subtitle counts the children in the gap, worked by hand on the fixture: against a
// main hub within 20 minutes' walk, A is 16.5 min from P (within), B is 45 min (3,000 m: beyond,
// 200 children, 40 income-deprived) and C is off the network (unknown, not in the gap).
func TestGapMapCountsChildren(t *testing.T) {
	env := accessFixture(t, []string{"crow", "walk", "drive"})
	if err := drawAccessOutputs(context.Background(), env, []string{"crow", "walk", "drive"}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(env.Dir, "maps", "gap_1_main-hub-within-20-minutes-walk.svg"))
	if len(files) != 1 {
		t.Fatalf("gap map of standard 1: %v", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := "1 of 3 LSOAs beyond 20 minutes (red): 200 children aged 0-15, 40 income-deprived"; !strings.Contains(string(b), want) {
		t.Errorf("gap map subtitle has no %q", want)
	}
}

// On a gap map, hub sites of tiers the standard does not count are grey and say so.
func TestCountingHubs(t *testing.T) {
	hubs := &render.Points{Styles: []render.PointStyle{{Label: "Plus hub (approximate)"}, {Label: "Family hub (Extra)"}, {Label: "Satellite"}, {Label: "Network point"}}}
	for _, c := range []struct {
		group string
		want  []string
	}{
		{"any", []string{"Plus hub (approximate)", "Family hub (Extra)", "Satellite", "Network point"}},
		{"main", []string{"Plus hub (approximate)", "Family hub (Extra)", "Satellite (not counted)", "Network point (not counted)"}},
		{"plus+satellite", []string{"Plus hub (approximate)", "Extra hub (not counted)", "Satellite", "Network point (not counted)"}},
		{"network-point", []string{"Plus hub (not counted)", "Extra hub (not counted)", "Satellite (not counted)", "Network point"}},
	} {
		got := countingHubs(hubs, c.group)
		for k, s := range got.Styles {
			if s.Label != c.want[k] {
				t.Errorf("%s: style %d label %q, want %q", c.group, k, s.Label, c.want[k])
			}
		}
		if hubs.Styles[2].Label != "Satellite" {
			t.Fatal("countingHubs changed its input")
		}
	}
}
