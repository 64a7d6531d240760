// Package pipeline runs hubreach's stages against one area's database and publishes the outputs
// atomically.
//
// A run:
//  1. makes a fresh working folder next to the published one (<output>/.<area>.work-<time>),
//     copying the last published outputs into it when the run does not start from ingest;
//  2. opens <work>/hubreach.duckdb and runs each stage in order; a stage's writes are one
//     transaction, so a failing stage leaves the database as the stage before left it;
//  3. writes run.json (version, configuration, input files with sha256, row accounting, timings);
//  4. swaps the working folder into place (<output>/<area>), keeping the previous one until the
//     rename has succeeded. A run that fails anywhere removes its working folder and leaves the
//     previous outputs exactly as they were.
package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"hubreach/config"
	"hubreach/datasets"
	"hubreach/internal/store"
)

// DBFile is the database's name inside an area folder.
const DBFile = "hubreach.duckdb"

// Env is what a stage works with.
type Env struct {
	Config   config.Config
	DB       *store.DB
	Dir      string // the working output folder (published at the end)
	Progress Progress
	Now      time.Time
	Reports  []*datasets.Report // row accounting of every input read in this run
	Notes    []string           // things the outputs must say (e.g. "crow-fly only: no road network")
}

// Note records a remark for run.json and the report.
func (e *Env) Note(format string, args ...any) {
	e.Notes = append(e.Notes, fmt.Sprintf(format, args...))
}

// Stage is one step of the pipeline.
type Stage interface {
	Name() string
	Run(ctx context.Context, env *Env) error
}

// StageFunc adapts a function to a Stage.
type StageFunc struct {
	N string
	F func(ctx context.Context, env *Env) error
}

func (s StageFunc) Name() string                            { return s.N }
func (s StageFunc) Run(ctx context.Context, env *Env) error { return s.F(ctx, env) }

// Progress receives what a run is doing, for a progress bar or plain log lines.
type Progress interface {
	Stage(name string)               // a stage starts
	Step(format string, args ...any) // a step inside a stage
	Done(name string, d time.Duration)
}

// Quiet is a Progress that says nothing.
type Quiet struct{}

func (Quiet) Stage(string)               {}
func (Quiet) Step(string, ...any)        {}
func (Quiet) Done(string, time.Duration) {}

// RunInfo is written to run.json.
type RunInfo struct {
	Tool      string        `json:"tool"`
	Version   string        `json:"version"`
	Started   time.Time     `json:"started"`
	Finished  time.Time     `json:"finished"`
	Area      string        `json:"area"`
	Synthetic bool          `json:"synthetic"`
	Stages    []StageTiming `json:"stages"`
	Inputs    []InputInfo   `json:"inputs"`
	Notes     []string      `json:"notes,omitempty"`
	Config    config.Config `json:"config"`
}

// StageTiming is one stage's wall time.
type StageTiming struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
}

// InputInfo is one input file's identity and row accounting.
type InputInfo struct {
	Input       string   `json:"input"`
	File        string   `json:"file"`
	SHA256      string   `json:"sha256"`
	Read        int64    `json:"rows_read"`
	Loaded      int64    `json:"rows_loaded"`
	Rejected    int64    `json:"rows_rejected"`
	InArea      *int64   `json:"in_area,omitempty"`
	InBuffer    *int64   `json:"in_buffer,omitempty"`
	OutsideArea *int64   `json:"outside_area,omitempty"`
	Notes       []string `json:"notes,omitempty"`
}

// Options controls a run.
type Options struct {
	Progress Progress
	Now      func() time.Time
	// FromScratch starts from an empty database (a run that begins with ingest); otherwise the last
	// published outputs are copied into the working folder first.
	FromScratch bool
}

