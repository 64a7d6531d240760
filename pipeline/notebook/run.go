package notebook

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Queryer runs a query: *store.DB satisfies it; wrap a *sql.DB in SQLDB.
type Queryer interface {
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// SQLDB adapts a *sql.DB to Queryer.
type SQLDB struct{ DB *sql.DB }

// Query implements Queryer.
func (d SQLDB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return d.DB.QueryContext(ctx, q, args...)
}

// Options says where a notebook runs and what the page says about the run.
type Options struct {
	Dir       string    // the area folder: image and include paths are relative to it
	Area      string    // the area's title, shown in the page header and as {{run.area}}
	Synthetic bool      // synthetic demo data: a banner on the page and on every chart
	Now       time.Time // the run's date, shown as {{run.date}}; zero = time.Now()
	Version   string    // hubreach version, shown in the footer and as {{run.version}}
	// Threshold is the disclosure threshold: in suppressed columns counts from 1 to Threshold-1
	// are shown as [c]. 0 = core.params disclosure_threshold when present, else 5.
	Threshold int
	// Source is the source line printed under charts drawn from queries ("" = a generic line).
	Source string
}

// result is a query's result, normalised for display.
type result struct {
	cols     []string
	types    []string
	rows     [][]value
	formats  []format
	suppress []bool
}

// cellOut is what running a cell produced.
type cellOut struct {
	cell    *Cell
	skipped bool     // inside a section whose requires cell failed
	missing []string // tables this cell (or its section) needs that the run did not build
	unmet   bool     // a requires cell whose if= query was not true
	res     *result
	chart   []byte // inline SVG
	include []byte // the fragment, or nil when missing
}

type runner struct {
	ctx   context.Context
	db    Queryer
	nb    *Notebook
	opt   Options
	outs  map[*Cell]*cellOut
	named map[string]*cellOut
	// skippedProse holds the indexes of prose blocks inside sections a requires cell skipped.
	skippedProse map[int]bool
	// figures counts the drawn figures placed so far, for their ids (figure-1, figure-2, ...).
	figures int
}

// RunFile parses and runs the notebook at path.
func RunFile(ctx context.Context, db Queryer, path string, opt Options) ([]byte, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	nb, err := Parse(path, src)
	if err != nil {
		return nil, err
	}
	return Run(ctx, db, nb, opt)
}

// Run executes every cell of nb against db, in order, and returns the HTML page. The first error
// stops the run and names the notebook file, the line and the cell.
func Run(ctx context.Context, db Queryer, nb *Notebook, opt Options) ([]byte, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	r := &runner{ctx: ctx, db: db, nb: nb, opt: opt, outs: map[*Cell]*cellOut{}, named: map[string]*cellOut{}, skippedProse: map[int]bool{}}
	if r.opt.Threshold == 0 {
		t, err := r.paramThreshold()
		if err != nil {
			return nil, err
		}
		r.opt.Threshold = t
	}
	if err := r.execute(); err != nil {
		return nil, err
	}
	return r.page()
}

func (r *runner) paramThreshold() (int, error) {
	ok, err := r.tableExists("core.params")
	if err != nil || !ok {
		return 5, err
	}
	rows, err := r.db.Query(r.ctx, `SELECT value FROM core.params WHERE name = 'disclosure_threshold'`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	t := 5
	for rows.Next() {
		var v sql.NullFloat64
		if err := rows.Scan(&v); err != nil {
			return 0, err
		}
		if v.Valid && v.Float64 >= 1 {
			t = int(v.Float64)
		}
	}
	return t, rows.Err()
}

func (r *runner) tableExists(qualified string) (bool, error) {
	schema, table, _ := strings.Cut(qualified, ".")
	rows, err := r.db.Query(r.ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`, schema, table)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return false, err
		}
	}
	return n > 0, rows.Err()
}

// missingTables returns the tables of need that do not exist and those of nonempty that do not
// exist or have no rows (the latter as "T (no rows)").
func (r *runner) missingTables(need, nonempty []string) ([]string, error) {
	var miss []string
	for _, t := range need {
		ok, err := r.tableExists(t)
		if err != nil {
			return nil, fmt.Errorf("look up table %s: %w", t, err)
		}
		if !ok {
			miss = append(miss, t)
		}
	}
	for _, t := range nonempty {
		ok, err := r.tableExists(t)
		if err != nil {
			return nil, fmt.Errorf("look up table %s: %w", t, err)
		}
		if ok {
			res, err := r.query("SELECT EXISTS (SELECT 1 FROM " + t + ")")
			if err != nil {
				return nil, fmt.Errorf("look up table %s: %w", t, err)
			}
			ok = len(res.rows) == 1 && res.rows[0][0].b != nil && *res.rows[0][0].b
		}
		if !ok {
			miss = append(miss, t+" (no rows)")
		}
	}
	return miss, nil
}

// execute runs the cells in order. A requires cell whose tables are missing skips everything up
// to the next heading of the same or a higher level than the heading it sits under.
func (r *runner) execute() error {
	level := 0   // level of the heading the current block sits under (0 = none)
	skipTo := -1 // while >= 0, skipping until a heading of this level or higher (0 = to the end)
	var skipMissing []string
	skipUnmet := false
	for i, b := range r.nb.Blocks {
		if b.Prose != nil {
			if b.Prose.Level > 0 && skipTo > 0 && b.Prose.Level <= skipTo {
				skipTo = -1
			}
			if skipTo >= 0 {
				r.skippedProse[i] = true
			} else if b.Prose.Level > 0 {
				level = b.Prose.Level
			}
			continue
		}
		c := b.Cell
		out := &cellOut{cell: c}
		r.outs[c] = out
		if n := c.Opts["name"]; n != "" {
			if n == "run" {
				return &Error{Path: r.nb.Path, Line: b.Line, Cell: c, Err: errors.New(`the name "run" is reserved for {{run.area}}, {{run.date}} and {{run.version}}`)}
			}
			if prev, dup := r.named[n]; dup {
				return &Error{Path: r.nb.Path, Line: b.Line, Cell: c, Err: fmt.Errorf("name %q already used by cell %d", n, prev.cell.N)}
			}
			r.named[n] = out
		}
		if skipTo >= 0 {
			out.skipped, out.missing, out.unmet = true, skipMissing, skipUnmet
			continue
		}
		var err error
		switch c.Kind {
		case "requires":
			out.missing, err = r.missingTables(c.Args, splitList(c.Opts["nonempty"]))
			if err == nil && len(out.missing) == 0 && c.Opts["if"] != "" {
				out.unmet, err = r.unmet(c.Opts["if"])
			}
			if err == nil && (len(out.missing) > 0 || out.unmet) {
				skipTo, skipMissing, skipUnmet = level, out.missing, out.unmet
			}
		case "include":
			out.include, err = r.readInclude(c.Args[0])
		case "sql":
			err = r.runSQL(out)
		}
		if err != nil {
			var ne *Error
			if errors.As(err, &ne) {
				return err
			}
			return &Error{Path: r.nb.Path, Line: b.Line, Cell: c, Err: err}
		}
	}
	return nil
}

// unmet runs a requires cell's if= query: the condition is met when it returns one row whose
// first value is true (a boolean true or a non-zero number); no row, NULL, false or 0 is unmet.
func (r *runner) unmet(q string) (bool, error) {
	res, err := r.query(q)
	if err != nil {
		return false, fmt.Errorf("if=%q: %w", q, err)
	}
	if len(res.rows) > 1 || len(res.cols) != 1 {
		return false, fmt.Errorf("if=%q: want one row with one value, got %d rows of %d columns", q, len(res.rows), len(res.cols))
	}
	if len(res.rows) == 0 {
		return true, nil
	}
	v := res.rows[0][0]
	switch {
	case v.null:
		return true, nil
	case v.b != nil:
		return !*v.b, nil
	case v.num:
		return v.f == 0, nil
	}
	return false, fmt.Errorf("if=%q: want true or false, got %q", q, v.s)
}

func (r *runner) readInclude(rel string) ([]byte, error) {
	b, err := os.ReadFile(joinArea(r.opt.Dir, rel))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

func joinArea(dir, rel string) string {
	if dir == "" {
		return rel
	}
	return strings.TrimRight(dir, "/") + "/" + rel
}

var duckLineRE = regexp.MustCompile(`LINE (\d+):`)

func (r *runner) runSQL(out *cellOut) error {
	c := out.cell
	miss, err := r.missingTables(splitList(c.Opts["requires"]), splitList(c.Opts["nonempty"]))
	if err != nil {
		return err
	}
	if len(miss) > 0 {
		out.missing = miss
		return nil
	}
	res, err := r.query(c.Body)
	if err != nil {
		line := c.BodyLine - 1
		if m := duckLineRE.FindStringSubmatch(err.Error()); m != nil {
			n, _ := strconv.Atoi(m[1])
			line = c.BodyLine + n - 1
		}
		return &Error{Path: r.nb.Path, Line: line, Cell: c, Err: err}
	}
	if err := r.decorate(c, res); err != nil {
		return &Error{Path: r.nb.Path, Line: c.BodyLine - 1, Cell: c, Err: err}
	}
	out.res = res
	// A query with no rows has nothing to draw: its table says "No rows." instead.
	if c.Opts["chart"] != "" && len(res.rows) > 0 {
		svg, err := r.chart(c, res)
		if err != nil {
			return &Error{Path: r.nb.Path, Line: c.BodyLine - 1, Cell: c, Err: fmt.Errorf("chart: %w", err)}
		}
		out.chart = svg
	}
	return nil
}

func (r *runner) query(q string) (*result, error) {
	rows, err := r.db.Query(r.ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	res := &result{}
	for _, ct := range cts {
		res.cols = append(res.cols, ct.Name())
		res.types = append(res.types, ct.DatabaseTypeName())
	}
	raw := make([]any, len(cts))
	ptrs := make([]any, len(cts))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]value, len(cts))
		for i, v := range raw {
			row[i] = normalise(v, res.types[i])
		}
		res.rows = append(res.rows, row)
	}
	return res, rows.Err()
}

// decorate sets each column's format and suppression from the cell's options, checking that every
// column named exists.
func (r *runner) decorate(c *Cell, res *result) error {
	res.formats = make([]format, len(res.cols))
	res.suppress = make([]bool, len(res.cols))
	col := func(opt, name string) (int, error) {
		if i := slices.Index(res.cols, name); i >= 0 {
			return i, nil
		}
		return -1, fmt.Errorf("%s=%s: the query has no column %q (columns: %s)", opt, c.Opts[opt], name, strings.Join(res.cols, ", "))
	}
	for _, o := range []struct {
		key string
		f   format
	}{{"int", fmtInt}, {"dec1", fmtDec1}, {"dec2", fmtDec2}, {"pct", fmtPct}, {"share", fmtShare}, {"text", fmtText}} {
		for _, name := range splitList(c.Opts[o.key]) {
			i, err := col(o.key, name)
			if err != nil {
				return err
			}
			res.formats[i] = o.f
		}
	}
	for _, name := range splitList(c.Opts["suppress"]) {
		i, err := col("suppress", name)
		if err != nil {
			return err
		}
		res.suppress[i] = true
	}
	for _, k := range []string{"x", "y", "image", "label"} {
		for _, name := range splitList(c.Opts[k]) {
			if _, err := col(k, name); err != nil {
				return err
			}
		}
	}
	// A float column with any fractional value is shown with one decimal throughout.
	for i := range res.cols {
		if res.formats[i] != fmtAuto {
			continue
		}
		for _, row := range res.rows {
			if v := row[i]; v.num && !v.isInt && v.f != float64(int64(v.f)) {
				res.formats[i] = fmtDec1
				break
			}
		}
	}
	return nil
}

// cellText is the rendered text of row i, column j.
func (res *result) cellText(i, j int, threshold int) string {
	return res.rows[i][j].render(res.formats[j], res.suppress[j], threshold)
}

// isNumeric reports whether column j holds numbers (right-aligned).
func (res *result) isNumeric(j int) bool {
	for _, row := range res.rows {
		if !row[j].null {
			return row[j].num
		}
	}
	t := strings.ToUpper(res.types[j])
	return strings.Contains(t, "INT") || strings.Contains(t, "DOUBLE") || strings.Contains(t, "FLOAT") || strings.Contains(t, "DECIMAL")
}
