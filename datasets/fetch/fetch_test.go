package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// sharedData returns ../shared/data relative to the module root, or skips the test.
func sharedData(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test directory; cannot locate ../shared/data")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(data); err != nil {
		t.Skipf("real data folder %s is absent: %v", data, err)
	}
	return data
}

func hexSHA(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// payload is n deterministic pseudo-random bytes.
func payload(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// server serves content at /<name>; handle may take over a request (return true) before the
// default http.ServeContent, which honours Range. It records every request's Range header.
type server struct {
	*httptest.Server
	mu     sync.Mutex
	ranges []string
}

func (s *server) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ranges...)
}

func newServer(t *testing.T, name string, content []byte, handle func(n int, w http.ResponseWriter, r *http.Request) bool) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.ranges = append(s.ranges, r.Header.Get("Range"))
		n := len(s.ranges)
		s.mu.Unlock()
		if r.URL.Path != "/"+name {
			http.NotFound(w, r)
			return
		}
		if handle != nil && handle(n, w, r) {
			return
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(content))
	}))
	t.Cleanup(s.Close)
	return s
}

// cutHalf sends the headers of the whole file and its first half, then drops the connection.
func cutHalf(t *testing.T, w http.ResponseWriter, content []byte) {
	w.Header().Set("Content-Length", fmt.Sprint(len(content)))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	w.Write(content[:len(content)/2])
	w.(http.Flusher).Flush()
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

func testSource(name string, content []byte) Source {
	return Source{
		Key: "test-" + name, Title: "test file", FileName: name, LandingPage: "https://example.org/landing",
		SHA256: hexSHA(content), Size: int64(len(content)), Licence: "OGL-UK-3.0", Attribution: "test",
	}
}

func fastFetcher(s *server) *Fetcher {
	return &Fetcher{Client: s.Client(), BaseURL: s.URL, Attempts: 4, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
}

func TestFetchSharedFileFullDownload(t *testing.T) {
	data := sharedData(t)
	path := filepath.Join(data, "iod2019", "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3__Warrington_only.csv")
	content, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("shared file absent: %v", err)
	}
	s := newServer(t, "file7.csv", content, nil)
	src := Source{Key: "warrington-file7", FileName: "file7.csv", LandingPage: "https://example.org", Licence: "OGL-UK-3.0", Attribution: "x",
		// sha256 as recorded in shared/data/iod2019/README.md, not computed here
		SHA256: "5b336c084877a85a5fc0577a2d5a8fb224e5b7e2316ac27273af952de8aeda67"}
	var lastDone, lastTotal int64
	got, err := fastFetcher(s).Fetch(context.Background(), src, t.TempDir(), func(done, total int64) { lastDone, lastTotal = done, total })
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(got)
	if err != nil || !bytes.Equal(b, content) {
		t.Fatalf("downloaded file differs from the served one (err %v)", err)
	}
	if lastDone != int64(len(content)) || lastTotal != int64(len(content)) {
		t.Errorf("last progress = %d/%d, want %d/%d", lastDone, lastTotal, len(content), len(content))
	}
	if _, err := os.Stat(got + ".part"); !os.IsNotExist(err) {
		t.Errorf(".part left behind: %v", err)
	}
}

func TestFetchGeneratedFullDownload(t *testing.T) {
	content := payload(1 << 20)
	s := newServer(t, "gen.bin", content, nil)
	src := testSource("gen.bin", content)
	dir := t.TempDir()
	got, err := fastFetcher(s).Fetch(context.Background(), src, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got != filepath.Join(dir, "gen.bin") {
		t.Errorf("path = %s", got)
	}
	b, _ := os.ReadFile(got)
	if !bytes.Equal(b, content) {
		t.Fatal("content differs")
	}
	if r := s.requests(); len(r) != 1 || r[0] != "" {
		t.Errorf("requests (Range headers) = %q, want one plain GET", r)
	}
}

func TestFetchChecksumMismatch(t *testing.T) {
	content := payload(4096)
	s := newServer(t, "bad.bin", content, nil)
	src := testSource("bad.bin", content)
	src.SHA256 = hexSHA([]byte("something else"))
	dir := t.TempDir()
	_, err := fastFetcher(s).Fetch(context.Background(), src, dir, nil)
	var ce *ChecksumError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *ChecksumError", err)
	}
	msg := err.Error()
	for _, want := range []string{src.Key, s.URL + "/bad.bin", src.SHA256, hexSHA(content)} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("cache folder keeps %d entries after a mismatch, want none", len(entries))
	}
}

func TestFetchResumeAfterCut(t *testing.T) {
	content := payload(300_000)
	s := newServer(t, "cut.bin", content, nil)
	s.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.ranges = append(s.ranges, r.Header.Get("Range"))
		n := len(s.ranges)
		s.mu.Unlock()
		if n == 1 {
			cutHalf(t, w, content)
			return
		}
		http.ServeContent(w, r, "cut.bin", time.Time{}, bytes.NewReader(content))
	})
	got, err := fastFetcher(s).Fetch(context.Background(), testSource("cut.bin", content), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(got)
	if !bytes.Equal(b, content) {
		t.Fatal("resumed file differs from the original")
	}
	want := []string{"", fmt.Sprintf("bytes=%d-", len(content)/2)}
	if r := s.requests(); fmt.Sprint(r) != fmt.Sprint(want) {
		t.Errorf("Range headers = %q, want %q", r, want)
	}
}

