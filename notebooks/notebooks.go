// Package notebooks holds hubreach's own notebooks (Markdown with SQL cells, run by
// pipeline/notebook): needs-analysis.md, the needs-analysis report that `hubreach run` writes, and
// satellite-options.md, the satellite siting scenarios side by side for asset management.
package notebooks

import "embed"

// FS holds every notebook in this folder.
//
//go:embed *.md
var FS embed.FS
