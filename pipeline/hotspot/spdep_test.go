package hotspot

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/planar"
)

// requireSpdep skips the test unless Rscript and the R package spdep are installed
// (Debian: apt-get install --no-install-recommends r-cran-spdep).
func requireSpdep(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("Rscript"); err != nil {
		t.Skip("Rscript not on PATH: install R and spdep (Debian: apt-get install --no-install-recommends r-cran-spdep) to compare with spdep")
	}
	if out, err := exec.Command("Rscript", "-e", "suppressPackageStartupMessages(library(spdep))").CombinedOutput(); err != nil {
		t.Skipf("R package spdep is not installed (Debian: r-cran-spdep): %v\n%s", err, out)
	}
}

// runR runs an R script in dir and fails the test with R's output when it fails.
func runR(t *testing.T, dir, script string) {
	t.Helper()
	path := filepath.Join(dir, "script.R")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Rscript", "--vanilla", path)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("Rscript failed: %v\n%s", err, out)
	}
}

// readFloats reads one number per line ("NA" becomes NaN).
func readFloats(t *testing.T, path string) []float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []float64
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "NA" || s == "NaN" {
			out = append(out, math.NaN())
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s line %d: %v", path, line, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// writeWeightsForR writes the values (x.txt, full precision) and the weights as 1-based
// "i,j,w" rows (nb.csv) for the R side.
func writeWeightsForR(t *testing.T, dir string, x []float64, w Weights) {
	t.Helper()
	var xs strings.Builder
	for _, v := range x {
		xs.WriteString(strconv.FormatFloat(v, 'g', -1, 64) + "\n")
	}
	var nb strings.Builder
	nb.WriteString("i,j,w\n")
	for _, p := range w.Pairs() {
		fmt.Fprintf(&nb, "%d,%d,%s\n", p.I+1, p.J+1, strconv.FormatFloat(p.W, 'g', -1, 64))
	}
	if err := os.WriteFile(filepath.Join(dir, "x.txt"), []byte(xs.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "nb.csv"), []byte(nb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// spdepStatsScript defines stats(dir): rebuild the neighbour list and weights from
// dir/x.txt and dir/nb.csv and write spdep's Gi* (localG on include.self, binary style "B"),
// local Moran's I (localmoran, row-standardised style "W") and R's BH adjustment of the
// two-sided normal p of Gi* to dir/G.txt, dir/I.txt and dir/padj.txt.
const spdepStatsScript = `
suppressPackageStartupMessages(library(spdep))
stats <- function(dir) {
  x <- scan(file.path(dir, "x.txt"), quiet = TRUE)
  e <- read.csv(file.path(dir, "nb.csv"))
  n <- length(x)
  nb <- rep(list(0L), n)
  gl <- rep(list(numeric(0)), n)
  for (i in unique(e$i)) {
    nb[[i]] <- as.integer(e$j[e$i == i])
    gl[[i]] <- e$w[e$i == i]
  }
  class(nb) <- "nb"
  attr(nb, "region.id") <- as.character(seq_len(n))
  nbs <- include.self(nb)
  gls <- lapply(seq_len(n), function(i) {
    # include.self inserts i among the sorted neighbours; give it weight 1.
    w <- rep(1, length(nbs[[i]]))
    if (length(gl[[i]]) > 0) w[nbs[[i]] != i] <- gl[[i]]
    w
  })
  G <- as.numeric(localG(x, nb2listw(nbs, glist = gls, style = "B", zero.policy = TRUE), zero.policy = TRUE))
  I <- localmoran(x, nb2listw(nb, glist = gl, style = "W", zero.policy = TRUE), zero.policy = TRUE)[, "Ii"]
  island <- card(nb) == 0
  p <- 2 * pnorm(-abs(G))
  padj <- rep(NA_real_, n)
  padj[!island] <- p.adjust(p[!island], "BH")
  w17 <- function(v, f) writeLines(ifelse(is.na(v), "NA", sprintf("%.17g", v)), file.path(dir, f))
  w17(G, "G.txt"); w17(I, "I.txt"); w17(padj, "padj.txt")
}
`

// TestAgainstSpdep compares Gi* z-scores, local Moran's I and BH-adjusted p-values with R
// spdep (localG, localmoran) and R's p.adjust on the same neighbour lists and values, to
// 1e-6 (they agree to rounding). Cases use Rotherham's 167 LSOAs (real ONS boundaries) with
// queen weights, 6-nearest-neighbour weights on polygon centroids (asymmetric), and an 800 m
// distance band (with islands: spdep gives an island's Gi* as the plain standard score of its
// own value, which GiStar deliberately reports as NaN). The values are the IoD2019 IDACI rank
// reversed (more deprived = higher) when available, else the polygon areas.
func TestAgainstSpdep(t *testing.T) {
	requireSpdep(t)
	codes, polys := loadLSOAs(t, lsoaFile(t, "lsoa11/E08000018.geojson"), "LSOA11CD")
	x := idaciRank(t, codes)
	if x == nil {
		x = make([]float64, len(polys))
		for i, mp := range polys {
			x[i] = planar.Area(mp)
		}
	}
	cents := make([]orb.Point, len(polys))
	for i, mp := range polys {
		cents[i], _ = planar.CentroidArea(mp)
	}
	queen, err := Queen(polys, 1)
	if err != nil {
		t.Fatal(err)
	}
	knn, err := KNN(cents, 6)
	if err != nil {
		t.Fatal(err)
	}
	band, err := DistanceBand(cents, 800)
	if err != nil {
		t.Fatal(err)
	}
	if len(band.Islands()) == 0 {
		t.Fatal("the 800 m band was meant to leave some islands")
	}
	cases := []struct {
		name string
		w    Weights
	}{{"queen", queen}, {"knn6", knn}, {"band800", band}}
	// One R run for all cases: starting R and loading spdep takes a second or more.
	root := t.TempDir()
	script := spdepStatsScript
	for _, tc := range cases {
		dir := filepath.Join(root, tc.name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		writeWeightsForR(t, dir, x, tc.w)
		script += fmt.Sprintf("stats(%q)\n", tc.name)
	}
	runR(t, root, script)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(root, tc.name)
			wantG := readFloats(t, filepath.Join(dir, "G.txt"))
			wantI := readFloats(t, filepath.Join(dir, "I.txt"))
			wantPadj := readFloats(t, filepath.Join(dir, "padj.txt"))
			gi, err := GiStar(x, tc.w)
			if err != nil {
				t.Fatal(err)
			}
			padj, err := BenjaminiHochberg(gi.P)
			if err != nil {
				t.Fatal(err)
			}
			lm, err := LocalMoran(x, tc.w, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			mean, sd := meanSD(x)
			maxDiff := 0.0
			for i := range x {
				if tc.w.Cardinality(i) == 0 {
					// spdep: (x_i - xbar)/S for an island's Gi*, 0 for its local I.
					if !math.IsNaN(gi.Z[i]) || !near(wantG[i], (x[i]-mean)/sd, 1e-9) || wantI[i] != 0 {
						t.Errorf("island %s: ours z %v; spdep G %v, I %v", codes[i], gi.Z[i], wantG[i], wantI[i])
					}
					continue
				}
				for _, c := range []struct {
					what      string
					got, want float64
				}{{"Gi* z", gi.Z[i], wantG[i]}, {"local I", lm.I[i], wantI[i]}, {"BH p", padj[i], wantPadj[i]}} {
					d := math.Abs(c.got - c.want)
					maxDiff = max(maxDiff, d)
					if !(d <= 1e-6) {
						t.Errorf("%s %s: ours %.12g, spdep %.12g", codes[i], c.what, c.got, c.want)
					}
				}
			}
			t.Logf("%d units, %d islands, max |ours - spdep| = %.2g", len(x), len(tc.w.Islands()), maxDiff)
		})
	}
}

// TestQueenAgainstPoly2nb compares Queen with spdep's poly2nb(queen = TRUE) on the same BNG
// polygons (written as WKT), for exact vertices and a 1 m snap: the neighbour lists must be
// identical.
func TestQueenAgainstPoly2nb(t *testing.T) {
	requireSpdep(t)
	codes, polys := loadLSOAs(t, lsoaFile(t, "lsoa11/E08000018.geojson"), "LSOA11CD")
	dir := t.TempDir()
	var b strings.Builder
	for _, mp := range polys {
		b.WriteString(wkt.MarshalString(mp) + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "polys.wkt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	snaps := []float64{0, 1}
	script := `
suppressPackageStartupMessages(library(spdep))
pl <- sf::st_as_sfc(readLines("polys.wkt"))
`
	for k, snap := range snaps {
		script += fmt.Sprintf(`nb <- poly2nb(pl, queen = TRUE, snap = %g)
writeLines(sapply(nb, function(v) paste(v[v > 0], collapse = " ")), "nb%d.txt")
`, snap, k)
	}
	runR(t, dir, script)
	for k, snap := range snaps {
		t.Run(fmt.Sprintf("snap %g", snap), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("nb%d.txt", k)))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
			want := make([][]int, len(lines))
			for i, l := range lines {
				for _, f := range strings.Fields(l) {
					j, err := strconv.Atoi(f)
					if err != nil {
						t.Fatalf("nb%d.txt line %d: %v", k, i+1, err)
					}
					want[i] = append(want[i], j-1)
				}
			}
			got, err := Queen(polys, snap)
			if err != nil {
				t.Fatal(err)
			}
			sameNeighbours(t, got, want)
			t.Logf("%d LSOAs (%s...), %d links in both", len(codes), codes[0], got.NonZero())
		})
	}
}

// TestBenjaminiHochbergAgainstR checks the paper example against R's p.adjust(p, "BH").
func TestBenjaminiHochbergAgainstR(t *testing.T) {
	if _, err := exec.LookPath("Rscript"); err != nil {
		t.Skip("Rscript not on PATH; skipping the comparison with R's p.adjust")
	}
	dir := t.TempDir()
	var b strings.Builder
	for _, p := range bh1995 {
		b.WriteString(strconv.FormatFloat(p, 'g', -1, 64) + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "p.txt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	runR(t, dir, `writeLines(sprintf("%.17g", p.adjust(scan("p.txt", quiet = TRUE), "BH")), "padj.txt")`)
	want := readFloats(t, filepath.Join(dir, "padj.txt"))
	got, err := BenjaminiHochberg(bh1995)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if !near(got[i], want[i], 1e-12) {
			t.Errorf("rank %d: ours %v, R %v", i+1, got[i], want[i])
		}
	}
}
