package app

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
	"github.com/sluice-gateway/sluice/router"
)

// limitsEdge builds the edge of a configuration with limits l, defaults
// filling the rest.
func limitsEdge(t *testing.T, l configs.Limits) edge {
	t.Helper()
	cfg := &configs.Config{Limits: l}
	cfg.ApplyDefaults()
	e, err := newEdge(cfg, configs.Secrets{}, time.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// stillOpen is how long a test waits to call a connection left open.
const stillOpen = 500 * time.Millisecond

// closedBy reports whether the server closes conn within stillOpen,
// reading and dropping whatever it sends first.
func closedBy(t *testing.T, r *bufio.Reader, conn net.Conn) bool {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(stillOpen)); err != nil {
		t.Fatal(err)
	}
	_, err := r.ReadByte()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return true
}

// TestHTTPTimeouts stalls a request's headers, or idles after a request,
// on real HTTP listeners with short and long timeouts.
func TestHTTPTimeouts(t *testing.T) {
	tests := []struct {
		name       string
		limits     configs.Limits
		stall      bool // send half the headers; else a request, then idle
		wantClosed bool
	}{
		{"stalled headers past read_header_timeout", configs.Limits{ReadHeaderTimeout: 50 * time.Millisecond}, true, true},
		{"stalled headers within read_header_timeout", configs.Limits{ReadHeaderTimeout: time.Minute}, true, false},
		{"idle past idle_timeout", configs.Limits{IdleTimeout: 50 * time.Millisecond}, false, true},
		{"idle within idle_timeout", configs.Limits{IdleTimeout: time.Minute}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls := startEdge(t, limitsEdge(t, tt.limits))
			conn, err := net.Dial("tcp", ls.http)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			r := bufio.NewReader(conn)
			if tt.stall {
				_, err = conn.Write([]byte("GET / HTTP/1.1\r\nHost: sluice\r\n"))
			} else {
				err = roundTrip(conn, r)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := closedBy(t, r, conn); got != tt.wantClosed {
				t.Errorf("connection closed within %v: %v, want %v", stillOpen, got, tt.wantClosed)
			}
		})
	}
}

// roundTrip sends one keep-alive request on conn and reads its answer.
func roundTrip(conn net.Conn, r *bufio.Reader) error {
	if _, err := conn.Write([]byte("GET / HTTP/1.1\r\nHost: sluice\r\n\r\n")); err != nil {
		return err
	}
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &statusError{resp.StatusCode}
	}
	return nil
}

// TestMaxConcurrentStreams opens gRPC streams on one connection to a
// listener that allows two or three, and checks whether the third opens.
func TestMaxConcurrentStreams(t *testing.T) {
	tests := []struct {
		name      string
		streams   int64
		thirdOpen bool
	}{
		{"two allowed: the third waits", 2, false},
		{"three allowed: the third opens", 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls := startEdge(t, limitsEdge(t, configs.Limits{MaxConcurrentStreams: tt.streams}))
			conn, err := grpc.NewClient(ls.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			client := healthpb.NewHealthClient(conn)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			for range 2 {
				if err := watch(ctx, client); err != nil {
					t.Fatalf("opening a stream within the limit: %v", err)
				}
			}
			third, cancelThird := context.WithTimeout(ctx, stillOpen)
			defer cancelThird()
			err = watch(third, client)
			if (err == nil) != tt.thirdOpen {
				t.Errorf("third stream: error %v, want open: %v", err, tt.thirdOpen)
			}
		})
	}
}

// watch opens a health Watch stream and reads its first status; the
// stream lasts as long as ctx.
func watch(ctx context.Context, client healthpb.HealthClient) error {
	stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return err
	}
	_, err = stream.Recv()
	return err
}

// TestGRPCMessageLimit sends ModelInfer messages under and over
// limits.max_body_bytes to a real gRPC listener.
func TestGRPCMessageLimit(t *testing.T) {
	rt, err := router.New(router.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	e := limitsEdge(t, configs.Limits{MaxBodyBytes: 4096})
	gs := e.grpcServer()
	gateway.New(gateway.Options{Router: rt}).RegisterGRPC(gs)
	ln := loopbackListener(t)
	go func() { _ = gs.Serve(ln) }()
	t.Cleanup(gs.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := inferencepb.NewGRPCInferenceServiceClient(conn)
	tests := []struct {
		name     string
		elements int
		want     codes.Code
	}{
		{"under the limit reaches the gateway", 100, codes.NotFound}, // no such model
		{"over the limit", 2000, codes.ResourceExhausted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := client.ModelInfer(ctx, &inferencepb.ModelInferRequest{
				ModelName: "nope",
				Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{{
					Name: "x", Datatype: "FP32", Shape: []int64{int64(tt.elements)},
					Contents: &inferencepb.InferTensorContents{Fp32Contents: make([]float32, tt.elements)},
				}},
			})
			if got := status.Code(err); got != tt.want {
				t.Errorf("code = %v (%v), want %v", got, err, tt.want)
			}
		})
	}
}

// TestGatewayLimits checks that the limits of the configuration reach the
// gateway's options.
func TestGatewayLimits(t *testing.T) {
	e := limitsEdge(t, configs.Limits{MaxBodyBytes: 1, MaxJSONDepth: 5, MaxTensorElements: 7, MaxDeadline: time.Minute,
		BodyTimeout: 2 * time.Second, WriteTimeout: 3 * time.Second, MaxInFlight: 9, MaxBodyBytesInFlight: 11})
	var got gateway.Options
	e.gatewayLimits(&got)
	want := gateway.Options{MaxBodyBytes: 1, MaxJSONDepth: 5, MaxTensorElements: 7, MaxDeadline: time.Minute,
		BodyTimeout: 2 * time.Second, WriteTimeout: 3 * time.Second, MaxInFlight: 9, MaxBodyBytesInFlight: 11}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("gateway options (-want +got):\n%s", diff)
	}
}

// TestNewEdgeErrors checks that serve stops before starting anything when
// a certificate or the admin token cannot be read.
func TestNewEdgeErrors(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t, dir, "ca")
	cert, key := ca.issue(t, dir, "server", 1)
	notPEM := dir + "/not.pem"
	writeTestFile(t, notPEM, []byte("hello"))
	tests := []struct {
		name string
		cfg  configs.Config
		want string
	}{
		{"missing certificate", configs.Config{TLS: &configs.TLS{CertFile: dir + "/absent.pem", KeyFile: key}}, "tls: "},
		{"client CA without certificates", configs.Config{TLS: &configs.TLS{CertFile: cert, KeyFile: key, ClientCAFile: notPEM}},
			"tls.client_ca_file: sluice: no PEM certificate found"},
		{"workers CA missing", configs.Config{WorkersTLS: &configs.WorkersTLS{CAFile: dir + "/absent.pem"}}, "workers_tls.ca_file: "},
		{"admin token variable unset", configs.Config{Admin: configs.Admin{TokenSHA256Env: "SLUICE_TEST_UNSET_ADMIN_TOKEN"}},
			"admin.token_sha256_env: environment variable SLUICE_TEST_UNSET_ADMIN_TOKEN is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.ApplyDefaults()
			secrets := configs.Secrets{LookupEnv: func(string) (string, bool) { return "", false }, ReadFile: os.ReadFile}
			_, err := newEdge(&cfg, secrets, time.Now, slog.New(slog.DiscardHandler))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("newEdge error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
