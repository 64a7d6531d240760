package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hubreach/internal/pseudonym"
)

func TestPseudonymiseCommand(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "raw.csv"), filepath.Join(dir, "pseudo.csv")
	os.WriteFile(in, []byte("Person_ID,contact_date,venue_id\n123,2024-05-01,H1\n\"456\",2024-05-02,H2\n123,2024-06-01,H1\n"), 0o600)
	key := strings.Repeat("s3cret-", 6)

	t.Setenv(pseudonym.EnvKey, "")
	if _, err := execute(t, "pseudonymise", "--in", in, "--out", out); err == nil || !strings.Contains(err.Error(), pseudonym.EnvKey) {
		t.Fatalf("no key: %v", err)
	}
	t.Setenv(pseudonym.EnvKey, key)
	stdout, err := execute(t, "pseudonymise", "--in", in, "--out", out)
	if err != nil {
		t.Fatal(err, stdout)
	}
	hm := func(id string) string {
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(id))
		return hex.EncodeToString(m.Sum(nil))
	}
	want := "Person_ID,contact_date,venue_id\n" + hm("123") + ",2024-05-01,H1\n" + hm("456") + ",2024-05-02,H2\n" + hm("123") + ",2024-06-01,H1\n"
	b, _ := os.ReadFile(out)
	if string(b) != want {
		t.Errorf("got\n%s\nwant\n%s", b, want)
	}
	if strings.Contains(stdout, key) || strings.Contains(string(b), key) {
		t.Error("the key was written out")
	}
	if _, err := execute(t, "pseudonymise", "--in", in, "--out", out, "--column", "nhs_number"); err == nil || !strings.Contains(err.Error(), `no column "nhs_number"`) {
		t.Errorf("missing column: %v", err)
	}
}
