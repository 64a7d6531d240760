package notebook

import (
	"bytes"
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
)

// cellHTML renders one cell's output.
func (r *runner) cellHTML(out *cellOut) (string, error) {
	c := out.cell
	var b strings.Builder
	switch c.Kind {
	case "requires":
		if out.skipped || (len(out.missing) == 0 && !out.unmet) {
			return "", nil
		}
		fmt.Fprintf(&b, `<div class="notice na-section" data-cell="%d"><strong>Not available in this run.</strong> `, c.N)
		if body := strings.TrimSpace(c.Body); body != "" {
			var md bytes.Buffer
			if err := goldmark.Convert([]byte(body), &md); err != nil {
				return "", err
			}
			b.WriteString(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(md.String()), "<p>"), "</p>"))
		} else if len(out.missing) > 0 {
			fmt.Fprintf(&b, "This section needs %s, which this run did not build.", tableList(out.missing))
		} else {
			b.WriteString("This section does not apply to this run.")
		}
		b.WriteString("</div>\n")
		return b.String(), nil
	case "include":
		if out.skipped {
			return "", nil
		}
		if out.include == nil {
			fmt.Fprintf(&b, `<div class="notice" data-cell="%d"><strong>Not available in this run.</strong> %s was not produced by this run, so the interactive map cannot be shown here.</div>`+"\n",
				c.N, html.EscapeString(c.Args[0]))
			return b.String(), nil
		}
		fmt.Fprintf(&b, `<div class="include" data-cell="%d" data-src="%s">`+"\n", c.N, html.EscapeString(c.Args[0]))
		b.Write(out.include)
		b.WriteString("\n</div>\n")
		return b.String(), nil
	}
	if out.skipped {
		return "", nil
	}
	name := c.Opts["name"]
	fmt.Fprintf(&b, `<section class="cell" id="cell-%d" data-cell="%d"`, c.N, c.N)
	if name != "" {
		fmt.Fprintf(&b, ` data-name="%s"`, html.EscapeString(name))
	}
	b.WriteString(">\n")
	_, hide := hasArg(c, "hide")
	if cap := c.Opts["caption"]; cap != "" && !hide {
		fmt.Fprintf(&b, "<p class=\"caption\">%s</p>\n", html.EscapeString(cap))
	}
	if out.res == nil {
		fmt.Fprintf(&b, `<div class="notice"><strong>Not available in this run.</strong> This needs %s, which this run did not build.</div>`+"\n", tableList(out.missing))
	} else {
		if out.chart != nil {
			b.WriteString(`<figure class="chart wide">`)
			b.WriteString(r.enlargeFigure(labelSVG(out.chart, c.Opts["title"])))
			b.WriteString("</figure>\n")
		}
		if img := c.Opts["image"]; img != "" {
			r.imagesHTML(&b, c, out.res)
		} else if !hide {
			r.tableHTML(&b, c, out.res)
		}
	}
	summary := "Show the query"
	if hide || c.Opts["image"] != "" {
		summary = "Show the query behind the figures above"
	}
	if name != "" {
		summary += " (" + name + ")"
	}
	fmt.Fprintf(&b, "<details class=\"sql\"><summary>%s</summary><pre><code class=\"language-sql\">%s</code></pre><p class=\"where\">%s, line %d (cell %d)</p></details>\n",
		html.EscapeString(summary), html.EscapeString(strings.TrimRight(c.Body, "\n")), html.EscapeString(r.nb.Path), c.BodyLine, c.N)
	b.WriteString("</section>\n")
	return b.String(), nil
}

func hasArg(c *Cell, a string) (int, bool) {
	for i, x := range c.Args {
		if x == a {
			return i, true
		}
	}
	return -1, false
}

func tableList(ts []string) string {
	q := make([]string, len(ts))
	for i, t := range ts {
		q[i] = "<code>" + html.EscapeString(t) + "</code>"
	}
	switch len(q) {
	case 0:
		return "tables"
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

func (r *runner) tableHTML(b *strings.Builder, c *Cell, res *result) {
	limit := len(res.rows)
	if s := c.Opts["rows"]; s != "" {
		n, _ := strconv.Atoi(s)
		limit = min(limit, n)
	}
	num := make([]bool, len(res.cols))
	for j := range res.cols {
		num[j] = res.isNumeric(j)
	}
	b.WriteString("<div class=\"table-wrap\"><table class=\"data\">\n<thead><tr>")
	for j, col := range res.cols {
		if num[j] {
			fmt.Fprintf(b, `<th class="num" scope="col">%s</th>`, html.EscapeString(col))
		} else {
			fmt.Fprintf(b, `<th scope="col">%s</th>`, html.EscapeString(col))
		}
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	suppressed := false
	for i := 0; i < limit; i++ {
		b.WriteString("<tr>")
		for j := range res.cols {
			t := res.cellText(i, j, r.opt.Threshold)
			cls := ""
			if num[j] {
				cls = "num"
			}
			if t == Suppressed && res.suppress[j] {
				suppressed = true
				cls = strings.TrimSpace(cls + " supp")
			}
			if cls != "" {
				fmt.Fprintf(b, `<td class="%s">%s</td>`, cls, html.EscapeString(t))
			} else {
				fmt.Fprintf(b, `<td>%s</td>`, html.EscapeString(t))
			}
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody></table></div>\n")
	if len(res.rows) == 0 {
		b.WriteString("<p class=\"note\">No rows.</p>\n")
	}
	if limit < len(res.rows) {
		fmt.Fprintf(b, "<p class=\"note\">The first %s of %s rows; the query below gives them all.</p>\n", Thousands(float64(limit), 0), Thousands(float64(len(res.rows)), 0))
	}
	if suppressed {
		fmt.Fprintf(b, "<p class=\"note\">[c] suppressed: a count from 1 to %d, or one that would let it be worked out, is not published (disclosure control).</p>\n", r.opt.Threshold-1)
	}
}

// imagesHTML places one image per row: the path in the image= column, captioned by label=.
func (r *runner) imagesHTML(b *strings.Builder, c *Cell, res *result) {
	pi, li := indexOf(res.cols, c.Opts["image"]), indexOf(res.cols, c.Opts["label"])
	for i, row := range res.rows {
		if row[pi].null {
			continue
		}
		label := ""
		if li >= 0 {
			label = res.cellText(i, li, r.opt.Threshold)
		}
		b.WriteString(`<figure class="image wide">`)
		if label != "" {
			fmt.Fprintf(b, "<figcaption>%s</figcaption>", html.EscapeString(label))
		}
		b.WriteString(r.imageHTML(row[pi].s, label))
		b.WriteString("</figure>\n")
	}
	if len(res.rows) == 0 {
		b.WriteString("<p class=\"note\">No images: the query returned no rows.</p>\n")
	}
}
