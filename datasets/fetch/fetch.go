package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Defaults for Fetcher fields left zero.
const (
	DefaultAttempts   = 5
	DefaultBackoff    = time.Second
	DefaultMaxBackoff = 30 * time.Second
	userAgent         = "hubreach-fetch/1"
)

// ChecksumError reports a download whose content is not what the registry expects. The partial
// file has been removed when it is returned from Fetch.
type ChecksumError struct {
	Key, URL  string
	Want, Got string // sha256, hex
	WantSize  int64  // 0 when unknown
	GotSize   int64
}

func (e *ChecksumError) Error() string {
	msg := fmt.Sprintf("source %s (%s): sha256 mismatch: expected %s, got %s (%d bytes)", e.Key, e.URL, e.Want, e.Got, e.GotSize)
	if e.WantSize > 0 && e.WantSize != e.GotSize {
		msg = fmt.Sprintf("source %s (%s): size mismatch: expected %d bytes, got %d (sha256 %s, expected %s)",
			e.Key, e.URL, e.WantSize, e.GotSize, e.Got, e.Want)
	}
	return msg + "; the download was removed. The publisher may have replaced the file: check the landing page, and update the registry only if the new file is the one you want"
}

// HTTPError is an HTTP response that is not the file.
type HTTPError struct {
	Key, URL    string
	Status      int
	StatusText  string
	LandingPage string
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("source %s: GET %s: HTTP %d %s", e.Key, e.URL, e.Status, e.StatusText)
	switch {
	case e.Status == http.StatusNotFound || e.Status == http.StatusGone:
		msg += "; the publisher may have moved the file"
		if e.LandingPage != "" {
			msg += ": look for it on " + e.LandingPage
		}
	case e.Status == http.StatusForbidden || e.Status == http.StatusUnauthorized:
		msg += "; the server refused the request (a proxy or a login page?)"
	}
	return msg
}

