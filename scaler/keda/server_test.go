package keda

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/scaler"
	pb "github.com/sluice-gateway/sluice/scaler/keda/externalscalerpb"
)

// fakeSource serves sizes that set replaces, waking Updated's waiters.
type fakeSource struct {
	mu      sync.Mutex
	sizes   map[string]int // nil: no plan yet
	updated chan struct{}
}

func newFakeSource(sizes map[string]int) *fakeSource {
	return &fakeSource{sizes: sizes, updated: make(chan struct{})}
}

func (f *fakeSource) Desired(pool string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sizes == nil {
		return 0, scaler.ErrNoPlan
	}
	n, ok := f.sizes[pool]
	if !ok {
		return 0, fmt.Errorf("%w: %q", scaler.ErrUnknownPool, pool)
	}
	return n, nil
}

func (f *fakeSource) Updated() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.updated
}

func (f *fakeSource) set(sizes map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sizes = sizes
	close(f.updated)
	f.updated = make(chan struct{})
}

// serve starts a Server for src on a loopback port and returns a client.
func serve(t *testing.T, src Source) pb.ExternalScalerClient {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer()
	NewServer(src).Register(g)
	go func() { _ = g.Serve(ln) }()
	t.Cleanup(g.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return pb.NewExternalScalerClient(conn)
}

func ref(pool string) *pb.ScaledObjectRef {
	md := map[string]string{}
	if pool != "" {
		md[MetadataPool] = pool
	}
	return &pb.ScaledObjectRef{Name: "so", Namespace: "ns", ScalerMetadata: md}
}

func TestServer(t *testing.T) {
	client := serve(t, newFakeSource(map[string]int{"gpu-spot": 5, "cpu": 0}))
	ctx := context.Background()
	tests := []struct {
		name     string
		pool     string
		metric   string
		want     int64
		active   bool
		wantCode codes.Code
	}{
		{name: "a pool with replicas", pool: "gpu-spot", metric: "s0-sluice-gpu-spot-desired-replicas", want: 5, active: true},
		{name: "a pool at zero", pool: "cpu", want: 0, active: false},
		{name: "an unknown pool", pool: "tpu", wantCode: codes.NotFound},
		{name: "no pool in the metadata", wantCode: codes.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			act, err := client.IsActive(ctx, ref(tt.pool))
			if status.Code(err) != tt.wantCode {
				t.Fatalf("IsActive error = %v, want code %v", err, tt.wantCode)
			}
			m, err := client.GetMetrics(ctx, &pb.GetMetricsRequest{ScaledObjectRef: ref(tt.pool), MetricName: tt.metric})
			if status.Code(err) != tt.wantCode {
				t.Fatalf("GetMetrics error = %v, want code %v", err, tt.wantCode)
			}
			if err != nil {
				return
			}
			if act.GetResult() != tt.active {
				t.Errorf("IsActive = %v, want %v", act.GetResult(), tt.active)
			}
			name := tt.metric
			if name == "" {
				name = MetricName(tt.pool)
			}
			want := &pb.GetMetricsResponse{MetricValues: []*pb.MetricValue{
				{MetricName: name, MetricValue: tt.want, MetricValueFloat: float64(tt.want)},
			}}
			if diff := cmp.Diff(want, m, protocmp.Transform()); diff != "" {
				t.Errorf("GetMetrics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGetMetricSpec(t *testing.T) {
	client := serve(t, newFakeSource(nil))
	got, err := client.GetMetricSpec(context.Background(), ref("gpu-spot"))
	if err != nil {
		t.Fatal(err)
	}
	want := &pb.GetMetricSpecResponse{MetricSpecs: []*pb.MetricSpec{
		{MetricName: "sluice-gpu-spot-desired-replicas", TargetSize: 1, TargetSizeFloat: 1},
	}}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("GetMetricSpec (-want +got):\n%s", diff)
	}
	if _, err := client.GetMetricSpec(context.Background(), ref("")); status.Code(err) != codes.InvalidArgument {
		t.Errorf("GetMetricSpec without a pool: %v, want InvalidArgument", err)
	}
}

func TestNoPlanYet(t *testing.T) {
	client := serve(t, newFakeSource(nil))
	if _, err := client.IsActive(context.Background(), ref("cpu")); status.Code(err) != codes.Unavailable {
		t.Errorf("IsActive before a plan: %v, want Unavailable", err)
	}
}

func TestStreamIsActive(t *testing.T) {
	src := newFakeSource(map[string]int{"cpu": 1, "gpu": 0})
	client := serve(t, src)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream, err := client.StreamIsActive(ctx, ref("cpu"))
	if err != nil {
		t.Fatal(err)
	}
	recv := func() bool {
		t.Helper()
		r, err := stream.Recv()
		if err != nil {
			t.Fatalf("Recv: %v", err)
		}
		return r.GetResult()
	}
	if !recv() {
		t.Fatal("first message = false, want true")
	}
	src.set(map[string]int{"cpu": 3, "gpu": 1}) // still active: nothing sent
	src.set(map[string]int{"cpu": 0, "gpu": 1})
	if recv() {
		t.Fatal("after scaling to zero = true, want false")
	}
	src.set(map[string]int{"gpu": 1})
	if _, err := stream.Recv(); status.Code(err) != codes.NotFound {
		t.Errorf("after the pool went away: %v, want NotFound", err)
	}
}

// TestLoopSource serves a scaler.Loop's plan.
func TestLoopSource(t *testing.T) {
	spec, err := scaler.NewSpec(scaler.Config{
		Pools: []scaler.PoolConfig{{Pool: costmodel.Pool{Name: "cpu", PricePerHour: 0.1,
			Curve: costmodel.Curve{Base: 200 * time.Millisecond}, MaxBatch: 1}, Max: 10}},
		Tiers: []scaler.TierConfig{{Name: "t", SLO: time.Second, Pools: []string{"cpu"}}},
		// The rules' knobs, at the configuration's defaults.
		Interval: 2 * time.Second, Stabilization: 5 * time.Minute, HoldColdStarts: 3, PanicWindow: 6 * time.Second,
		PanicThreshold: 2, SpotShareMax: 1, SpotBackoff: 2 * time.Minute, QueueDrainTarget: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	snap := scaler.Snapshot{Tiers: map[string]scaler.TierSnapshot{"t": {ArrivalRate: 20}}}
	loop, err := scaler.NewLoop(spec, scaler.SourceFunc(func(context.Context) (scaler.Snapshot, error) { return snap, nil }),
		scaler.LoopOptions{})
	if err != nil {
		t.Fatal(err)
	}
	client := serve(t, loop)
	loop.Tick(context.Background(), time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
	m, err := client.GetMetrics(context.Background(), &pb.GetMetricsRequest{ScaledObjectRef: ref("cpu")})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.GetMetricValues()[0].GetMetricValueFloat(); got != 4 {
		t.Errorf("desired replicas of cpu = %v, want 4 (20 rps at 5 rps each)", got)
	}
}
