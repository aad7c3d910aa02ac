package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/xds"
)

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
// router learns of is published within a second, shows in GET /admin/xds,
// and takes the pass-through model's traffic.
func TestControlPlaneFollowsRouter(t *testing.T) {
	cfg, err := configs.Parse("xds.yaml", []byte(xdsTestConfig))
	if err != nil {
		t.Fatal(err)
	}
	rt, err := router.New(RouterConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cp, err := startControlPlane(currentOf(cfg).load, rt, gatewayAddrs{http: "127.0.0.1:8080"}, log)
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
	if fetched, err := FetchXDSDump(context.Background(), addr, ""); err != nil || !strings.Contains(string(fetched), `"hostname": "cpu-1"`) {
		t.Errorf("FetchXDSDump = %.80q, %v; want the snapshots with the new worker", fetched, err)
	}
	if _, err := FetchXDSDump(context.Background(), addr, "nobody"); err == nil || !strings.Contains(err.Error(), "unknown node") {
		t.Errorf("FetchXDSDump of an unknown node: error %v, want the server's message naming an unknown node", err)
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
