package router_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/router"
)

func TestFixedEndpoints(t *testing.T) {
	tests := []struct {
		name    string
		addrs   []string
		proto   router.Protocol
		want    []router.Endpoint
		wantErr bool
	}{
		{"grpc", []string{"10.0.0.1:8001", "gpu-0.internal:8001"}, "", []router.Endpoint{
			{ID: "10.0.0.1:8001", GRPC: "10.0.0.1:8001", Protocol: router.ProtocolGRPC},
			{ID: "gpu-0.internal:8001", GRPC: "gpu-0.internal:8001", Protocol: router.ProtocolGRPC}}, false},
		{"http", []string{"[::1]:8000"}, router.ProtocolHTTP, []router.Endpoint{
			{ID: "[::1]:8000", HTTP: "[::1]:8000", Protocol: router.ProtocolHTTP}}, false},
		{"no port", []string{"10.0.0.1"}, "", nil, true},
		{"port 0", []string{"10.0.0.1:0"}, "", nil, true},
		{"no host", []string{":8001"}, "", nil, true},
		{"twice", []string{"a:1", "a:1"}, "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := router.FixedEndpoints(tt.addrs, tt.proto)
			if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, router.ErrConfig)) {
				t.Fatalf("error %v, want error %v wrapping ErrConfig", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); !tt.wantErr && diff != "" {
				t.Errorf("endpoints (-want +got):\n%s", diff)
			}
		})
	}
}

// scriptedResolver answers each lookup with the next of its answers, and
// the last one once they run out.
type scriptedResolver struct {
	mu      sync.Mutex
	answers []answer
}

type answer struct {
	addrs []string
	err   error
}

func (r *scriptedResolver) LookupHost(context.Context, string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a := r.answers[0]
	if len(r.answers) > 1 {
		r.answers = r.answers[1:]
	}
	return a.addrs, a.err
}

// set replaces the answers.
func (r *scriptedResolver) set(as ...answer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answers = as
}

// TestDNSSourceNeedsInterval checks that a source without an interval
// fails at once, without a lookup: it has no default of its own.
func TestDNSSourceNeedsInterval(t *testing.T) {
	res := &scriptedResolver{}
	err := router.DNSSource{Host: "w.test", Port: 9000, Resolver: res}.Run(context.Background(),
		func([]router.Endpoint) error { return nil })
	if !errors.Is(err, router.ErrConfig) {
		t.Errorf("Run without an interval = %v, want ErrConfig", err)
	}
}

