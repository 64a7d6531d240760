package pseudonym

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// RFC 4231 section 4 test vectors for HMAC-SHA-256.
func TestRFC4231(t *testing.T) {
	for _, c := range []struct {
		name      string
		key, data []byte
		want      string
	}{
		{"test case 6: key larger than the block size", bytes.Repeat([]byte{0xaa}, 131),
			[]byte("Test Using Larger Than Block-Size Key - Hash Key First"),
			"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
		{"test case 7: key and data larger than the block size", bytes.Repeat([]byte{0xaa}, 131),
			[]byte("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."),
			"9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
	} {
		h, err := New(c.key)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(h.Sum(c.data)); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
		// ID is the same HMAC, as hex, for text ids.
		if got := h.ID(string(c.data)); got != c.want {
			t.Errorf("%s: ID %s, want %s", c.name, got, c.want)
		}
	}
	// Test cases 1 and 2 use keys shorter than hubreach accepts (20 and 4 bytes): New refuses
	// them, and the standard library HMAC that Hasher wraps gives the published values.
	for _, c := range []struct {
		key, data []byte
		want      string
	}{
		{bytes.Repeat([]byte{0x0b}, 20), []byte("Hi There"), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
		{[]byte("Jefe"), []byte("what do ya want for nothing?"), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
	} {
		if _, err := New(c.key); err == nil {
			t.Errorf("a %d-byte key was accepted", len(c.key))
		}
		m := hmac.New(sha256.New, c.key)
		m.Write(c.data)
		if got := hex.EncodeToString(m.Sum(nil)); got != c.want {
			t.Errorf("key %x: %s, want %s", c.key, got, c.want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	if _, err := FromEnv(env(nil)); err != ErrNoKey {
		t.Errorf("unset: %v", err)
	}
	if _, err := FromEnv(env(map[string]string{EnvKey: ""})); err != ErrNoKey {
		t.Errorf("empty: %v", err)
	}
	short := "tooshort-secret-value"
	_, err := FromEnv(env(map[string]string{EnvKey: short}))
	if err == nil || strings.Contains(err.Error(), short) {
		t.Errorf("short key: error %v (must fail and never quote the key)", err)
	}
	key := strings.Repeat("k", 40)
	h, err := FromEnv(env(map[string]string{EnvKey: key}))
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte("P0001234"))
	want := hex.EncodeToString(m.Sum(nil))
	for _, id := range []string{"P0001234", "  P0001234 "} {
		if got := h.ID(id); got != want {
			t.Errorf("ID(%q) = %s, want %s", id, got, want)
		}
	}
	if h.ID("P0001235") == want || h.ID("") != "" {
		t.Error("different ids must differ; empty stays empty")
	}
}
