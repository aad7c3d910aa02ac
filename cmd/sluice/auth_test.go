package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
)

// TestServeRefusesExposedWithoutAuth runs `sluice serve` with auth off on
// every interface and checks that it refuses to start, saying why.
func TestServeRefusesExposedWithoutAuth(t *testing.T) {
	path := writeAuthConfig(t, `listen: {http: "0.0.0.0:0"}
models: [{name: sum, tier: t}]
tiers: [{name: t, pools: [cpu]}]
pools: [{name: cpu, curve: {base: 2ms}}]
`)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "serve", "--config", path)
	cmd.Env = append(os.Environ(), cliEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("serve: %v, want exit status 1; stderr:\n%s", err, stderr.String())
	}
	for _, want := range []string{`sluice.yaml:1: listen.http: "0.0.0.0:0" is reachable from other machines`, "set auth.mode: keys", "--insecure"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr.String())
		}
	}
}

func writeAuthConfig(t *testing.T, cfg string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sluice.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestServeWithAuth runs `sluice serve` with keys (one hash from the
// environment) and checks auth, shedding through the admin API, and the
// tenants' counts.
func TestServeWithAuth(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped in -short mode")
	}
	hi, lo := keyHashHex(t, "serve-test-high"), keyHashHex(t, "serve-test-low")
	httpAddr, adminAddr := freeAddr(t), freeAddr(t)
	path := writeAuthConfig(t, fmt.Sprintf(`listen: {http: %q, admin: %q}
auth:
  mode: keys
  keys:
    - {sha256: %s, tenant: team-hi, priority: high, rate: 100, models: ["*"]}
    - {sha256_env: SERVE_TEST_LOW_SHA256, tenant: team-lo, priority: low, rate: 100, models: [sum]}
models: [{name: sum, tier: t}]
tiers: [{name: t, pools: [cpu]}]
pools: [{name: cpu, curve: {base: 2ms}, max_batch: 4, cold_start: 100ms}]
shutdown: {drain_delay: 10ms}
`, httpAddr, adminAddr, hi))
	logs := apptest.NewLog()
	cmd := exec.Command(os.Args[0], "serve", "--config", path)
	cmd.Env = append(os.Environ(), cliEnv+"=1", "SERVE_TEST_LOW_SHA256="+lo)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	waitReady(t, httpAddr, logs)

	infer := "http://" + httpAddr + "/v2/models/sum/infer"
	steps := []struct {
		name, method, url, key, body string
		status                       int
	}{
		{"no key", http.MethodPost, infer, "", apptest.QuickstartSum, http.StatusUnauthorized},
		{"key from the config", http.MethodPost, infer, "serve-test-high", apptest.QuickstartSum, http.StatusOK},
		{"key from the environment", http.MethodPost, infer, "serve-test-low", apptest.QuickstartSum, http.StatusOK},
		{"shed low", http.MethodPost, "http://" + adminAddr + "/admin/admission", "", `{"shed":"low"}`, http.StatusOK},
		{"low key shed", http.MethodPost, infer, "serve-test-low", apptest.QuickstartSum, http.StatusServiceUnavailable},
		{"high key served", http.MethodPost, infer, "serve-test-high", apptest.QuickstartSum, http.StatusOK},
	}
	for _, s := range steps {
		if status, body := authCall(t, s.method, s.url, s.key, s.body); status != s.status {
			t.Errorf("%s: status %d, want %d: %s", s.name, status, s.status, body)
		}
	}
	_, body := authCall(t, http.MethodGet, "http://"+adminAddr+"/admin/tenants", "", "")
	var counts map[string]gateway.TenantCount
	if err := json.Unmarshal(body, &counts); err != nil {
		t.Fatalf("GET /admin/tenants: %s: %v", body, err)
	}
	if hi, lo := counts["team-hi"], counts["team-lo"]; hi.Answered != 2 || lo.Answered != 1 || lo.Failed[gateway.ReasonShed] != 1 {
		t.Errorf("tenant counts %+v, want team-hi with 2 answered, team-lo with 1 answered and 1 shed", counts)
	}
	// Stop the gateway before reading its log, which it writes until then.
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
	if strings.Contains(logs.String(), "serve-test-") {
		t.Errorf("the log holds a key:\n%s", logs.String())
	}
}

func keyHashHex(t *testing.T, key string) string {
	t.Helper()
	h, err := gateway.HashKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h)
}

// authCall sends a request with an API key (none when empty) and returns the
// status and body.
func authCall(t *testing.T, method, url, key, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json") // the admin API takes no other
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
