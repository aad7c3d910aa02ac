package configs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hashOf returns the SHA-256 of a plain key, as KeyHashes returns it.
func hashOf(key string) [sha256.Size]byte { return sha256.Sum256([]byte(key)) }

// hexOf writes a hash as KeyHashes reads it.
func hexOf(h [sha256.Size]byte) string { return hex.EncodeToString(h[:]) }

// fakeSecrets serves environment variables and files from maps; it
// records the paths read.
type fakeSecrets struct {
	env   map[string]string
	files map[string]string
	read  []string
}

func (f *fakeSecrets) secrets() Secrets {
	return Secrets{
		LookupEnv: func(name string) (string, bool) { v, ok := f.env[name]; return v, ok },
		ReadFile: func(path string) ([]byte, error) {
			f.read = append(f.read, path)
			if v, ok := f.files[path]; ok {
				return []byte(v), nil
			}
			return nil, fs.ErrNotExist
		},
	}
}

func TestKeyHashes(t *testing.T) {
	a, b, c := hashOf("a"), hashOf("b"), hashOf("c")
	tests := []struct {
		name    string
		keys    []APIKey
		env     map[string]string
		files   map[string]string
		want    [][sha256.Size]byte
		wantErr []string
	}{
		{
			name: "every source",
			keys: []APIKey{{SHA256: strings.ToUpper(hexOf(a))}, {SHA256File: "keys/b.sha256"}, {SHA256Env: "C"}, {SHA256File: "/abs/c2"}},
			// sha256sum's output, and a value with a trailing newline.
			files: map[string]string{"conf/keys/b.sha256": hexOf(b) + "  -\n", "/abs/c2": hexOf(hashOf("c2")) + "\n"},
			env:   map[string]string{"C": hexOf(c) + "\n"},
			want:  [][sha256.Size]byte{a, b, c, hashOf("c2")},
		},
		{
			name:    "variable not set",
			keys:    []APIKey{{SHA256Env: "MISSING"}},
			wantErr: []string{"conf/sluice.yaml: auth.keys[0].sha256_env: environment variable MISSING is not set"},
		},
		{
			name:    "file missing",
			keys:    []APIKey{{SHA256File: "gone"}},
			wantErr: []string{"conf/sluice.yaml: auth.keys[0].sha256_file: reading the key's hash: file does not exist"},
		},
		{
			name:    "plain key in a variable",
			keys:    []APIKey{{SHA256Env: "K"}},
			env:     map[string]string{"K": "hunter2"},
			wantErr: []string{"auth.keys[0].sha256_env: the value is not a SHA-256 in hex: want 64 hex digits, got 7 characters"},
		},
		{
			name:    "same key twice",
			keys:    []APIKey{{SHA256: hexOf(a)}, {SHA256Env: "A"}},
			env:     map[string]string{"A": hexOf(a)},
			wantErr: []string{"auth.keys[1]: the key's hash duplicates auth.keys[0]'s"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &Config{File: "conf/sluice.yaml", Auth: Auth{Mode: AuthKeys, Keys: tt.keys}}
			secrets := &fakeSecrets{env: tt.env, files: tt.files}
			got, err := cfg.KeyHashes(secrets.secrets())
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("hashes (-want +got):\n%s", diff)
			}
			checkProblems(t, err, tt.wantErr)
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q quotes the secret", err)
			}
		})
	}
}

// checkProblems checks that err is nil when want is empty, else Errors
// matching ErrInvalid whose problems contain want's, in order.
func checkProblems(t *testing.T, err error, want []string) {
	t.Helper()
	var errs Errors
	if len(want) == 0 {
		if err != nil {
			t.Errorf("error = %v, want none", err)
		}
		return
	}
	if !errors.As(err, &errs) || !errors.Is(err, ErrInvalid) || len(errs) != len(want) {
		t.Fatalf("error = %v, want %d problems matching ErrInvalid", err, len(want))
	}
	for i, w := range want {
		if !strings.Contains(errs[i].Error(), w) {
			t.Errorf("problem %d = %q, want it to contain %q", i, errs[i], w)
		}
	}
}
