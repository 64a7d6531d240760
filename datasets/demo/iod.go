package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// File7Header is the header line of MHCLG's IoD2019 File 7 ("All IoD2019 Scores, Ranks, Deciles
// and Population Denominators"), copied byte for byte from the published CSV, including the
// quoted "Education, Skills and Training" columns and the trailing space after the last column.
const File7Header = `LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Score,Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs),Income Score (rate),Income Rank (where 1 is most deprived),Income Decile (where 1 is most deprived 10% of LSOAs),Employment Score (rate),Employment Rank (where 1 is most deprived),Employment Decile (where 1 is most deprived 10% of LSOAs),"Education, Skills and Training Score","Education, Skills and Training Rank (where 1 is most deprived)","Education, Skills and Training Decile (where 1 is most deprived 10% of LSOAs)",Health Deprivation and Disability Score,Health Deprivation and Disability Rank (where 1 is most deprived),Health Deprivation and Disability Decile (where 1 is most deprived 10% of LSOAs),Crime Score,Crime Rank (where 1 is most deprived),Crime Decile (where 1 is most deprived 10% of LSOAs),Barriers to Housing and Services Score,Barriers to Housing and Services Rank (where 1 is most deprived),Barriers to Housing and Services Decile (where 1 is most deprived 10% of LSOAs),Living Environment Score,Living Environment Rank (where 1 is most deprived),Living Environment Decile (where 1 is most deprived 10% of LSOAs),Income Deprivation Affecting Children Index (IDACI) Score (rate),Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived),Income Deprivation Affecting Children Index (IDACI) Decile (where 1 is most deprived 10% of LSOAs),Income Deprivation Affecting Older People (IDAOPI) Score (rate),Income Deprivation Affecting Older People (IDAOPI) Rank (where 1 is most deprived),Income Deprivation Affecting Older People (IDAOPI) Decile (where 1 is most deprived 10% of LSOAs),Children and Young People Sub-domain Score,Children and Young People Sub-domain Rank (where 1 is most deprived),Children and Young People Sub-domain Decile (where 1 is most deprived 10% of LSOAs),Adult Skills Sub-domain Score,Adult Skills Sub-domain Rank (where 1 is most deprived),Adult Skills Sub-domain Decile (where 1 is most deprived 10% of LSOAs),Geographical Barriers Sub-domain Score,Geographical Barriers Sub-domain Rank (where 1 is most deprived),Geographical Barriers Sub-domain Decile (where 1 is most deprived 10% of LSOAs),Wider Barriers Sub-domain Score,Wider Barriers Sub-domain Rank (where 1 is most deprived),Wider Barriers Sub-domain Decile (where 1 is most deprived 10% of LSOAs),Indoors Sub-domain Score,Indoors Sub-domain Rank (where 1 is most deprived),Indoors Sub-domain Decile (where 1 is most deprived 10% of LSOAs),Outdoors Sub-domain Score,Outdoors Sub-domain Rank (where 1 is most deprived),Outdoors Sub-domain Decile (where 1 is most deprived 10% of LSOAs),Total population: mid 2015 (excluding prisoners),Dependent Children aged 0-15: mid 2015 (excluding prisoners),Population aged 16-59: mid 2015 (excluding prisoners),Older population aged 60 and over: mid 2015 (excluding prisoners),Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners) `

// domainSpec says how one File 7 score/rank/decile triplet is made from the LSOA's latent
// deprivation: latent z = rho*dep + sqrt(1-rho^2)*noise; the national rank is the place the
// latent would have in a standard normal distribution of NationalLSOAs values; the score is a
// monotone function of the same quantile (Kumaraswamy quantile times scale for rates and
// positive scores, mean + sd*z for the z-score style domains). Rank, decile and score therefore
// agree, and a higher score is always more deprived, as in the real files.
type domainSpec struct {
	rho        float64
	kumA, kumB float64 // Kumaraswamy shape; 0 for a normal-style score
	scale      float64 // Kumaraswamy: multiplier; normal: sd
	mean       float64 // normal: mean
}

// In File 7 column order: IMD, Income, Employment, Education, Health, Crime, Barriers, Living
// Environment, IDACI, IDAOPI, then six sub-domains (children and young people, adult skills,
// geographical barriers, wider barriers, indoors, outdoors).
var domainSpecs = [16]domainSpec{
	{rho: 0.95, kumA: 1.5, kumB: 11, scale: 100}, // IMD score: median about 15
	{rho: 0.95, kumA: 1.3, kumB: 12, scale: 1},   // income rate
	{rho: 0.85, kumA: 1.4, kumB: 14, scale: 1},   // employment rate
	{rho: 0.80, kumA: 1.3, kumB: 7, scale: 100},  // education
	{rho: 0.75, scale: 1.0},                      // health (z-score)
	{rho: 0.60, scale: 0.9},                      // crime
	{rho: -0.30, scale: 9, mean: 22},             // barriers: worse in the rural south
	{rho: 0.40, kumA: 1.3, kumB: 5, scale: 100},  // living environment
	{rho: 1.00, kumA: 1.3, kumB: 9, scale: 1},    // IDACI rate: median about 0.135, top decile from about 0.32
	{rho: 0.85, kumA: 1.3, kumB: 10, scale: 1},   // IDAOPI rate
	{rho: 0.80, scale: 0.8},                      // children and young people sub-domain
	{rho: 0.80, scale: 0.9},                      // adult skills
	{rho: -0.60, scale: 1.0},                     // geographical barriers: rural
	{rho: 0.50, scale: 1.0},                      // wider barriers
	{rho: 0.30, scale: 0.9},                      // indoors
	{rho: 0.50, scale: 0.8},                      // outdoors
}

