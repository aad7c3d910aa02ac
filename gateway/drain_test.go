package gateway_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
	"github.com/sluice-gateway/sluice/router"
)

// gateClock is a worker clock whose Sleep, the device's work, blocks
// until the test opens the gate: the batches it runs stay in flight for
// as long as the test wants, without real-time sleeps.
type gateClock struct {
	entered chan struct{} // a token per Sleep begun
	open    chan struct{} // closed to let every Sleep return
	once    sync.Once
}

var _ worker.Clock = (*gateClock)(nil)

func newGateClock() *gateClock {
	return &gateClock{entered: make(chan struct{}, 64), open: make(chan struct{})}
}

func (c *gateClock) Now() time.Time { return time.Now() }

func (c *gateClock) Sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	c.entered <- struct{}{}
	<-c.open
}

// release lets every batch, present and future, finish.
func (c *gateClock) release() { c.once.Do(func() { close(c.open) }) }

// startGatedFleet is a fleet of one worker, taking one batch at a time,
// whose batches finish only once its clock's gate opens.
func startGatedFleet(t *testing.T) (*fleet, *gateClock) {
	t.Helper()
	cfg := defaultFleet()
	rt, err := router.New(routerConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	clock := newGateClock()
	w, err := worker.New(worker.Options{Name: "w", Base: cfg.curve.Base, MaxBatch: cfg.maxBatch, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	httpLn, grpcLn := listen(t), listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Serve(ctx, httpLn, grpcLn) }()
	t.Cleanup(func() { clock.release(); cancel(); <-done })
	if err := rt.SetEndpoints("pool", []router.Endpoint{{ID: "w", HTTP: httpLn.Addr().String(), GRPC: grpcLn.Addr().String()}}); err != nil {
		t.Fatal(err)
	}
	f := &fleet{router: rt, gw: gateway.New(gateway.Options{Router: rt})}
	srv := httptest.NewServer(f.gw.HTTPHandler())
	t.Cleanup(srv.Close)
	f.url, f.grpc = srv.URL, startGRPC(t, f.gw)
	return f, clock
}

// TestDrainRefusesNewCalls checks what a draining gateway answers on
// every endpoint: not ready, still live, and 503 / UNAVAILABLE with the
// reason for new infer calls.
func TestDrainRefusesNewCalls(t *testing.T) {
	f := startFleet(t, defaultFleet())
	if r := get(t, f.url+"/v2/health/ready"); r != http.StatusOK {
		t.Fatalf("before Drain: ready = %d, want 200", r)
	}
	f.gw.Drain()
	if !f.gw.Draining() {
		t.Fatal("Draining() = false after Drain")
	}
	for _, tt := range []struct {
		name, path string
		want       int
	}{
		{"server ready", "/v2/health/ready", http.StatusServiceUnavailable},
		{"model ready", "/v2/models/sum/ready", http.StatusServiceUnavailable},
		{"live", "/v2/health/live", http.StatusOK},
	} {
		if got := get(t, f.url+tt.path); got != tt.want {
			t.Errorf("%s: GET %s = %d, want %d", tt.name, tt.path, got, tt.want)
		}
	}
	r := f.post(context.Background(), "sum", []byte(sumJSON))
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") != "1" {
		t.Errorf("infer over HTTP: status %d, Retry-After %q, want 503 and 1", r.status, r.header.Get("Retry-After"))
	}
	checkErrorBody(t, r.body, "gateway: shutting down: not taking new calls")
	resp, err := http.Post(f.url+"/v2/models/sum/infer", "application/json", strings.NewReader(sumJSON))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !resp.Close {
		t.Error("infer over HTTP: the answer does not close the connection (Connection: close)")
	}
	_, _, err = f.inferGRPC(context.Background(), "sum")
	if st := status.Convert(err); st.Code() != codes.Unavailable || !strings.Contains(st.Message(), "shutting down") {
		t.Errorf("infer over gRPC: %v %q, want Unavailable, shutting down", st.Code(), st.Message())
	}
	ready, err := f.grpc.ServerReady(context.Background(), &inferencepb.ServerReadyRequest{})
	if err != nil || ready.GetReady() {
		t.Errorf("gRPC ServerReady = %v, %v; want false", ready.GetReady(), err)
	}
	live, err := f.grpc.ServerLive(context.Background(), &inferencepb.ServerLiveRequest{})
	if err != nil || !live.GetLive() {
		t.Errorf("gRPC ServerLive = %v, %v; want true", live.GetLive(), err)
	}
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// startCalls sends n sum calls over HTTP and returns their replies'
// channel; it returns once the gateway counts them all in flight and the
// worker runs the first batch.
func startCalls(t *testing.T, f *fleet, clock *gateClock, n int) <-chan reply {
	t.Helper()
	out := make(chan reply, n)
	for range n {
		go func() { out <- f.post(context.Background(), "sum", []byte(sumJSON)) }()
	}
	<-clock.entered
	for deadline := time.Now().Add(10 * time.Second); f.gw.InFlight() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls in flight after 10s, want %d", f.gw.InFlight(), n)
		}
	}
	return out
}

// TestShutdownWaitsForCallsInProgress holds three calls — one on the
// worker, the others queued behind it — while Shutdown runs: calls
// arriving then are refused, and the three are answered once the worker
// finishes, after which Shutdown returns.
func TestShutdownWaitsForCallsInProgress(t *testing.T) {
	f, clock := startGatedFleet(t)
	replies := startCalls(t, f, clock, 3)
	done := make(chan error, 1)
	go func() {
		n, err := f.gw.Shutdown(context.Background())
		if n != 0 {
			err = errors.Join(err, errors.New("calls were given up"))
		}
		done <- err
	}()
	for !f.gw.Draining() {
		time.Sleep(time.Millisecond)
	}
	if r := f.post(context.Background(), "sum", []byte(sumJSON)); r.status != http.StatusServiceUnavailable {
		t.Errorf("a call after Shutdown began: status %d, want 503: %s", r.status, r.body)
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned (%v) with 3 calls in flight", err)
	default:
	}
	clock.release()
	for range 3 {
		if r := <-replies; r.status != http.StatusOK {
			t.Errorf("a call in flight at Shutdown: status %d, want 200: %s", r.status, r.body)
		}
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if n := f.gw.InFlight(); n != 0 {
		t.Errorf("InFlight = %d after Shutdown, want 0", n)
	}
}

// TestShutdownGivesUp ends the drain while one call runs on the worker
// and one waits in the queue: both are answered 503 with the reason, over
// HTTP and gRPC, and Shutdown counts them.
func TestShutdownGivesUp(t *testing.T) {
	f, clock := startGatedFleet(t)
	replies := startCalls(t, f, clock, 1)
	grpcErr := make(chan error, 1)
	go func() { _, _, err := f.inferGRPC(context.Background(), "sum"); grpcErr <- err }()
	for deadline := time.Now().Add(10 * time.Second); f.gw.InFlight() < 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls in flight after 10s, want 2", f.gw.InFlight())
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the drain timeout has passed
	n, err := f.gw.Shutdown(ctx)
	if n != 2 || !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %d, %v; want 2, context.Canceled", n, err)
	}
	r := <-replies
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("HTTP call given up: status %d, want 503: %s", r.status, r.body)
	}
	checkErrorBody(t, r.body, "did not finish within the drain timeout")
	if st := status.Convert(<-grpcErr); st.Code() != codes.Unavailable || !strings.Contains(st.Message(), "drain timeout") {
		t.Errorf("gRPC call given up: %v %q, want Unavailable, drain timeout", st.Code(), st.Message())
	}
}
