package pipeline

import "testing"

func TestLocationCaveat(t *testing.T) {
	for _, c := range []struct{ note, want string }{
		{"APPROXIMATE: no public address found", "approximate"},
		{"  ILLUSTRATIVE: the main hub is placed in Oakham", "illustrative"},
		{"Approximate: lower case is prose, not a flag", ""},
		{"Opened 2023: Brookfield", ""},
		{"NOTE 2: two words", ""},
		{"no colon at all", ""},
		{"", ""},
	} {
		if got := locationCaveat(c.note); got != c.want {
			t.Errorf("locationCaveat(%q) = %q, want %q", c.note, got, c.want)
		}
	}
}
