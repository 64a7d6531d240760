package datasets

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// CSVFile reads a delimited text file the way councils actually produce them: UTF-8 with or
// without a byte-order mark, or Windows-1252 (Excel's "CSV" on Windows); comma, semicolon or tab
// separated (detected from the header line); CRLF or LF line endings.
type CSVFile struct {
	Path      string
	Header    []string
	Delimiter rune
	Encoding  string // "UTF-8", "UTF-8 with BOM" or "Windows-1252"
	f         *os.File
	r         *csv.Reader
	line      int64
}

// sniffBytes is how much of the file is examined to detect encoding and delimiter.
const sniffBytes = 1 << 20

// OpenCSV opens path and reads its header. An empty file, or one with a header and no way to
// split it, is an error naming the file.
func OpenCSV(path string) (*CSVFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 1<<16)
	head, _ := br.Peek(sniffBytes)
	if len(bytes.TrimSpace(head)) == 0 {
		f.Close()
		return nil, fmt.Errorf("%s: the file is empty (expected a header line and data rows)", path)
	}
	c := &CSVFile{Path: path, f: f, Encoding: "UTF-8"}
	var src io.Reader = br
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
		head = head[3:]
		c.Encoding = "UTF-8 with BOM"
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		f.Close()
		return nil, fmt.Errorf("%s: the file is UTF-16; save it as CSV UTF-8 (in Excel: Save As, \"CSV UTF-8 (Comma delimited)\")", path)
	case !utf8.Valid(trimPartialRune(head)):
		src = transform.NewReader(br, charmap.Windows1252.NewDecoder())
		head, _ = charmap.Windows1252.NewDecoder().Bytes(head)
		c.Encoding = "Windows-1252"
	}
	firstLine := head
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		firstLine = head[:i]
	}
	c.Delimiter = sniffDelimiter(string(firstLine))
	c.r = csv.NewReader(src)
	c.r.Comma = c.Delimiter
	c.r.FieldsPerRecord = -1
	c.r.ReuseRecord = true
	hdr, err := c.r.Read()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s line 1: cannot read the header: %w", path, err)
	}
	c.line = 1
	c.Header = make([]string, len(hdr))
	for i, h := range hdr {
		c.Header[i] = strings.TrimSpace(h)
	}
	return c, nil
}

// trimPartialRune drops an incomplete UTF-8 sequence cut off at the end of the sniffed block.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < 3 && len(b) > 0; i++ {
		r, size := utf8.DecodeLastRune(b)
		if r != utf8.RuneError || size != 1 {
			break
		}
		b = b[:len(b)-1]
	}
	return b
}

func sniffDelimiter(line string) rune {
	best, bestN := ',', 0
	for _, d := range []rune{',', ';', '\t', '|'} {
		if n := strings.Count(line, string(d)); n > bestN {
			best, bestN = d, n
		}
	}
	return best
}

// Next returns the next data row and its 1-based line number (the header is line 1), or io.EOF.
// The slice is reused: copy what you keep. A row that cannot be parsed (unbalanced quotes) is
// returned as a *RowError so the caller can reject it and carry on.
func (c *CSVFile) Next() ([]string, int64, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			c.line = int64(pe.StartLine)
			return nil, c.line, &RowError{Line: c.line, Err: pe.Err}
		}
		return nil, c.line, err
	}
	line, _ := c.r.FieldPos(0)
	c.line = int64(line)
	return rec, c.line, nil
}

// Close closes the file.
func (c *CSVFile) Close() error { return c.f.Close() }

// RowError is a row that could not be split into fields.
type RowError struct {
	Line int64
	Err  error
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// NormHeader folds a header for matching: lower case, letters and digits only, single spaces.
// "Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived) " becomes
// "income deprivation affecting children index idaci rank where 1 is most deprived".
func NormHeader(h string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(h) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		} else {
			space = true
		}
	}
	return b.String()
}

// Columns finds columns by name in a header, tolerant of case, punctuation and spacing.
type Columns struct {
	header []string
	norm   []string
}

// NewColumns indexes a header.
func NewColumns(header []string) Columns {
	c := Columns{header: header, norm: make([]string, len(header))}
	for i, h := range header {
		c.norm[i] = NormHeader(h)
	}
	return c
}

// Find returns the index of the first column whose folded name equals one of names (folded), or -1.
func (c Columns) Find(names ...string) int {
	for _, n := range names {
		n = NormHeader(n)
		for i, h := range c.norm {
			if h == n {
				return i
			}
		}
	}
	return -1
}

// FindPrefix returns the first column whose folded name starts with one of the folded prefixes, or -1.
func (c Columns) FindPrefix(prefixes ...string) int {
	for _, p := range prefixes {
		p = NormHeader(p)
		for i, h := range c.norm {
			if strings.HasPrefix(h, p) {
				return i
			}
		}
	}
	return -1
}

// Name returns the header text of column i as written in the file.
func (c Columns) Name(i int) string {
	if i < 0 || i >= len(c.header) {
		return ""
	}
	return c.header[i]
}

// MissingColumnError says which required column is absent and what the file has instead.
func MissingColumnError(path, want string, accepted []string, header []string) error {
	return fmt.Errorf("%s line 1: required column %q is missing (accepted names: %s); the header has: %s",
		path, want, strings.Join(quoteAll(accepted), ", "), strings.Join(quoteAll(header), ", "))
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
