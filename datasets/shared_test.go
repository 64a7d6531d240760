package datasets

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedData returns ../shared/data relative to the repository root (the folder holding go.mod),
// or skips the test with a clear message when it is absent.
func sharedData(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root (go.mod) not found: skipping real-data test")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(data); err != nil {
		t.Skipf("real data not found at %s (set up ../shared/data beside the repository): skipping", data)
	}
	return data
}
