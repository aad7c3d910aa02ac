package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-gateway/sluice/internal/status"
)

// statusServer serves a status of two pools, cpu and gpu, before the
// first plan, to requests with the bearer token (any request when token
// is "").
func statusServer(t *testing.T, token string) string {
	t.Helper()
	v := status.View{Pools: []status.PoolView{{Name: "cpu"}, {Name: "gpu"}}, Decisions: []status.DecisionView{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error": "send the admin token"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(v)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestStatusCommand(t *testing.T) {
	url := statusServer(t, "")
	var stdout, stderr bytes.Buffer
	if code := statusMain([]string{"--admin", url + "/", "--decisions", "5"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"scaler no plan yet", "\ncpu ", "\ngpu ", "DECISIONS (0 of 0 kept, newest first)"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
}

// TestStatusCommandErrors checks the exit codes and what stderr says.
func TestStatusCommandErrors(t *testing.T) {
	guarded := statusServer(t, "s3cret")
	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{name: "refused", args: []string{"--admin", guarded}, code: 1,
			contains: []string{"sluice status: admin listener refused: GET " + guarded + "/admin/status: 401 Unauthorized"}},
		{name: "missing token file", args: []string{"--admin", guarded, "--token-file", filepath.Join(t.TempDir(), "none")}, code: 1,
			contains: []string{"sluice status: --token-file:"}},
		{name: "an argument", args: []string{"extra"}, code: 2, contains: []string{`unexpected argument "extra"`}},
		{name: "a bad flag", args: []string{"--nope"}, code: 2, contains: []string{"flag provided but not defined: -nope"}},
		{name: "no timeout", args: []string{"--timeout", "0s"}, code: 2, contains: []string{"--timeout 0s: must be positive"}},
		{name: "help", args: []string{"--help"}, code: 0, contains: []string{"Usage: sluice status [--admin URL]", "-admin URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(adminTokenEnv, "")
			var stdout, stderr bytes.Buffer
			if code := statusMain(tt.args, &stdout, &stderr); code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			for _, want := range tt.contains {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
		})
	}
}

func TestStatusCommandToken(t *testing.T) {
	guarded := statusServer(t, "s3cret")
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  string
		args []string
		code int
	}{
		{name: "none", args: []string{"--admin", guarded}, code: 1},
		{name: "from the environment", env: "s3cret", args: []string{"--admin", guarded}, code: 0},
		{name: "from a file", env: "wrong", args: []string{"--admin", guarded, "--token-file", tokenFile}, code: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(adminTokenEnv, tt.env)
			var stdout, stderr bytes.Buffer
			if code := statusMain(tt.args, &stdout, &stderr); code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
		})
	}
}
