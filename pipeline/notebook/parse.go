// Package notebook runs Markdown notebooks: prose with fenced SQL cells, executed against an area's
// DuckDB database and written as one self-contained HTML file (CSS inline, images and charts
// inlined, each table's query available to expand).
//
// A notebook is Markdown (CommonMark, rendered with goldmark) with these additions:
//
//	```sql name=children chart=bar x=ward y=children title="Children by ward"
//	SELECT ward_name AS ward, sum(children_0_15) AS children FROM analysis.lsoa_need GROUP BY 1
//	```
//
// runs the query and shows its result as a table (with the SQL behind a "Show the query" toggle)
// and, with chart=, a chart drawn from the result. A named query that returns one row can be quoted
// in prose: {{children.total | int}}. ![alt](maps/gap.svg) places an image the pipeline drew (the
// path is relative to the area folder; it is inlined). ```include web/map-fragment.html``` inlines
// an HTML fragment. ```requires analysis.siting_choice``` placed under a heading replaces the rest
// of that section with a notice when the run did not build the table (with nonempty=schema.table,
// also when it has no rows; with if="SELECT ...", also when that query's one value is not true).
// options.go lists every option.
package notebook

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Notebook is a parsed notebook.
type Notebook struct {
	Path   string // as given, used in error messages
	Title  string // the first level-1 heading's text ("" = none)
	Blocks []Block
}

// Block is a run of prose or a fenced cell.
type Block struct {
	Line  int // 1-based line of the block's first line in the file
	Prose *Prose
	Cell  *Cell
}

// Prose is Markdown between cells. A prose block that starts with an ATX heading has Level set
// (1 for "#", 2 for "##" ...); sections end where a heading of the same or a higher level starts.
type Prose struct {
	Text  string
	Level int
}

// Cell is a fenced block whose info string begins with sql, include or requires. Other fenced
// blocks (```text, ```yaml ...) are prose and shown as code.
type Cell struct {
	N        int    // cell number, from 1, in order of appearance
	Kind     string // sql, include or requires
	Info     string // the whole info string, for messages
	Args     []string
	Opts     map[string]string
	Body     string
	BodyLine int // file line of the body's first line
}

// Label is how errors name the cell: `cell 3 (sql name=gaps)`.
func (c *Cell) Label() string {
	s := c.Kind
	if n := c.Opts["name"]; n != "" {
		s += " name=" + n
	}
	return fmt.Sprintf("cell %d (%s)", c.N, s)
}

// Error is an error at a place in a notebook.
type Error struct {
	Path string
	Line int
	Cell *Cell // nil for prose
	Err  error
}