// TestDNSSourceRun scripts the lookups of a DNSSource and checks what it
// hands on: only changes, the last workers kept through a failed lookup,
// none once the name no longer exists.
func TestDNSSourceRun(t *testing.T) {
	notFound := &net.DNSError{Err: "no such host", Name: "w.test", IsNotFound: true}
	res := &scriptedResolver{answers: []answer{
		{addrs: []string{"10.0.0.2", "10.0.0.1"}},
		{err: errors.New("i/o timeout")},
		{addrs: []string{"10.0.0.1", "10.0.0.2", "10.0.0.1"}},
		{addrs: []string{"10.0.0.3"}},
		{err: notFound},
	}}
	got := make(chan []string, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error)
	go func() {
		done <- router.DNSSource{Host: "w.test", Port: 9000, Interval: ms, Resolver: res}.Run(ctx, func(eps []router.Endpoint) error {
			ids := []string{}
			for _, ep := range eps {
				ids = append(ids, ep.ID)
			}
			got <- ids
			return nil
		})
	}()
	want := [][]string{{"10.0.0.1:9000", "10.0.0.2:9000"}, {"10.0.0.3:9000"}, {}}
	for i, w := range want {
		select {
		case g := <-got:
			if !slices.Equal(g, w) {
				t.Errorf("set call %d: %v, want %v", i, g, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("set call %d never came", i)
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
	select {
	case g := <-got:
		t.Errorf("an unchanged answer was handed on: %v", g)
	default:
	}
}

// TestEndpointsPool routes a steady load to a pool of two workers given
// by address: both serve, and nothing is lost.
func TestEndpointsPool(t *testing.T) {
	curve := costmodel.Curve{Base: 5 * ms, PerItem: ms}
	f := startFleet(t, router.Config{
		Models: []router.Model{sumModel("t", time.Second)},
		Tiers:  map[string][]string{"t": {"p"}},
		Health: router.HealthConfig{Interval: 100 * ms, Timeout: time.Second, EjectAfter: 3, EjectFor: time.Second},
	}, pool{name: "p", curve: curve, maxBatch: 8})
	a, b := startWorker(t, "a", emulate(curve, 8)), startWorker(t, "b", emulate(curve, 8))
	eps, err := router.FixedEndpoints([]string{a.ep.GRPC, b.ep.GRPC}, router.ProtocolGRPC)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.router.SetEndpoints("p", eps); err != nil {
		t.Fatal(err)
	}
	lost := steadyLoad(t, f, 200, time.Second, nil)
	if lost > 0 {
		t.Errorf("lost %d requests", lost)
	}
	if a.batches() == 0 || b.batches() == 0 {
		t.Errorf("batches %d and %d, want both workers to serve", a.batches(), b.batches())
	}
}

// TestDNSPool routes a steady load to a pool whose workers a DNS name
// gives, through a resolver whose answer changes mid-load: a worker is
// added and one removed (then killed), and nothing is lost.
func TestDNSPool(t *testing.T) {
	curve := costmodel.Curve{Base: 5 * ms, PerItem: ms}
	f := startFleet(t, router.Config{
		Models: []router.Model{sumModel("t", time.Second)},
		Tiers:  map[string][]string{"t": {"p"}},
		Health: router.HealthConfig{Timeout: time.Second, EjectAfter: 3, EjectFor: time.Second},
		Retry:  router.RetryConfig{Budget: 0.2, Window: 10 * time.Second},
	}, pool{name: "p", curve: curve, maxBatch: 8})
	ws, port := workersOnOnePort(t, curve, "127.0.0.1", "127.0.0.2", "127.0.0.3")
	res := &scriptedResolver{answers: []answer{{addrs: []string{"127.0.0.1", "127.0.0.2"}}}}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		src := router.DNSSource{Host: "workers.test", Port: port, Interval: 20 * ms, Resolver: res}
		_ = src.Run(ctx, func(eps []router.Endpoint) error { return f.router.SetEndpoints("p", eps) })
	})
	defer wg.Wait()
	defer cancel()
	f.waitReady(t, "p", 2)
	lost := steadyLoad(t, f, 200, 1500*ms, func(at time.Duration) {
		if at == 500*ms {
			res.set(answer{addrs: []string{"127.0.0.2", "127.0.0.3"}})
			waitFor(t, 5*time.Second, "the new answer", func() bool {
				eps := f.router.Pool("p").Endpoints()
				return len(eps) == 2 && eps[1].ID == net.JoinHostPort("127.0.0.3", strconv.Itoa(port))
			})
			ws[0].kill()
		}
	})
	if lost > 0 {
		t.Errorf("lost %d requests", lost)
	}
	if ws[2].batches() == 0 {
		t.Error("the added worker ran no batch")
	}
}

// workersOnOnePort serves an emulated worker of curve on each host at one
// port, gRPC only, as a DNS name's servers would be.
func workersOnOnePort(t *testing.T, curve costmodel.Curve, hosts ...string) ([]*testWorker, int) {
	t.Helper()
	for range 10 {
		first := listen(t, hosts[0]+":0")
		port := first.Addr().(*net.TCPAddr).Port
		lns := []net.Listener{first}
		for _, h := range hosts[1:] {
			ln, err := net.Listen("tcp", net.JoinHostPort(h, strconv.Itoa(port)))
			if err != nil {
				break
			}
			lns = append(lns, ln)
		}
		if len(lns) < len(hosts) {
			for _, ln := range lns {
				ln.Close()
			}
			continue
		}
		var ws []*testWorker
		for i, ln := range lns {
			w := &testWorker{id: fmt.Sprint(i), opts: emulate(curve, 8)}
			w.serve(t, listen(t, "127.0.0.1:0"), ln)
			t.Cleanup(w.kill)
			ws = append(ws, w)
		}
		return ws, port
	}
	t.Fatal("found no port free on every loopback address")
	return nil, 0
}

// steadyLoad sends rate requests per second of one row for length, and
// calls at (if not nil) with each tick's offset from the start, in the
// sending goroutine. It returns how many requests failed, each reported.
func steadyLoad(t *testing.T, f *fleet, rate int, length time.Duration, at func(time.Duration)) int {
	t.Helper()
	var (
		mu   sync.Mutex
		lost int
		wg   sync.WaitGroup
	)
	period := time.Second / time.Duration(rate)
	for i := range int(length / period) {
		if at != nil {
			at(time.Duration(i) * period)
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			if _, err := f.serve(ctx, "sum", 1, nil); err != nil {
				mu.Lock()
				lost++
				mu.Unlock()
				t.Errorf("request %d: %v", i, err)
			}
		})
		time.Sleep(period)
	}
	wg.Wait()
	return lost
}
