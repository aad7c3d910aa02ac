package app

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/router"
)

// TestH2C serves the gateway on the edge's HTTP server and calls it over
// HTTP/2 in clear text with prior knowledge, as meshes do on internal
// hops: it answers over HTTP/2, with the same limits as HTTP/1.1 — a body
// over the limit gets 413, one that stops arriving 408.
func TestH2C(t *testing.T) {
	rt, err := router.New(router.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	e := limitsEdge(t, configs.Limits{MaxBodyBytes: 1024, BodyTimeout: 200 * time.Millisecond})
	gw := gateway.New(gateway.Options{Router: rt, MaxBodyBytes: 1024, BodyTimeout: 200 * time.Millisecond})
	hs := e.httpServer(gw.HTTPHandler(), nil, newConnStates())
	ln := loopbackListener(t)
	go func() { _ = serveHTTP(hs, ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	base := "http://" + ln.Addr().String()

	resp, err := client.Get(base + "/v2/health/live")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusOK {
		t.Errorf("live: %s %d, want HTTP/2.0 200", resp.Proto, resp.StatusCode)
	}
	resp, err = client.Post(base+"/v2/models/sum/infer", "application/json", strings.NewReader(strings.Repeat(" ", 2048)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("body over the limit: %d, want 413", resp.StatusCode)
	}
	// The connection outlives the refused call: over HTTP/2 only its
	// stream ends, and the next call goes on the same connection.
	slow, w := io.Pipe()
	defer w.Close()
	go func() { _, _ = w.Write([]byte(`{"inputs":`)) }()
	reused := false
	trace := &httptrace.ClientTrace{GotConn: func(c httptrace.GotConnInfo) { reused = c.Reused }}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodPost,
		base+"/v2/models/sum/infer", slow)
	req.Header.Set("Content-Type", "application/json")
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("body that stops arriving: %d, want 408", resp.StatusCode)
	}
	if !reused {
		t.Errorf("the call after a refused body opened a new connection: the refusal closed the one it shared")
	}
}

// TestMaxConnections serves on a listener limited to two connections,
// with nothing to reclaim them: a third client waits, unanswered, until
// one of the two closes.
func TestMaxConnections(t *testing.T) {
	hs := &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), ReadHeaderTimeout: time.Second}
	ln := limitConns(loopbackListener(t), 2, nil)
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	var conns []net.Conn
	for i := range 3 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
		if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: sluice\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		if answered := closedBy(t, bufio.NewReader(c), c); answered != (i < 2) {
			t.Fatalf("connection %d answered within %v: %v, want %v", i, stillOpen, answered, i < 2)
		}
	}
	conns[0].Close()
	if !closedBy(t, bufio.NewReader(conns[2]), conns[2]) {
		t.Errorf("the third connection is not answered once the first closed")
	}
}

// TestMaxConnectionsReclaimsIdle serves on a listener limited to two
// connections that reclaims idle ones, as serve's HTTP listener does:
// with one connection serving a call and one idle after its call, a third
// client is answered, and the idle one is closed to make room; with both
// serving, the third waits.
func TestMaxConnectionsReclaimsIdle(t *testing.T) {
	release := make(chan struct{})
	hs := &http.Server{Handler: http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
		}
	}), ReadHeaderTimeout: time.Second}
	states := newConnStates()
	hs.ConnState = states.hook
	ln := limitConns(loopbackListener(t), 2, states)
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { close(release); _ = hs.Close() })
	call := func(path string) (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if _, err := c.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: sluice\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		return c, bufio.NewReader(c)
	}
	slow, slowR := call("/slow")
	idle, idleR := call("/")
	if resp, err := http.ReadResponse(idleR, nil); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("second call: %v, %v", resp, err)
	}
	third, thirdR := call("/")
	if !closedBy(t, thirdR, third) {
		t.Errorf("a third client beside a serving and an idle connection is not answered")
	}
	if !closedBy(t, idleR, idle) {
		t.Errorf("the idle connection was not closed to make room")
	}
	if closedBy(t, slowR, slow) {
		t.Errorf("the connection serving a call was closed or answered")
	}
	call("/slow") // takes the slot of the third, idle again
	last, lastR := call("/")
	if closedBy(t, lastR, last) {
		t.Errorf("a client beyond two connections serving calls was answered or closed")
	}
}

// panickyHealth is a health service whose Check panics.
type panickyHealth struct {
	healthpb.UnimplementedHealthServer
}

func (panickyHealth) Check(context.Context, *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	panic("a bug on the request path")
}

// TestGRPCRecovers serves a handler that panics on the edge's gRPC
// server: each call gets INTERNAL, and the server keeps serving.
func TestGRPCRecovers(t *testing.T) {
	gs := limitsEdge(t, configs.Limits{}).grpcServer()
	healthpb.RegisterHealthServer(gs, panickyHealth{})
	ln := loopbackListener(t)
	go func() { _ = gs.Serve(ln) }()
	t.Cleanup(gs.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)
	for i := range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
		cancel()
		if status.Code(err) != codes.Internal {
			t.Errorf("call %d: %v, want INTERNAL", i, err)
		}
	}
}
