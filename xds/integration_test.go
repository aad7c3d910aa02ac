package xds_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	grpcxds "google.golang.org/grpc/xds"

	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
	"github.com/sluice-gateway/sluice/xds"
)

// converge is how long a change may take to reach the client: the
// acceptance bound for endpoint changes.
const converge = 2 * time.Second

// fleet is a set of real OIP workers on loopback, told apart by the
// requests each one has served.
type fleet struct {
	workers map[string]*worker.Server
	addrs   map[string]xds.Address
	served  map[string]int64 // batches each worker had served at the last look
}

func newFleet(t *testing.T, names ...string) *fleet {
	t.Helper()
	f := &fleet{workers: map[string]*worker.Server{}, addrs: map[string]xds.Address{}, served: map[string]int64{}}
	for _, name := range names {
		w, err := worker.New(worker.Options{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		gs := grpc.NewServer()
		inferencepb.RegisterGRPCInferenceServiceServer(gs, w.GRPCService())
		f.workers[name], f.addrs[name] = w, serve(t, gs)
	}
	return f
}

// serve runs gs on a loopback port until the test ends.
func serve(t *testing.T, gs *grpc.Server) xds.Address {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go gs.Serve(lis)
	t.Cleanup(gs.Stop)
	host, port, _ := net.SplitHostPort(lis.Addr().String())
	p, _ := strconv.Atoi(port)
	return xds.Address{Host: host, Port: uint32(p)}
}

// endpoints returns the named workers as healthy endpoints.
func (f *fleet) endpoints(names ...string) []xds.Endpoint {
	out := make([]xds.Endpoint, len(names))
	for i, n := range names {
		out[i] = xds.Endpoint{ID: n, GRPC: f.addrs[n], Healthy: true}
	}
	return out
}

// answered returns the worker that served a batch since the last look;
// calls are sequential, so there is exactly one.
func (f *fleet) answered(t *testing.T) string {
	t.Helper()
	var who []string
	for name, w := range f.workers {
		if n := w.Stats().Batches; n != f.served[name] {
			who = append(who, name)
			f.served[name] = n
		}
	}
	if len(who) != 1 {
		t.Fatalf("a call was served by %v, want exactly one worker", who)
	}
	return who[0]
}

// startControlPlane serves a Server's xDS on loopback and runs it with its
// default rate limit.
func startControlPlane(t *testing.T) (*xds.Server, xds.Address) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s := xds.New(ctx, xds.Options{}) // the production rate limit
	gs := grpc.NewServer()
	s.Register(gs)
	addr := serve(t, gs)
	go s.Run(ctx)
	return s, addr
}

// dial returns a grpc-go client of xds:///target, with its own xDS client
// bootstrapped to the control plane at cp.
func dial(t *testing.T, cp xds.Address, target string) inferencepb.GRPCInferenceServiceClient {
	t.Helper()
	bootstrap := fmt.Sprintf(`{
		"xds_servers": [{"server_uri": %q, "channel_creds": [{"type": "insecure"}]}],
		"node": {"id": "itest-%s", "cluster": "itest"}
	}`, cp.String(), target)
	resolver, err := grpcxds.NewXDSResolverWithConfigForTesting([]byte(bootstrap))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient("xds:///"+target, grpc.WithResolvers(resolver), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return inferencepb.NewGRPCInferenceServiceClient(conn)
}

// call sends one ModelInfer for "sum" and returns the worker that served it.
func (f *fleet) call(t *testing.T, c sumClient, md metadata.MD) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(metadata.NewOutgoingContext(context.Background(), md), 10*time.Second)
	defer cancel()
	_, err := c.ModelInfer(ctx, &inferencepb.ModelInferRequest{
		ModelName: "sum",
		Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{{
			Name: "x", Datatype: "FP32", Shape: []int64{1, 2},
			Contents: &inferencepb.InferTensorContents{Fp32Contents: []float32{1, 2}},
		}},
	}, grpc.WaitForReady(true))
	if err != nil {
		t.Fatalf("ModelInfer: %v", err)
	}
	return f.answered(t)
}

// round makes n calls and returns the sorted set of workers that served
// them.
func (f *fleet) round(t *testing.T, c sumClient, n int, md metadata.MD) []string {
	t.Helper()
	seen := map[string]bool{}
	for range n {
		seen[f.call(t, c, md)] = true
	}
	out := make([]string, 0, len(seen))
	for w := range seen {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}

// awaitSet makes rounds of calls until one is served by exactly want (each
// round reaches every endpoint of a round-robin pool several times), then
// checks one more round, and returns how long it took.
func (f *fleet) awaitSet(t *testing.T, c sumClient, limit time.Duration, want ...string) time.Duration {
	t.Helper()
	slices.Sort(want)
	start := time.Now()
	for {
		got := f.round(t, c, 4*len(want), nil)
		if slices.Equal(got, want) {
			break
		}
		if time.Since(start) > limit {
			t.Fatalf("after %v calls still reach %v, want %v", limit, got, want)
		}
	}
	took := time.Since(start)
	if got := f.round(t, c, 4*len(want), nil); !slices.Equal(got, want) {
		t.Fatalf("after converging, calls reach %v, want %v", got, want)
	}
	return took
}

// sumClient is a client of the OIP v2 gRPC service.
type sumClient = inferencepb.GRPCInferenceServiceClient
