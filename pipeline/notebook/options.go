package notebook

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// SQL cell options (info string after "sql"):
//
//	name=ID          names the query; a one-row result can be quoted in prose as {{ID.column}}
//	hide             do not show the result table (the query is still shown, collapsed)
//	requires=T[,T]   tables (schema.table) the query needs; when one is missing the cell shows
//	                 "not available in this run" instead of failing
//	nonempty=T[,T]   the same, and the table must have rows (e.g. core.contact: no service-use
//	                 extract was given)
//	image=C          place the image whose path (relative to the area folder) is in column C, one
//	                 per row, captioned by column label=C when given; the table is not shown
//	caption="..."    text above the table
//	rows=N           show the first N rows and say how many there are
//	int=C[,C]        columns shown as whole numbers (thousands separators)
//	dec1=C[,C], dec2=C[,C]  columns shown with one or two decimal places
//	pct=C[,C]        columns holding percentages (26.14 -> 26.1%)
//	share=C[,C]      columns holding fractions (0.2614 -> 26.1%)
//	text=C[,C]       columns shown as they are (codes, years)
//	suppress=C[,C]   disclosure control: NULL and counts from 1 to the threshold minus 1 are shown
//	                 as the suppression marker [c]
//	chart=bar|hbar|line  draw a chart from the result; x=C the labels (bar) or x values (line),
//	                 y=C[,C] the values (one column for bar; for hbar one bar per column in each
//	                 row's group, e.g. before and after; one line per column), title="...",
//	                 subtitle="...", xlabel="...", ylabel="...", source="..."
var sqlOptions = []string{"name", "requires", "nonempty", "image", "label", "caption", "rows", "int", "dec1", "dec2", "pct", "share", "text", "suppress",
	"chart", "x", "y", "title", "subtitle", "xlabel", "ylabel", "source"}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
var tableRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$`)

func checkOptions(c *Cell) error {
	switch c.Kind {
	case "sql":
		for k := range c.Opts {
			if !slices.Contains(sqlOptions, k) {
				return fmt.Errorf("unknown option %q (sql cells take %s)", k, strings.Join(sqlOptions, ", "))
			}
		}
		for _, a := range c.Args {
			if a != "hide" {
				return fmt.Errorf("unknown flag %q (sql cells take the flag hide and key=value options)", a)
			}
		}
		if n, ok := c.Opts["name"]; ok && !identRE.MatchString(n) {
			return fmt.Errorf("name=%q: use letters, digits and _ (it is quoted in prose as {{%s.column}})", n, n)
		}
		for _, k := range []string{"requires", "nonempty"} {
			for _, t := range splitList(c.Opts[k]) {
				if !tableRE.MatchString(t) {
					return fmt.Errorf("%s=%q: %q is not schema.table", k, c.Opts[k], t)
				}
			}
		}
		if _, ok := c.Opts["label"]; ok && c.Opts["image"] == "" {
			return fmt.Errorf("label= names the caption column of image=: add image=column")
		}
		if r, ok := c.Opts["rows"]; ok {
			if n, err := strconv.Atoi(r); err != nil || n < 1 {
				return fmt.Errorf("rows=%q: want a positive whole number", r)
			}
		}
		if ch, ok := c.Opts["chart"]; ok {
			if !slices.Contains([]string{"bar", "hbar", "line"}, ch) {
				return fmt.Errorf("chart=%q: want bar, hbar or line", ch)
			}
			if c.Opts["x"] == "" || c.Opts["y"] == "" {
				return fmt.Errorf("chart=%s needs x=column and y=column", ch)
			}
			if ch == "bar" && len(splitList(c.Opts["y"])) != 1 {
				return fmt.Errorf("chart=%s takes one y column (y=%q)", ch, c.Opts["y"])
			}
		} else {
			for _, k := range []string{"x", "y", "title", "subtitle", "xlabel", "ylabel", "source"} {
				if _, ok := c.Opts[k]; ok {
					return fmt.Errorf("option %s is for charts: add chart=bar, hbar or line", k)
				}
			}
		}
		if strings.TrimSpace(c.Body) == "" {
			return fmt.Errorf("empty query")
		}
	case "include":
		if len(c.Args) != 1 || len(c.Opts) != 0 {
			return fmt.Errorf("write ```include path/to/fragment.html``` (one path, relative to the area folder)")
		}
		if strings.HasPrefix(c.Args[0], "/") || slices.Contains(strings.Split(c.Args[0], "/"), "..") {
			return fmt.Errorf("include %q: the path must stay inside the area folder", c.Args[0])
		}
	case "requires":
		for k := range c.Opts {
			if k != "nonempty" && k != "if" {
				return fmt.Errorf("unknown option %q (requires cells take tables, nonempty=schema.table,... and if=\"SELECT ...\")", k)
			}
		}
		if q, ok := c.Opts["if"]; ok && strings.TrimSpace(q) == "" {
			return fmt.Errorf("if= is empty: give a query returning one true or false value, quoted: if=\"SELECT ...\"")
		}
		for _, t := range splitList(c.Opts["nonempty"]) {
			if !tableRE.MatchString(t) {
				return fmt.Errorf("nonempty=%q: %q is not schema.table", c.Opts["nonempty"], t)
			}
		}
		if len(c.Args) == 0 && c.Opts["nonempty"] == "" && c.Opts["if"] == "" {
			return fmt.Errorf("write ```requires schema.table [schema.table ...] [nonempty=schema.table,...] [if=\"SELECT ...\"]``` (the body, if any, is the notice shown when one is missing)")
		}
		for _, t := range c.Args {
			if !tableRE.MatchString(t) {
				return fmt.Errorf("%q is not schema.table", t)
			}
		}
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
