// Package browsertest finds the headless browser the browser tests drive.
package browsertest

import (
	"os/exec"
	"testing"
)

// Chromium returns the path of Chromium, or skips the test, saying what is skipped, when it is
// not installed (.ci/run installs it).
func Chromium(t testing.TB, what string) string {
	t.Helper()
	for _, b := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(b); err == nil {
			return p
		}
	}
	t.Skipf("Chromium is not installed (apt-get install chromium): %s is skipped", what)
	return ""
}
