package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"hubreach/config"
	"hubreach/datasets"
	"hubreach/internal/store"
	"hubreach/queries"
)

// Ingest is the stage that loads every configured input into raw.* and core.*, in dependency
// order: the deprivation files first (they give each LSOA its local authority), then population,
// boundaries (which need the LSOA codes), wards and the LSOA -> ward assignment, postcodes, sites
// (which may be located by postcode), service use (which refers to sites and LSOAs), and the road
// network. It ends by writing rejects.csv beside the database.
//
// Every configured input must load: an optional input (population, wards, localities, postcodes,
// candidates, service use, road network, ...) may be left out of the configuration, but one that
// is configured and cannot be read (missing file, wrong header) fails the run with an error naming
// the input and the file. Rows rejected from a file that loads go to the rejects, as always.
func Ingest() Stage { return StageFunc{N: "ingest", F: ingest} }

// step is one loader call.
type step struct {
	name string
	run  func(ctx context.Context, env *Env) ([]*datasets.Report, error)
}

// areaFilter is the configured area as a filter on district codes: county (E10) codes in
// area.codes are replaced by their districts from inputs.la_lookup (datasets.ExpandCounties).
func areaFilter(cfg config.Config) (datasets.AreaFilter, error) {
	lookup := ""
	if cfg.Inputs.LALookup != "" {
		lookup = cfg.Path(cfg.Inputs.LALookup)
	}
	codes, err := datasets.ExpandCounties(cfg.Area.Codes, lookup)
	if err != nil {
		return datasets.AreaFilter{}, err
	}
	return datasets.AreaFilter{Codes: codes, BufferM: cfg.Area.BufferM}, nil
}

// expandedNote says which districts the area filter used when area.codes named a county; "" when
// the codes were used as given.
func expandedNote(cfg config.Config, area datasets.AreaFilter) string {
	if slices.Equal(area.Codes, cfg.Area.Codes) {
		return ""
	}
	return fmt.Sprintf("area.codes %s expanded to districts %s (from inputs.la_lookup)", strings.Join(cfg.Area.Codes, ", "), strings.Join(area.Codes, ", "))
}

func ingestSteps(cfg config.Config) ([]step, datasets.AreaFilter, error) {
	area, err := areaFilter(cfg)
	if err != nil {
		return nil, area, err
	}
	var steps []step
	steps = append(steps, step{"Indices of Deprivation", func(ctx context.Context, env *Env) ([]*datasets.Report, error) {
		return datasets.LoadIoD(ctx, env.DB, datasets.IoDSpec{Files: cfg.Paths(cfg.Inputs.IoD), Area: area})
	}})
	if cfg.Inputs.LALookup != "" {
		steps = append(steps, step{"local authority lookup", func(ctx context.Context, env *Env) ([]*datasets.Report, error) {
			r, err := datasets.LoadLAHierarchy(ctx, env.DB, cfg.Path(cfg.Inputs.LALookup))
			return one(r), err
		}})
	}
	if cfg.Inputs.Population != "" {
		steps = append(steps, step{"population", func(ctx context.Context, env *Env) ([]*datasets.Report, error) {
			r, err := datasets.LoadPopulation(ctx, env.DB, datasets.PopulationSpec{Path: cfg.Path(cfg.Inputs.Population), Year: cfg.Inputs.PopulationYear, Area: area})
			return one(r), err
		}})
	}
	steps = append(steps, boundarySteps(cfg, area)...)
	if cfg.Inputs.Postcodes != "" {
		steps = append(steps, step{"postcodes", func(ctx context.Context, env *Env) ([]*datasets.Report, error) {
			r, err := datasets.LoadPostcodes(ctx, env.DB, cfg.Path(cfg.Inputs.Postcodes))
			return one(r), err
		}})
	}
	steps = append(steps, siteSteps(cfg)...)
	steps = append(steps, serviceUseSteps(cfg)...)
	steps = append(steps, networkSteps(cfg)...)
	return steps, area, nil
}

