package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"image"
	"image/color"
	_ "image/png" // decode the gap map
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	xfont "golang.org/x/image/font"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"

	"hubreach/internal/numfmt"
	"hubreach/pipeline/notebook"
)

// keyFigures are the numbers on the commissioners' one-page summary, each read from one query.
type keyFigures struct {
	Children, Deprived float64 // analysis.lsoa_need, the area's LSOAs
	// IoDChildren is the IoD's own children 0-15 denominator, which the income-deprived share is
	// of (as in the report); DeprivedEstimate is set when the count is not score × denominator
	// everywhere (IDACI numerators, rounded by MHCLG).
	IoDChildren      float64
	DeprivedEstimate bool
	HasAccess        bool // analysis.area_access exists (the access stage ran)
	StandardID       int  // the first walking standard (or the first standard)
	Standard         string
	CrowStandIn      bool // the standard asked for walking or driving but was evaluated crow-fly
	ChildrenWithin   float64
	DeprivedBeyond   float64
	LSOAsBeyond      int64
	LSOAsUnknown     int64 // no travel time (off the network): neither within nor beyond
	HasHotspots      bool
	Hotspots         int64  // analysis.lsoa_hotspots: area LSOAs hot at 95% or 99% confidence
	Hot90            int64  // ... and at 90% only, a weaker signal
	HubNote          string // caveat on the hub locations (core.site location notes), or ""
	TopWards         []wardGap
}

type wardGap struct {
	Name           string
	DeprivedBeyond float64
	LSOAsBeyond    int64
}

func readKeyFigures(ctx context.Context, env *Env) (keyFigures, error) {
	var k keyFigures
	var children, deprived, iodChildren sql.NullFloat64
	if err := env.DB.QueryRow(ctx, `SELECT sum(children_0_15), sum(deprived_children), sum(iod_children_0_15),
			count(*) FILTER (WHERE deprived_children_method IS DISTINCT FROM 'score x IoD denominator') > 0
		FROM analysis.lsoa_need WHERE area_role = 'area'`).Scan(&children, &deprived, &iodChildren, &k.DeprivedEstimate); err != nil {
		return k, fmt.Errorf("summary: children: %w", err)
	}
	k.Children, k.Deprived, k.IoDChildren = children.Float64, deprived.Float64, iodChildren.Float64
	var err error
	if k.HasAccess, err = env.DB.TableExists(ctx, "analysis", "area_access"); err != nil {
		return k, err
	}
	if k.HasAccess {
		err := env.DB.QueryRow(ctx, `SELECT standard_id, standard, mode = 'crow' AND requested_mode <> 'crow', children_within, deprived_beyond, lsoas_beyond, lsoas_unknown
			FROM analysis.area_access ORDER BY requested_mode <> 'walk', standard_id LIMIT 1`).Scan(&k.StandardID, &k.Standard, &k.CrowStandIn, &k.ChildrenWithin, &k.DeprivedBeyond, &k.LSOAsBeyond, &k.LSOAsUnknown)
		if err == sql.ErrNoRows {
			k.HasAccess = false
		} else if err != nil {
			return k, fmt.Errorf("summary: access: %w", err)
		}
	}
	if k.HasAccess {
		rows, err := env.DB.Query(ctx, `SELECT ward_name, deprived_beyond, lsoas_beyond FROM analysis.ward_access
			WHERE standard_id = ? AND deprived_beyond > 0 ORDER BY deprived_beyond DESC, ward_name LIMIT 5`, k.StandardID)
		if err != nil {
			return k, fmt.Errorf("summary: wards: %w", err)
		}
		for rows.Next() {
			var w wardGap
			var name sql.NullString
			if err := rows.Scan(&name, &w.DeprivedBeyond, &w.LSOAsBeyond); err != nil {
				rows.Close()
				return k, err
			}
			w.Name = name.String
			k.TopWards = append(k.TopWards, w)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return k, err
		}
	}
	if k.HasHotspots, err = env.DB.TableExists(ctx, "analysis", "lsoa_hotspots"); err != nil {
		return k, err
	}
	if k.HasHotspots {
		if err := env.DB.QueryRow(ctx, `SELECT count(*) FILTER (WHERE class IN ('hot-95', 'hot-99')), count(*) FILTER (WHERE class = 'hot-90')
			FROM analysis.lsoa_hotspots WHERE area_role = 'area'`).Scan(&k.Hotspots, &k.Hot90); err != nil {
			return k, fmt.Errorf("summary: hotspots: %w", err)
		}
	}
	// The same "WORD:" convention as the map legends (locationCaveat).
	notes, err := env.DB.Query(ctx, `SELECT coalesce(location_note, '') FROM core.site WHERE role = 'hub'`)
	if err != nil {
		return k, fmt.Errorf("summary: hub location notes: %w", err)
	}
	var approx, illus int64
	for notes.Next() {
		var note string
		if err := notes.Scan(&note); err != nil {
			notes.Close()
			return k, fmt.Errorf("summary: hub location notes: %w", err)
		}
		switch locationCaveat(note) {
		case "approximate":
			approx++
		case "illustrative":
			illus++
		}
	}
	notes.Close()
	if err := notes.Err(); err != nil {
		return k, fmt.Errorf("summary: hub location notes: %w", err)
	}
	switch {
	case approx > 0 && illus > 0:
		k.HubNote = "Some hub locations are approximate and some illustrative; the report lists each."
	case approx > 0:
		k.HubNote = fmt.Sprintf("%d hub %s placed approximately; the report lists each.", approx, numfmt.Plural(approx, "location is", "locations are"))
	case illus > 0:
		k.HubNote = fmt.Sprintf("%d hub %s illustrative, not the council's; the report lists each.", illus, numfmt.Plural(illus, "site is", "sites are"))
	}
	return k, nil
}