// Temporary reports whether a retry may succeed.
func (e *HTTPError) Temporary() bool {
	switch e.Status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// Fetcher downloads registry sources. The zero value is usable.
type Fetcher struct {
	Client     *http.Client  // nil: http.DefaultClient
	BaseURL    string        // when set, every file is fetched from BaseURL + "/" + FileName (a mirror or a test server)
	Attempts   int           // tries in all for transient failures; 0: DefaultAttempts
	Backoff    time.Duration // wait before the second try, doubled after each; 0: DefaultBackoff
	MaxBackoff time.Duration // cap on one wait (also on Retry-After); 0: DefaultMaxBackoff
}

// Fetch downloads src into cacheDir with a Fetcher that uses client and the defaults, and returns
// the path of the verified file. See Fetcher.Fetch.
func Fetch(ctx context.Context, client *http.Client, src Source, cacheDir string, progress func(done, total int64)) (string, error) {
	f := Fetcher{Client: client}
	return f.Fetch(ctx, src, cacheDir, progress)
}

// CachePath is where Fetch keeps src in cacheDir.
func CachePath(cacheDir string, src Source) string { return filepath.Join(cacheDir, src.FileName) }

// Fetch downloads src into cacheDir and returns the path of the file. Steps:
//
//  1. If cacheDir already holds the file and it matches src.SHA256 (or no sha256 is known), return
//     it without any request. A cached file that does not match is downloaded again.
//  2. Download into <file>.part. When a .part is left from an earlier try, ask for the rest with
//     an HTTP Range request; a server that answers 200 instead of 206 sends the whole file, which
//     then replaces the partial one.
//  3. Retry transient failures (network errors, a connection cut mid-body, HTTP 408/429/5xx) up to
//     Attempts times with exponential backoff, resuming each time. Other HTTP errors stop at once.
//  4. Check the sha256 (and the size, when known). A mismatch removes the partial file and returns
//     a *ChecksumError naming the source, address, expected and actual hash.
//  5. fsync and rename the .part into place, so a reader never sees a half-written file.
//
// progress, when not nil, is called as bytes arrive with the bytes on disk so far and the total
// (-1 when neither the server nor the registry says). Two Fetch calls must not share a cacheDir
// file at the same time.
func (f *Fetcher) Fetch(ctx context.Context, src Source, cacheDir string, progress func(done, total int64)) (string, error) {
	if err := src.Validate(); err != nil {
		return "", fmt.Errorf("fetch: %w", err)
	}
	if f.BaseURL != "" {
		src = src.WithBaseURL(f.BaseURL)
	}
	final := CachePath(cacheDir, src)

	// 1. cache
	if fi, err := os.Stat(final); err == nil && fi.Mode().IsRegular() {
		if src.SHA256 == "" {
			return final, nil
		}
		got, n, err := FileSHA256(final)
		if err != nil {
			return "", fmt.Errorf("source %s: reading cached %s: %w", src.Key, final, err)
		}
		if got == src.SHA256 && (src.Size == 0 || n == src.Size) {
			return final, nil
		}
		if src.URL == "" {
			return "", &ChecksumError{Key: src.Key, URL: final, Want: src.SHA256, Got: got, WantSize: src.Size, GotSize: n}
		}
		if err := os.Remove(final); err != nil {
			return "", fmt.Errorf("source %s: removing stale cached %s: %w", src.Key, final, err)
		}
	}
	if src.URL == "" {
		return "", fmt.Errorf("source %s has no direct download address: download %q from %s and save it as %s (its sha256 is checked when known), or set a mirror base URL",
			src.Key, src.Title, src.LandingPage, final)
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", fmt.Errorf("source %s: cache folder: %w", src.Key, err)
	}

	// 2-3. download, resuming and retrying
	part := final + ".part"
	attempts := f.Attempts
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	wait := f.Backoff
	if wait <= 0 {
		wait = DefaultBackoff
	}
	maxWait := f.MaxBackoff
	if maxWait <= 0 {
		maxWait = DefaultMaxBackoff
	}
	var lastErr error
	for attempt := 1; ; attempt++ {
		retryAfter, err := f.download(ctx, src, part, progress)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return "", fmt.Errorf("source %s: %w (partial download kept in %s)", src.Key, ctx.Err(), part)
		}
		var he *HTTPError
		var pe permanent
		if (errors.As(err, &he) && !he.Temporary()) || errors.As(err, &pe) {
			return "", err
		}
		lastErr = err
		if attempt >= attempts {
			return "", fmt.Errorf("source %s: gave up after %d attempts (partial download kept in %s for the next run): %w",
				src.Key, attempts, part, lastErr)
		}
		d := max(wait, retryAfter)
		if d > maxWait {
			d = maxWait
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", fmt.Errorf("source %s: %w while waiting to retry after: %v", src.Key, ctx.Err(), lastErr)
		case <-t.C:
		}
		wait *= 2
	}

	// 4. verify
	got, n, err := FileSHA256(part)
	if err != nil {
		return "", fmt.Errorf("source %s: reading %s: %w", src.Key, part, err)
	}
	if (src.SHA256 != "" && got != src.SHA256) || (src.Size > 0 && n != src.Size) {
		os.Remove(part)
		want := src.SHA256
		if want == "" {
			want = "(unknown)"
		}
		return "", &ChecksumError{Key: src.Key, URL: src.URL, Want: want, Got: got, WantSize: src.Size, GotSize: n}
	}

	// 5. publish
	if err := os.Rename(part, final); err != nil {
		return "", fmt.Errorf("source %s: %w", src.Key, err)
	}
	syncDir(cacheDir)
	return final, nil
}