func one(r *datasets.Report) []*datasets.Report {
	if r == nil {
		return nil
	}
	return []*datasets.Report{r}
}

func ingest(ctx context.Context, env *Env) error {
	if err := datasets.EnsureBookkeeping(ctx, env.DB); err != nil {
		return err
	}
	// Every core table exists, empty when its input is not given, so the analysis can join to it.
	for _, t := range queries.Tables("core") {
		if _, err := env.DB.Exec(ctx, mustSQL(t)); err != nil {
			return fmt.Errorf("create %s: %w", t, err)
		}
	}
	if err := writeParams(ctx, env); err != nil {
		return err
	}
	steps, area, err := ingestSteps(env.Config)
	if err != nil {
		return err
	}
	if n := expandedNote(env.Config, area); n != "" {
		env.Note("%s", n)
	}
	for _, s := range steps {
		env.Progress.Step("loading %s", s.name)
		reps, err := s.run(ctx, env)
		for _, r := range reps {
			if r.SHA256 == "" {
				if sum, err := datasets.FileSHA256(r.File); err == nil {
					r.SHA256 = sum
				}
			}
			if err := datasets.SaveReport(ctx, env.DB, r); err != nil {
				return err
			}
			env.Reports = append(env.Reports, r)
		}
		if err != nil {
			// A configured input that cannot be loaded stops the run, required or optional:
			// optional means it may be left unset (then it has no step), not that it may be broken.
			// The stage is one transaction, so the run stops here rather than going on after a
			// failed statement; `hubreach validate` lists every unusable input at once.
			return s.fail(err)
		}
		if err := allRejected(s, reps); err != nil {
			return err
		}
	}
	return writeRejectsCSV(ctx, env.DB, filepath.Join(env.Dir, "rejects.csv"))
}

// allRejected is an error when a file of the step had rows but not one of them was valid: a
// configured input that contributes nothing is as broken as one that cannot be read. The error
// shows the first rejected row, since the run stops before rejects.csv is written.
func allRejected(s step, reps []*datasets.Report) error {
	for _, r := range reps {
		if r.Read > 0 && r.Loaded == 0 {
			first := ""
			if len(r.Rejects) > 0 { // the file is named already
				first = "; the first: " + strings.TrimPrefix(r.Rejects[0].Error(), r.Rejects[0].File+" ")
			}
			return fmt.Errorf("%s: %s has no valid rows (%d read, all rejected%s)", s.name, r.File, r.Read, first)
		}
	}
	return nil
}

// fail is err wrapped with the step's input name, unless the loader has already named it.
func (s step) fail(err error) error {
	if strings.HasPrefix(err.Error(), s.name+": ") {
		return err
	}
	return fmt.Errorf("%s: %w", s.name, err)
}

// writeParams stores the run's parameters in core.params for the SQL to read.
func writeParams(ctx context.Context, env *Env) error {
	if _, err := env.DB.Exec(ctx, mustSQL("core.params")); err != nil {
		return err
	}
	c := env.Config
	num := map[string]float64{
		"walk_speed_kph":       c.Access.WalkSpeedKPH,
		"snap_limit_m":         c.Access.SnapLimitM,
		"disclosure_threshold": float64(c.Disclosure.Threshold),
		"disclosure_round_to":  float64(c.Disclosure.RoundTo),
		"buffer_m":             c.Area.BufferM,
		"population_year":      float64(c.Inputs.PopulationYear),
	}
	for k, v := range num {
		if _, err := env.DB.Exec(ctx, "INSERT INTO core.params VALUES (?, ?, NULL)", k, v); err != nil {
			return err
		}
	}
	txt := map[string]string{
		"area_name":   c.Area.Name,
		"area_title":  c.Area.Title,
		"area_codes":  strings.Join(c.Area.Codes, ","),
		"synthetic":   strconv.FormatBool(c.Area.Synthetic),
		"age_band":    c.ServiceUse.AgeBand,
		"period_from": c.ServiceUse.PeriodStart,
		"period_to":   c.ServiceUse.PeriodEnd,
	}
	for k, v := range txt {
		if _, err := env.DB.Exec(ctx, "INSERT INTO core.params VALUES (?, NULL, ?)", k, v); err != nil {
			return err
		}
	}
	return nil
}