// deprivedCaption says what the income-deprived count is a share of (the IoD's own children
// denominator, as the report) and whether it is an estimate.
func (k keyFigures) deprivedCaption() string {
	s := "of them in income-deprived households (IDACI)"
	if k.IoDChildren > 0 {
		s = fmt.Sprintf("of them (%s) in income-deprived households (IDACI)", notebook.Percent(100*k.Deprived/k.IoDChildren))
	}
	if k.DeprivedEstimate {
		s += ", an estimate"
	}
	return s
}

// beyondCaption says where the income-deprived children beyond the standard live, and how many
// LSOAs could not be measured (counted neither way).
func (k keyFigures) beyondCaption() string {
	s := "income-deprived children live beyond it, in " + numfmt.Count(k.LSOAsBeyond, "LSOA", "LSOAs")
	if k.LSOAsUnknown > 0 {
		s += "; " + numfmt.Count(k.LSOAsUnknown, "more LSOA", "more LSOAs") + " not measured"
	}
	return s
}

// hotspotCaption counts hotspots at 95% or more, and says how many more are at 90% only.
func (k keyFigures) hotspotCaption() string {
	s := numfmt.Plural(k.Hotspots, "LSOA is a hotspot", "LSOAs are hotspots") + " of child income deprivation (Gi*, 95%+ confidence)"
	if k.Hot90 > 0 {
		s += fmt.Sprintf("; %d more at 90%%", k.Hot90)
	}
	return s
}

// summaryPage is the one-page summary for commissioners: key numbers, the gap map of the first
// walking standard and the wards with most income-deprived children beyond it, on A4.
type summaryPage struct {
	Area, Date string
	Synthetic  bool
	Source     string
	K          keyFigures
	GapMap     image.Image // nil = not drawn in this run
}

const (
	pageW = 21 * vg.Centimeter
	pageH = 29.7 * vg.Centimeter
)

var (
	ink    = color.RGBA{0x1b, 0x1b, 0x1b, 0xff}
	purple = color.RGBA{0x54, 0x27, 0x8f, 0xff}
	band   = color.RGBA{0xf3, 0xf1, 0xf8, 0xff}
	muted  = color.RGBA{0x5a, 0x5a, 0x5a, 0xff}
)

