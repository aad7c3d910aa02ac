package state_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/budget"
	"github.com/sluice-gateway/sluice/quota"
	"github.com/sluice-gateway/sluice/state"
	"github.com/sluice-gateway/sluice/state/statetest"
)

func openRedis(t *testing.T, addr string) *state.Redis {
	t.Helper()
	r := state.OpenRedis(state.RedisOptions{Address: addr, Timeout: 250 * time.Millisecond, ProbeEvery: 50 * time.Millisecond, Logger: discard()})
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// offer takes calls of bucket b from each of stores at perStore calls a
// second, from four clients each, for d, and returns how many were
// admitted in all.
func offer(stores []*state.Redis, b quota.Bucket, perStore float64, d time.Duration) int64 {
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for i := range 4 * len(stores) {
		s := stores[i%len(stores)]
		wg.Go(func() {
			tick := time.NewTicker(time.Duration(4 * float64(time.Second) / perStore))
			defer tick.Stop()
			end := time.After(d)
			for {
				select {
				case <-end:
					return
				case now := <-tick.C:
					if i, _ := s.Take(context.Background(), []quota.Bucket{b}, now); i < 0 {
						admitted.Add(1)
					}
				}
			}
		})
	}
	wg.Wait()
	return admitted.Load()
}

// TestRedisSharesRate offers a bucket of 50 calls a second (burst 10)
// 200 a second through each of two replicas: together they get 50 a
// second beyond the burst, not 100.
func TestRedisSharesRate(t *testing.T) {
	srv := statetest.StartRedis(t)
	stores := []*state.Redis{openRedis(t, srv.Addr()), openRedis(t, srv.Addr())}
	b := quota.Bucket{Key: "tenant:acme", Rate: 50, Burst: 10}
	const d = 3 * time.Second
	got := offer(stores, b, 200, d)
	rate := float64(got-int64(b.Burst)) / d.Seconds()
	t.Logf("admitted %d calls in %v through two replicas: %.1f/s beyond the burst", got, d, rate)
	if rate < 45 || rate > 55 {
		t.Errorf("admitted %.1f calls/s, want 50 ± 10 %%", rate)
	}
	for _, s := range stores {
		if h := s.Health(); !h.Up || h.LocalDecisions != 0 {
			t.Errorf("health %+v, want up with no local decision", h)
		}
	}
}

// TestRedisAllOrNone checks that a call refused by one bucket takes
// nothing from the other.
func TestRedisAllOrNone(t *testing.T) {
	srv := statetest.StartRedis(t)
	r := openRedis(t, srv.Addr())
	tenant := quota.Bucket{Key: "tenant:a", Rate: 0.01, Burst: 2}
	model := quota.Bucket{Key: "model:m", Rate: 0.01, Burst: 1}
	ctx := context.Background()
	if i, _ := r.Take(ctx, []quota.Bucket{tenant, model}, time.Now()); i != -1 {
		t.Fatalf("first call refused by %d", i)
	}
	i, wait := r.Take(ctx, []quota.Bucket{tenant, model}, time.Now())
	if i != 1 || wait < 90*time.Second || wait > 100*time.Second {
		t.Fatalf("second call: refused by %d after %v, want 1 (the model) after about 100s", i, wait)
	}
	if i, _ := r.Take(ctx, []quota.Bucket{tenant}, time.Now()); i != -1 {
		t.Fatal("the refused call took the tenant's second token")
	}
}

// TestRedisSharesSpend spends on two replicas: each sees the other's
// spend after a sync, and the operator's budget set on one.
func TestRedisSharesSpend(t *testing.T) {
	srv := statetest.StartRedis(t)
	now := time.Now()
	a, b := newGateway(openRedis(t, srv.Addr()), clock(now)), newGateway(openRedis(t, srv.Addr()), clock(now))
	ctx := context.Background()
	a.book.Spend("acme", "", 0.25, now)
	b.book.Spend("acme", "", 0.5, now)
	for _, g := range []gateway{a, b, a} {
		if err := g.keeper.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for name, g := range map[string]gateway{"a": a, "b": b} {
		if v, _ := g.book.Check("acme", "", now); v.Spent != 0.75 {
			t.Errorf("replica %s sees %v spent, want 0.75", name, v.Spent)
		}
	}
	raised := budget.Amounts{5, 0, 0}
	if err := a.book.Override(ctx, "acme", &raised); err != nil {
		t.Fatal(err)
	}
	if err := b.keeper.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.book.Budget("acme"); got != raised {
		t.Errorf("replica b's budget = %v, want %v set on a", got, raised)
	}
}

// TestRedisOutage stops the server: each replica goes on deciding rate
// limits on its own buckets (counted), keeps the spend it cannot send,
// and sends it when the server is back.
func TestRedisOutage(t *testing.T) {
	srv := statetest.StartRedis(t)
	r := openRedis(t, srv.Addr())
	now := time.Now()
	g := newGateway(r, clock(now))
	ctx := context.Background()
	b := quota.Bucket{Key: "tenant:acme", Rate: 1, Burst: 1}
	if i, _ := r.Take(ctx, []quota.Bucket{b}, now); i != -1 {
		t.Fatal("the first call was refused")
	}
	srv.Stop()
	g.book.Spend("acme", "", 0.5, now)
	if err := g.keeper.Sync(ctx); err == nil {
		t.Fatal("Sync succeeded with the server stopped")
	}
	// Local buckets start full: one call passes, the next is refused.
	if i, _ := r.Take(ctx, []quota.Bucket{b}, now); i != -1 {
		t.Error("the first local call was refused")
	}
	if i, _ := r.Take(ctx, []quota.Bucket{b}, now); i != 0 {
		t.Error("local buckets let a second call through at 1 call/s")
	}
	h := r.Health()
	if h.Up || h.Outages != 1 || h.LocalDecisions < 2 || h.Since.IsZero() {
		t.Errorf("health during the outage = %+v", h)
	}
	if err := g.book.Override(ctx, "acme", &budget.Amounts{2, 0, 0}); !errors.Is(err, state.ErrUnavailable) {
		t.Errorf("Override during the outage = %v, want ErrUnavailable", err)
	}
	if v, _ := g.book.Check("acme", "", now); v.Spent != 0.5 {
		t.Errorf("during the outage the replica sees %v spent, want its own 0.5", v.Spent)
	}
	srv.Start()
	waitUp(t, r)
	if err := g.keeper.Sync(ctx); err != nil {
		t.Fatalf("Sync after the server came back: %v", err)
	}
	other := newGateway(openRedis(t, srv.Addr()), clock(now))
	if err := other.keeper.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _ := other.book.Check("acme", "", now); v.Spent != 0.5 {
		t.Errorf("another replica sees %v spent after the outage, want 0.5", v.Spent)
	}
}

// waitUp waits until r finds its server again.
func waitUp(t *testing.T, r *state.Redis) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !r.Health().Up {
		if time.Now().After(deadline) {
			t.Fatal("redis did not come back up within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRedisUnreachableAtStart opens a server that is not there: no
// error, every decision local.
func TestRedisUnreachableAtStart(t *testing.T) {
	r := openRedis(t, "127.0.0.1:1")
	if h := r.Health(); h.Up || h.Outages != 1 {
		t.Errorf("health = %+v, want down", h)
	}
	if i, _ := r.Take(context.Background(), []quota.Bucket{{Key: "k", Rate: 1, Burst: 1}}, time.Now()); i != -1 {
		t.Error("the first local call was refused")
	}
}
