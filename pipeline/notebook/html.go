package notebook

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"html/template"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

//go:embed page.css
var pageCSS string

// inline values: {{name.column}}, {{name.column | filter}}, or {{name.column | count "one" "many"}}
// (the number with its noun, singular for exactly 1: "1 LSOA is", "3 LSOAs are").
var inlineRE = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*([a-z0-9]+)((?:\s+"[^"{}]*")*)\s*)?\}\}`)

var inlineArgRE = regexp.MustCompile(`"([^"{}]*)"`)

// placeholders stand in for inline values while goldmark renders the prose: private-use
// characters that Markdown leaves alone.
const phOpen, phClose = "\ue000", "\ue001"

var placeholderRE = regexp.MustCompile(phOpen + `(\d+)` + phClose)

type heading struct {
	level int
	id    string
	text  string
}

// prose renders one prose block: inline values substituted, Markdown to HTML, images inlined.
type proseOut struct {
	html     string
	headings []heading
}

func (r *runner) renderProse(b Block, ids *idSet) (*proseOut, error) {
	var vals []string // HTML of each placeholder
	var plain []string
	var perr error
	src := inlineRE.ReplaceAllStringFunc(b.Prose.Text, func(m string) string {
		if perr != nil {
			return m
		}
		sm := inlineRE.FindStringSubmatch(m)
		// the line of this occurrence
		off := strings.Index(b.Prose.Text, m)
		line := b.Line + strings.Count(b.Prose.Text[:max(off, 0)], "\n")
		var args []string
		for _, a := range inlineArgRE.FindAllStringSubmatch(sm[4], -1) {
			args = append(args, a[1])
		}
		h, p, err := r.inlineValue(sm[1], sm[2], sm[3], args)
		if err != nil {
			perr = &Error{Path: r.nb.Path, Line: line, Err: fmt.Errorf("%s: %w", m, err)}
			return m
		}
		vals = append(vals, h)
		plain = append(plain, p)
		return fmt.Sprintf("%s%d%s", phOpen, len(vals)-1, phClose)
	})
	if perr != nil {
		return nil, perr
	}
	md := goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Typographer),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(gmhtml.WithUnsafe(),
			renderer.WithNodeRenderers(util.Prioritized(&imageRenderer{r: r}, 100))),
	)
	source := []byte(src)
	ctx := parser.NewContext(parser.WithIDs(ids))
	doc := md.Parser().Parse(text.NewReader(source), parser.WithContext(ctx))
	out := &proseOut{}
	unplace := func(s string, plainText bool) string {
		return placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
			i := 0
			fmt.Sscanf(strings.Trim(m, phOpen+phClose), "%d", &i)
			if plainText {
				return plain[i]
			}
			return vals[i]
		})
	}
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			id, _ := h.AttributeString("id")
			idb, _ := id.([]byte)
			out.headings = append(out.headings, heading{level: h.Level, id: string(idb), text: unplace(nodeText(h, source), true)})
		}
		return ast.WalkContinue, nil
	})
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, source, doc); err != nil {
		return nil, &Error{Path: r.nb.Path, Line: b.Line, Err: err}
	}
	out.html = unplace(buf.String(), false)
	return out, nil
}