// Run runs stages for cfg's area and publishes the result atomically. It returns the run's record.
func Run(ctx context.Context, cfg config.Config, stages []Stage, opt Options) (*RunInfo, error) {
	if opt.Progress == nil {
		opt.Progress = Quiet{}
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	final := cfg.AreaDir()
	if err := os.MkdirAll(cfg.Output, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	work, err := os.MkdirTemp(cfg.Output, "."+cfg.Area.Name+".work-")
	if err != nil {
		return nil, fmt.Errorf("working folder: %w", err)
	}
	if err := os.Chmod(work, 0o755); err != nil {
		return nil, fmt.Errorf("working folder: %w", err)
	}
	published := false
	defer func() {
		if !published {
			os.RemoveAll(work)
		}
	}()
	if !opt.FromScratch {
		if _, err := os.Stat(filepath.Join(final, DBFile)); err != nil {
			return nil, fmt.Errorf("no earlier run of %q in %s to continue from: run `hubreach run` (or ingest) first", cfg.Area.Name, final)
		}
		if err := copyTree(final, work); err != nil {
			return nil, fmt.Errorf("copy previous outputs: %w", err)
		}
	}
	info, err := runIn(ctx, cfg, stages, opt, work)
	if err != nil {
		return nil, err
	}
	if err := publish(work, final); err != nil {
		return nil, err
	}
	published = true
	return info, nil
}

func runIn(ctx context.Context, cfg config.Config, stages []Stage, opt Options, work string) (*RunInfo, error) {
	db, err := store.Open(ctx, filepath.Join(work, DBFile))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	env := &Env{Config: cfg, DB: db, Dir: work, Progress: opt.Progress, Now: opt.Now()}
	info := &RunInfo{Tool: "hubreach", Version: Version(), Started: env.Now, Area: cfg.Area.Name, Synthetic: cfg.Area.Synthetic, Config: cfg}
	for _, s := range stages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		opt.Progress.Stage(s.Name())
		t0 := time.Now()
		err := db.InTx(ctx, func() error { return s.Run(ctx, env) })
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name(), err)
		}
		d := time.Since(t0)
		opt.Progress.Done(s.Name(), d)
		info.Stages = append(info.Stages, StageTiming{Name: s.Name(), Seconds: d.Seconds()})
	}
	info.Inputs = inputInfos(env.Reports)
	info.Notes = env.Notes
	info.Finished = opt.Now()
	if err := writeRunJSON(work, info); err != nil {
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, fmt.Errorf("close database: %w", err)
	}
	return info, nil
}

func inputInfos(reports []*datasets.Report) []InputInfo {
	var out []InputInfo
	opt := func(v int64) *int64 {
		if v < 0 {
			return nil
		}
		return &v
	}
	for _, r := range reports {
		out = append(out, InputInfo{Input: r.Input, File: r.File, SHA256: r.SHA256, Read: r.Read, Loaded: r.Loaded, Rejected: r.Rejected,
			InArea: opt(r.InArea), InBuffer: opt(r.InBuffer), OutsideArea: opt(r.OutsideArea), Notes: r.Notes})
	}
	return out
}

func writeRunJSON(dir string, info *RunInfo) error {
	// Carry the accounting of earlier stages' inputs forward when this run did not re-read them.
	if len(info.Inputs) == 0 {
		if b, err := os.ReadFile(filepath.Join(dir, "run.json")); err == nil {
			var prev RunInfo
			if json.Unmarshal(b, &prev) == nil {
				info.Inputs = prev.Inputs
			}
		}
	}
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, "run.json"), append(b, '\n'))
}

// publish swaps work into final: final is renamed aside, work renamed into place, the old one removed.
func publish(work, final string) error {
	old := ""
	if _, err := os.Stat(final); err == nil {
		old = final + ".old-" + filepath.Base(work)
		if err := os.Rename(final, old); err != nil {
			return fmt.Errorf("publish: move previous outputs aside: %w", err)
		}
	}
	if err := os.Rename(work, final); err != nil {
		if old != "" {
			os.Rename(old, final)
		}
		return fmt.Errorf("publish: %w", err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}

// WriteFileAtomic writes data to a temp file in path's folder, syncs it and renames it into place.
func WriteFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// Version is the module version stamped by the Go toolchain, or "devel".
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return "devel+" + s.Value
			}
		}
	}
	return "devel"
}
