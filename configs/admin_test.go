package configs

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// adminBad lists the admin section's bad files and their problems, in order.
var adminBad = []badCase{
	{"admin-exposed", []string{`admin-exposed.bad.yaml:2: listen.admin: "0.0.0.0:9090" is reachable from other machines, so the admin API needs a token`}},
	{"admin-token", []string{
		"admin-token.bad.yaml:2: admin: at most one of token_sha256, token_sha256_file and token_sha256_env may be set, got 2 (token_sha256, token_sha256_env)",
		"admin-token.bad.yaml:3: admin.token_sha256: is not a SHA-256 in hex: want 64 hex digits, got 10 characters",
	}},
	{"admin-hosts", []string{
		`admin-hosts.bad.yaml:7: admin.allowed_hosts[1]: "http://evil.example" is not a host or host:port`,
		`admin-hosts.bad.yaml:8: admin.allowed_hosts[2]: "" is not a host or host:port`,
	}},
}

func TestAdminBad(t *testing.T) { loadBad(t, adminBad) }

func TestAdminTokenHash(t *testing.T) {
	tok := hashOf("operator-token")
	tests := []struct {
		name    string
		admin   Admin
		env     map[string]string
		files   map[string]string
		want    [sha256.Size]byte
		wantOK  bool
		wantErr string
	}{
		{name: "none", admin: Admin{}},
		{name: "inline", admin: Admin{TokenSHA256: hexOf(tok)}, want: tok, wantOK: true},
		{name: "file beside the config", admin: Admin{TokenSHA256File: "admin.sha256"},
			files: map[string]string{"conf/admin.sha256": hexOf(tok) + "  -\n"}, want: tok, wantOK: true},
		{name: "environment", admin: Admin{TokenSHA256Env: "TOK"},
			env: map[string]string{"TOK": strings.ToUpper(hexOf(tok))}, want: tok, wantOK: true},
		{name: "unset variable", admin: Admin{TokenSHA256Env: "TOK"},
			wantErr: "conf/sluice.yaml: admin.token_sha256_env: environment variable TOK is not set"},
		{name: "plain token in the file", admin: Admin{TokenSHA256File: "admin.sha256"},
			files:   map[string]string{"conf/admin.sha256": "operator-token\n"},
			wantErr: "admin.token_sha256_file: the value is not a SHA-256 in hex: want 64 hex digits, got 14 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeSecrets{env: tt.env, files: tt.files}
			cfg := &Config{File: "conf/sluice.yaml", Admin: tt.admin}
			got, ok, err := cfg.AdminTokenHash(f.secrets())
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("AdminTokenHash error = %v, want ErrInvalid containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "operator-token") {
					t.Errorf("error %q quotes the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("AdminTokenHash: %v", err)
			}
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("hash (-want +got):\n%s", diff)
			}
		})
	}
}
