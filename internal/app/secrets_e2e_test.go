package app

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"

	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// Secrets of TestServeKeepsSecretsOutOfLogs, distinctive enough that no
// log line holds them by chance.
const (
	e2eAPIKey     = "e2e-api-key-7f3a9b"
	e2eAdminToken = "e2e-admin-token-91c2d4"
	e2eWrongKey   = "e2e-wrong-key-55d0e8"
)

// TestServeKeepsSecretsOutOfLogs runs Sluice logging at debug level over
// TLS with an API key and an admin token, read from the environment, makes authenticated and refused calls over
// HTTPS, gRPC and the admin API, and checks that the debug log holds
// neither the secrets nor their hashes.
func TestServeKeepsSecretsOutOfLogs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Sluice and its workers; skipped in -short mode")
	}
	s := startSecureServe(t)
	calls := []struct {
		name, url, auth string
		body            string
		want            int
	}{
		{"infer with the key", "https://" + s.http + "/v2/models/sum/infer", "Bearer " + e2eAPIKey, apptest.QuickstartSum, http.StatusOK},
		{"infer with a wrong key", "https://" + s.http + "/v2/models/sum/infer", "Bearer " + e2eWrongKey, apptest.QuickstartSum, http.StatusUnauthorized},
		{"admin with the token", "https://" + s.admin + "/admin/tenants", "Bearer " + e2eAdminToken, "", http.StatusOK},
		{"admin with a wrong token", "https://" + s.admin + "/admin/tenants", "Bearer " + e2eWrongKey, "", http.StatusUnauthorized},
		{"admin without a token", "https://" + s.admin + "/admin/tenants", "", "", http.StatusUnauthorized},
	}
	for _, c := range calls {
		method := http.MethodGet
		if c.body != "" {
			method = http.MethodPost
		}
		req, err := http.NewRequest(method, c.url, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.want)
		}
	}
	if err := inferGRPC(s.grpc, s.tls, e2eAPIKey); err != nil {
		t.Errorf("gRPC infer with the key over TLS: %v", err)
	}
	s.stop()
	logs := s.logs.String()
	if s.logs.Count("sluice is serving") != 1 || !strings.Contains(logs, `"level":"DEBUG"`) {
		t.Fatalf("serve did not log at debug level:\n%s", logs)
	}
	for _, secret := range []string{e2eAPIKey, e2eAdminToken, e2eWrongKey} {
		sum := sha256.Sum256([]byte(secret))
		for _, form := range []string{secret, hex.EncodeToString(sum[:])} {
			if strings.Contains(logs, form) {
				t.Errorf("the log holds %q:\n%s", form, logs)
			}
		}
	}
}

// secureServe is Sluice logging at debug level with TLS, keys and an
// admin token.
type secureServe struct {
	http, grpc, admin string
	logs              *apptest.Log
	// client speaks HTTPS, trusting serve's certificate, as tls does.
	client *http.Client
	tls    *tls.Config
	stop   func()
}

// startSecureServe starts Sluice and waits until its worker is ready.
func startSecureServe(t *testing.T) secureServe {
	t.Helper()
	dir := t.TempDir()
	ca := newTestCA(t, dir, "ca")
	ca.issue(t, dir, "server", 1)
	s := secureServe{logs: apptest.NewLog()}
	cfg := `listen: {http: 127.0.0.1:0, grpc: 127.0.0.1:0, admin: 127.0.0.1:0}
auth:
  mode: keys
  keys: [{sha256_env: SLUICE_TEST_KEY_SHA256, tenant: acme, rate: 100, models: ["*"]}]
admin: {token_sha256_env: SLUICE_TEST_ADMIN_SHA256}
tls: {cert_file: server.pem, key_file: server-key.pem}
models: [{name: sum, tier: t}]
tiers: [{name: t, pools: [cpu]}]
pools:
  - {name: cpu, curve: {base: 2ms, per_item: 1ms}, max_batch: 8, cold_start: 100ms, replicas: {min: 1, max: 1}}
`
	path := filepath.Join(dir, "sluice.yaml")
	writeTestFile(t, path, []byte(cfg))
	c, err := configs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SLUICE_TEST_KEY_SHA256": hashHex(e2eAPIKey), "SLUICE_TEST_ADMIN_SHA256": hashHex(e2eAdminToken)}
	secrets := configs.Secrets{LookupEnv: func(name string) (string, bool) { v, ok := env[name]; return v, ok }}
	c.Shutdown.DrainDelay = testDrainDelay
	a, err := Start(context.Background(), c, Options{Logger: s.logs.Logger(slog.LevelDebug), Workers: worker.InProcess{}.Start, Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	s.http, s.grpc, s.admin = a.Addrs().HTTP, a.Addrs().GRPC, a.Addrs().Admin
	stopped := false
	s.stop = func() {
		if !stopped {
			stopped = true
			if err := a.Close(); err != nil {
				t.Errorf("stopping: %v", err)
			}
		}
	}
	t.Cleanup(s.stop)
	s.tls = ca.clientConfig(t, "", "")
	s.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: s.tls}}
	t.Cleanup(s.client.CloseIdleConnections)
	s.logs.Next(t, 0, "pool workers changed", "pool", "cpu", "ready", 1)
	return s
}

func hashHex(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// inferGRPC calls sum over gRPC with TLS tc, authenticated by key.
func inferGRPC(addr string, tc *tls.Config, key string) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(tc)))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+key)
	_, err = inferencepb.NewGRPCInferenceServiceClient(conn).ModelInfer(ctx, &inferencepb.ModelInferRequest{
		ModelName: "sum",
		Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{{
			Name: "x", Datatype: "FP32", Shape: []int64{1, 2},
			Contents: &inferencepb.InferTensorContents{Fp32Contents: []float32{1, 2}},
		}},
	})
	return err
}
