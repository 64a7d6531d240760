package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Not a terminal (a CI log, a file): one plain timestamped line per event, no control characters.
func TestProgressPlainLines(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressTo(&buf, false)
	p.now = func() time.Time { return time.Date(2024, 5, 1, 9, 3, 7, 0, time.UTC) }
	p.Stage("ingest")
	p.Step("loading %s", "hub sites")
	p.Done("ingest", 2340*time.Millisecond)
	want := "09:03:07 ingest: started\n" +
		"09:03:07 ingest: loading hub sites\n" +
		"09:03:07 ingest: done in 2.3s\n"
	if got := buf.String(); got != want {
		t.Errorf("plain progress:\n got %q\nwant %q", got, want)
	}
}

// A file is not a terminal, so newProgress picks plain lines for it.
func TestProgressFileIsNotTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if p := newProgress(f); p.tty {
		t.Error("a regular file was taken for a terminal")
	}
}

// On a terminal: a bar (spinner) redrawn in place with carriage returns, described by the stage
// and step, and no "started" line.
func TestProgressBarOnTerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressTo(&buf, true)
	p.Stage("analyse")
	p.Step("building %s", "analysis.lsoa_need")
	p.Done("analyse", time.Second)
	out := buf.String()
	if !strings.Contains(out, "\r") {
		t.Errorf("no carriage return (the bar is not redrawn in place): %q", out)
	}
	if !strings.Contains(out, "analyse: building analysis.lsoa_need") {
		t.Errorf("the bar does not show the step: %q", out)
	}
	if strings.Contains(out, "started") {
		t.Errorf("plain 'started' line printed on a terminal: %q", out)
	}
	if !strings.HasSuffix(out, "analyse: done in 1.0s\n") {
		t.Errorf("no closing line: %q", out)
	}
}
