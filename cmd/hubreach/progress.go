package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows what a run is doing: a spinner line per stage on a terminal, plain timestamped
// lines otherwise (CI logs, files).
type progress struct {
	w     io.Writer
	tty   bool
	bar   *progressbar.ProgressBar
	stage string
	now   func() time.Time
}

// newProgress writes to w, with a bar when w is a terminal.
func newProgress(w *os.File) *progress {
	return newProgressTo(w, term.IsTerminal(int(w.Fd())))
}

// newProgressTo writes to w, with a bar when tty is true and plain lines otherwise.
func newProgressTo(w io.Writer, tty bool) *progress {
	return &progress{w: w, tty: tty, now: time.Now}
}

func (p *progress) Stage(name string) {
	p.stage = name
	if p.tty {
		p.bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(name),
			progressbar.OptionSpinnerType(14), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond))
		return
	}
	fmt.Fprintf(p.w, "%s %s: started\n", p.now().Format("15:04:05"), name)
}

func (p *progress) Step(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if p.tty && p.bar != nil {
		p.bar.Describe(p.stage + ": " + msg)
		p.bar.Add(1)
		return
	}
	fmt.Fprintf(p.w, "%s %s: %s\n", p.now().Format("15:04:05"), p.stage, msg)
}

func (p *progress) Done(name string, d time.Duration) {
	if p.tty && p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
	fmt.Fprintf(p.w, "%s %s: done in %.1fs\n", p.now().Format("15:04:05"), name, d.Seconds())
}
