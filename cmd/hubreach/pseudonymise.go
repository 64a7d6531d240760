package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"hubreach/internal/pseudonym"
)

func newPseudonymiseCmd() *cobra.Command {
	var in, out, column string
	cmd := &cobra.Command{
		Use:   "pseudonymise --in FILE --out FILE [--column person_id]",
		Short: "Replace raw person ids in a CSV extract by keyed pseudonyms (HMAC-SHA256, key from " + pseudonym.EnvKey + ")",
		Long: `pseudonymise copies a CSV extract, replacing every value of one column (person_id by default)
by its keyed pseudonym: HMAC-SHA256 with the secret key in the environment variable
` + pseudonym.EnvKey + ` (at least 32 characters), as 64 hex digits. The same id and key always
give the same pseudonym, so extracts from different years link; without the key the ids cannot be
recovered. The key is never written anywhere. Keep it where the council keeps its other secrets
and use the same key every year. Run this inside the council's network, before the extract
reaches hubreach's inputs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if in == "" || out == "" {
				return usageError{errors.New("pseudonymise: give --in and --out")}
			}
			if a, b := filepath.Clean(in), filepath.Clean(out); a == b {
				return usageError{errors.New("pseudonymise: --out must differ from --in (the raw extract is not overwritten)")}
			}
			h, err := pseudonym.FromEnv(os.LookupEnv)
			if err != nil {
				return usageError{err}
			}
			n, err := pseudonymiseCSV(h, in, out, column)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %d rows, column %q pseudonymised\n", out, n, column)
			return nil
		},
	}
	cmd.Flags().StringVar(&in, "in", "", "CSV extract with raw person ids")
	cmd.Flags().StringVar(&out, "out", "", "CSV file to write (written to a temporary file, then renamed)")
	cmd.Flags().StringVar(&column, "column", "person_id", "column to pseudonymise (header name, case-insensitive)")
	return cmd
}

// pseudonymiseCSV streams in to out (atomically), replacing column by its pseudonym, and returns
// the number of data rows. Errors name the file and line, never an id.
func pseudonymiseCSV(h *pseudonym.Hasher, in, out, column string) (int64, error) {
	f, err := os.Open(in)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return 0, fmt.Errorf("%s: header: %w", in, err)
	}
	header = slices.Clone(header)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	col := slices.IndexFunc(header, func(s string) bool { return strings.EqualFold(strings.TrimSpace(s), column) })
	if col < 0 {
		return 0, fmt.Errorf("%s: no column %q (the header has %s); name it with --column", in, column, strings.Join(header, ", "))
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	w := csv.NewWriter(tmp)
	w.Write(header)
	var n int64
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			tmp.Close()
			return n, fmt.Errorf("%s line %d: %w", in, n+2, withoutValues(err))
		}
		n++
		if col < len(rec) {
			rec[col] = h.ID(rec[col])
		}
		if err := w.Write(rec); err != nil {
			tmp.Close()
			return n, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tmp.Close()
		return n, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return n, err
	}
	if err := tmp.Close(); err != nil {
		return n, err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return n, err
	}
	return n, os.Rename(tmp.Name(), out)
}

// withoutValues keeps a CSV parse error's position and kind but not the text it quotes.
func withoutValues(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("column %d: %w", pe.Column, pe.Err)
	}
	return err
}
