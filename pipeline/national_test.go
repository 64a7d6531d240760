package pipeline

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"hubreach/config"
	"hubreach/internal/store"
)

// sharedData returns ../shared/data beside the repository, or skips.
func sharedData(t testing.TB) string {
	t.Helper()
	wd, _ := os.Getwd()
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			data := filepath.Join(dir, "..", "shared", "data")
			if _, err := os.Stat(data); err != nil {
				t.Skipf("real data not found at %s: skipping", data)
			}
			return data
		}
		if filepath.Dir(dir) == dir {
			t.Skip("repository root not found: skipping")
		}
	}
}

// The national summaries on the real IoD2019 files against figures MHCLG published in the
// English Indices of Deprivation 2019 statistical release: Middlesbrough has the highest share of
// LSOAs in the most deprived 10% (48.8%), followed by Liverpool and Knowsley; Blackpool is the
// most deprived district on the IMD average rank. Rotherham is one of the 75 Family Hubs programme
// authorities, chosen by upper-tier IDACI average rank, so it must rank within the top 75.
func TestNationalSummariesPublishedFigures(t *testing.T) {
	data := sharedData(t)
	cfg := config.Default()
	cfg.Area.Name = "rotherham"
	cfg.Area.Codes = []string{"E08000018"}
	cfg.DataDir = data
	cfg.Output = t.TempDir()
	cfg.Inputs.IoD = []string{
		"iod2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv",
		"iod2019/File_3_-_IoD2019_Supplementary_Indices_-_IDACI_and_IDAOPI.csv",
		"iod2019/File_6_-_IoD2019_Population_Denominators.csv",
	}
	cfg.Inputs.LALookup = "lookups/ltla19_utla19.csv"
	ctx := context.Background()
	ncfg := NationalConfig(cfg)
	if _, err := Run(ctx, ncfg, National(cfg), Options{FromScratch: true}); err != nil {
		t.Fatal(err)
	}
	db := openPublished(t, ncfg)
	var n int
	db.QueryRow(ctx, `SELECT count(*) FROM analysis.la_summary_ltla`).Scan(&n)
	if n != 317 {
		t.Errorf("%d districts, want the 317 of the IoD2019 geography", n)
	}
	top := func(col string) (name string, v float64) {
		db.QueryRow(ctx, `SELECT la_name, `+col+` FROM analysis.la_summary_ltla ORDER BY `+col+`_rank, la_code LIMIT 1`).Scan(&name, &v)
		return
	}
	if name, v := top("imd_prop_most_deprived_10"); name != "Middlesbrough" || v < 0.4875 || v >= 0.4885 {
		t.Errorf("most LSOAs in the most deprived 10%%: %s %.4f, want Middlesbrough 48.8%%", name, v)
	}
	if name, _ := top("imd_avg_rank"); name != "Blackpool" {
		t.Errorf("most deprived by IMD average rank: %s, want Blackpool", name)
	}
	var rank int
	db.QueryRow(ctx, `SELECT idaci_avg_rank_rank FROM analysis.la_summary_utla WHERE la_code = 'E08000018'`).Scan(&rank)
	if rank < 1 || rank > 75 {
		t.Errorf("Rotherham's upper-tier IDACI average rank rank is %d, want within the 75 programme authorities", rank)
	}
	db.QueryRow(ctx, `SELECT count(*) FROM analysis.la_summary_utla`).Scan(&n)
	if n != 151 {
		t.Errorf("%d upper-tier authorities, want 151", n)
	}
	// The same measures from DuckDB's own CSV reader, joined unchecked (the floor benchmark's
	// route): the checked loader must not change a single value on clean official files.
	floor, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer floor.Close()
	for _, q := range []string{mustSQL("core.iod"), floorCoreIoD(data), mustSQL("core.la_hierarchy"), floorLookup(data), mustSQL("analysis.la_summary")} {
		if _, err := floor.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	measures := func(db *store.DB, query string) map[string][4]float64 {
		rows, err := db.Query(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[string][4]float64{}
		for rows.Next() {
			var key string
			var v [4]float64
			if err := rows.Scan(&key, &v[0], &v[1], &v[2], &v[3]); err != nil {
				t.Fatal(err)
			}
			m[key] = v
		}
		return m
	}
	const cols = `idaci_avg_rank, idaci_local_concentration, imd_extent, imd_prop_most_deprived_10`
	loaded := measures(db, `SELECT 'ltla ' || la_code, `+cols+` FROM analysis.la_summary_ltla UNION ALL SELECT 'utla ' || la_code, `+cols+` FROM analysis.la_summary_utla`)
	unchecked := measures(floor, `SELECT level || ' ' || la_code, `+cols+` FROM analysis.la_summary`)
	if len(loaded) != len(unchecked) {
		t.Errorf("%d authorities from the loader, %d from DuckDB's CSV reader", len(loaded), len(unchecked))
	}
	for k, v := range loaded {
		if u, ok := unchecked[k]; !ok || math.Abs(u[0]-v[0]) > 1e-9 || math.Abs(u[1]-v[1]) > 1e-9 || math.Abs(u[2]-v[2]) > 1e-12 || math.Abs(u[3]-v[3]) > 1e-12 {
			t.Errorf("%s: loader %v, DuckDB's CSV reader %v", k, v, u)
		}
	}
	for _, f := range []string{"la_summary_ltla.csv", "la_summary_ltla.parquet", "la_summary_utla.csv", "la_summary_utla.parquet"} {
		if _, err := os.Stat(filepath.Join(ncfg.AreaDir(), "tables", f)); err != nil {
			t.Errorf("missing output %s", f)
		}
	}
	for _, f := range []string{"la_comparison_utla.png", "la_comparison_utla.svg", "la_comparison_ltla.png", "la_comparison_ltla.svg"} {
		if _, err := os.Stat(filepath.Join(ncfg.AreaDir(), "charts", f)); err != nil {
			t.Errorf("missing chart %s", f)
		}
	}
}