func TestFetchServerIgnoresRange(t *testing.T) {
	content := payload(200_000)
	var mu sync.Mutex
	var ranges []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ranges = append(ranges, r.Header.Get("Range"))
		n := len(ranges)
		mu.Unlock()
		if n == 1 {
			cutHalf(t, w, content)
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(content))) // 200 with the whole file, Range ignored
		w.Write(content)
	}))
	defer srv.Close()
	f := &Fetcher{Client: srv.Client(), BaseURL: srv.URL, Attempts: 3, Backoff: time.Millisecond}
	got, err := f.Fetch(context.Background(), testSource("ign.bin", content), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(got)
	if !bytes.Equal(b, content) {
		t.Fatalf("file has %d bytes, want the %d served (a 200 after a Range must replace the partial file)", len(b), len(content))
	}
	if len(ranges) != 2 || ranges[1] != fmt.Sprintf("bytes=%d-", len(content)/2) {
		t.Errorf("Range headers = %q", ranges)
	}
}

func TestFetchResumesPartFromEarlierRun(t *testing.T) {
	content := payload(50_000)
	s := newServer(t, "prev.bin", content, nil)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "prev.bin.part"), content[:12_345], 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := fastFetcher(s).Fetch(context.Background(), testSource("prev.bin", content), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(got)
	if !bytes.Equal(b, content) {
		t.Fatal("content differs")
	}
	if r := s.requests(); len(r) != 1 || r[0] != "bytes=12345-" {
		t.Errorf("Range headers = %q, want [bytes=12345-]", r)
	}
}

func TestFetchWrongResumeOffsetRestarts(t *testing.T) {
	content := payload(10_000)
	s := newServer(t, "off.bin", content, func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n == 1 { // claims to resume from byte 0 although asked for 4000
			w.Header().Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", len(content)-1, len(content)))
			w.WriteHeader(http.StatusPartialContent)
			w.Write(content)
			return true
		}
		return false
	})
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "off.bin.part"), content[:4000], 0o644)
	got, err := fastFetcher(s).Fetch(context.Background(), testSource("off.bin", content), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(got)
	if !bytes.Equal(b, content) {
		t.Fatal("content differs")
	}
	if r := s.requests(); len(r) != 2 || r[0] != "bytes=4000-" || r[1] != "" {
		t.Errorf("Range headers = %q, want [bytes=4000- \"\"]", r)
	}
}

func TestFetchNotFound(t *testing.T) {
	s := newServer(t, "exists.bin", []byte("x"), nil)
	src := testSource("missing.bin", []byte("y"))
	_, err := fastFetcher(s).Fetch(context.Background(), src, t.TempDir(), nil)
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusNotFound {
		t.Fatalf("err = %v, want *HTTPError 404", err)
	}
	for _, want := range []string{src.Key, s.URL + "/missing.bin", "404", src.LandingPage} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if n := len(s.requests()); n != 1 {
		t.Errorf("%d requests, want 1 (a 404 is not retried)", n)
	}
}

func TestFetchRetriesTransientErrors(t *testing.T) {
	content := payload(1000)
	s := newServer(t, "flaky.bin", content, func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	got, err := fastFetcher(s).Fetch(context.Background(), testSource("flaky.bin", content), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(got); !bytes.Equal(b, content) {
		t.Fatal("content differs")
	}
	if n := len(s.requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestFetchGivesUpAfterAttempts(t *testing.T) {
	s := newServer(t, "down.bin", nil, func(n int, w http.ResponseWriter, r *http.Request) bool {
		http.Error(w, "down", http.StatusBadGateway)
		return true
	})
	_, err := fastFetcher(s).Fetch(context.Background(), testSource("down.bin", []byte("z")), t.TempDir(), nil)
	if err == nil || !strings.Contains(err.Error(), "gave up after 4 attempts") || !strings.Contains(err.Error(), "502") {
		t.Fatalf("err = %v", err)
	}
	if n := len(s.requests()); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
}

func TestFetchCacheHitMakesNoRequest(t *testing.T) {
	content := payload(5000)
	s := newServer(t, "c.bin", content, nil)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "c.bin"), content, 0o644)
	got, err := fastFetcher(s).Fetch(context.Background(), testSource("c.bin", content), dir, nil)
	if err != nil || got != filepath.Join(dir, "c.bin") {
		t.Fatalf("got %q, %v", got, err)
	}
	if n := len(s.requests()); n != 0 {
		t.Errorf("%d requests for a cached file, want 0", n)
	}
}

func TestFetchStaleCacheIsReplaced(t *testing.T) {
	content := payload(5000)
	s := newServer(t, "s.bin", content, nil)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "s.bin"), []byte("old version"), 0o644)
	got, err := fastFetcher(s).Fetch(context.Background(), testSource("s.bin", content), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(got); !bytes.Equal(b, content) {
		t.Fatal("stale cached file was not replaced")
	}
	if n := len(s.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestFetchNoAddress(t *testing.T) {
	src := testSource("manual.xlsx", []byte("m"))
	_, err := Fetch(context.Background(), nil, src, t.TempDir(), nil)
	if err == nil || !strings.Contains(err.Error(), src.LandingPage) || !strings.Contains(err.Error(), "manual.xlsx") {
		t.Fatalf("err = %v, want a message naming the landing page and the file to save", err)
	}
}

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		in           string
		start, total int64
		bad          bool
	}{
		{"bytes 100-199/200", 100, 200, false},
		{"bytes 0-0/*", 0, -1, false},
		{"bytes */5000", -1, 5000, false},
		{"items 0-1/2", 0, 0, true},
		{"bytes 5-9", 0, 0, true},
	}
	for _, tt := range tests {
		s, n, err := parseContentRange(tt.in)
		if (err != nil) != tt.bad || (!tt.bad && (s != tt.start || n != tt.total)) {
			t.Errorf("parseContentRange(%q) = %d, %d, %v", tt.in, s, n, err)
		}
	}
}