// download makes one request, appending to part (resuming) or rewriting it. It returns nil when
// part holds the whole file, and the server's Retry-After when it gave one.
func (f *Fetcher) download(ctx context.Context, src Source, part string, progress func(done, total int64)) (time.Duration, error) {
	var off int64
	if fi, err := os.Stat(part); err == nil {
		off = fi.Size()
	}
	if src.Size > 0 && off > src.Size {
		off = 0 // longer than the file can be: start again
	}
	if src.Size > 0 && off == src.Size {
		return 0, nil // complete from an earlier run; the hash decides
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
	if err != nil {
		return 0, permanent{fmt.Errorf("source %s: %w", src.Key, err)}
	}
	req.Header.Set("User-Agent", userAgent)
	// Ask for the bytes as stored: a byte range of a compressed transfer cannot be resumed, and
	// the sha256 is of the file itself. (Setting the header also stops Go's transparent gzip.)
	req.Header.Set("Accept-Encoding", "identity")
	if off > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", off))
	}
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("source %s: GET %s: %w", src.Key, src.URL, err)
	}
	defer resp.Body.Close()

	flags := os.O_WRONLY | os.O_CREATE
	switch resp.StatusCode {
	case http.StatusOK:
		off = 0 // whole file (the server ignored or never got a Range)
		flags |= os.O_TRUNC
	case http.StatusPartialContent:
		start, _, err := parseContentRange(resp.Header.Get("Content-Range"))
		if err != nil || start != off {
			os.Remove(part)
			return 0, fmt.Errorf("source %s: GET %s: asked to resume at byte %d, server answered Content-Range %q; restarting",
				src.Key, src.URL, off, resp.Header.Get("Content-Range"))
		}
		flags |= os.O_APPEND
	case http.StatusRequestedRangeNotSatisfiable:
		if _, total, err := parseContentRange(resp.Header.Get("Content-Range")); err == nil && total == off && off > 0 {
			return 0, nil // the partial file is already complete
		}
		os.Remove(part)
		return 0, fmt.Errorf("source %s: GET %s: range from byte %d not satisfiable; restarting", src.Key, src.URL, off)
	default:
		he := &HTTPError{Key: src.Key, URL: src.URL, Status: resp.StatusCode, StatusText: http.StatusText(resp.StatusCode), LandingPage: src.LandingPage}
		return retryAfter(resp.Header.Get("Retry-After")), he
	}

	total := int64(-1)
	if resp.ContentLength >= 0 {
		total = off + resp.ContentLength
	} else if src.Size > 0 {
		total = src.Size
	}
	out, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return 0, fmt.Errorf("source %s: %w", src.Key, err)
	}
	w := &progressWriter{w: out, done: off, total: total, fn: progress}
	if progress != nil {
		progress(off, total)
	}
	_, copyErr := io.CopyBuffer(w, resp.Body, make([]byte, 256<<10))
	syncErr := out.Sync()
	closeErr := out.Close()
	if copyErr != nil {
		return 0, fmt.Errorf("source %s: GET %s: connection ended after %d of %d bytes: %w", src.Key, src.URL, w.done, total, copyErr)
	}
	if resp.ContentLength >= 0 && w.done != total {
		return 0, fmt.Errorf("source %s: GET %s: got %d of %d bytes: %w", src.Key, src.URL, w.done, total, io.ErrUnexpectedEOF)
	}
	if err := errors.Join(syncErr, closeErr); err != nil {
		return 0, fmt.Errorf("source %s: writing %s: %w", src.Key, part, err)
	}
	return 0, nil
}

// permanent marks an error that a retry cannot fix.
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

type progressWriter struct {
	w           io.Writer
	done, total int64
	fn          func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	if p.fn != nil && n > 0 {
		p.fn(p.done, p.total)
	}
	return n, err
}

// parseContentRange reads "bytes start-end/total" or "bytes */total"; total is -1 when "*".
func parseContentRange(v string) (start, total int64, err error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !ok {
		return 0, 0, fmt.Errorf("Content-Range %q: want bytes unit", v)
	}
	rng, tot, ok := strings.Cut(rest, "/")
	if !ok {
		return 0, 0, fmt.Errorf("Content-Range %q: no total", v)
	}
	total = -1
	if tot != "*" {
		if total, err = strconv.ParseInt(tot, 10, 64); err != nil {
			return 0, 0, fmt.Errorf("Content-Range %q: %w", v, err)
		}
	}
	if rng == "*" {
		return -1, total, nil
	}
	s, _, ok := strings.Cut(rng, "-")
	if !ok {
		return 0, 0, fmt.Errorf("Content-Range %q: bad range", v)
	}
	if start, err = strconv.ParseInt(s, 10, 64); err != nil {
		return 0, 0, fmt.Errorf("Content-Range %q: %w", v, err)
	}
	return start, total, nil
}

// retryAfter reads a Retry-After header given in seconds (the HTTP-date form is ignored).
func retryAfter(v string) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

// FileSHA256 returns the sha256 (lower-case hex) and size of the file at path.
func FileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// syncDir makes a rename in dir durable where the platform allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