// writeRejectsCSV writes raw.rejects to path (atomically), ordered by input, file and line.
func writeRejectsCSV(ctx context.Context, db *store.DB, path string) error {
	tmp := path + ".tmp"
	q := fmt.Sprintf(`COPY (SELECT input, file, line, column_name AS "column", value, reason FROM raw.rejects ORDER BY input, file, line)
		TO '%s' (FORMAT csv, HEADER true)`, strings.ReplaceAll(tmp, "'", "''"))
	if _, err := db.Exec(ctx, q); err != nil {
		return fmt.Errorf("rejects.csv: %w", err)
	}
	return os.Rename(tmp, path)
}

// ValidateResult is the accounting validate prints.
type ValidateResult struct {
	Reports []*datasets.Report
	Notes   []string
}

// Print writes the accounting per file and the first rejects of each.
func (v *ValidateResult) Print(w io.Writer) {
	fmt.Fprintf(w, "%-22s %10s %10s %10s  %s\n", "input", "read", "loaded", "rejected", "file")
	for _, r := range v.Reports {
		fmt.Fprintf(w, "%-22s %10d %10d %10d  %s\n", r.Input, r.Read, r.Loaded, r.Rejected, r.File)
		if r.InArea >= 0 {
			fmt.Fprintf(w, "%-22s area filter: %d in the area, %d in the neighbour buffer, %d outside\n", "", r.InArea, max(r.InBuffer, 0), max(r.OutsideArea, 0))
		}
		for _, n := range r.Notes {
			fmt.Fprintf(w, "%-22s note: %s\n", "", n)
		}
		if err := r.Balanced(); err != nil {
			fmt.Fprintf(w, "%-22s ACCOUNTING ERROR: %v\n", "", err)
		}
		for i, j := range r.Rejects {
			if i == 5 {
				fmt.Fprintf(w, "%-22s ... %d more rejected rows (all are in rejects.csv after a run)\n", "", len(r.Rejects)-5)
				break
			}
			fmt.Fprintf(w, "%-22s rejected: %s\n", "", j.Error())
		}
	}
	for _, n := range v.Notes {
		fmt.Fprintln(w, "note:", n)
	}
}

// Validate loads every input into a throw-away in-memory database and returns the accounting.
// The error is non-nil when any configured input is unusable (a required one, or an optional one
// that is configured but cannot be loaded: missing, unreadable, wrong header), and joins them all.
// Rows rejected from a file that otherwise loads are accounting, not errors, except that every
// configured input must keep at least one row.
func Validate(ctx context.Context, cfg config.Config, p Progress) (*ValidateResult, error) {
	if p == nil {
		p = Quiet{}
	}
	db, err := store.Open(ctx, "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := datasets.EnsureBookkeeping(ctx, db); err != nil {
		return nil, err
	}
	env := &Env{Config: cfg, DB: db, Progress: p}
	res := &ValidateResult{}
	var errs []error
	p.Stage("validate")
	steps, area, err := ingestSteps(cfg)
	if err != nil {
		return res, err
	}
	if n := expandedNote(cfg, area); n != "" {
		res.Notes = append(res.Notes, n)
	}
	for _, s := range steps {
		p.Step("checking %s", s.name)
		reps, err := s.run(ctx, env)
		res.Reports = append(res.Reports, reps...)
		if err != nil {
			errs = append(errs, s.fail(err))
			continue
		}
		if err := allRejected(s, reps); err != nil {
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}
