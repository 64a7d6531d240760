// Package datasets loads hubreach's inputs: one loader per kind of input. Each reads a file,
// validates every row or feature, writes what it read to raw.* and the typed rows to core.*,
// and returns a Report whose counts always balance: read = loaded + rejected. Every rejected row
// is kept, with file, line (or feature index), column, value and reason, in raw.rejects.
package datasets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"hubreach/internal/store"
	"hubreach/queries"
)

// Reject is one input row or feature that was not loaded, and why.
type Reject struct {
	Input  string // kind of input, e.g. "hubs"
	File   string
	Line   int64  // 1-based line (header = line 1), or feature index for GeoJSON and OSM
	Column string // column or property at fault; "" when the whole row is
	Value  string
	Reason string // what was wrong and what was expected, for a non-programmer
}

// Error formats the reject as the message a user sees, e.g.
// `hubs.csv line 4, column "lat": value "-1.35": latitude and longitude are swapped`.
func (r Reject) Error() string {
	var b strings.Builder
	b.WriteString(r.File)
	if r.Line > 0 {
		if strings.HasSuffix(strings.ToLower(r.File), "json") || strings.Contains(strings.ToLower(r.File), ".osm") {
			fmt.Fprintf(&b, " feature %d", r.Line)
		} else {
			fmt.Fprintf(&b, " line %d", r.Line)
		}
	}
	if r.Column != "" {
		fmt.Fprintf(&b, ", column %q", r.Column)
	}
	if r.Value != "" {
		fmt.Fprintf(&b, ": value %q", truncate(r.Value, 200))
	}
	b.WriteString(": ")
	b.WriteString(r.Reason)
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Report is the row accounting of one input file.
type Report struct {
	Input    string
	File     string
	SHA256   string
	Read     int64 // data rows or features read
	Loaded   int64 // valid rows written to core.*
	Rejected int64 // rows written to raw.rejects instead
	// Area filter, reported separately from the accounting above (-1 when not applicable).
	InArea, InBuffer, OutsideArea int64
	Notes                         []string
	Rejects                       []Reject
}

// NewReport starts the report for one file.
func NewReport(input, file string) *Report {
	return &Report{Input: input, File: file, InArea: -1, InBuffer: -1, OutsideArea: -1}
}

// Reject records a rejected row.
func (r *Report) Reject(line int64, column, value, reason string) {
	r.Rejected++
	r.Rejects = append(r.Rejects, Reject{Input: r.Input, File: r.File, Line: line, Column: column, Value: truncate(value, 200), Reason: reason})
}

// Note adds a remark shown with the accounting (e.g. "IDACI scores absent: File 3 has ranks only").
func (r *Report) Note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// Balanced checks read = loaded + rejected.
func (r *Report) Balanced() error {
	if r.Read != r.Loaded+r.Rejected {
		return fmt.Errorf("%s: %d rows read but %d loaded + %d rejected", r.File, r.Read, r.Loaded, r.Rejected)
	}
	return nil
}

// FileSHA256 returns the hex sha256 of a file.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// EnsureBookkeeping creates raw.rejects and raw.load_report if they do not exist yet.
func EnsureBookkeeping(ctx context.Context, db *store.DB) error {
	for _, t := range []string{"rejects", "load_report"} {
		ok, err := db.TableExists(ctx, "raw", t)
		if err != nil {
			return err
		}
		if !ok {
			if _, err := db.Exec(ctx, queries.MustSQL("raw."+t)); err != nil {
				return fmt.Errorf("create raw.%s: %w", t, err)
			}
		}
	}
	return nil
}

// SaveReport writes a report's rejects to raw.rejects and its accounting to raw.load_report,
// replacing earlier rows for the same input kind and file.
func SaveReport(ctx context.Context, db *store.DB, r *Report) error {
	if err := EnsureBookkeeping(ctx, db); err != nil {
		return err
	}
	for _, t := range []string{"raw.rejects", "raw.load_report"} {
		if _, err := db.Exec(ctx, "DELETE FROM "+t+" WHERE input = ? AND file = ?", r.Input, r.File); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	err := db.Append(ctx, "raw", "rejects", func(a *duckdb.Appender) error {
		for _, j := range r.Rejects {
			if err := a.AppendRow(j.Input, j.File, j.Line, j.Column, j.Value, j.Reason); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	null := func(v int64) any {
		if v < 0 {
			return nil
		}
		return v
	}
	_, err = db.Exec(ctx, `INSERT INTO raw.load_report VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Input, r.File, r.SHA256, r.Read, r.Loaded, r.Rejected, null(r.InArea), null(r.InBuffer), null(r.OutsideArea), strings.Join(r.Notes, "; "))
	if err != nil {
		return fmt.Errorf("raw.load_report: %w", err)
	}
	return nil
}
