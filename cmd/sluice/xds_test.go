package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/xds"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestXDSDumpBenchGolden pins the resources configs/bench.yaml yields:
// `sluice xds dump --config configs/bench.yaml` must print the golden file
// (go test -update rewrites it).
func TestXDSDumpBenchGolden(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := runXDS([]string{"dump", "--config", "../../configs/bench.yaml"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	golden := filepath.Join("testdata", "xds-bench.golden")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if diff := cmp.Diff(string(want), stdout.String()); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", golden, diff)
	}
}

func TestRunXDSUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no subcommand", nil, 0, "Usage: sluice xds dump"},
		{"unknown subcommand", []string{"load"}, 2, "Usage: sluice xds dump"},
		{"node with config", []string{"dump", "--config", "x.yaml", "--node", "n"}, 2, "--node needs a running Sluice"},
		{"bad config", []string{"dump", "--config", "../../configs/testdata/negative-price.bad.yaml"}, 1, "price_per_hour"},
		{"nothing listening", []string{"dump", "--admin", "127.0.0.1:1"}, 1, "sluice xds dump:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runXDS(tt.args, &stdout, &stderr)
			if code != tt.wantCode || !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want %d containing %q", code, stderr.String(), tt.wantCode, tt.wantErr)
			}
		})
	}
}

const xdsTestConfig = `
listen: {http: 127.0.0.1:0, xds: 127.0.0.1:0}
models:
  - {name: sum, tier: default}
  - {name: echo, tier: default, batching: false}
tiers:
  - {name: default, pools: [cpu, gpu]}
pools:
  - {name: cpu, price_per_hour: 0.1, curve: {base: 5ms, per_item: 1ms}, max_batch: 8, replicas: {max: 4}}
  - {name: gpu, price_per_hour: 1.2, curve: {base: 2ms, per_item: 1ms}, max_batch: 32, replicas: {max: 2}}
`

// TestControlPlaneFollowsRouter checks the wiring of serve: a worker the
// router learns of is published within a second, shows in GET /admin/xds
// and in `sluice xds dump`, and takes the pass-through model's traffic.
func TestControlPlaneFollowsRouter(t *testing.T) {
	cfg, err := configs.Parse("xds.yaml", []byte(xdsTestConfig))
	if err != nil {
		t.Fatal(err)
	}
	rt, err := router.New(routerConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cp, err := startControlPlane(func() *configs.Config { return cfg }, rt, gatewayAddrs{http: "127.0.0.1:8080"}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.stop()
	admin := httptest.NewServer(cp.withAdmin(http.NotFoundHandler()))
	defer admin.Close()
	addr := strings.TrimPrefix(admin.URL, "http://")

	ep := startWorker(t)
	changed := time.Now()
	if err := rt.SetEndpoints("cpu", []router.Endpoint{ep}); err != nil {
		t.Fatal(err)
	}
	var out string
	for !strings.Contains(out, `"hostname": "cpu-1"`) {
		if time.Since(changed) > time.Second {
			t.Fatal("the new worker was not published within 1 s")
		}
		out = dump(t, addr)
	}
	t.Logf("published %v after the change", time.Since(changed))
	var dumps map[string]xds.Dump
	if err := json.Unmarshal([]byte(out), &dumps); err != nil {
		t.Fatal(err)
	}
	if routes := string(dumps["grpc"].Routes[0]); !strings.Contains(routes, `"cluster": "pool/cpu"`) {
		t.Errorf("echo's route does not go to the only pool with a worker: %s", routes)
	}
	var stdout, stderr bytes.Buffer
	if code := runXDS([]string{"dump", "--admin", addr, "--node", "nobody"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "unknown node") {
		t.Errorf("dump of an unknown node: exit %d, stderr %q", code, stderr.String())
	}
}

// dump runs `sluice xds dump --admin addr` and returns its output, empty
// while nothing is published yet.
func dump(t *testing.T, addr string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	switch code := runXDS([]string{"dump", "--admin", addr}, &stdout, &stderr); {
	case code == 0:
		return stdout.String()
	case strings.Contains(stderr.String(), "no snapshot published yet"):
		return ""
	default:
		t.Fatalf("dump: exit %d: %s", code, stderr.String())
		return ""
	}
}

// startWorker runs an emulated worker on loopback until the test ends and
// returns it as the router's endpoint "cpu-1".
func startWorker(t *testing.T) router.Endpoint {
	t.Helper()
	w, err := worker.New(worker.Options{Name: "cpu-1"})
	if err != nil {
		t.Fatal(err)
	}
	httpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	grpcLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Serve(ctx, httpLn, grpcLn) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	})
	return router.Endpoint{ID: "cpu-1", GRPC: grpcLn.Addr().String(), HTTP: httpLn.Addr().String()}
}