func sans(size vg.Length, bold bool, col color.Color) draw.TextStyle {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return draw.TextStyle{Color: col, Font: font.From(f, size), Handler: plot.DefaultTextHandler}
}

// wrap splits s into lines no wider than w in style ts.
func wrap(ts draw.TextStyle, s string, w vg.Length) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		try := strings.TrimSpace(cur + " " + word)
		if cur != "" && ts.Width(try) > w {
			lines = append(lines, cur)
			cur = word
			continue
		}
		cur = try
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

func rect(c draw.Canvas, x0, y0, x1, y1 vg.Length, col color.Color) {
	c.FillPolygon(col, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
}

// Draw draws the page; y runs up from the bottom of the page.
func (p *summaryPage) Draw(c draw.Canvas) {
	m := 1.2 * vg.Centimeter
	rect(c, 0, 0, pageW, pageH, color.White)
	// header band
	rect(c, 0, pageH-2.6*vg.Centimeter, pageW, pageH, purple)
	c.FillText(sans(20, true, color.White), vg.Point{X: m, Y: pageH - 1.3*vg.Centimeter}, "Family hubs: who is out of reach")
	c.FillText(sans(10.5, false, color.White), vg.Point{X: m, Y: pageH - 2.0*vg.Centimeter}, p.Area+" · summary for commissioners · "+p.Date)
	y := pageH - 2.6*vg.Centimeter
	if p.Synthetic {
		rect(c, 0, y-0.8*vg.Centimeter, pageW, y, color.RGBA{0xfd, 0xe0, 0xdd, 0xff})
		c.FillText(sans(10, true, color.RGBA{0xb2, 0x18, 0x2b, 0xff}), vg.Point{X: m, Y: y - 0.55*vg.Centimeter},
			"SYNTHETIC DEMO DATA: not a real place. Every number on this page was generated by hubreach.")
		y -= 0.8 * vg.Centimeter
	}
	// key figures: four boxes
	type fig struct{ big, caption string }
	na := "not available in this run"
	figs := []fig{
		{notebook.Thousands(p.K.Children, 0), "children aged 0 to 15 live in the area"},
		{notebook.Thousands(p.K.Deprived, 0), p.K.deprivedCaption()},
	}
	if p.K.HasAccess {
		std := p.K.Standard
		if p.K.CrowStandIn {
			std += " (straight line)"
		}
		figs = append(figs,
			fig{notebook.Percent(100 * p.K.ChildrenWithin / p.K.Children), "of children live within the standard: " + std},
			fig{notebook.Thousands(p.K.DeprivedBeyond, 0), p.K.beyondCaption()})
	} else {
		figs = append(figs, fig{"–", "children within the access standards: " + na}, fig{"–", "children beyond reach: " + na})
	}
	if p.K.HasHotspots {
		figs = append(figs, fig{notebook.Thousands(float64(p.K.Hotspots), 0), p.K.hotspotCaption()})
	}
	y -= 0.6 * vg.Centimeter
	gap := 0.3 * vg.Centimeter
	bw := (pageW - 2*m - vg.Length(len(figs)-1)*gap) / vg.Length(len(figs))
	bh := 3.4 * vg.Centimeter
	for i, f := range figs {
		x := m + vg.Length(i)*(bw+gap)
		rect(c, x, y-bh, x+bw, y, band)
		rect(c, x, y-0.12*vg.Centimeter, x+bw, y, purple)
		c.FillText(sans(19, true, purple), vg.Point{X: x + 0.3*vg.Centimeter, Y: y - 1.2*vg.Centimeter}, f.big)
		ts := sans(8.5, false, ink)
		for j, l := range wrap(ts, f.caption, bw-0.6*vg.Centimeter) {
			if j == 5 { // the fifth line still ends inside the box
				break
			}
			c.FillText(ts, vg.Point{X: x + 0.3*vg.Centimeter, Y: y - 1.75*vg.Centimeter - vg.Length(j)*11}, l)
		}
	}
	y -= bh + 0.6*vg.Centimeter
	// the gap map
	footer := 2.2 * vg.Centimeter
	if p.K.HubNote != "" {
		footer += 12
	}
	wardsH := vg.Length(0)
	if len(p.K.TopWards) > 0 {
		wardsH = vg.Length(len(p.K.TopWards))*13 + 1.4*vg.Centimeter
	}
	if p.GapMap != nil {
		b := p.GapMap.Bounds()
		w := pageW - 2*m
		h := w * vg.Length(float64(b.Dy())/float64(b.Dx()))
		if room := y - footer - wardsH; h > room {
			w, h = room*vg.Length(float64(b.Dx())/float64(b.Dy())), room
		}
		x := (pageW - w) / 2
		c.DrawImage(vg.Rectangle{Min: vg.Point{X: x, Y: y - h}, Max: vg.Point{X: x + w, Y: y}}, p.GapMap)
		y -= h + 0.4*vg.Centimeter
	} else {
		c.FillText(sans(10, false, muted), vg.Point{X: m, Y: y - 0.5*vg.Centimeter}, "Gap map: not available in this run.")
		y -= 1.2 * vg.Centimeter
	}
	// wards with the most income-deprived children beyond the standard
	if len(p.K.TopWards) > 0 {
		c.FillText(sans(11, true, ink), vg.Point{X: m, Y: y - 0.4*vg.Centimeter}, "Wards with the most income-deprived children beyond the standard")
		y -= 0.9 * vg.Centimeter
		for _, w := range p.K.TopWards {
			c.FillText(sans(9.5, false, ink), vg.Point{X: m, Y: y}, w.Name)
			r := sans(9.5, true, ink)
			r.XAlign = draw.XRight
			c.FillText(r, vg.Point{X: m + 9*vg.Centimeter, Y: y}, notebook.Thousands(w.DeprivedBeyond, 0))
			c.FillText(sans(9.5, false, muted), vg.Point{X: m + 9.3*vg.Centimeter, Y: y}, "in "+numfmt.Count(w.LSOAsBeyond, "LSOA", "LSOAs"))
			y -= 13
		}
	}
	// footer
	ts := sans(7, false, muted)
	fy := m + 0.6*vg.Centimeter
	if p.K.HubNote != "" { // a caveat on where the hubs are drawn, above the sources
		c.FillText(sans(8, true, ink), vg.Point{X: m, Y: fy + 12}, p.K.HubNote)
	}
	for _, l := range append(strings.Split(strings.TrimSuffix(p.Source, "\nDrawn by hubreach."), "\n"), "Full analysis, with every table and the query behind it: report/needs-analysis.html. Drawn by hubreach "+Version()+".") {
		for _, wl := range wrap(ts, l, pageW-2*m) {
			c.FillText(ts, vg.Point{X: m, Y: fy}, wl)
			fy -= 9
		}
	}
}

// drawSummary writes <dir>/summary.png (200 dpi) and summary.pdf.
func drawSummary(ctx context.Context, env *Env, dir string) error {
	k, err := readKeyFigures(ctx, env)
	if err != nil {
		return err
	}
	p := &summaryPage{Area: areaTitle(env), Date: notebook.UKDate(env.Now), Synthetic: env.Config.Area.Synthetic, Source: sourceLine(env), K: k}
	if k.HasAccess {
		matches, _ := filepath.Glob(filepath.Join(env.Dir, "maps", fmt.Sprintf("gap_%d_*.png", k.StandardID)))
		if len(matches) > 0 {
			f, err := os.Open(matches[0])
			if err != nil {
				return err
			}
			img, _, err := image.Decode(f)
			f.Close()
			if err != nil {
				return fmt.Errorf("summary: gap map %s: %w", matches[0], err)
			}
			p.GapMap = img
		}
	}
	img := vgimg.NewWith(vgimg.UseWH(pageW, pageH), vgimg.UseDPI(200))
	p.Draw(draw.New(img))
	if err := writeTo(filepath.Join(dir, "summary.png"), vgimg.PngCanvas{Canvas: img}); err != nil {
		return err
	}
	return writeTo(filepath.Join(dir, "summary.pdf"), p.pdf())
}

// pdf draws the page as a PDF of vector shapes and real text, which can be selected, searched and
// read aloud by a screen reader; only the gap map inside it is an image, as it was drawn.
//
// The fonts are named, not embedded: vgpdf (gonum plot v0.17.0) converts every face with
// fpdf.MakeFont from a file it always calls font.ttf, so each face's definition names the same
// font file, font.z, and fpdf, which keeps embedded files by that name, writes one font program
// (the face registered last) for all of them: bold text would be drawn with regular glyphs at
// bold widths. A named font carries its widths, so a reader that lacks Liberation Sans draws a
// sans-serif face of its own at those widths and the words stay where they are (Liberation Sans
// has the metrics of Arial, so Arial fits exactly).
func (p *summaryPage) pdf() *vgpdf.Canvas {
	c := vgpdf.New(pageW, pageH)
	c.EmbedFonts(false)
	p.Draw(draw.New(pdfText{c}))
	return c
}

// pdfText is gonum's PDF canvas (gonum plot v0.17.0, vgpdf) with three fixes, all made through
// the vg.Canvas interface.
//
// Bold and italic: vgpdf registers each face with fpdf in the regular style,
// AddFontFromBytes(face name, "", ...), then selects it in the style its weight asks for,
// SetFont(face name, "B", ...). fpdf keys its fonts by family and style, finds no
// "liberationsans-bold" in style "B", and stops the whole document with "undefined font". So each
// weight and style gets a family of its own, named after the face (LiberationSans-Bold), used in
// the regular style: the font is the real bold face, with the same metrics as in the PNG.
//
// Characters: vgpdf declares the fonts in the cp1252 (WinAnsi) encoding but passes strings on as
// UTF-8 bytes, so "·" would print as "Â·"; strings are turned into cp1252 here.
//
// Images: vgpdf draws them upside down (see DrawImage).
type pdfText struct{ *vgpdf.Canvas }

func (c pdfText) FillString(f font.Face, pt vg.Point, s string) {
	if f.Font.Weight != xfont.WeightNormal || f.Font.Style != xfont.StyleNormal {
		f.Font.Typeface, f.Font.Variant = font.Typeface(f.Font.Name()), ""
		f.Font.Weight, f.Font.Style = xfont.WeightNormal, xfont.StyleNormal
	}
	c.Canvas.FillString(f, pt, winAnsi(s))
}

// DrawImage mirrors the image box about its middle before vgpdf draws it: vgpdf places the image
// with fpdf's top-left, y-down image call inside its own y-up page, which turns it upside down.
func (c pdfText) DrawImage(r vg.Rectangle, img image.Image) {
	c.Push()
	c.Translate(vg.Point{Y: r.Min.Y + r.Max.Y})
	c.Scale(1, -1)
	c.Canvas.DrawImage(r, img)
	c.Pop()
}

// winAnsi encodes s in cp1252. A letter the code page lacks loses its accent (ŵ -> w); any other
// character it lacks becomes "?".
func winAnsi(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if c, ok := charmap.Windows1252.EncodeRune(r); ok {
			b = append(b, c)
			continue
		}
		if base, _ := utf8.DecodeRuneInString(norm.NFD.String(string(r))); base != r {
			if c, ok := charmap.Windows1252.EncodeRune(base); ok {
				b = append(b, c)
				continue
			}
		}
		b = append(b, '?')
	}
	return string(b)
}

func writeTo(path string, wt io.WriterTo) error {
	var b strings.Builder
	if _, err := wt.WriteTo(&b); err != nil {
		return fmt.Errorf("draw %s: %w", path, err)
	}
	return WriteFileAtomic(path, []byte(b.String()))
}
