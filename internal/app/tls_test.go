package app

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
)

// edgeListeners are an edge's HTTP and gRPC servers on loopback.
type edgeListeners struct {
	http, grpc string
}

// startEdge serves a 200 over HTTP and the gRPC health service, as e
// says, on loopback until the test ends.
func startEdge(t *testing.T, e edge) edgeListeners {
	t.Helper()
	hs := e.httpServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }), e.clientTLS, newConnStates())
	hl := loopbackListener(t)
	go func() { _ = serveHTTP(hs, hl) }()
	t.Cleanup(func() { _ = hs.Close() })
	gs := e.grpcServer()
	healthpb.RegisterHealthServer(gs, health.NewServer())
	gl := loopbackListener(t)
	go func() { _ = gs.Serve(gl) }()
	t.Cleanup(gs.Stop)
	return edgeListeners{http: hl.Addr().String(), grpc: gl.Addr().String()}
}

func loopbackListener(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// edgeOf builds the edge of a configuration holding c's tls section, on
// the given clock.
func edgeOf(t *testing.T, c *configs.TLS, now func() time.Time) edge {
	t.Helper()
	cfg := &configs.Config{TLS: c}
	cfg.ApplyDefaults()
	e, err := newEdge(cfg, configs.Secrets{}, now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// getHTTP reports whether GET over tc (plaintext when nil) answers 200.
func getHTTP(addr string, tc *tls.Config) error {
	scheme := "http"
	if tc != nil {
		scheme = "https"
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: tc, DisableKeepAlives: true}}
	resp, err := client.Get(scheme + "://" + addr + "/")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &statusError{resp.StatusCode}
	}
	return nil
}

type statusError struct{ code int }

func (e *statusError) Error() string { return http.StatusText(e.code) }

// checkGRPC calls the health service over tc (plaintext when nil).
func checkGRPC(addr string, tc *tls.Config) error {
	creds := insecure.NewCredentials()
	if tc != nil {
		creds = credentials.NewTLS(tc)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	return err
}

// TestServerTLS calls TLS listeners, with and without client
// certificates required, as different clients.
func TestServerTLS(t *testing.T) {
	dir := t.TempDir()
	ca, other := newTestCA(t, dir, "ca"), newTestCA(t, dir, "other-ca")
	serverCert, serverKey := ca.issue(t, dir, "server", 1)
	clientCert, clientKey := ca.issue(t, dir, "client", 2)
	strangerCert, strangerKey := other.issue(t, dir, "stranger", 3)
	tlsOnly := startEdge(t, edgeOf(t, &configs.TLS{CertFile: serverCert, KeyFile: serverKey}, time.Now))
	mutual := startEdge(t, edgeOf(t, &configs.TLS{CertFile: serverCert, KeyFile: serverKey, ClientCAFile: ca.file}, time.Now))
	tests := []struct {
		name   string
		server edgeListeners
		client *tls.Config
		ok     bool
	}{
		{"TLS request", tlsOnly, ca.clientConfig(t, "", ""), true},
		{"plaintext request refused", tlsOnly, nil, false},
		{"server not trusted by the client", tlsOnly, other.clientConfig(t, "", ""), false},
		{"mTLS with a client certificate", mutual, ca.clientConfig(t, clientCert, clientKey), true},
		{"mTLS without a client certificate refused", mutual, ca.clientConfig(t, "", ""), false},
		{"mTLS with a certificate of another CA refused", mutual, ca.clientConfig(t, strangerCert, strangerKey), false},
		{"mTLS plaintext refused", mutual, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := getHTTP(tt.server.http, tt.client); (err == nil) != tt.ok {
				t.Errorf("HTTP: error %v, want success %v", err, tt.ok)
			}
			if err := checkGRPC(tt.server.grpc, tt.client); (err == nil) != tt.ok {
				t.Errorf("gRPC: error %v, want success %v", err, tt.ok)
			}
		})
	}
}

// TestServerTLSRotation replaces the certificate files under running
// listeners and checks that new connections get the new certificate once
// the clock has moved a second.
func TestServerTLSRotation(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t, dir, "ca")
	certFile, keyFile := ca.issue(t, dir, "server", 1)
	clock := apptest.NewClock()
	ls := startEdge(t, edgeOf(t, &configs.TLS{CertFile: certFile, KeyFile: keyFile}, clock.Now))
	served := func(addr string) int64 {
		t.Helper()
		conn, err := tls.Dial("tcp", addr, ca.clientConfig(t, "", ""))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
	}
	for _, addr := range []string{ls.http, ls.grpc} {
		if got := served(addr); got != 1 {
			t.Fatalf("%s serves serial %d before the rotation, want 1", addr, got)
		}
	}
	later := time.Now().Add(time.Hour)
	ca.issue(t, dir, "server", 2)
	touch(t, certFile, later)
	touch(t, keyFile, later)
	steps := []struct {
		name    string
		advance time.Duration
		want    int64
	}{
		{"within a second of the last check", 500 * time.Millisecond, 1},
		{"a second after it", 500 * time.Millisecond, 2},
	}
	for _, s := range steps {
		clock.Advance(s.advance)
		for _, addr := range []string{ls.http, ls.grpc} {
			if got := served(addr); got != s.want {
				t.Errorf("%s: %s serves serial %d, want %d", s.name, addr, got, s.want)
			}
		}
	}
}