const idaciDomain = 8

// IDACI scores of the demo stay inside this range.
const idaciMin, idaciMax = 0.02, 0.45

type domainValue struct {
	score  float64 // rounded to 3 dp, as published
	rank   int     // 1 = most deprived of NationalLSOAs
	decile int     // 1 = most deprived 10%
}

type iodRow struct {
	d                           [16]domainValue
	total, children, p1659, p60 int
	working                     float64 // 18-59/64, in quarters (the real column has fractions)
}

func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// kumQuantile and kumCDF are the Kumaraswamy(a, b) distribution on [0, 1].
func kumQuantile(p, a, b float64) float64 { return math.Pow(1-math.Pow(1-p, 1/b), 1/a) }
func kumCDF(x, a, b float64) float64      { return 1 - math.Pow(1-math.Pow(x, a), b) }

// NationalRank is the rank (1 = most deprived) that a value at national quantile p (the share of
// LSOAs less deprived) has among NationalLSOAs LSOAs.
func NationalRank(p float64) int {
	r := 1 + int(math.Round((1-p)*float64(NationalLSOAs-1)))
	return min(max(r, 1), NationalLSOAs)
}

// Decile is the IoD decile of a national rank: ceil(10 × rank / NationalLSOAs), so decile 1 is
// ranks 1..3,284 (the most deprived 10%) and decile 10 ends at 32,844, as in the published files.
func Decile(rank int) int { return (rank*10 + NationalLSOAs - 1) / NationalLSOAs }

func makeIoD(r *rand.Rand, dep float64) iodRow {
	var row iodRow
	for k, s := range domainSpecs {
		z := s.rho*dep + math.Sqrt(max(0, 1-s.rho*s.rho))*r.NormFloat64()
		if k == idaciDomain {
			z = dep + 0.08*r.NormFloat64()
		}
		p := normCDF(z)
		var score float64
		switch {
		case k == idaciDomain:
			score = min(max(kumQuantile(p, s.kumA, s.kumB), idaciMin), idaciMax)
			p = kumCDF(score, s.kumA, s.kumB)
		case s.kumA > 0:
			score = kumQuantile(p, s.kumA, s.kumB) * s.scale
		default:
			score = s.mean + s.scale*z
		}
		rank := NationalRank(p)
		row.d[k] = domainValue{score: round(score, 3), rank: rank, decile: Decile(rank)}
	}
	// Denominators (mid-2015 in the real file): more children where deprivation is higher,
	// more older people in the rural south.
	q := normCDF(dep)
	row.total = 1300 + r.IntN(801)
	row.children = min(max(int(math.Round(float64(row.total)*(0.14+0.07*q+0.01*r.NormFloat64()))), 200), 450)
	row.p60 = int(math.Round(float64(row.total) * (0.30 - 0.13*q + 0.015*r.NormFloat64())))
	row.p1659 = row.total - row.children - row.p60
	row.working = math.Round((0.93*float64(row.p1659)+0.22*float64(row.p60))*4) / 4
	return row
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// appendFile7 appends one File 7 data line (without newline).
func appendFile7(b *strings.Builder, l *lsoa, ladName string) {
	b.WriteString(l.code + "," + l.name + "," + l.lad + "," + ladName)
	for _, d := range l.iod.d {
		b.WriteString("," + num(d.score) + "," + strconv.Itoa(d.rank) + "," + strconv.Itoa(d.decile))
	}
	row := l.iod
	b.WriteString("," + strconv.Itoa(row.total) + "," + strconv.Itoa(row.children) + "," + strconv.Itoa(row.p1659) +
		"," + strconv.Itoa(row.p60) + "," + num(row.working))
}

// popRow is the mid-2019 population in the layout of shared/data/population (ONS single-year
// estimates summed into bands): consistent with the IoD denominators a few years on.
type popRow struct {
	all, a04, a015, a019, a515 int
}

func makePopulation(r *rand.Rand, d iodRow) popRow {
	var p popRow
	p.all = int(math.Round(float64(d.total) * (1.01 + 0.03*r.Float64())))
	p.a015 = int(math.Round(float64(d.children) * (0.99 + 0.06*r.Float64())))
	p.a04 = int(math.Round(float64(p.a015) * (0.29 + 0.05*r.Float64())))
	p.a515 = p.a015 - p.a04
	p.a019 = p.a015 + int(math.Round(float64(p.a015)*(0.22+0.05*r.Float64())))
	return p
}
