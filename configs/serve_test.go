package configs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckServeExposure(t *testing.T) {
	tests := []struct {
		name       string
		mode       string
		http, grpc string
		insecure   bool
		want       []string // in the error; nil for none
	}{
		{name: "loopback", mode: "none", http: "127.0.0.1:8080", grpc: "127.0.0.1:8081"},
		{name: "other loopbacks", mode: "none", http: "localhost:8080", grpc: "[::1]:8081"},
		{name: "all of 127/8", mode: "none", http: "127.0.0.2:8080"},
		{name: "every interface", mode: "none", http: "0.0.0.0:8080", want: []string{`listen.http: "0.0.0.0:8080" is reachable`, "auth.mode: keys", "--insecure"}},
		{name: "empty host", mode: "none", http: "127.0.0.1:8080", grpc: ":8081", want: []string{`listen.grpc: ":8081" is reachable`}},
		{name: "host name", mode: "none", http: "example.com:80", want: []string{`listen.http: "example.com:80"`}},
		{name: "both", mode: "none", http: "[::]:80", grpc: "10.0.0.1:81", want: []string{`listen.http: "[::]:80"`, `listen.grpc: "10.0.0.1:81"`}},
		{name: "insecure", mode: "none", http: "0.0.0.0:8080", insecure: true},
		{name: "keys", mode: "keys", http: "0.0.0.0:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &Config{Auth: Auth{Mode: tt.mode}, Listen: Listen{HTTP: tt.http, GRPC: tt.grpc}}
			err := cfg.CheckServe(ServeOptions{Insecure: tt.insecure})
			if (err != nil) != (tt.want != nil) || (err != nil && !errors.Is(err, ErrInvalid)) {
				t.Fatalf("CheckServe = %v, want an error: %v", err, tt.want != nil)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestLoadServeNamesTheLine checks that LoadServe's refusal names the
// file and the line of the listener, as validation's problems do, and
// that Load, for commands that do not serve, takes the file.
func TestLoadServeNamesTheLine(t *testing.T) {
	file := filepath.Join(t.TempDir(), "exposed.yaml")
	data := "listen:\n  http: 0.0.0.0:8080\nmodels: [{name: m, tier: t}]\ntiers: [{name: t, pools: [p]}]\npools: [{name: p, curve: {base: 1ms}}]\n"
	if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadServe(file, ServeOptions{})
	if want := file + `:2: listen.http: "0.0.0.0:8080" is reachable`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("LoadServe = %v, want it to start with %q", err, want)
	}
	if _, err := LoadServe(file, ServeOptions{Insecure: true}); err != nil {
		t.Errorf("LoadServe with Insecure = %v, want nil", err)
	}
	if _, err := Load(file); err != nil {
		t.Errorf("Load = %v, want nil", err)
	}
}