// inlineValue returns the HTML and the plain text of {{name.col | filter}}; args are the quoted
// words after the filter (count takes two: the noun for exactly one, and for any other number).
func (r *runner) inlineValue(name, col, filter string, args []string) (string, string, error) {
	f, ok := filterNames[filter]
	if filter == "count" {
		if len(args) != 2 {
			return "", "", fmt.Errorf(`count takes two quoted nouns, for one and for any other number: {{%s.%s | count "LSOA" "LSOAs"}}`, name, col)
		}
		f, ok = fmtInt, true
	} else if len(args) > 0 {
		return "", "", fmt.Errorf("format %q takes no quoted words (only count does)", filter)
	}
	if filter != "" && !ok {
		return "", "", fmt.Errorf("unknown format %q (use int, dec1, dec2, pct, share, date, text, num or count)", filter)
	}
	if name == "run" {
		var v string
		switch col {
		case "area":
			v = r.opt.Area
		case "date":
			v = UKDate(r.opt.Now)
		case "version":
			v = r.opt.Version
		default:
			return "", "", fmt.Errorf("run has area, date and version")
		}
		return html.EscapeString(v), v, nil
	}
	out, ok := r.named[name]
	if !ok {
		var names []string
		for _, b := range r.nb.Blocks {
			if b.Cell != nil && b.Cell.Opts["name"] != "" {
				names = append(names, b.Cell.Opts["name"])
			}
		}
		return "", "", fmt.Errorf("no query is named %q (named queries: %s)", name, strings.Join(names, ", "))
	}
	if out.res == nil {
		const na = "not available in this run"
		return `<span class="na" title="` + html.EscapeString(fmt.Sprintf("needs %s", strings.Join(out.missing, ", "))) + `">` + na + `</span>`, na, nil
	}
	j := indexOf(out.res.cols, col)
	if j < 0 {
		return "", "", fmt.Errorf("query %s (cell %d) has no column %q (columns: %s)", name, out.cell.N, col, strings.Join(out.res.cols, ", "))
	}
	if n := len(out.res.rows); n != 1 {
		return "", "", fmt.Errorf("query %s (cell %d) returned %d rows; a value quoted in prose needs exactly one", name, out.cell.N, n)
	}
	if filter == "" {
		f = out.res.formats[j]
	}
	v := out.res.rows[0][j]
	t := v.render(f, out.res.suppress[j], r.opt.Threshold)
	if filter == "count" {
		t = withNoun(v, t, args[0], args[1])
	}
	class := "v"
	if !v.num && !v.null && v.b == nil && v.t.IsZero() && !v.date && !v.ts {
		class = "v txt" // words (a standard's name, a sentence): part of the prose, not a figure
	}
	return fmt.Sprintf(`<span class="%s" title="query %s (cell %d), column %s">%s</span>`, class, html.EscapeString(name), out.cell.N, html.EscapeString(col), html.EscapeString(t)), t, nil
}

// nodeText is the plain text of n: entities (the typographer's &rsquo; and those written in the
// Markdown) are decoded, so that callers escape the text exactly once.
func nodeText(n ast.Node, src []byte) string {
	var b strings.Builder
	ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
		case *ast.String:
			b.Write(t.Value)
		}
		return ast.WalkContinue, nil
	})
	return html.UnescapeString(b.String())
}

// idSet gives headings unique ids across the whole page (goldmark's own set is per document).
type idSet struct{ used map[string]bool }

func (s *idSet) Generate(value []byte, _ ast.NodeKind) []byte {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(placeholderRE.ReplaceAllString(string(value), "")) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	base := strings.TrimRight(b.String(), "-")
	if base == "" {
		base = "section"
	}
	id := base
	for i := 2; s.used[id]; i++ {
		id = fmt.Sprintf("%s-%d", base, i)
	}
	s.used[id] = true
	return []byte(id)
}

func (s *idSet) Put(value []byte) { s.used[string(value)] = true }

// imageRenderer inlines images from the area folder: SVG as an inline <svg> element (so the page's
// font stack applies to its text), PNG, JPEG and GIF as data: URIs. A missing file becomes a notice.
// A paragraph that is only an image becomes a figure as wide as the figure column (page.css).
type imageRenderer struct{ r *runner }

func (ir *imageRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindImage, ir.render)
	reg.Register(ast.KindParagraph, ir.paragraph)
}

func (ir *imageRenderer) render(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	img := n.(*ast.Image)
	alt := nodeText(img, src)
	w.WriteString(ir.r.imageHTML(string(img.Destination), alt))
	return ast.WalkSkipChildren, nil
}

