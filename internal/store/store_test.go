package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

func TestAppendInTxRollsBack(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, "CREATE TABLE core.t (a INTEGER, b VARCHAR)"); err != nil {
		t.Fatal(err)
	}
	appendN := func(n int) error {
		return db.Append(ctx, "core", "t", func(a *duckdb.Appender) error {
			for i := 0; i < n; i++ {
				if err := a.AppendRow(int32(i), "x"); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := db.InTx(ctx, func() error { return appendN(1000) }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err = db.InTx(ctx, func() error {
		if err := appendN(500); err != nil {
			return err
		}
		if _, err := db.Exec(ctx, "DELETE FROM core.t WHERE a < 10"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx error = %v, want boom", err)
	}
	n, err := db.Count(ctx, "core.t")
	if err != nil {
		t.Fatal(err)
	}
	if n != 1000 {
		t.Errorf("after rolled-back transaction: %d rows, want the 1000 committed before", n)
	}
	for _, s := range Schemas {
		var c int
		db.QueryRow(ctx, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?", s).Scan(&c)
		if c != 1 {
			t.Errorf("schema %s missing", s)
		}
	}
}
