package scaling

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler"
)

// Plane is what a Source reads of the data plane: per-pool statistics
// and per-tier arrival counts. *router.Router is one.
type Plane interface {
	Stats() []router.PoolStats
	TierStats() []router.TierStats
}

// ReplicaCounter counts a pool's replicas; every pool driver is one. Its
// method is safe for concurrent use.
type ReplicaCounter interface {
	// Replicas returns how many replicas of pool are ready, and how many
	// more are starting.
	Replicas(ctx context.Context, pool string) (ready, starting int, err error)
}

// Replicas is a pool's replica count at one time.
type Replicas struct {
	Ready, Starting int
	// Interrupted counts the replicas the driver saw interrupted (spot
	// reclaims) since the previous observation; 0 when it cannot tell,
	// and the scaler then finds them among those that vanished.
	Interrupted int
}

// Observation is what the data plane and the driver showed at one time:
// the arrival counters, from which rates are taken between two
// observations, and the rest of a snapshot.
type Observation struct {
	At    time.Time
	Pools []router.PoolStats
	Tiers []router.TierStats
	// Replicas holds each pool's replicas, by name; a pool it lacks has
	// none.
	Replicas map[string]Replicas
}

// Source is the scaler's Source over a data plane and a driver: it reads
// the router's statistics and the driver's replica counts, and turns the
// counters into rates over the time since its previous snapshot (see
// Snapshot). It is safe for concurrent use.
type Source struct {
	plane    Plane
	replicas ReplicaCounter
	now      func() time.Time

	mu   sync.Mutex
	prev Observation
	last scaler.Snapshot
	// queued is each pool's queue at the last snapshot, in requests.
	queued map[string]int
}

var _ scaler.Source = (*Source)(nil)

// NewSource returns a source whose first rates count from now(), on the
// clock now.
func NewSource(plane Plane, replicas ReplicaCounter, now func() time.Time) *Source {
	return &Source{
		plane: plane, replicas: replicas, now: now,
		prev: Observation{At: now(), Pools: plane.Stats(), Tiers: plane.TierStats()},
	}
}

// Snapshot implements scaler.Source. It fails when the driver cannot
// count a pool's replicas.
func (s *Source) Snapshot(ctx context.Context) (scaler.Snapshot, error) {
	cur := Observation{At: s.now(), Pools: s.plane.Stats(), Tiers: s.plane.TierStats(), Replicas: map[string]Replicas{}}
	for _, p := range cur.Pools {
		ready, starting, err := s.replicas.Replicas(ctx, p.Name)
		if err != nil {
			return scaler.Snapshot{}, fmt.Errorf("pool %q: replicas: %w", p.Name, err)
		}
		cur.Replicas[p.Name] = Replicas{Ready: ready, Starting: starting}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := Snapshot(s.prev, cur)
	s.prev, s.last, s.queued = cur, snap, queuedOf(cur.Pools)
	return snap, nil
}

// Last returns the latest snapshot and each pool's queue then, in
// requests; ok is false before the first. The maps are the caller's.
func (s *Source) Last() (snap scaler.Snapshot, queued map[string]int, ok bool) {
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

// Snapshot turns two observations into the scaler's snapshot. The
// scaler counts in items, which for the cost model are rows (the unit of
// a pool's throughput): rates are rows per second over the time between
// the observations, and queues and items in flight are the rows the
// batcher holds. A span that is not positive takes the router's windowed
// rates instead, and gives no tier demand. Counters that went backwards
// count nothing. The simulator plans with it too, on observations of its
// own fleet.
func Snapshot(prev, cur Observation) scaler.Snapshot {
	dt := cur.At.Sub(prev.At).Seconds()
	snap := scaler.Snapshot{Pools: map[string]scaler.PoolSnapshot{}, Tiers: map[string]scaler.TierSnapshot{}}
	before := map[string]uint64{}
	for _, p := range prev.Pools {
		before[p.Name] = p.ArrivedRows
	}
	for _, p := range cur.Pools {
		rate := p.RowRate
		if dt > 0 {
			rate = float64(since(p.ArrivedRows, before[p.Name])) / dt
		}
		snap.Pools[p.Name] = poolSnapshot(p, rate, cur.Replicas[p.Name])
	}
	tiersBefore := map[string]batcher.ClassCounts{}
	for _, t := range prev.Tiers {
		tiersBefore[t.Name] = t.Rows
	}
	for _, t := range cur.Tiers {
		if dt > 0 {
			snap.Tiers[t.Name] = tierSnapshot(t.Rows, tiersBefore[t.Name], dt)
		}
	}
	return snap
}

// poolSnapshot is one pool's part of a snapshot, arriving at rate rows
// per second.
func poolSnapshot(p router.PoolStats, rate float64, r Replicas) scaler.PoolSnapshot {
	return scaler.PoolSnapshot{
		Ready: r.Ready, Starting: r.Starting, Interrupted: r.Interrupted,
		ArrivalRate: rate,
		Queued:      p.QueuedRows.Total(),
		InFlight:    p.InFlightRows,
		P95:         p.Latency.P95,
		SLO:         p.SLO,
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
