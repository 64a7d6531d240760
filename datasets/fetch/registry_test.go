package fetch

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestRegistryLoads(t *testing.T) {
	all, err := Sources()
	if err != nil {
		t.Fatal(err)
	}
	// The sources the brief and the shared data READMEs name must be there.
	for _, key := range []string{
		"iod2019-file1", "iod2019-file3", "iod2019-file6", "iod2019-file7", "iod2019-file8",
		"iod2025-file1", "iod2025-file3", "iod2025-file7", "iod2025-file8",
		"lsoa11-pwc", "lsoa11-boundaries-bsc", "population-mid2019", "population-mid2020",
		"lookup-lsoa11-ward17", "lookup-lsoa21-ward24", "osm-rutland", "codepoint-open",
	} {
		if _, err := Lookup(key); err != nil {
			t.Error(err)
		}
	}
	for _, s := range all {
		if s.URLVerified {
			t.Errorf("%s: url_verified is true, but nothing here has reached the publisher", s.Key)
		}
		switch s.Licence {
		case "OGL-UK-3.0":
			if !strings.Contains(s.Attribution, "Open Government Licence") {
				t.Errorf("%s: OGL source without the OGL attribution line: %q", s.Key, s.Attribution)
			}
		case "ODbL-1.0":
			if !strings.Contains(s.Attribution, "OpenStreetMap contributors") {
				t.Errorf("%s: ODbL source without the OSM attribution line", s.Key)
			}
		default:
			t.Errorf("%s: unexpected licence %q", s.Key, s.Licence)
		}
	}
	f8, _ := Lookup("iod2019-file8")
	if !strings.Contains(f8.LocalNote, "DERIVATIVE") {
		t.Errorf("iod2019-file8 must say its shared copy is a re-typed derivative; note = %q", f8.LocalNote)
	}
	if _, err := Lookup("no-such-source"); err == nil || !strings.Contains(err.Error(), "iod2019-file3") {
		t.Errorf("Lookup of an unknown key: %v, want an error listing the known keys", err)
	}
}

// The local_sha256 values were copied by hand from the shared data READMEs; check them against the
// files themselves.
func TestRegistryLocalHashesMatchSharedData(t *testing.T) {
	data := sharedData(t)
	all, err := Sources()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, s := range all {
		if s.LocalFile == "" || s.LocalSHA256 == "" {
			continue
		}
		got, n, err := FileSHA256(filepath.Join(data, filepath.FromSlash(s.LocalFile)))
		if err != nil {
			t.Logf("%s: %v (skipped)", s.Key, err)
			continue
		}
		checked++
		if got != s.LocalSHA256 {
			t.Errorf("%s: %s has sha256 %s, registry says %s", s.Key, s.LocalFile, got, s.LocalSHA256)
		}
		if s.LocalSize > 0 && n != s.LocalSize {
			t.Errorf("%s: %s has %d bytes, registry says %d", s.Key, s.LocalFile, n, s.LocalSize)
		}
	}
	if checked == 0 {
		t.Skip("no shared copies present")
	}
}

func TestRegistryValidation(t *testing.T) {
	good := `{"key":"a","file_name":"a.csv","url":"https://x.org/a.csv","licence":"OGL-UK-3.0","attribution":"x"}`
	tests := []struct {
		name, json, want string
	}{
		{"duplicate key", `{"sources":[` + good + `,` + strings.Replace(good, `"a.csv","url"`, `"b.csv","url"`, 1) + `]}`, `duplicate key "a"`},
		{"path in file name", `{"sources":[{"key":"a","file_name":"../a.csv","url":"https://x.org/a","licence":"l","attribution":"x"}]}`, "plain file name"},
		{"short sha", `{"sources":[{"key":"a","file_name":"a","url":"https://x.org/a","sha256":"abc","licence":"l","attribution":"x"}]}`, "64 lower-case hex"},
		{"no address", `{"sources":[{"key":"a","file_name":"a","licence":"l","attribution":"x"}]}`, "neither url nor landing_page"},
		{"ftp", `{"sources":[{"key":"a","file_name":"a","url":"ftp://x.org/a","licence":"l","attribution":"x"}]}`, "not an http(s) address"},
		{"unknown field", `{"sources":[{"key":"a","sha":"x"}]}`, "unknown field"},
		{"no attribution", `{"sources":[{"key":"a","file_name":"a","url":"https://x.org/a","licence":"l"}]}`, "attribution is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseRegistry([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := parseRegistry([]byte(`{"sources":[` + good + `]}`)); err != nil {
		t.Errorf("valid registry rejected: %v", err)
	}
}

func TestWithBaseURL(t *testing.T) {
	s := Source{FileName: "File 1.xlsx", URL: "https://example.org/x"}
	if got := s.WithBaseURL("http://mirror.local/iod/").URL; got != "http://mirror.local/iod/File%201.xlsx" {
		t.Errorf("URL = %q", got)
	}
}
