package scaling

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler"
)

// fakePlane is a Plane whose statistics the test sets.
type fakePlane struct {
	mu    sync.Mutex
	pools []router.PoolStats
	tiers []router.TierStats
}

func (p *fakePlane) Stats() []router.PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pools
}

func (p *fakePlane) TierStats() []router.TierStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tiers
}

func (p *fakePlane) set(pools []router.PoolStats, tiers []router.TierStats) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pools, p.tiers = pools, tiers
}

// fakeDriver is a ReplicaCounter that reports the replicas the test sets;
// err, if set, fails Replicas.
type fakeDriver struct {
	mu       sync.Mutex
	replicas map[string][2]int
	err      error
}

func (d *fakeDriver) Replicas(_ context.Context, pool string) (ready, starting int, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := d.replicas[pool]
	return r[0], r[1], d.err
}

func TestSnapshot(t *testing.T) {
	// pool's items weigh a row each unless rowsPer says more.
	pool := func(name string, rows uint64, rowRate, reqRate float64, queued, inFlight int, p95 time.Duration, rowsPer ...int) router.PoolStats {
		per := 1
		if len(rowsPer) > 0 {
			per = rowsPer[0]
		}
		return router.PoolStats{
			Name: name, ArrivedRows: rows, RowRate: rowRate, ArrivalRate: reqRate,
			Queued: batcher.ClassCounts{Normal: queued}, QueuedRows: batcher.ClassCounts{Normal: per * queued},
			InFlight: inFlight, InFlightRows: per * inFlight, Latency: router.LatencySummary{P95: p95},
		}
	}
	tier := func(name string, normal, low, high int) router.TierStats {
		return router.TierStats{Name: name, Rows: batcher.ClassCounts{High: high, Normal: normal, Low: low}}
	}
	tests := []struct {
		name      string
		prev, cur Observation
		want      scaler.Snapshot
	}{{
		name: "rates over the time between observations",
		prev: Observation{At: apptest.Epoch, Pools: []router.PoolStats{pool("cpu", 100, 0, 0, 0, 0, 0)}, Tiers: []router.TierStats{tier("t", 10, 20, 0)}},
		cur: Observation{
			At:       apptest.Epoch.Add(2 * time.Second),
			Pools:    []router.PoolStats{pool("cpu", 300, 50, 50, 3, 2, 80*time.Millisecond)},
			Tiers:    []router.TierStats{tier("t", 110, 40, 60)},
			Replicas: map[string]Replicas{"cpu": {Ready: 2, Starting: 1, Interrupted: 1}},
		},
		want: scaler.Snapshot{
			Pools: map[string]scaler.PoolSnapshot{"cpu": {Ready: 2, Starting: 1, Interrupted: 1, ArrivalRate: 100, Queued: 3, InFlight: 2, P95: 80 * time.Millisecond}},
			Tiers: map[string]scaler.TierSnapshot{"t": {ArrivalRate: 90, LowRate: 10, NormalRate: 50}},
		},
	}, {
		name: "the traffic's SLO, as the router weighs it",
		prev: Observation{At: apptest.Epoch},
		cur: Observation{
			At:    apptest.Epoch.Add(time.Second),
			Pools: []router.PoolStats{{Name: "cpu", SLO: 400 * time.Millisecond}},
		},
		want: scaler.Snapshot{
			Pools: map[string]scaler.PoolSnapshot{"cpu": {SLO: 400 * time.Millisecond}},
			Tiers: map[string]scaler.TierSnapshot{},
		},
	}, {
		name: "queues in rows, as the batcher counts them",
		prev: Observation{At: apptest.Epoch},
		cur: Observation{
			At:    apptest.Epoch.Add(time.Second),
			Pools: []router.PoolStats{pool("gpu", 40, 40, 10, 3, 5, 0, 4)},
		},
		want: scaler.Snapshot{
			Pools: map[string]scaler.PoolSnapshot{"gpu": {ArrivalRate: 40, Queued: 12, InFlight: 20}},
			Tiers: map[string]scaler.TierSnapshot{},
		},
	}, {
		name: "no time between them: the router's windowed rates, no tier demand",
		prev: Observation{At: apptest.Epoch, Pools: []router.PoolStats{pool("cpu", 100, 0, 0, 0, 0, 0)}},
		cur: Observation{
			At:    apptest.Epoch,
			Pools: []router.PoolStats{pool("cpu", 100, 7.5, 7.5, 0, 0, 0)},
			Tiers: []router.TierStats{tier("t", 5, 0, 0)},
		},
		want: scaler.Snapshot{
			Pools: map[string]scaler.PoolSnapshot{"cpu": {ArrivalRate: 7.5}},
			Tiers: map[string]scaler.TierSnapshot{},
		},
	}, {
		name: "counters that went backwards count nothing",
		prev: Observation{At: apptest.Epoch, Pools: []router.PoolStats{pool("cpu", 100, 0, 0, 0, 0, 0)}, Tiers: []router.TierStats{tier("t", 50, 0, 0)}},
		cur: Observation{
			At:    apptest.Epoch.Add(time.Second),
			Pools: []router.PoolStats{pool("cpu", 10, 0, 0, 0, 0, 0)},
			Tiers: []router.TierStats{tier("t", 5, 0, 0)},
		},
		want: scaler.Snapshot{
			Pools: map[string]scaler.PoolSnapshot{"cpu": {}},
			Tiers: map[string]scaler.TierSnapshot{"t": {}},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Snapshot(tt.prev, tt.cur)); diff != "" {
				t.Errorf("Snapshot (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStatsSource takes two snapshots through the source: rates count
// from its creation, and a driver that fails fails the snapshot.
func TestSource(t *testing.T) {
	clk := apptest.NewClock()
	plane := &fakePlane{}
	plane.set([]router.PoolStats{{Name: "cpu"}}, []router.TierStats{{Name: "t"}})
	driver := &fakeDriver{replicas: map[string][2]int{"cpu": {1, 0}}}
	src := NewSource(plane, driver, clk.Now)
	if _, _, ok := src.Last(); ok {
		t.Error("Last before any snapshot reports one")
	}
	plane.set([]router.PoolStats{{Name: "cpu", ArrivedRows: 30, Queued: batcher.ClassCounts{Low: 4}, QueuedRows: batcher.ClassCounts{Low: 4}}},
		[]router.TierStats{{Name: "t", Rows: batcher.ClassCounts{Normal: 30}}})
	clk.Advance(3 * time.Second)
	snap, err := src.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := scaler.Snapshot{
		Pools: map[string]scaler.PoolSnapshot{"cpu": {Ready: 1, ArrivalRate: 10, Queued: 4}},
		Tiers: map[string]scaler.TierSnapshot{"t": {ArrivalRate: 10, NormalRate: 10}},
	}
	if diff := cmp.Diff(want, snap); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}
	last, queued, ok := src.Last()
	if diff := cmp.Diff(want, last); !ok || diff != "" || queued["cpu"] != 4 {
		t.Errorf("Last = %v, queued %v; want the snapshot and 4 queued (-want +got):\n%s", ok, queued, diff)
	}
	driver.err = errors.New("api down")
	if _, err := src.Snapshot(context.Background()); err == nil || !errors.Is(err, driver.err) {
		t.Errorf("Snapshot with a failing driver: error %v, want it to wrap the driver's", err)
	}
}
