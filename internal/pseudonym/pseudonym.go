// Package pseudonym turns raw person identifiers into keyed pseudonyms: HMAC-SHA256 (RFC 2104)
// with a secret key that the council keeps, written out as 64 lowercase hex digits. The same id
// and key always give the same pseudonym, so extracts from different years can be linked, and
// without the key nobody can go back from a pseudonym to the id or test a guessed id.
//
// The key comes from the environment variable HUBREACH_PSEUDONYM_KEY and is never written
// anywhere by hubreach: not to outputs, logs, run.json or error messages.
package pseudonym

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// EnvKey is the environment variable the key is read from.
const EnvKey = "HUBREACH_PSEUDONYM_KEY"

// MinKeyBytes is the shortest key accepted: RFC 2104 advises a key at least as long as the hash
// output (32 bytes for SHA-256).
const MinKeyBytes = 32

// ErrNoKey is returned when the environment variable is not set or empty.
var ErrNoKey = errors.New(EnvKey + " is not set: set it to a secret of at least 32 characters that the council keeps (the same key every year, so extracts link)")

// Hasher makes pseudonyms with one key. It is not safe for concurrent use.
type Hasher struct {
	mac hash.Hash
	buf []byte
}

// New returns a Hasher for key, which must be at least MinKeyBytes long.
func New(key []byte) (*Hasher, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("pseudonymisation key is %d bytes long: give at least %d (a random string of 32 or more characters)", len(key), MinKeyBytes)
	}
	return &Hasher{mac: hmac.New(sha256.New, key)}, nil
}

// FromEnv reads the key from EnvKey with lookup (os.LookupEnv in the command; a map in tests)
// and returns a Hasher. The key's value never appears in an error.
func FromEnv(lookup func(string) (string, bool)) (*Hasher, error) {
	v, ok := lookup(EnvKey)
	if !ok || v == "" {
		return nil, ErrNoKey
	}
	h, err := New([]byte(v))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvKey, err)
	}
	return h, nil
}

// Sum returns the raw HMAC-SHA256 of data.
func (h *Hasher) Sum(data []byte) []byte {
	h.mac.Reset()
	h.mac.Write(data)
	h.buf = h.mac.Sum(h.buf[:0])
	return h.buf
}

// ID returns the pseudonym of a person id: the hex HMAC of the id with surrounding spaces
// removed (so " 123" and "123" link). An empty id stays empty (an extract's missing value).
func (h *Hasher) ID(id string) string {
	id = strings.TrimSpace(id)
	if id == "" {
		return ""
	}
	return hex.EncodeToString(h.Sum([]byte(id)))
}
