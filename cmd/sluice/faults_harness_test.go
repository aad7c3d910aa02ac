package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
	"github.com/sluice-gateway/sluice/router"
)

// faultFleet is serve's data plane in this process: the router and the
// gateway's HTTP and gRPC front ends, wired from a configuration as serve
// wires them, over emulated workers on loopback, some of them faulty.
type faultFleet struct {
	url    string
	grpc   inferencepb.GRPCInferenceServiceClient
	router *router.Router
	// workers holds each pool's workers, in the order of their IDs
	// (pool-0, pool-1, ...).
	workers map[string][]*worker.Server
}

// startFaultFleet parses yaml, starts replicas.initial workers per pool
// emulating the pool's curve, each with the fault options faults names
// by its ID ("cpu-1"), and serves the gateway until the test ends.
func startFaultFleet(t *testing.T, yaml string, faults map[string]worker.Options) *faultFleet {
	t.Helper()
	cfg, err := configs.Parse("faults.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	rt, err := router.New(routerConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	f := &faultFleet{router: rt, workers: map[string][]*worker.Server{}}
	for _, p := range cfg.Pools {
		var eps []router.Endpoint
		for i := range p.Replicas.Initial {
			id := fmt.Sprintf("%s-%d", p.Name, i)
			opts := faults[id]
			opts.Name, opts.Base, opts.PerItem, opts.MaxBatch = id, p.Curve.Base, p.Curve.PerItem, p.MaxBatch
			w, ep := startFaultWorker(t, id, opts)
			f.workers[p.Name] = append(f.workers[p.Name], w)
			eps = append(eps, ep)
		}
		if err := rt.SetEndpoints(p.Name, eps); err != nil {
			t.Fatal(err)
		}
	}
	gw := gateway.New(gateway.Options{Router: rt})
	srv := httptest.NewServer(gw.HTTPHandler())
	t.Cleanup(srv.Close)
	f.url = srv.URL
	f.grpc = serveFaultGRPC(t, gw)
	return f
}

// startFaultWorker serves one emulated worker on loopback until the test
// ends.
func startFaultWorker(t *testing.T, id string, opts worker.Options) (*worker.Server, router.Endpoint) {
	t.Helper()
	w, err := worker.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	lns, err := listenLoopback(2)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Serve(ctx, lns[0], lns[1]) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker %s: %v", id, err)
		}
	})
	return w, router.Endpoint{ID: id, HTTP: lns[0].Addr().String(), GRPC: lns[1].Addr().String()}
}

// serveFaultGRPC serves the gateway's gRPC API on loopback and returns a
// client of it.
func serveFaultGRPC(t *testing.T, gw *gateway.Gateway) inferencepb.GRPCInferenceServiceClient {
	t.Helper()
	lns, err := listenLoopback(1)
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	gw.RegisterGRPC(s)
	go func() { _ = s.Serve(lns[0]) }()
	t.Cleanup(s.Stop)
	conn, err := grpc.NewClient(lns[0].Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return inferencepb.NewGRPCInferenceServiceClient(conn)
}

// answer is one HTTP answer of the gateway; status -1 means none came,
// with the transport's error as body.
type answer struct {
	status int
	body   []byte
}

// post sends body to model's infer endpoint; safe on any goroutine.
func (f *faultFleet) post(ctx context.Context, model string, body []byte) answer {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url+"/v2/models/"+model+"/infer", bytes.NewReader(body))
	if err != nil {
		return answer{status: -1, body: []byte(err.Error())}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{status: -1, body: []byte(err.Error())}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{status: -1, body: []byte(err.Error())}
	}
	return answer{status: resp.StatusCode, body: b}
}

// jsonError returns the message of an {"error": "..."} body, or why the
// body is not one.
func jsonError(body []byte) (string, error) {
	var e struct {
		Error *string `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return "", fmt.Errorf("body %q is not JSON: %w", body, err)
	}
	if e.Error == nil || *e.Error == "" {
		return "", fmt.Errorf("body %q has no error message", body)
	}
	return *e.Error, nil
}

// faultSum is a JSON sum request with id and rows rows of 4 elements,
// row i holding i+1 four times: the sum of row i is 4(i+1).
func faultSum(id string, rows int) []byte {
	data := make([]float32, 0, rows*4)
	for i := range rows {
		for range 4 {
			data = append(data, float32(i+1))
		}
	}
	b, _ := json.Marshal(map[string]any{
		"id":     id,
		"inputs": []map[string]any{{"name": "x", "datatype": "FP32", "shape": []int{rows, 4}, "data": data}},
	})
	return b
}
