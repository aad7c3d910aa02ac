package configs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
)

// Secrets reads the secrets that API key entries refer to instead of
// spelling them out. The zero value reads the process's environment and
// files.
type Secrets struct {
	// LookupEnv returns an environment variable and whether it is set; nil
	// means os.LookupEnv.
	LookupEnv func(name string) (string, bool)
	// ReadFile returns a file's contents; nil means os.ReadFile.
	ReadFile func(path string) ([]byte, error)
}

// KeyHashes returns the SHA-256 of every key of c.Auth.Keys, in order,
// reading sha256_env and sha256_file through s; a relative sha256_file is
// read from the directory of c.File. It checks what validation could not:
// that each referenced secret exists and holds 64 hex digits, and that no
// two keys have the same hash. Problems come back as Errors (matching
// ErrInvalid) with line 0, each naming the key's field; no message quotes a
// secret.
//
// pre: c passed validation.
func (c *Config) KeyHashes(s Secrets) ([][sha256.Size]byte, error) {
	s = s.withDefaults()
	out := make([][sha256.Size]byte, len(c.Auth.Keys))
	var errs Errors
	seen := map[[sha256.Size]byte]string{}
	for i, k := range c.Auth.Keys {
		f := fmt.Sprintf("auth.keys[%d]", i)
		field, h, err := c.keyHash(k, s)
		if err != nil {
			errs = append(errs, &Error{File: c.File, Field: f + "." + field, Msg: err.Error()})
			continue
		}
		if first, dup := seen[h]; dup {
			errs = append(errs, &Error{File: c.File, Field: f, Msg: "the key's hash duplicates " + first + "'s"})
			continue
		}
		seen[h], out[i] = f, h
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

func (s Secrets) withDefaults() Secrets {
	if s.LookupEnv == nil {
		s.LookupEnv = os.LookupEnv
	}
	if s.ReadFile == nil {
		s.ReadFile = os.ReadFile
	}
	return s
}

// keyHash returns the hash of k and the name of the field it came from.
func (c *Config) keyHash(k APIKey, s Secrets) (field string, h [sha256.Size]byte, err error) {
	var text string
	switch {
	case k.SHA256Env != "":
		field = "sha256_env"
		v, ok := s.LookupEnv(k.SHA256Env)
		if !ok {
			return field, h, fmt.Errorf("environment variable %s is not set", k.SHA256Env)
		}
		text = v
	case k.SHA256File != "":
		field = "sha256_file"
		b, err := s.ReadFile(c.Path(k.SHA256File))
		if err != nil {
			return field, h, fmt.Errorf("reading the key's hash: %w", err)
		}
		text = firstWord(string(b))
	default:
		field, text = "sha256", k.SHA256
	}
	return field, h, decodeKeyHash(strings.TrimSpace(text), &h)
}

// firstWord returns s up to its first white space, after leading space.
func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// decodeKeyHash decodes 64 hex digits into h.
func decodeKeyHash(s string, h *[sha256.Size]byte) error {
	if err := checkKeyHash(s); err != nil {
		return fmt.Errorf("the value %w", err)
	}
	_, err := hex.Decode(h[:], []byte(s))
	return err
}
