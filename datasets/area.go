package datasets

import "strings"

// AreaFilter says which part of a national or multi-authority input is the area under study.
type AreaFilter struct {
	// Codes are the local authority district codes of the area (E06…, E07…, E08…, E09…). Empty
	// means no filter: every row belongs to the area.
	Codes []string
	// BufferM keeps the neighbouring LSOAs (and wards) whose boundary comes within this many
	// metres of the area's own, as role 'buffer', so hotspots and distances near the edge see
	// what lies across it. 0 or less keeps no buffer.
	BufferM float64
}

// laRecoded pairs local authority codes that ONS changed without a change of authority: the
// LAD 2025 codes of Barnsley and Sheffield replaced the ones IoD 2019 and the 2019-2024 lookups
// still use. A filter naming either code matches both.
var laRecoded = map[string]string{
	"E08000016": "E08000038", // Barnsley
	"E08000038": "E08000016",
	"E08000019": "E08000039", // Sheffield
	"E08000039": "E08000019",
}

// Active reports whether the filter selects some local authorities (rather than everything).
func (f AreaFilter) Active() bool {
	for _, c := range f.Codes {
		if strings.TrimSpace(c) != "" {
			return true
		}
	}
	return false
}

// Contains reports whether an LA code belongs to the area: always true for an inactive filter;
// otherwise the code (case and spaces ignored) is one of Codes, or the old or new code of one
// of them (see laRecoded).
func (f AreaFilter) Contains(la string) bool {
	if !f.Active() {
		return true
	}
	la = strings.ToUpper(strings.TrimSpace(la))
	if la == "" {
		return false
	}
	for _, c := range f.Codes {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == la || (laRecoded[c] != "" && laRecoded[c] == la) {
			return true
		}
	}
	return false
}
