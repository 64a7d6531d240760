package render

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
)

// Charts use the same sans-serif face as the map and chart frames (gonum plot's default is a
// serif face, which looks out of place beside them in a committee paper).
func init() {
	sans := font.Font{Typeface: "Liberation", Variant: "Sans"}
	plot.DefaultFont = sans
	plotter.DefaultFont = sans
}
