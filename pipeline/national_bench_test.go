package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"hubreach/config"
	"hubreach/internal/store"
)

// BenchmarkNationalSummaries times the local authority summary measures for every authority in
// England: "files" reads the three national IoD2019 LSOA files and the district -> county lookup
// (32,844 LSOAs) and builds the measures; "sql" builds them from the loaded tables only.
//
// "floor" is the least any DuckDB-based run can do: open an in-memory database, join the three
// files straight into core.iod with read_csv (no sniffing, no row checks, no rejects, no raw copy,
// no reports), load the lookup and run the same summary SQL. It is not a way to run hubreach; it
// bounds from below what the checked loader ("files") could reach on this machine.
func BenchmarkNationalSummaries(b *testing.B) {
	data := sharedData(b)
	cfg := config.Default()
	cfg.Area.Name = "rotherham"
	cfg.Area.Codes = []string{"E08000018"}
	cfg.DataDir = data
	cfg.Inputs.IoD = []string{
		"iod2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv",
		"iod2019/File_3_-_IoD2019_Supplementary_Indices_-_IDACI_and_IDAOPI.csv",
		"iod2019/File_6_-_IoD2019_Population_Denominators.csv",
	}
	cfg.Inputs.LALookup = "lookups/ltla19_utla19.csv"
	ncfg := NationalConfig(cfg)
	stages := National(cfg)
	load, summaries := stages[0], stages[1]
	ctx := context.Background()
	open := func(b *testing.B) *Env {
		db, err := store.Open(ctx, "")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		return &Env{Config: ncfg, DB: db, Dir: b.TempDir(), Progress: Quiet{}}
	}
	b.Run("files", func(b *testing.B) {
		for b.Loop() {
			env := open(b)
			if err := load.Run(ctx, env); err != nil {
				b.Fatal(err)
			}
			if err := summaries.Run(ctx, env); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(32844/(b.Elapsed().Seconds()/float64(b.N)), "lsoas/s")
	})
	b.Run("floor", func(b *testing.B) {
		for b.Loop() {
			db, err := store.Open(ctx, "")
			if err != nil {
				b.Fatal(err)
			}
			for _, q := range []string{mustSQL("core.iod"), floorCoreIoD(data), mustSQL("core.la_hierarchy"),
				floorLookup(data), mustSQL("analysis.la_summary")} {
				if _, err := db.Exec(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			var n int
			if err := db.QueryRow(ctx, "SELECT count(*) FROM analysis.la_summary").Scan(&n); err != nil || n == 0 {
				b.Fatalf("floor: %d summary rows, err %v", n, err)
			}
			db.Close()
		}
		b.ReportMetric(32844/(b.Elapsed().Seconds()/float64(b.N)), "lsoas/s")
	})
	b.Run("sql", func(b *testing.B) {
		env := open(b)
		if err := load.Run(ctx, env); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := summaries.Run(ctx, env); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// floorReadCSV reads a file with its columns named by position, all text, nothing detected.
func floorReadCSV(path string, cols ...string) string {
	spec := make([]string, len(cols))
	for i, c := range cols {
		spec[i] = fmt.Sprintf("'%s': 'VARCHAR'", c)
	}
	return fmt.Sprintf(`read_csv('%s', header = true, delim = ',', quote = '"', escape = '"', auto_detect = false, columns = {%s})`,
		path, strings.Join(spec, ", "))
}

// floorCoreIoD fills core.iod from IoD2019 Files 1, 3 and 6 in one statement, unchecked.
func floorCoreIoD(data string) string {
	f1 := floorReadCSV(filepath.Join(data, "iod2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"),
		"code", "name", "lad", "lad_name", "imd_rank", "imd_decile")
	f3 := floorReadCSV(filepath.Join(data, "iod2019/File_3_-_IoD2019_Supplementary_Indices_-_IDACI_and_IDAOPI.csv"),
		"code", "name", "lad", "lad_name", "imd_rank", "imd_decile", "idaci_rank", "idaci_decile", "idaopi_rank", "idaopi_decile")
	f6 := floorReadCSV(filepath.Join(data, "iod2019/File_6_-_IoD2019_Population_Denominators.csv"),
		"code", "name", "lad", "lad_name", "pop", "children", "pop_16_59", "pop_60", "pop_working")
	return fmt.Sprintf(`INSERT INTO core.iod
SELECT f1.code, f1.name, f1.lad, f1.lad_name, 2019,
       NULL, f1.imd_rank::INTEGER, f1.imd_decile::SMALLINT,
       NULL, f3.idaci_rank::INTEGER, f3.idaci_decile::SMALLINT,
       NULL, f3.idaopi_rank::INTEGER, f3.idaopi_decile::SMALLINT,
       NULL, NULL,
       f6.pop::DOUBLE, f6.children::DOUBLE, f6.pop_16_59::DOUBLE, f6.pop_60::DOUBLE, f6.pop_working::DOUBLE,
       'File 1; File 3; File 6'
FROM %s f1 JOIN %s f3 USING (code) JOIN %s f6 USING (code)
ORDER BY f1.code`, f1, f3, f6)
}

// floorLookup fills core.la_hierarchy from the ONS LTLA19 -> UTLA19 lookup, unchecked.
func floorLookup(data string) string {
	return fmt.Sprintf(`INSERT INTO core.la_hierarchy SELECT ltla19_code, ltla19_name, utla19_code, utla19_name FROM read_csv('%s', header = true, all_varchar = true)`,
		filepath.Join(data, "lookups/ltla19_utla19.csv"))
}
