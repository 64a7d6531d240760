// Package fetch knows where the official inputs of hubreach come from and downloads them.
//
// The registry (sources.json, embedded) lists each official source: the publisher's address,
// the file name to save as, the sha256 and size of the file as the publisher serves it (where
// known), the licence and the attribution line to print on outputs, and, for the copies kept in
// shared/data, how those copies differ from what the publisher serves (local_*). Several shared
// copies are CSV conversions or extracts of the published xlsx/zip files, so their sha256 is
// recorded separately as local_sha256 and is never used to check a download.
//
// Fetch downloads a source into a cache folder: resumable (a .part file and an HTTP Range
// request), verified (sha256), atomic (rename into place) and retried with backoff on
// transient errors. No address in the registry has been fetched from the machine it was written
// on (url_verified is false everywhere): the publishers move files, so a 404 says which page to
// look on.
package fetch

import (
	"bytes"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

//go:embed sources.json
var sourcesJSON []byte

// Source is one official input file.
type Source struct {
	Key         string `json:"key"`                    // stable name, e.g. "iod2019-file3"
	Title       string `json:"title"`                  // what the file is
	Publisher   string `json:"publisher"`              // who publishes it
	URL         string `json:"url"`                    // the publisher's direct file address; empty when not known
	LandingPage string `json:"landing_page"`           // the page that lists the file, for a person to look on
	URLVerified bool   `json:"url_verified"`           // false: written from documentation, never fetched from here
	FileName    string `json:"file_name"`              // name to save as in the cache folder
	Format      string `json:"format"`                 // xlsx, csv, geojson, zip, osm.pbf
	SHA256      string `json:"sha256,omitempty"`       // of the file as the publisher serves it; empty when unknown
	Size        int64  `json:"size,omitempty"`         // bytes as served; 0 when unknown
	Licence     string `json:"licence"`                // SPDX-style: OGL-UK-3.0, ODbL-1.0
	Attribution string `json:"attribution"`            // the exact line to print on outputs
	LocalFile   string `json:"local_file,omitempty"`   // the copy in shared/data (relative path), if any
	LocalSHA256 string `json:"local_sha256,omitempty"` // sha256 of that copy (a conversion or extract: not the served file)
	LocalSize   int64  `json:"local_size,omitempty"`
	LocalNote   string `json:"local_note,omitempty"` // how the shared copy differs from the served file
	Notes       string `json:"notes,omitempty"`
}

type registryFile struct {
	Comment string   `json:"comment"`
	Sources []Source `json:"sources"`
}

var loadRegistry = sync.OnceValues(func() ([]Source, error) {
	return parseRegistry(sourcesJSON)
})

// parseRegistry decodes and validates a registry file; every problem is reported, not only the first.
func parseRegistry(b []byte) ([]Source, error) {
	var f registryFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("fetch: sources.json: %w", err)
	}
	var errs []error
	seen := map[string]bool{}
	names := map[string]string{}
	for i, s := range f.Sources {
		if err := s.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("sources.json entry %d: %w", i, err))
		}
		if seen[s.Key] {
			errs = append(errs, fmt.Errorf("sources.json entry %d: duplicate key %q", i, s.Key))
		}
		seen[s.Key] = true
		if other, ok := names[s.FileName]; ok {
			errs = append(errs, fmt.Errorf("sources.json entry %d (%s): file_name %q already used by %s", i, s.Key, s.FileName, other))
		}
		names[s.FileName] = s.Key
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return f.Sources, nil
}

// Sources returns every registered source, in registry order.
func Sources() ([]Source, error) {
	all, err := loadRegistry()
	if err != nil {
		return nil, err
	}
	return append([]Source(nil), all...), nil
}

// Keys returns the registered keys, sorted.
func Keys() ([]string, error) {
	all, err := loadRegistry()
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(all))
	for i, s := range all {
		keys[i] = s.Key
	}
	sort.Strings(keys)
	return keys, nil
}

// Lookup returns the source registered under key.
func Lookup(key string) (Source, error) {
	all, err := loadRegistry()
	if err != nil {
		return Source{}, err
	}
	for _, s := range all {
		if s.Key == key {
			return s, nil
		}
	}
	keys, _ := Keys()
	return Source{}, fmt.Errorf("fetch: no source %q; known sources: %s", key, strings.Join(keys, ", "))
}

// WithBaseURL returns a copy of s that downloads from base + "/" + FileName: a mirror that keeps
// the publisher's files under their own names, or a test server.
func (s Source) WithBaseURL(base string) Source {
	s.URL = strings.TrimRight(base, "/") + "/" + url.PathEscape(s.FileName)
	return s
}

// Validate checks that a source can be used: a key, a plain file name, a well-formed address
// (when given), a 64-hex-digit sha256 (when given), a licence and an attribution line.
func (s Source) Validate() error {
	var errs []error
	if s.Key == "" {
		errs = append(errs, errors.New("key is empty"))
	}
	name := s.Key
	if name == "" {
		name = "(no key)"
	}
	if s.FileName == "" || s.FileName != filepath.Base(s.FileName) || strings.ContainsAny(s.FileName, `/\`) ||
		s.FileName == "." || s.FileName == ".." {
		errs = append(errs, fmt.Errorf("%s: file_name %q must be a plain file name", name, s.FileName))
	}
	if s.URL != "" {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s: url %q is not an http(s) address", name, s.URL))
		}
	}
	if s.URL == "" && s.LandingPage == "" {
		errs = append(errs, fmt.Errorf("%s: neither url nor landing_page is given", name))
	}
	for _, h := range []struct{ field, v string }{{"sha256", s.SHA256}, {"local_sha256", s.LocalSHA256}} {
		if h.v == "" {
			continue
		}
		if b, err := hex.DecodeString(h.v); err != nil || len(b) != 32 || strings.ToLower(h.v) != h.v {
			errs = append(errs, fmt.Errorf("%s: %s %q is not 64 lower-case hex digits", name, h.field, h.v))
		}
	}
	if s.Size < 0 || s.LocalSize < 0 {
		errs = append(errs, fmt.Errorf("%s: negative size", name))
	}
	if s.Licence == "" {
		errs = append(errs, fmt.Errorf("%s: licence is empty", name))
	}
	if s.Attribution == "" {
		errs = append(errs, fmt.Errorf("%s: attribution is empty", name))
	}
	if s.LocalSHA256 != "" && s.LocalFile == "" {
		errs = append(errs, fmt.Errorf("%s: local_sha256 without local_file", name))
	}
	return errors.Join(errs...)
}
