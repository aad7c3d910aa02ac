package router_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/router"
)

// gateClock is a worker clock whose Sleep, the device's work, blocks
// until the test opens the gate, so that batches stay in flight as long
// as the test needs without real-time sleeps.
type gateClock struct {
	entered chan struct{} // a token per Sleep begun
	open    chan struct{}
	once    sync.Once
}

func newGateClock() *gateClock {
	return &gateClock{entered: make(chan struct{}, 64), open: make(chan struct{})}
}

func (c *gateClock) Now() time.Time { return time.Now() }

func (c *gateClock) Sleep(d time.Duration) {
	if d > 0 {
		c.entered <- struct{}{}
		<-c.open
	}
}

func (c *gateClock) release() { c.once.Do(func() { close(c.open) }) }

// reloadFleet is a router over pool a (cheap) and pool b (dear), one
// worker each, in tier t serving sum; pool c, in no tier yet, has a
// worker started but not given to the router.
type reloadFleet struct {
	*fleet
	cfg router.Config
	c   *testWorker
}

var (
	reloadCurve = costmodel.Curve{Base: 2 * ms, PerItem: 100 * time.Microsecond}
	poolA       = pool{name: "a", price: 0.1, curve: reloadCurve, maxBatch: 8, workers: 1}
	poolB       = pool{name: "b", price: 1, curve: reloadCurve, maxBatch: 8, workers: 1}
)

func startReloadFleet(t *testing.T) *reloadFleet {
	t.Helper()
	cfg := router.Config{Models: []router.Model{sumModel("t", time.Second)}, Tiers: map[string][]string{"t": {"a", "b"}}}
	f := &reloadFleet{fleet: startFleet(t, cfg, poolA, poolB), c: startWorker(t, "c-0", emulate(reloadCurve, 8))}
	f.cfg = cfg
	f.cfg.Pools = []router.PoolConfig{poolConfig(poolA), poolConfig(poolB)}
	return f
}

// reload applies f's config changed by change, and gives pool c its
// worker when the new config has it.
func (f *reloadFleet) reload(t *testing.T, change func(*router.Config)) <-chan struct{} {
	t.Helper()
	cfg := f.cfg
	cfg.Tiers = map[string][]string{"t": {"a", "b"}}
	cfg.Pools = []router.PoolConfig{poolConfig(poolA), poolConfig(poolB)}
	change(&cfg)
	drained, err := f.router.Reload(cfg)
	if err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if f.router.Pool("c") != nil {
		if err := f.router.SetEndpoints("c", []router.Endpoint{f.c.ep}); err != nil {
			t.Fatal(err)
		}
	}
	return drained
}

func withPoolC(c *router.Config) {
	c.Pools = append(c.Pools, poolConfig(pool{name: "c", price: 0.05, curve: reloadCurve, maxBatch: 8}))
	c.Tiers["t"] = append(c.Tiers["t"], "c")
}

// TestReloadUnderLoad reloads the router over and over — a price
// changes, a pool comes and goes, the tier's order flips — while clients
// keep calling: every call is answered, and each reload's retired pools
// drain.
func TestReloadUnderLoad(t *testing.T) {
	f := startReloadFleet(t)
	changes := []struct {
		name   string
		change func(*router.Config)
	}{
		{"price of a up", func(c *router.Config) { c.Pools[0].Cost.PricePerHour = 2 }},
		{"pool c added", withPoolC},
		{"pool b removed", func(c *router.Config) {
			withPoolC(c)
			c.Pools = slicesDelete(c.Pools, 1)
			c.Tiers["t"] = []string{"a", "c"}
		}},
		{"order flipped", func(c *router.Config) { withPoolC(c); c.Tiers["t"] = []string{"c", "b", "a"} }},
		{"back to the start", func(*router.Config) {}},
	}
	ctx, cancel := context.WithCancel(context.Background())
	var answered, failed atomic.Int64
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for ctx.Err() == nil {
				res, err := f.serve(context.Background(), "sum", 2, nil)
				if err != nil {
					failed.Add(1)
					t.Errorf("call failed during reloads: %v", err)
					continue
				}
				checkSums(t, res, 2, 2)
				answered.Add(1)
			}
		})
	}
	for round := range 4 {
		for _, c := range changes {
			before := answered.Load()
			drained := f.reload(t, c.change)
			for answered.Load() < before+10 && failed.Load() == 0 {
				time.Sleep(ms)
			}
			select {
			case <-drained:
			case <-time.After(10 * time.Second):
				t.Fatalf("round %d, %s: the retired pools did not drain in 10s", round, c.name)
			}
		}
	}
	cancel()
	wg.Wait()
	t.Logf("%d reloads: %d calls answered, %d failed", 4*len(changes), answered.Load(), failed.Load())
	if answered.Load() == 0 {
		t.Error("no call was answered")
	}
}

