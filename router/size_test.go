package router_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/router"
)

// bytesWorker is an HTTP worker that echoes its inputs after 5 ms plus
// 1 ms for every 8 KiB of input data: its latency follows bytes, not
// rows.
func bytesWorker(t *testing.T) router.Endpoint {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/infer") {
			w.WriteHeader(http.StatusOK) // ready, and any metadata
			return
		}
		body, _ := io.ReadAll(r.Body)
		req, err := oip.DecodeRequest(body)
		if err != nil {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		n := 0
		for _, in := range req.Inputs {
			n += len(in.Raw)
			for _, e := range in.Elems {
				n += len(e)
			}
		}
		time.Sleep(5*ms + time.Duration(n/(8<<10))*ms)
		out, _ := (&oip.InferenceResponse{ModelName: "echo", Outputs: req.Inputs}).MarshalJSON()
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return router.Endpoint{ID: "w", HTTP: strings.TrimPrefix(srv.URL, "http://"), Protocol: router.ProtocolHTTP}
}

// echoOf is a request of one row holding n bytes.
func echoOf(n int) *oip.InferenceRequest {
	return &oip.InferenceRequest{Inputs: []oip.Tensor{oip.NewBytes("x", []int64{1}, [][]byte{[]byte(strings.Repeat("a", n))})}}
}

// TestLargeInputsDoNotRefuseSmallOnes sends large echo calls, each slower
// than the SLO, then small ones, to one pool. The large ones teach the
// pool what large inputs take, so they are refused once it has learned;
// the small ones are still served, since latency is learned by bytes as
// well as rows.
func TestLargeInputsDoNotRefuseSmallOnes(t *testing.T) {
	curve := costmodel.Curve{Base: 5 * ms, PerItem: ms}
	rt, err := router.New(router.Config{
		Models: []router.Model{{Name: "echo", Tier: "t", SLO: 250 * ms, Timeout: 5 * time.Second}},
		Tiers:  map[string][]string{"t": {"p"}},
		Pools: []router.PoolConfig{{Name: "p",
			Queue: batcher.PoolConfig{Form: batcher.FormConfig{MaxBatch: 1, Curve: curve}},
			Cost:  costmodel.Pool{Curve: curve, MaxBatch: 1},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	if err := rt.SetEndpoints("p", []router.Endpoint{bytesWorker(t)}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	refused := 0
	for range 20 {
		_, err := rt.Serve(ctx, &router.Request{Model: "echo", Req: echoOf(3 << 20)}) // 3 MiB: about 390 ms
		switch {
		case errors.Is(err, router.ErrNoCapacity):
			refused++
		case err != nil:
			t.Fatalf("large call: %v", err)
		}
	}
	if refused == 0 {
		t.Error("no large call was refused: the pool did not learn that they miss the SLO")
	}
	for i := range 20 {
		if _, err := rt.Serve(ctx, &router.Request{Model: "echo", Req: echoOf(16)}); err != nil {
			t.Fatalf("small call %d after the large ones: %v", i, err)
		}
	}
}
