package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
