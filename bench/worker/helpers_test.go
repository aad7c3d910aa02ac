package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// fakeClock is a Clock whose time moves only when slept on or advanced.
// With gated set, every Sleep first reports its duration on slept and then
// waits for a value on gate, so a test decides when a batch ends.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept chan time.Duration
	gate  chan struct{}
}

var _ Clock = (*fakeClock)(nil)

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func newGatedClock() *fakeClock {
	c := newFakeClock()
	c.slept, c.gate = make(chan time.Duration), make(chan struct{})
	return c
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(d time.Duration) {
	if c.slept != nil {
		c.slept <- d
		<-c.gate
	}
	c.Advance(d)
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// nextSleep returns the duration of the next Sleep on a gated clock.
func (c *fakeClock) nextSleep(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-c.slept:
		return d
	case <-time.After(5 * time.Second):
		t.Fatal("no batch reached the device within 5s")
		return 0
	}
}

// waitFor polls cond until it holds, failing the test after 5s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// testServer is a Server serving on loopback ports.
type testServer struct {
	*Server
	httpURL  string
	httpAddr string
	grpcAddr string
	grpc     inferencepb.GRPCInferenceServiceClient
	stop     context.CancelFunc
	served   chan error
}

// startServer serves New(opts) on loopback until the test ends, and fails
// the test if Serve does not return nil.
func startServer(t *testing.T, opts Options) *testServer {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	httpLn, grpcLn := listen(t), listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{
		Server: s, httpAddr: httpLn.Addr().String(), grpcAddr: grpcLn.Addr().String(),
		stop: cancel, served: make(chan error, 1),
	}
	ts.httpURL = "http://" + ts.httpAddr
	go func() { ts.served <- s.Serve(ctx, httpLn, grpcLn) }()
	ts.grpc = dialGRPC(t, ts.grpcAddr)
	t.Cleanup(func() {
		cancel()
		if err := <-ts.served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ts
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return ln
}

func dialGRPC(t *testing.T, addr string) inferencepb.GRPCInferenceServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("grpc.NewClient(%s): %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return inferencepb.NewGRPCInferenceServiceClient(conn)
}

// do sends an HTTP request (a POST when body is not empty) and returns the
// status and the body decoded into a value of type T. It must run on the
// test's goroutine; others use fetch.
func do[T any](t *testing.T, method, url, body string) (int, T) {
	t.Helper()
	code, got, err := fetch[T](method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return code, got
}

// fetch is do for any goroutine.
func fetch[T any](method, url, body string) (int, T, error) {
	var got T
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, got, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, got, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err == nil {
		err = json.Unmarshal(raw, &got)
	}
	if err != nil {
		return resp.StatusCode, got, fmt.Errorf("%s %s: body %q: %w", method, url, raw, err)
	}
	return resp.StatusCode, got, nil
}

// jsonResponse is an inference response as the protocol's JSON spells it.
type jsonResponse struct {
	ModelName    string       `json:"model_name"`
	ModelVersion string       `json:"model_version"`
	ID           string       `json:"id"`
	Outputs      []jsonTensor `json:"outputs"`
	Error        string       `json:"error"`
}

type jsonTensor struct {
	Name     string  `json:"name"`
	Datatype string  `json:"datatype"`
	Shape    []int64 `json:"shape"`
	Data     []any   `json:"data"`
}
