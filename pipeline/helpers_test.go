package pipeline

import (
	"context"
	"path/filepath"
	"testing"

	"hubreach/config"
	"hubreach/internal/store"
)

func openPublished(t *testing.T, cfg config.Config) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(cfg.AreaDir(), DBFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
