package render

import (
	"os"
	"path/filepath"
	"testing"
)

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 10: "10th", 11: "11th", 12: "12th", 13: "13th",
		21: "21st", 22: "22nd", 23: "23rd", 101: "101st", 111: "111th", 112: "112th", 151: "151st", 317: "317th"} {
		if got := Ordinal(n); got != want {
			t.Errorf("Ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestThousands(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{0, "0"}, {7, "7"}, {999.4, "999"}, {999.5, "1,000"}, {12345, "12,345"}, {1234567, "1,234,567"}, {-4321, "-4,321"}} {
		if got := Thousands(c.v); got != c.want {
			t.Errorf("Thousands(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

// The rank strip puts rank 1 at the left edge and the last rank at the right, leaves room above
// the highest value for labels, and labels highlighted units "<name>: <rank> of <n>".
func TestRankStrip(t *testing.T) {
	o := RankStripOptions{
		Names:     []string{"A", "B", "C", "D"},
		Values:    []float64{30000, 25000, 20000, 10000},
		Ranks:     []int{1, 2, 2, 4}, // a tie for second
		Highlight: []int{2},
		Context:   []int{0},
		Cut:       2, CutLabel: "2 most deprived",
	}
	p, err := RankStrip(o)
	if err != nil {
		t.Fatal(err)
	}
	if p.X.Min != 0 || p.X.Max != 5 {
		t.Errorf("x axis %v..%v, want 0..5 (ranks 1..4 with a margin)", p.X.Min, p.X.Max)
	}
	// span 20000: 4% below the lowest, 22% above the highest.
	if p.Y.Min != 10000-800 || p.Y.Max != 30000+4400 {
		t.Errorf("y axis %v..%v, want 9200..34400", p.Y.Min, p.Y.Max)
	}
	a := placeLabel(o, 2, 4, 0, highlightRed, 9, true)
	if a.text != "C: 2nd of 4" || a.x != 2 || a.y != 20000 {
		t.Errorf("highlight label %q at (%v, %v), want \"C: 2nd of 4\" at (2, 20000)", a.text, a.x, a.y)
	}
	// In the right third the label goes to the left of its dot, inside the plot.
	if a := placeLabel(o, 3, 4, 0, highlightRed, 9, true); a.dx >= 0 {
		t.Errorf("label of the last unit is placed to the right (dx %v)", a.dx)
	}
	for _, bad := range []RankStripOptions{
		{Names: []string{"A"}, Values: []float64{1, 2}, Ranks: []int{1, 2}},
		{Names: []string{"A", "B"}, Values: []float64{1, 2}, Ranks: []int{1, 2}, Highlight: []int{2}},
		{},
	} {
		if _, err := RankStrip(bad); err == nil {
			t.Errorf("no error for %+v", bad)
		}
	}
	dir := t.TempDir()
	if err := Save(&Chart{Title: "t", Source: "s", Plot: p}, filepath.Join(dir, "strip")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "strip.png")); err != nil || fi.Size() == 0 {
		t.Errorf("strip.png: %v", err)
	}
}

// The league puts the first entry at the top: gonum numbers nominal rows from the bottom, so
// entry i sits on row n-1-i; the x axis leaves room for the longest text.
func TestLeague(t *testing.T) {
	o := LeagueOptions{Names: []string{"Top ward", "Middle ward", "Bottom ward"}, Values: []float64{300, 200, 100},
		Texts: []string{"300; 2 of 5 LSOAs in most deprived 10%", "200", "100"}}
	p, err := League(o)
	if err != nil {
		t.Fatal(err)
	}
	ticks := p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max)
	rows := map[float64]string{}
	for _, tk := range ticks {
		if tk.Label != "" {
			rows[tk.Value] = tk.Label
		}
	}
	if rows[2] != "Top ward" || rows[1] != "Middle ward" || rows[0] != "Bottom ward" {
		t.Errorf("rows bottom to top %v, want Bottom, Middle, Top", rows)
	}
	if p.X.Min != 0 || !(p.X.Max > 300*1.2) {
		t.Errorf("x axis %v..%v: no room beyond the longest bar for its text", p.X.Min, p.X.Max)
	}
	if _, err := League(LeagueOptions{Names: []string{"a"}, Values: []float64{-1}}); err == nil {
		t.Error("no error for a negative bar")
	}
	if _, err := League(LeagueOptions{Names: []string{"a", "b"}, Values: []float64{1}}); err == nil {
		t.Error("no error for names and values of different lengths")
	}
	if got := LeagueHeight(10) - LeagueHeight(9); got != leagueRow {
		t.Errorf("each bar adds %v points, want %v", got, leagueRow)
	}
}
