package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// markersConfig has a tier "main" of one pool whose workers the test
// takes down, and a model of each kind: one that caches, one that falls
// back to a model on another tier, and one with neither.
const markersConfig = `
models:
  - {name: sum, tier: main, cache: {mode: fallback, ttl: 1m}}
  - {name: echo, tier: spare}
tiers:
  - {name: main, pools: [a]}
  - {name: spare, pools: [b]}
pools:
  - {name: a, curve: {base: 1ms}, max_batch: 8}
  - {name: b, curve: {base: 1ms}, max_batch: 8}
`

// TestRoutingMarkers starts a configuration through Start, takes
// the main tier down, and checks what the client sees: the cache's answer
// marked x-sluice-cache over HTTP and gRPC, a 503 naming the reason when
// the cache has none, and the fallback model's answer marked with the
// model asked for.
func TestRoutingMarkers(t *testing.T) {
	a := startMarkers(t, markersConfig)
	rt, url := a.router, "http://"+a.Addrs().HTTP
	grpcClient := dialFaultGRPC(t, a.Addrs().GRPC)

	body := `{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}`
	if r := postInfer(t, url, "sum", body); r.status != http.StatusOK || r.header.Get(gateway.HeaderCache) != "" {
		t.Fatalf("with the tier up: status %d, cache %q: %s", r.status, r.header.Get(gateway.HeaderCache), r.body)
	}
	if err := rt.SetEndpoints("a", nil); err != nil {
		t.Fatal(err)
	}
	r := postInfer(t, url, "sum", body)
	if r.status != http.StatusOK || r.header.Get(gateway.HeaderCache) != "hit" || !strings.Contains(r.body, `"data":[6]`) {
		t.Errorf("cached: status %d, %s %q: %s", r.status, gateway.HeaderCache, r.header.Get(gateway.HeaderCache), r.body)
	}
	var header metadata.MD
	req := &inferencepb.ModelInferRequest{ModelName: "sum", Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{{
		Name: "x", Datatype: "FP32", Shape: []int64{1, 3},
		Contents: &inferencepb.InferTensorContents{Fp32Contents: []float32{1, 2, 3}},
	}}}
	if _, err := grpcClient.ModelInfer(context.Background(), req, grpc.Header(&header)); err != nil {
		t.Errorf("cached over gRPC: %v", err)
	} else if got := header.Get(gateway.HeaderCache); len(got) != 1 || got[0] != "hit" {
		t.Errorf("cached over gRPC: metadata %s = %q, want hit", gateway.HeaderCache, got)
	}
	miss := `{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[4,5,6]}]}`
	if r := postInfer(t, url, "sum", miss); r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, `pool \"a\": no ready worker`) {
		t.Errorf("not cached: status %d: %s; want 503 naming the reason", r.status, r.body)
	}

	a2 := startMarkers(t, strings.Replace(markersConfig, "cache: {mode: fallback, ttl: 1m}", "fallback: echo", 1))
	if err := a2.router.SetEndpoints("a", nil); err != nil {
		t.Fatal(err)
	}
	r = postInfer(t, "http://"+a2.Addrs().HTTP, "sum", body)
	if r.status != http.StatusOK || r.header.Get(gateway.HeaderFallbackFrom) != "sum" || !strings.Contains(r.body, `"model_name":"echo"`) {
		t.Errorf("fallback: status %d, %s %q: %s", r.status, gateway.HeaderFallbackFrom, r.header.Get(gateway.HeaderFallbackFrom), r.body)
	}
}

// startMarkers starts yaml through Start with one in-process worker per
// pool, and waits until the router has them ready. The scaler runs dry,
// so that a pool the test takes down is not held waiting for a worker.
func startMarkers(t *testing.T, yaml string) *App {
	t.Helper()
	cfg, err := configs.Parse("markers.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen = configs.Listen{HTTP: "127.0.0.1:0", GRPC: "127.0.0.1:0"}
	cfg.Scaler.DryRun = true
	cfg.Shutdown.DrainDelay = testDrainDelay
	logs := apptest.NewLog()
	a, err := Start(context.Background(), cfg, Options{Logger: logs.Logger(slog.LevelInfo), Workers: worker.InProcess{}.Start})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("stopping: %v", err)
		}
	})
	for _, p := range cfg.Pools {
		logs.Next(t, 0, "pool workers changed", "pool", p.Name, "ready", 1)
	}
	return a
}

// markersReply is an HTTP answer.
type markersReply struct {
	status int
	header http.Header
	body   string
}

func postInfer(t *testing.T, base, model, body string) markersReply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v2/models/"+model+"/infer", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return markersReply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}
