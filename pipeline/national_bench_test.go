package pipeline

import (
	"context"
	"testing"

	"hubreach/config"
	"hubreach/internal/store"
)

// BenchmarkNationalSummaries times the local authority summary measures for every authority in
// England: "files" reads the three national IoD2019 LSOA files and the district -> county lookup
// (32,844 LSOAs) and builds the measures; "sql" builds them from the loaded tables only.
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
