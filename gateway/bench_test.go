package gateway_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
	"github.com/sluice-gateway/sluice/router"
)

// benchKey is the API key of the benchmark's one tenant.
const benchKey = "bench-key"

// BenchmarkGatewayHTTP measures one small infer call through the HTTP
// handler, with allocations (run with -benchmem):
//
//   - sluice: the gateway's whole request path, in process (no client
//     connection): read and decode the JSON body, authenticate the API
//     key, check the tenant's rate limit, classify and route, queue in the
//     pool's batcher (batching off), the router's gRPC call to a worker on
//     loopback, split and encode the answer.
//   - sluice-binary: the same with the input as binary tensor data.
//   - backend: only that gRPC call (convert to protobuf, ModelInfer on
//     the same worker, convert back).
//   - backend-deadline: the same call with a deadline, as the router
//     makes it: the context, its timer and the grpc-timeout header on
//     both ends of the call.
//
// The gateway's own cost is the difference between the two: both include
// the worker's side of the gRPC call, whose batches take no time.
func BenchmarkGatewayHTTP(b *testing.B) {
	bs := startBenchFleet(b)
	body := benchBody(b)
	binBody, binHeader := benchBinaryBody(b)
	b.Run("sluice", func(b *testing.B) {
		w := &discardResponse{}
		r := newReusableRequest(body)
		h := bs.gw.HTTPHandler()
		b.ReportAllocs()
		for b.Loop() {
			w.reset()
			h.ServeHTTP(w, r.next())
			if w.status != http.StatusOK {
				b.Fatalf("status %d: %s", w.status, w.body.String())
			}
		}
	})
	b.Run("sluice-binary", func(b *testing.B) {
		w := &discardResponse{}
		r := newReusableRequest(binBody)
		r.req.Header.Set(oip.HeaderInferenceLength, binHeader)
		r.req.Header.Set("Content-Type", "application/octet-stream")
		h := bs.gw.HTTPHandler()
		b.ReportAllocs()
		for b.Loop() {
			w.reset()
			h.ServeHTTP(w, r.next())
			if w.status != http.StatusOK {
				b.Fatalf("status %d: %s", w.status, w.body.String())
			}
		}
	})
	for _, deadline := range []bool{false, true} {
		name := "backend"
		if deadline {
			name += "-deadline"
		}
		b.Run(name, func(b *testing.B) {
			req, err := oip.DecodeRequest(body)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				ctx, cancel := context.Background(), context.CancelFunc(func() {})
				if deadline {
					ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
				}
				resp, err := bs.client.ModelInfer(ctx, oip.RequestToProto("sum", "", req))
				cancel()
				if err == nil {
					_, err = oip.ResponseFromProto(resp)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchFleet is a gateway with auth and a tenant limit over one worker
// whose batches take no time, and a gRPC client of that worker.
type benchFleet struct {
	gw     *gateway.Gateway
	client inferencepb.GRPCInferenceServiceClient
}

func startBenchFleet(b testing.TB) benchFleet {
	b.Helper()
	w, err := worker.New(worker.Options{Name: "w"})
	if err != nil {
		b.Fatal(err)
	}
	httpLn, grpcLn := listenB(b), listenB(b)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Serve(ctx, httpLn, grpcLn) }()
	b.Cleanup(func() { cancel(); <-done })
	rt, err := router.New(routerConfig(fleetConfig{maxBatch: 32, workers: 1, timeout: 10 * time.Second, unbatched: []string{"sum"}}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(rt.Close)
	if err := rt.SetEndpoints("pool", []router.Endpoint{{ID: "w0", GRPC: grpcLn.Addr().String(), HTTP: httpLn.Addr().String()}}); err != nil {
		b.Fatal(err)
	}
	keys, err := gateway.NewKeyring([]gateway.Key{{SHA256: sha256.Sum256([]byte(benchKey)), Tenant: "bench", Priority: batcher.Normal, Models: []string{"sum"}}})
	if err != nil {
		b.Fatal(err)
	}
	limits, err := gateway.NewRateLimits(map[string]gateway.Limit{"bench": {Rate: 1e9, Burst: 1e9}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	gw := gateway.New(gateway.Options{Router: rt, Keys: keys, Limits: limits, Logger: slog.New(slog.DiscardHandler)})
	conn, err := grpc.NewClient(grpcLn.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	return benchFleet{gw: gw, client: inferencepb.NewGRPCInferenceServiceClient(conn)}
}

// listenB opens a listener on a free loopback port.
func listenB(b testing.TB) net.Listener {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	return ln
}

// benchBody is a sum request of one row of four elements.
func benchBody(b testing.TB) []byte {
	b.Helper()
	req := &oip.InferenceRequest{Inputs: []oip.Tensor{oip.NewFP32("x", []int64{1, 4}, []float32{1, 2, 3, 4})}}
	body, err := json.Marshal(req)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// benchBinaryBody is benchBody's request with its input as binary tensor
// data, and the value of its Inference-Header-Content-Length header.
func benchBinaryBody(b testing.TB) ([]byte, string) {
	b.Helper()
	req := &oip.InferenceRequest{Inputs: []oip.Tensor{oip.NewFP32("x", []int64{1, 4}, []float32{1, 2, 3, 4})}}
	header, data, err := oip.EncodeBinaryRequest(req, func(string) bool { return true })
	if err != nil {
		b.Fatal(err)
	}
	return append(header, bytes.Join(data, nil)...), strconv.Itoa(len(header))
}

// reusableRequest is one HTTP request sent again and again: only its body
// is rewound, so the benchmark counts the handler's allocations, not the
// building of requests.
type reusableRequest struct {
	req  *http.Request
	body []byte
	rd   *bytes.Reader
}

func newReusableRequest(body []byte) *reusableRequest {
	rd := bytes.NewReader(body)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://sluice/v2/models/sum/infer", io.NopCloser(rd))
	req.Header.Set("Authorization", "Bearer "+benchKey)
	req.Header.Set("Content-Type", "application/json")
	req.RequestURI = req.URL.RequestURI()
	req.ContentLength = int64(len(body)) // as a server's request has it
	return &reusableRequest{req: req, body: body, rd: rd}
}

// next rewinds the body and returns the request.
func (r *reusableRequest) next() *http.Request {
	r.rd.Reset(r.body)
	return r.req
}

// discardResponse is an http.ResponseWriter that keeps the status and the
// body of one answer, reusing its buffers.
type discardResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *discardResponse) reset() {
	if w.header == nil {
		w.header = http.Header{}
	}
	clear(w.header)
	w.status = 0
	w.body.Reset()
}

func (w *discardResponse) Header() http.Header { return w.header }

func (w *discardResponse) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *discardResponse) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

// SetReadDeadline and SetWriteDeadline accept the deadlines the handler
// sets on its connection, as a server's writer does: without them
// http.ResponseController builds an error for each call, which a served
// request never pays.
func (w *discardResponse) SetReadDeadline(time.Time) error  { return nil }
func (w *discardResponse) SetWriteDeadline(time.Time) error { return nil }