// paragraph renders a paragraph as goldmark does, except one that holds nothing but an image: that
// is a figure of its own, outside the text column's measure.
func (ir *imageRenderer) paragraph(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if img, ok := n.FirstChild().(*ast.Image); ok && n.ChildCount() == 1 {
		if !entering {
			return ast.WalkContinue, nil
		}
		h := ir.r.imageHTML(string(img.Destination), nodeText(img, src))
		if strings.HasPrefix(h, `<a class="enlarge"`) {
			w.WriteString(`<figure class="wide">` + h + "</figure>\n")
		} else {
			w.WriteString("<p>" + h + "</p>\n")
		}
		return ast.WalkSkipChildren, nil
	}
	if entering {
		w.WriteString("<p")
		if n.Attributes() != nil {
			gmhtml.RenderAttributes(w, n, gmhtml.ParagraphAttributeFilter)
		}
		w.WriteByte('>')
	} else {
		w.WriteString("</p>\n")
	}
	return ast.WalkContinue, nil
}

var mimeOf = map[string]string{".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml"}

// imageHTML inlines one image, wrapped in a link to itself that the page's script opens enlarged
// (see enlargeFigure); or a notice saying why it is not shown.
func (r *runner) imageHTML(path, alt string) string {
	ext := strings.ToLower(filepath.Ext(path))
	mime, ok := mimeOf[ext]
	if !ok || strings.Contains(path, "://") {
		return notice("Image "+path+" not shown", "only PNG, JPEG, GIF and SVG files from the area folder can be placed in a notebook")
	}
	b, err := os.ReadFile(joinArea(r.opt.Dir, path))
	if errors.Is(err, os.ErrNotExist) {
		return notice("Not available in this run", fmt.Sprintf("%s was not drawn by this run.", path))
	}
	if err != nil {
		return notice("Image "+path+" not shown", err.Error())
	}
	if ext == ".svg" {
		if s, err := inlineSVG(b); err == nil {
			return r.enlargeFigure(labelSVG(s, alt))
		}
	}
	// A bitmap is shown no wider than its pixels (wider would blur it).
	style := ""
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(b)); err == nil && cfg.Width > 0 {
		style = fmt.Sprintf(` style="max-width:%dpx"`, cfg.Width)
	}
	return r.enlargeFigure(fmt.Sprintf(`<img class="drawn" alt="%s"%s src="data:%s;base64,%s">`, html.EscapeString(alt), style, mime, base64.StdEncoding.EncodeToString(b)))
}

// labelSVG gives an inline SVG (from inlineSVG) the accessible name label.
func labelSVG(svg []byte, label string) string {
	const head = `<svg class="drawn"`
	s := string(svg)
	if label == "" || !strings.HasPrefix(s, head) {
		return s
	}
	return head + ` role="img" aria-label="` + html.EscapeString(label) + `"` + s[len(head):]
}

// enlargeFigure wraps a drawn figure in a link to itself. The page's script (enlargeJS) opens the
// link's figure in a full-window view; without the script the link only scrolls to the figure.
// The link takes the figure's own max-width, so that it is exactly the figure's box (its "Click to
// enlarge" badge sits on the figure's corner).
func (r *runner) enlargeFigure(fig string) string {
	r.figures++
	id := fmt.Sprintf("figure-%d", r.figures)
	style := ""
	if m := figureWidthRE.FindStringSubmatch(fig); m != nil {
		style = ` style="` + m[1] + `"`
	}
	return `<a class="enlarge" id="` + id + `" href="#` + id + `"` + style + ` title="Click to enlarge">` + fig + `</a>`
}

var figureWidthRE = regexp.MustCompile(`^<(?:svg|img) class="drawn"[^>]*? style="(max-width:[0-9.]+(?:pt|px))"`)

func notice(title, body string) string {
	return `<span class="notice"><strong>` + html.EscapeString(title) + `.</strong> ` + html.EscapeString(body) + `</span>`
}

