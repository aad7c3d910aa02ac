package app

import (
	"bufio"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/configs"
)

// TestStopAnswersAcceptedConnections stops the servers while a client
// holds a connection the HTTP listener accepted but on which it has not
// yet sent its request: the request, sent once the stop began, is
// answered before the connection closes, and the stop returns no error.
func TestStopAnswersAcceptedConnections(t *testing.T) {
	e := limitsEdge(t, configs.Limits{})
	conns := newConnStates()
	hs := e.httpServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}), nil, conns)
	ln := loopbackListener(t)
	served := make(chan error, 1)
	go func() { served <- serveHTTP(hs, ln) }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitConns(t, conns, 1)

	s := servers{http: hs, admin: &http.Server{}, grpc: e.grpcServer(), httpConns: conns, adminConns: newConnStates(), httpLn: ln}
	stopped := make(chan error, 1)
	go func() { stopped <- s.stop(slog.New(slog.DiscardHandler)) }()
	time.Sleep(50 * time.Millisecond) // the stop has begun: the listener is closed
	if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: sluice\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to a request sent on an accepted connection once the stop began: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", resp.StatusCode)
	}
	if err := <-stopped; err != nil {
		t.Errorf("stop: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// waitConns waits until conns tracks n busy connections.
func waitConns(t *testing.T, conns *connStates, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); conns.busy() != n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d busy connections, want %d", conns.busy(), n)
		}
	}
}
