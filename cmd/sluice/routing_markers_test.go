package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
	"github.com/sluice-gateway/sluice/router"
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

// TestRoutingMarkers serves a configuration wired as serve wires it, takes
// the main tier down, and checks what the client sees: the cache's answer
// marked x-sluice-cache over HTTP and gRPC, a 503 naming the reason when
// the cache has none, and the fallback model's answer marked with the
// model asked for.
func TestRoutingMarkers(t *testing.T) {
	rt := markersRouter(t, markersConfig)
	gw := gateway.New(gateway.Options{Router: rt, Logger: quiet})
	srv := httptest.NewServer(gw.HTTPHandler())
	t.Cleanup(srv.Close)
	grpcClient := markersGRPC(t, gw)

	body := `{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}`
	if r := postInfer(t, srv.URL, "sum", body); r.status != http.StatusOK || r.header.Get(gateway.HeaderCache) != "" {
		t.Fatalf("with the tier up: status %d, cache %q: %s", r.status, r.header.Get(gateway.HeaderCache), r.body)
	}
	if err := rt.SetEndpoints("a", nil); err != nil {
		t.Fatal(err)
	}
	r := postInfer(t, srv.URL, "sum", body)
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
	if r := postInfer(t, srv.URL, "sum", miss); r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, `pool \"a\": no ready worker`) {
		t.Errorf("not cached: status %d: %s; want 503 naming the reason", r.status, r.body)
	}

	rt2 := markersRouter(t, strings.Replace(markersConfig, "cache: {mode: fallback, ttl: 1m}", "fallback: echo", 1))
	srv2 := httptest.NewServer(gateway.New(gateway.Options{Router: rt2, Logger: quiet}).HTTPHandler())
	t.Cleanup(srv2.Close)
	if err := rt2.SetEndpoints("a", nil); err != nil {
		t.Fatal(err)
	}
	r = postInfer(t, srv2.URL, "sum", body)
	if r.status != http.StatusOK || r.header.Get(gateway.HeaderFallbackFrom) != "sum" || !strings.Contains(r.body, `"model_name":"echo"`) {
		t.Errorf("fallback: status %d, %s %q: %s", r.status, gateway.HeaderFallbackFrom, r.header.Get(gateway.HeaderFallbackFrom), r.body)
	}
}

// quiet discards the gateway's logs of the failures the test provokes.
var quiet = slog.New(slog.DiscardHandler)

// markersRouter builds the router of a configuration as serve does, with
// one in-process worker per pool.
func markersRouter(t *testing.T, yaml string) *router.Router {
	t.Helper()
	cfg, err := configs.Parse("markers.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	rt, err := router.New(routerConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	for _, p := range cfg.Pools {
		ep := markersWorker(t, p)
		if err := rt.SetEndpoints(p.Name, []router.Endpoint{ep}); err != nil {
			t.Fatal(err)
		}
	}
	return rt
}

func markersWorker(t *testing.T, p configs.Pool) router.Endpoint {
	t.Helper()
	w, err := worker.New(worker.Options{Name: p.Name, Base: p.Curve.Base, PerItem: p.Curve.PerItem, MaxBatch: p.MaxBatch})
	if err != nil {
		t.Fatal(err)
	}
	httpLn, grpcLn := markersListen(t), markersListen(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Serve(ctx, httpLn, grpcLn) }()
	t.Cleanup(func() { cancel(); <-done })
	return router.Endpoint{ID: p.Name + "-0", HTTP: httpLn.Addr().String(), GRPC: grpcLn.Addr().String()}
}

func markersListen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func markersGRPC(t *testing.T, gw *gateway.Gateway) inferencepb.GRPCInferenceServiceClient {
	t.Helper()
	ln := markersListen(t)
	s := grpc.NewServer()
	gw.RegisterGRPC(s)
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(s.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return inferencepb.NewGRPCInferenceServiceClient(conn)
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
