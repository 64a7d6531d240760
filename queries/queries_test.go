package queries

import (
	"context"
	"strings"
	"testing"

	"hubreach/internal/store"
)

// Every raw and core file must run on an empty database and build exactly the table it is named for.
func TestEveryQueryParses(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, schema := range []string{"raw", "core"} {
		for _, table := range Tables(schema) {
			q := MustSQL(table)
			if !strings.Contains(q, "CREATE OR REPLACE TABLE "+table+" ") && !strings.Contains(q, "CREATE OR REPLACE TABLE "+table+"\n") {
				t.Errorf("%s: file does not build %s", table, table)
			}
			if _, err := db.Exec(ctx, q); err != nil {
				t.Errorf("%s: %v", table, err)
			}
			ok, _ := db.TableExists(ctx, schema, strings.TrimPrefix(table, schema+"."))
			if !ok {
				t.Errorf("%s not created", table)
			}
		}
	}
}
