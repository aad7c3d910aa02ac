package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
	"github.com/sluice-gateway/sluice/router"
)

// fleet is a gateway with one pool of real workers on loopback.
type fleet struct {
	url     string
	grpc    inferencepb.GRPCInferenceServiceClient
	workers []*worker.Server
	router  *router.Router
	gw      *gateway.Gateway
}

// fleetConfig shapes a test fleet.
type fleetConfig struct {
	curve    costmodel.Curve
	maxBatch int
	workers  int
	// timeout is every model's Timeout; 0 means none.
	timeout time.Duration
	limits  map[batcher.Priority]batcher.ClassLimits
	// unbatched lists models served one request at a time.
	unbatched []string
	// idle lists models of a tier whose only pool never has a worker, so
	// that they have no capacity.
	idle []string
	// fallbacks maps a model to the model the router serves when it has
	// no capacity.
	fallbacks map[string]string
	// unserved lists models routed to the pool that its workers (the
	// emulator, which serves sum and echo) do not serve.
	unserved []string
	// routerLog receives the router's logs; nil discards them.
	routerLog *slog.Logger
	// gateway is the gateway's options; startFleet sets its Router.
	gateway gateway.Options
}

func defaultFleet() fleetConfig {
	return fleetConfig{curve: costmodel.Curve{Base: 2 * time.Millisecond, PerItem: 100 * time.Microsecond}, maxBatch: 32, workers: 1, timeout: 10 * time.Second}
}

// startFleet runs cfg.workers workers, a router over them and the gateway's
// HTTP and gRPC front ends, all stopped when the test ends.
func startFleet(t *testing.T, cfg fleetConfig) *fleet {
	t.Helper()
	rt, err := router.New(routerConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	f := &fleet{router: rt}
	var eps []router.Endpoint
	for i := range cfg.workers {
		w, ep := startWorker(t, cfg, i)
		f.workers = append(f.workers, w)
		eps = append(eps, ep)
	}
	if err := rt.SetEndpoints("pool", eps); err != nil {
		t.Fatal(err)
	}
	opts := cfg.gateway
	opts.Router = rt
	f.gw = gateway.New(opts)
	srv := httptest.NewServer(f.gw.HTTPHandler())
	t.Cleanup(srv.Close)
	f.url = srv.URL
	f.grpc = startGRPC(t, f.gw)
	return f
}

func routerConfig(cfg fleetConfig) router.Config {
	form := batcher.FormConfig{MaxBatch: cfg.maxBatch, Batching: true, Curve: cfg.curve}
	models := map[string]batcher.FormConfig{}
	var rms []router.Model
	for _, name := range []string{"sum", "echo"} {
		m := router.Model{Name: name, Tier: "tier", Timeout: cfg.timeout, SLO: time.Second, Batching: true}
		models[name] = form
		for _, u := range cfg.unbatched {
			if u == name {
				m.Batching = false
				models[name] = batcher.FormConfig{MaxBatch: 1, Curve: cfg.curve}
			}
		}
		rms = append(rms, m)
	}
	for _, name := range cfg.unserved {
		rms = append(rms, router.Model{Name: name, Tier: "tier", Timeout: cfg.timeout, SLO: time.Second, Batching: true})
	}
	for _, name := range cfg.idle {
		rms = append(rms, router.Model{Name: name, Tier: "idle", Timeout: cfg.timeout, SLO: time.Second, Batching: true})
	}
	for i := range rms {
		rms[i].Fallback = cfg.fallbacks[rms[i].Name]
	}
	return router.Config{
		Models: rms,
		Tiers:  map[string][]string{"tier": {"pool"}, "idle": {"idle"}},
		Pools: []router.PoolConfig{
			{Name: "pool", Queue: batcher.PoolConfig{Name: "pool", Form: form, Models: models, Limits: cfg.limits}},
			{Name: "idle", Queue: batcher.PoolConfig{Name: "idle", Form: form}},
		},
		Logger: cfg.routerLog,
	}
}

func startWorker(t *testing.T, cfg fleetConfig, i int) (*worker.Server, router.Endpoint) {
	t.Helper()
	w, err := worker.New(worker.Options{Name: "w", Base: cfg.curve.Base, PerItem: cfg.curve.PerItem, MaxBatch: cfg.maxBatch})
	if err != nil {
		t.Fatal(err)
	}
	httpLn, grpcLn := listen(t), listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Serve(ctx, httpLn, grpcLn) }()
	t.Cleanup(func() { cancel(); <-done })
	id := "w" + string(rune('0'+i))
	return w, router.Endpoint{ID: id, GRPC: grpcLn.Addr().String(), HTTP: httpLn.Addr().String()}
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func startGRPC(t *testing.T, gw *gateway.Gateway) inferencepb.GRPCInferenceServiceClient {
	t.Helper()
	ln := listen(t)
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

// reply is an HTTP answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// post sends body to the model's infer endpoint with extra headers. A
// transport failure is a reply with status -1 and the error as body, so
// post may run on any goroutine.
func (f *fleet) post(ctx context.Context, model string, body []byte, headers ...string) reply {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url+"/v2/models/"+model+"/infer", bytes.NewReader(body))
	if err != nil {
		return reply{status: -1, body: []byte(err.Error())}
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{status: -1, body: []byte(err.Error())}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// sumBody is a sum request whose rows are rows.
func sumBody(t *testing.T, id string, rows [][]float32) []byte {
	t.Helper()
	n := len(rows[0])
	flat := make([]float32, 0, len(rows)*n)
	for _, r := range rows {
		flat = append(flat, r...)
	}
	req := &oip.InferenceRequest{ID: id, Inputs: []oip.Tensor{oip.NewFP32("x", []int64{int64(len(rows)), int64(n)}, flat)}}
	b, err := json.Marshal(req)
	if err != nil {
		t.Error(err)
	}
	return b
}

// sums decodes a sum response. It reports problems with t.Errorf, never
// t.Fatal, so callers may run on any goroutine; on failure out is nil.
func sums(t *testing.T, r reply) (id string, out []float32) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Errorf("status %d: %s", r.status, r.body)
		return "", nil
	}
	resp, err := oip.DecodeResponse(r.body)
	if err == nil {
		out, err = resp.Outputs[0].Float32s()
	}
	if err != nil {
		t.Errorf("decoding %s: %v", r.body, err)
		return "", nil
	}
	return resp.ID, out
}