func (e *Error) Error() string {
	if e.Cell != nil {
		return fmt.Sprintf("%s:%d: %s: %v", e.Path, e.Line, e.Cell.Label(), e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

var cellKinds = map[string]bool{"sql": true, "include": true, "requires": true}

// Parse splits src into prose and cells. path names the file in error messages.
func Parse(path string, src []byte) (*Notebook, error) {
	nb := &Notebook{Path: path}
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var prose strings.Builder
	proseLine, proseLevel := 1, 0
	flush := func(next int) {
		if strings.TrimSpace(prose.String()) != "" {
			nb.Blocks = append(nb.Blocks, Block{Line: proseLine, Prose: &Prose{Text: prose.String(), Level: proseLevel}})
		}
		prose.Reset()
		proseLine, proseLevel = next, 0
	}
	line := 0
	cells := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		fence, info, ok := openFence(text)
		if !ok {
			if lvl := headingLevel(text); lvl > 0 {
				flush(line)
				proseLevel = lvl
				if lvl == 1 && nb.Title == "" {
					nb.Title = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(text[lvl:]), "#"))
				}
			}
			prose.WriteString(text)
			prose.WriteByte('\n')
			continue
		}
		// A fenced block: read to its closing fence.
		start := line
		var body strings.Builder
		closed := false
		for sc.Scan() {
			line++
			t := sc.Text()
			if isCloseFence(t, fence) {
				closed = true
				break
			}
			body.WriteString(t)
			body.WriteByte('\n')
		}
		kind, rest, _ := strings.Cut(strings.TrimSpace(info), " ")
		if !cellKinds[kind] {
			// Not a cell: keep it as prose (a code sample), closing it if the file ran out.
			prose.WriteString(text + "\n" + body.String())
			if closed {
				prose.WriteString(fence + "\n")
			}
			continue
		}
		cells++
		c := &Cell{N: cells, Kind: kind, Info: strings.TrimSpace(info), Body: body.String(), BodyLine: start + 1}
		if !closed {
			return nil, &Error{Path: path, Line: start, Cell: c, Err: fmt.Errorf("no closing %s fence", fence)}
		}
		args, opts, err := parseInfo(rest)
		if err != nil {
			return nil, &Error{Path: path, Line: start, Cell: c, Err: err}
		}
		c.Args, c.Opts = args, opts
		if err := checkOptions(c); err != nil {
			return nil, &Error{Path: path, Line: start, Cell: c, Err: err}
		}
		flush(line + 1)
		nb.Blocks = append(nb.Blocks, Block{Line: start, Cell: c})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	flush(line + 1)
	return nb, nil
}

// openFence recognises a CommonMark code fence opening at most three spaces in: ``` or ~~~ (three
// or more), followed by the info string.
func openFence(s string) (fence, info string, ok bool) {
	t := strings.TrimLeft(s, " ")
	if len(s)-len(t) > 3 || len(t) < 3 {
		return "", "", false
	}
	ch := t[0]
	if ch != '`' && ch != '~' {
		return "", "", false
	}
	n := 0
	for n < len(t) && t[n] == ch {
		n++
	}
	if n < 3 {
		return "", "", false
	}
	info = t[n:]
	if ch == '`' && strings.ContainsRune(info, '`') {
		return "", "", false
	}
	return t[:n], info, true
}

func isCloseFence(s, fence string) bool {
	t := strings.TrimLeft(s, " ")
	if len(s)-len(t) > 3 {
		return false
	}
	t = strings.TrimRight(t, " \t")
	if len(t) < len(fence) {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] != fence[0] {
			return false
		}
	}
	return true
}

// headingLevel returns the level of an ATX heading line ("## Need" = 2), or 0.
func headingLevel(s string) int {
	t := strings.TrimLeft(s, " ")
	if len(s)-len(t) > 3 {
		return 0
	}
	n := 0
	for n < len(t) && t[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || (n < len(t) && t[n] != ' ' && t[n] != '\t') {
		return 0
	}
	return n
}

// parseInfo splits an info string (after the cell kind) into bare words and key=value options;
// values may be double-quoted ("..." with \" and \\ escapes).
func parseInfo(s string) (args []string, opts map[string]string, err error) {
	opts = map[string]string{}
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			return args, opts, nil
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '=' {
			if s[j] == '"' {
				return nil, nil, fmt.Errorf("unexpected quote at column %d of %q", j+1, s)
			}
			j++
		}
		key := s[i:j]
		if j >= len(s) || s[j] != '=' {
			args = append(args, key)
			i = j
			continue
		}
		if key == "" {
			return nil, nil, fmt.Errorf("option without a name at column %d of %q", j+1, s)
		}
		j++ // past '='
		var val strings.Builder
		if j < len(s) && s[j] == '"' {
			j++
			closed := false
			for j < len(s) {
				c := s[j]
				if c == '\\' && j+1 < len(s) {
					val.WriteByte(s[j+1])
					j += 2
					continue
				}
				if c == '"' {
					closed = true
					j++
					break
				}
				val.WriteByte(c)
				j++
			}
			if !closed {
				return nil, nil, fmt.Errorf("option %s: unterminated quoted value", key)
			}
		} else {
			k := j
			for j < len(s) && s[j] != ' ' && s[j] != '\t' {
				if s[j] == '"' {
					return nil, nil, fmt.Errorf("unexpected quote at column %d of %q: quote the whole value (%s=\"a,b c\")", j+1, s, key)
				}
				j++
			}
			val.WriteString(s[k:j])
		}
		if _, dup := opts[key]; dup {
			return nil, nil, fmt.Errorf("option %s given twice", key)
		}
		opts[key] = val.String()
		i = j
	}
}
