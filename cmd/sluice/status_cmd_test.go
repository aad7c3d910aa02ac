package main

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStatusCommand(t *testing.T) {
	tb := newTestBoard(t, scalingConfig(false))
	var stdout, stderr bytes.Buffer
	if code := statusMain([]string{"--admin", tb.url + "/", "--decisions", "5"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"scaler no plan yet", "\ncpu ", "\ngpu ", "DECISIONS (0 of 0 kept, newest first)"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
}

// TestStatusCommandErrors checks that each way of failing says what
// failed and where.
func TestStatusCommandErrors(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeAdminError(w, http.StatusUnauthorized, errTestToken)
	}))
	defer refusing.Close()
	garbled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("<html>not json</html>"))
	}))
	defer garbled.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{name: "unreachable", args: []string{"--admin", closedURL}, code: 1,
			contains: []string{"sluice status: admin listener unreachable at " + closedURL, "connection refused"}},
		{name: "host and port only", args: []string{"--admin", strings.TrimPrefix(closedURL, "http://")}, code: 1,
			contains: []string{"unreachable at " + closedURL}},
		{name: "refused", args: []string{"--admin", refusing.URL}, code: 1,
			contains: []string{"sluice status: admin listener refused: GET " + refusing.URL + "/admin/status: 401 Unauthorized", "bearer token"}},
		{name: "not a status", args: []string{"--admin", garbled.URL}, code: 1,
			contains: []string{"not a status"}},
		{name: "missing token file", args: []string{"--admin", refusing.URL, "--token-file", filepath.Join(t.TempDir(), "none")}, code: 1,
			contains: []string{"sluice status: --token-file:"}},
		{name: "an argument", args: []string{"extra"}, code: 2, contains: []string{`unexpected argument "extra"`}},
		{name: "a bad flag", args: []string{"--nope"}, code: 2, contains: []string{"flag provided but not defined: -nope"}},
		{name: "no timeout", args: []string{"--timeout", "0s"}, code: 2, contains: []string{"--timeout 0s: must be positive"}},
		{name: "help", args: []string{"--help"}, code: 0, contains: []string{"Usage: sluice status [--admin URL]", "-admin URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
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

// errTestToken is what a fake admin listener answers without the token.
var errTestToken = errors.New("admin: bearer token required")

func TestStatusCommandToken(t *testing.T) {
	tb := newTestBoard(t, scalingConfig(false))
	guarded := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			writeAdminError(w, http.StatusUnauthorized, errTestToken)
			return
		}
		http.Redirect(w, r, tb.url+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer guarded.Close()
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
		{name: "none", args: []string{"--admin", guarded.URL}, code: 1},
		{name: "from the environment", env: "s3cret", args: []string{"--admin", guarded.URL}, code: 0},
		{name: "from a file", env: "wrong", args: []string{"--admin", guarded.URL, "--token-file", tokenFile}, code: 0},
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