func slicesDelete(pcs []router.PoolConfig, i int) []router.PoolConfig {
	return append(pcs[:i:i], pcs[i+1:]...)
}

// TestReloadDrainsRetiredPool removes pool b while it has one call in
// flight on its worker and one queued behind it: both are answered by b,
// new calls go to a, and b closes once it holds nothing.
func TestReloadDrainsRetiredPool(t *testing.T) {
	clock := newGateClock()
	cfg := router.Config{Models: []router.Model{sumModel("t", 5*time.Second)}, Tiers: map[string][]string{"t": {"a"}}}
	f := startFleet(t, cfg, poolA)
	defer clock.release()
	slow := emulate(reloadCurve, 1)
	slow.Clock = clock
	wb := startWorker(t, "b-0", slow)
	cfg.Pools = []router.PoolConfig{poolConfig(poolA), poolConfig(pool{name: "b", curve: reloadCurve, maxBatch: 1})}
	cfg.Tiers = map[string][]string{"t": {"b"}, "u": {"a"}}
	if _, err := f.router.Reload(cfg); err != nil {
		t.Fatal(err)
	}
	if err := f.router.SetEndpoints("b", []router.Endpoint{wb.ep}); err != nil {
		t.Fatal(err)
	}
	pools := make(chan string, 2)
	for range 2 {
		go func() {
			res, err := f.serve(context.Background(), "sum", 1, nil)
			if err != nil {
				pools <- err.Error()
				return
			}
			pools <- res.Pool
		}()
	}
	<-clock.entered
	waitQueued(t, f.router.Pool("b"), 1)
	cfg.Pools, cfg.Tiers = cfg.Pools[:1], map[string][]string{"t": {"a"}}
	drained, err := f.router.Reload(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := f.serve(context.Background(), "sum", 1, nil); err != nil || res.Pool != "a" {
		t.Errorf("a call after the reload: %v, %v; want pool a", res, err)
	}
	select {
	case <-drained:
		t.Fatal("pool b closed with two calls in it")
	default:
	}
	clock.release()
	got := []string{<-pools, <-pools}
	if diff := cmp.Diff([]string{"b", "b"}, got); diff != "" {
		t.Errorf("pools that answered the calls in b (-want +got):\n%s", diff)
	}
	<-drained
}

// TestReloadHandsBackHeldCalls moves a tier from a pool that holds a
// call for a worker it has yet to start to a pool with a worker: the call
// is routed again and answered there.
func TestReloadHandsBackHeldCalls(t *testing.T) {
	cfg := router.Config{Models: []router.Model{sumModel("t", time.Second)}, Tiers: map[string][]string{"t": {"z"}}}
	idle := pool{name: "z", curve: reloadCurve, maxBatch: 8, activate: true}
	f := startFleet(t, cfg, idle, poolA)
	done := make(chan error, 1)
	go func() {
		res, err := f.serve(context.Background(), "sum", 1, nil)
		if err == nil && res.Pool != "a" {
			err = fmt.Errorf("answered by pool %q, want a", res.Pool)
		}
		done <- err
	}()
	waitQueued(t, f.router.Pool("z"), 1)
	cfg.Pools = []router.PoolConfig{poolConfig(poolA)}
	cfg.Tiers["t"] = []string{"a"}
	drained, err := f.router.Reload(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("held call: %v", err)
	}
	<-drained
}

func TestSetEndpointsOfUnknownPool(t *testing.T) {
	f := startReloadFleet(t)
	if err := f.router.SetEndpoints("gone", nil); err != nil {
		t.Errorf("SetEndpoints(gone, none) = %v, want nil", err)
	}
	if err := f.router.SetEndpoints("gone", []router.Endpoint{f.c.ep}); !errors.Is(err, router.ErrConfig) {
		t.Errorf("SetEndpoints(gone, one) = %v, want ErrConfig", err)
	}
}

func TestReloadAfterClose(t *testing.T) {
	f := startReloadFleet(t)
	f.router.Close()
	if _, err := f.router.Reload(f.cfg); !errors.Is(err, router.ErrClosed) {
		t.Errorf("Reload after Close = %v, want ErrClosed", err)
	}
}

// TestCloseEndsRetirement closes the router while a retired pool still
// holds a call in flight and one queued: the queued one fails with
// batcher.ErrClosed, and once the one in flight is done, the channel of
// the reload that retired the pool closes.
func TestCloseEndsRetirement(t *testing.T) {
	clock := newGateClock()
	defer clock.release()
	slow := emulate(reloadCurve, 1)
	slow.Clock = clock
	cfg := router.Config{Models: []router.Model{sumModel("t", 5*time.Second)}, Tiers: map[string][]string{"t": {"b"}}}
	poolB := pool{name: "b", curve: reloadCurve, maxBatch: 1}
	f := startFleet(t, cfg, poolB)
	wb := startWorker(t, "b-0", slow)
	if err := f.router.SetEndpoints("b", []router.Endpoint{wb.ep}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	for range 2 {
		go func() { _, err := f.serve(context.Background(), "sum", 1, nil); done <- err }()
	}
	<-clock.entered
	waitQueued(t, f.router.Pool("b"), 1)
	cfg.Pools = []router.PoolConfig{poolConfig(poolA)}
	cfg.Tiers["t"] = []string{"a"}
	drained, err := f.router.Reload(cfg)
	if err != nil {
		t.Fatal(err)
	}
	go f.router.Close()
	if err := <-done; !errors.Is(err, batcher.ErrClosed) {
		t.Errorf("call queued in the retired pool at Close: %v, want batcher.ErrClosed", err)
	}
	clock.release()
	<-drained
	<-done
}

// attachingPicker is a picker whose first decision comes from a snapshot
// taken just before a worker attached: it attaches the worker, then
// answers as the snapshot says, that no pool can take the request.
type attachingPicker struct {
	attach func()
	once   sync.Once
}

func (p *attachingPicker) Pick(views []router.PoolView, f router.Facts, now time.Time) (router.Decision, error) {
	first := false
	p.once.Do(func() { first = true; p.attach() })
	if first {
		return router.Decision{}, fmt.Errorf("%w: stale snapshot", router.ErrNoCapacity)
	}
	return router.DefaultPicker().Pick(views, f, now)
}

// TestWorkerAttachesDuringPick routes a call whose snapshot predates the
// pool's first worker, which attaches before the call could be held for
// it: the call is routed again, not failed. Reloads make this common, as
// calls handed back by retired pools meet pools whose workers arrive.
func TestWorkerAttachesDuringPick(t *testing.T) {
	for _, activate := range []bool{true, false} {
		t.Run(fmt.Sprintf("activate=%v", activate), func(t *testing.T) {
			w := startWorker(t, "a-0", emulate(reloadCurve, 8))
			picker := &attachingPicker{}
			cfg := router.Config{Models: []router.Model{sumModel("t", time.Second)}, Tiers: map[string][]string{"t": {"a"}}, Picker: picker}
			f := startFleet(t, cfg, pool{name: "a", curve: reloadCurve, maxBatch: 8, activate: activate})
			picker.attach = func() {
				if err := f.router.SetEndpoints("a", []router.Endpoint{w.ep}); err != nil {
					t.Error(err)
				}
			}
			res, err := f.serve(context.Background(), "sum", 2, nil)
			if err != nil {
				t.Fatalf("call whose snapshot predates the worker: %v", err)
			}
			checkSums(t, res, 2, 2)
		})
	}
}
