package router

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/sluice-gateway/sluice/batcher"
	emulated "github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// tlsWorker is an emulated worker serving HTTPS and gRPC over TLS on
// loopback, with httptest's certificate for 127.0.0.1.
type tlsWorker struct {
	ep Endpoint
	// roots trusts the worker's certificate.
	roots *x509.CertPool
}

func startTLSWorker(t *testing.T) tlsWorker {
	t.Helper()
	srv, err := emulated.New(emulated.Options{Name: "w", Base: time.Millisecond, MaxBatch: 8})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	hs.StartTLS()
	t.Cleanup(hs.Close)
	gs := grpc.NewServer(grpc.Creds(credentials.NewServerTLSFromCert(&hs.TLS.Certificates[0])))
	inferencepb.RegisterGRPCInferenceServiceServer(gs, srv.GRPCService())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = gs.Serve(ln) }()
	t.Cleanup(gs.Stop)
	roots := x509.NewCertPool()
	roots.AddCert(hs.Certificate())
	return tlsWorker{ep: Endpoint{ID: "w0", HTTP: hs.Listener.Addr().String(), GRPC: ln.Addr().String()}, roots: roots}
}

// TestWorkerTLS serves a request through a router whose worker links
// speak TLS, or not, to a worker that serves only TLS, and probes the
// worker's HTTPS ready endpoint the same way.
func TestWorkerTLS(t *testing.T) {
	w := startTLSWorker(t)
	tests := []struct {
		name string
		tls  *tls.Config
		ok   bool
	}{
		{"TLS trusting the worker", &tls.Config{RootCAs: w.roots, MinVersion: tls.VersionTLS12}, true},
		{"TLS naming the worker's certificate", &tls.Config{RootCAs: w.roots, ServerName: "example.com", MinVersion: tls.VersionTLS12}, true},
		{"plaintext to a TLS worker", nil, false},
		{"TLS not trusting the worker", &tls.Config{RootCAs: x509.NewCertPool(), MinVersion: tls.VersionTLS12}, false},
		{"TLS expecting another name", &tls.Config{RootCAs: w.roots, ServerName: "workers.internal", MinVersion: tls.VersionTLS12}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := newWorkerHTTP(tt.tls).prober().Probe(ctx, w.ep); (err == nil) != tt.ok {
				t.Errorf("probe: error %v, want success %v", err, tt.ok)
			}
			rt := tlsRouter(t, tt.tls, w.ep)
			_, err := rt.Serve(ctx, &Request{Model: "sum", Req: &oip.InferenceRequest{
				Inputs: []oip.Tensor{oip.NewFP32("x", []int64{1, 2}, []float32{1, 2})},
			}})
			if (err == nil) != tt.ok {
				t.Errorf("serve: error %v, want success %v", err, tt.ok)
			}
		})
	}
}

// tlsRouter is a router of one pool, whose one worker is ep, speaking tc
// to it.
func tlsRouter(t *testing.T, tc *tls.Config, ep Endpoint) *Router {
	t.Helper()
	curve := costmodel.Curve{Base: time.Millisecond}
	rt, err := New(Config{
		Models: []Model{{Name: "sum", Tier: "t", Timeout: 5 * time.Second, SLO: time.Second, Batching: true}},
		Tiers:  map[string][]string{"t": {"p"}},
		Pools: []PoolConfig{{Name: "p", Queue: batcher.PoolConfig{
			Form: batcher.FormConfig{MaxBatch: 8, Batching: true, Curve: curve},
		}}},
		WorkerTLS: tc,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	if err := rt.SetEndpoints("p", []Endpoint{ep}); err != nil {
		t.Fatal(err)
	}
	return rt
}
