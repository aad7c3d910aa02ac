package router_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
	"github.com/sluice-gateway/sluice/router"
)

const ms = time.Millisecond

// testWorker is an emulated worker serving on loopback in this process.
// kill stops it the way kill -9 stops a process, as far as its clients
// can tell: its listeners close and every connection drops at once, calls
// in flight included.
type testWorker struct {
	id   string
	opts worker.Options
	ep   router.Endpoint

	mu  sync.Mutex
	srv *worker.Server
	gs  *grpc.Server
	hs  *http.Server
	lns []net.Listener
}

// emulate returns the options of a worker emulating curve and maxBatch.
func emulate(curve costmodel.Curve, maxBatch int) worker.Options {
	return worker.Options{Base: curve.Base, PerItem: curve.PerItem, MaxBatch: maxBatch}
}

// startWorker serves a worker on free ports until the test ends.
func startWorker(t *testing.T, id string, opts worker.Options) *testWorker {
	t.Helper()
	opts.Name = id
	w := &testWorker{id: id, opts: opts}
	httpLn, grpcLn := listen(t, "127.0.0.1:0"), listen(t, "127.0.0.1:0")
	w.ep = router.Endpoint{ID: id, HTTP: httpLn.Addr().String(), GRPC: grpcLn.Addr().String()}
	w.serve(t, httpLn, grpcLn)
	t.Cleanup(w.kill)
	return w
}

func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func (w *testWorker) serve(t *testing.T, httpLn, grpcLn net.Listener) {
	t.Helper()
	srv, err := worker.New(w.opts)
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer()
	inferencepb.RegisterGRPCInferenceServiceServer(gs, srv.GRPCService())
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: time.Second}
	go func() { _ = gs.Serve(grpcLn) }()
	go func() { _ = hs.Serve(httpLn) }()
	w.mu.Lock()
	w.srv, w.gs, w.hs, w.lns = srv, gs, hs, []net.Listener{httpLn, grpcLn}
	w.mu.Unlock()
}

// kill drops the worker at once. It closes the listeners itself, in case
// the servers have not started serving them yet.
func (w *testWorker) kill() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.gs.Stop()
	w.hs.Close()
	for _, ln := range w.lns {
		ln.Close()
	}
}

// restart serves a fresh worker, with the same options, on the same
// addresses.
func (w *testWorker) restart(t *testing.T) {
	t.Helper()
	w.serve(t, listen(t, w.ep.HTTP), listen(t, w.ep.GRPC))
}

// batches returns how many batches the worker's current incarnation ran.
func (w *testWorker) batches() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.srv.Stats().Batches
}

// pool describes a test pool: its price, curve and workers.
type pool struct {
	name     string
	price    float64
	curve    costmodel.Curve
	maxBatch int
	// maxBytes bounds its batches in bytes; 0 bounds nothing.
	maxBytes int64
	workers  int
	// activate marks a pool whose workers start on demand.
	activate bool
	// protocol is how the router reaches the pool's workers; "" is gRPC.
	protocol router.Protocol
}

// protocols are the worker protocols the failure tests run over.
var protocols = []router.Protocol{router.ProtocolGRPC, router.ProtocolHTTP}

// fleet is a router over pools of real workers.
type fleet struct {
	router  *router.Router
	workers map[string][]*testWorker
}

// startFleet starts every pool's workers and a router of cfg over them;
// cfg.Pools is filled from pools.
func startFleet(t *testing.T, cfg router.Config, pools ...pool) *fleet {
	t.Helper()
	for _, p := range pools {
		cfg.Pools = append(cfg.Pools, poolConfig(p))
	}
	rt, err := router.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	f := &fleet{router: rt, workers: map[string][]*testWorker{}}
	for _, p := range pools {
		var eps []router.Endpoint
		for i := range p.workers {
			w := startWorker(t, fmt.Sprintf("%s-%d", p.name, i), emulate(p.curve, p.maxBatch))
			w.ep.Protocol = p.protocol
			f.workers[p.name] = append(f.workers[p.name], w)
			eps = append(eps, w.ep)
		}
		if err := rt.SetEndpoints(p.name, eps); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func poolConfig(p pool) router.PoolConfig {
	return router.PoolConfig{
		Name:     p.name,
		Queue:    batcher.PoolConfig{Form: batcher.FormConfig{MaxBatch: p.maxBatch, MaxBytes: p.maxBytes, Batching: true, Curve: p.curve}},
		Cost:     costmodel.Pool{PricePerHour: p.price, Curve: p.curve, MaxBatch: p.maxBatch},
		Activate: p.activate,
	}
}

// sumModel is the emulated workers' sum model under another tier and SLO.
func sumModel(tier string, slo time.Duration) router.Model {
	return router.Model{Name: "sum", Tier: tier, SLO: slo, Timeout: 5 * time.Second, Batching: true}
}

// sumRequest is a request of rows rows of width values each, row r
// holding the values r*width+id ... so each caller's sums are its own.
func sumRequest(id string, rows, width int) *oip.InferenceRequest {
	vals := make([]float32, rows*width)
	for i := range vals {
		vals[i] = float32(i)
	}
	return &oip.InferenceRequest{ID: id, Inputs: []oip.Tensor{oip.NewFP32("x", []int64{int64(rows), int64(width)}, vals)}}
}

// checkSums reports a result whose sums are not those of sumRequest.
func checkSums(t *testing.T, res *router.Result, rows, width int) {
	t.Helper()
	got, err := res.Response.Outputs[0].Float32s()
	if err != nil || len(got) != rows {
		t.Errorf("sums = %v (%v), want %d rows", got, err, rows)
		return
	}
	for r, s := range got {
		want := float32(0)
		for c := range width {
			want += float32(r*width + c)
		}
		if s != want {
			t.Errorf("row %d sums to %v, want %v", r, s, want)
		}
	}
}

// serve sends one request of rows rows and returns the result.
func (f *fleet) serve(ctx context.Context, model string, rows int, header func(string) string) (*router.Result, error) {
	return f.router.Serve(ctx, &router.Request{Model: model, Req: sumRequest("", rows, 2), Header: header})
}

// waitReady polls pool's ready workers until there are want, for at most
// 10 s.
func (f *fleet) waitReady(t *testing.T, pool string, want int) {
	t.Helper()
	p := f.router.Pool(pool)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * ms) {
		if p.Ready() == want {
			return
		}
	}
	t.Fatalf("pool %s has %d ready workers, want %d", pool, p.Ready(), want)
}
