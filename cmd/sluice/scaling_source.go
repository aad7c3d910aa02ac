package main

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler"
)

// dataPlane is what the scaler reads of the router: per-pool statistics
// and per-tier arrival counts. *router.Router is one.
type dataPlane interface {
	Stats() []router.PoolStats
	TierStats() []router.TierStats
}

// observation is what the data plane and the driver showed at one time:
// the arrival counters, from which rates are taken between two
// observations, and the rest of a snapshot.
type observation struct {
	at    time.Time
	pools []router.PoolStats
	tiers []router.TierStats
	// replicas holds each pool's ready and starting replicas.
	replicas map[string][2]int
}

// statsSource is the scaler's Source: it reads the router's statistics
// and the driver's replica counts, and turns the counters into rates over
// the time since its previous snapshot. It is safe for concurrent use.
type statsSource struct {
	plane  dataPlane
	driver poolDriver
	now    func() time.Time

	mu   sync.Mutex
	prev observation
	last scaler.Snapshot
	// queued is each pool's queue at the last snapshot, in requests.
	queued map[string]int
}

var _ scaler.Source = (*statsSource)(nil)

// newStatsSource returns a source whose first rates count from now.
func newStatsSource(plane dataPlane, driver poolDriver, now func() time.Time) *statsSource {
	return &statsSource{
		plane: plane, driver: driver, now: now,
		prev: observation{at: now(), pools: plane.Stats(), tiers: plane.TierStats()},
	}
}

// Snapshot implements scaler.Source. It fails when the driver cannot
// count a pool's replicas.
func (s *statsSource) Snapshot(ctx context.Context) (scaler.Snapshot, error) {
	cur := observation{at: s.now(), pools: s.plane.Stats(), tiers: s.plane.TierStats(), replicas: map[string][2]int{}}
	for _, p := range cur.pools {
		ready, starting, err := s.driver.Replicas(ctx, p.Name)
		if err != nil {
			return scaler.Snapshot{}, fmt.Errorf("pool %q: replicas: %w", p.Name, err)
		}
		cur.replicas[p.Name] = [2]int{ready, starting}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := snapshotOf(s.prev, cur)
	s.prev, s.last, s.queued = cur, snap, queuedOf(cur.pools)
	return snap, nil
}

// Last returns the latest snapshot and each pool's queue then, in
// requests; ok is false before the first. The maps are the caller's.
func (s *statsSource) Last() (snap scaler.Snapshot, queued map[string]int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last, s.queued, s.last.Pools != nil
}

func queuedOf(pools []router.PoolStats) map[string]int {
	out := make(map[string]int, len(pools))
	for _, p := range pools {
		out[p.Name] = p.Queued.Total()
	}
	return out
}

// snapshotOf turns two observations into the scaler's snapshot. The
// scaler counts in items, which for the cost model are rows (the unit of
// a pool's throughput): rates are rows per second over the time between
// the observations, and queues and items in flight are requests times
// the pool's mean rows per request over the router's window. A span that
// is not positive takes the router's windowed rates instead.
func snapshotOf(prev, cur observation) scaler.Snapshot {
	dt := cur.at.Sub(prev.at).Seconds()
	snap := scaler.Snapshot{Pools: map[string]scaler.PoolSnapshot{}, Tiers: map[string]scaler.TierSnapshot{}}
	before := map[string]uint64{}
	for _, p := range prev.pools {
		before[p.Name] = p.ArrivedRows
	}
	for _, p := range cur.pools {
		rate := p.RowRate
		if dt > 0 {
			rate = float64(since(p.ArrivedRows, before[p.Name])) / dt
		}
		snap.Pools[p.Name] = poolSnapshot(p, rate, cur.replicas[p.Name])
	}
	tiersBefore := map[string]batcher.ClassCounts{}
	for _, t := range prev.tiers {
		tiersBefore[t.Name] = t.Rows
	}
	for _, t := range cur.tiers {
		if dt > 0 {
			snap.Tiers[t.Name] = tierSnapshot(t.Rows, tiersBefore[t.Name], dt)
		}
	}
	return snap
}

// poolSnapshot is one pool's part of a snapshot, arriving at rate rows
// per second.
func poolSnapshot(p router.PoolStats, rate float64, replicas [2]int) scaler.PoolSnapshot {
	rowsPer := 1.0
	if p.ArrivalRate > 0 && p.RowRate > p.ArrivalRate {
		rowsPer = p.RowRate / p.ArrivalRate
	}
	return scaler.PoolSnapshot{
		Ready: replicas[0], Starting: replicas[1],
		ArrivalRate: rate,
		Queued:      int(math.Ceil(float64(p.Queued.Total()) * rowsPer)),
		InFlight:    int(math.Ceil(float64(p.InFlight) * rowsPer)),
		P95:         p.Latency.P95,
	}
}

// tierSnapshot is one tier's demand from its rows counted now and dt
// seconds before.
func tierSnapshot(now, before batcher.ClassCounts, dt float64) scaler.TierSnapshot {
	rate := func(c func(batcher.ClassCounts) int) float64 {
		return float64(max(c(now)-c(before), 0)) / dt
	}
	return scaler.TierSnapshot{
		ArrivalRate: rate(batcher.ClassCounts.Total),
		LowRate:     rate(func(c batcher.ClassCounts) int { return c.Low }),
		NormalRate:  rate(func(c batcher.ClassCounts) int { return c.Normal }),
	}
}

// since returns now − before, or 0 for a counter that went backwards.
func since(now, before uint64) uint64 {
	if now < before {
		return 0
	}
	return now - before
}