// page assembles the HTML page.
func (r *runner) page() ([]byte, error) {
	ids := &idSet{used: map[string]bool{}}
	var parts []string
	var toc []heading
	tocAt := -1
	title := r.nb.Title
	for i, b := range r.nb.Blocks {
		if b.Prose != nil {
			if r.skippedProse[i] {
				continue
			}
			po, err := r.renderProse(b, ids)
			if err != nil {
				return nil, err
			}
			for _, h := range po.headings {
				if h.level == 1 && title == r.nb.Title {
					title = h.text
				}
				if h.level == 2 {
					if tocAt < 0 {
						tocAt = len(parts)
					}
					toc = append(toc, h)
				}
			}
			parts = append(parts, po.html)
			continue
		}
		s, err := r.cellHTML(r.outs[b.Cell])
		if err != nil {
			return nil, err
		}
		parts = append(parts, s)
	}
	if len(toc) > 1 {
		var t strings.Builder
		t.WriteString(`<nav class="toc" aria-label="Contents"><h2 class="toc-title">Contents</h2><ol>`)
		for _, h := range toc {
			fmt.Fprintf(&t, `<li><a href="#%s">%s</a></li>`, html.EscapeString(h.id), html.EscapeString(h.text))
		}
		t.WriteString("</ol></nav>\n")
		parts = append(parts[:tocAt], append([]string{t.String()}, parts[tocAt:]...)...)
	}
	var buf bytes.Buffer
	err := pageTmpl.Execute(&buf, map[string]any{
		"Title": title, "CSS": template.CSS(pageCSS), "Area": r.opt.Area, "Synthetic": r.opt.Synthetic,
		"Date": UKDate(r.opt.Now), "Version": r.opt.Version, "Notebook": r.nb.Path,
		"Body": template.HTML(strings.Join(parts, "\n")), "Below": r.opt.Threshold - 1,
		"Figures": r.figures > 0, "EnlargeJS": template.JS(enlargeJS),
	})
	return buf.Bytes(), err
}

// enlargeJS opens a figure's link (a.enlarge) in the full-window dialog: a copy of the figure as
// wide as the window, scrolling if taller. Any click or Esc closes it. Without the script (or
// without <dialog>), the link only scrolls to its figure.
const enlargeJS = `(function () {
  var d = document.getElementById("lightbox"), body = d && d.querySelector(".lb-body");
  if (!body || typeof d.showModal !== "function") return;
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a.enlarge");
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    var fig = a.querySelector(".drawn");
    if (!fig) return;
    e.preventDefault();
    body.replaceChildren(fig.cloneNode(true));
    d.showModal();
    d.scrollTop = 0;
  });
  // empty the copy at once on a click (the dialog's close event comes a task later); Esc closes
  // without a click, so the close event empties it too
  d.addEventListener("click", function () { d.close(); body.replaceChildren(); });
  d.addEventListener("close", function () { body.replaceChildren(); });
})();`

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="hubreach {{.Version}}">
<title>{{.Title}}</title>
<style>
{{.CSS}}
</style>
</head>
<body>
<header class="masthead"><div class="wrap"><span class="area">{{.Area}}</span><span class="meta">Family Hubs needs analysis · produced {{.Date}}</span></div></header>
{{if .Synthetic}}<div class="synthetic" role="note"><div class="wrap"><strong>Synthetic demo data.</strong> Every place, person and number in this document was generated by hubreach to show what the report looks like. None of it describes a real area.</div></div>
{{end}}<main class="wrap">
{{.Body}}
</main>
<footer class="wrap"><p>Produced by hubreach {{.Version}} from {{.Notebook}} on {{.Date}}. Every table and chart shows the query it came from; the figures in the text name their query when you hover over them. Where a table is marked, counts from 1 to {{.Below}} are shown as [c] (suppressed to protect individuals).</p></footer>
{{if .Figures}}<dialog class="lightbox" id="lightbox" aria-label="Enlarged figure"><p class="lb-bar"><span>Click anywhere or press Esc to close.</span><button type="button">Close</button></p><div class="lb-body"></div></dialog>
<script>{{.EnlargeJS}}</script>
{{end}}</body>
</html>
`))
