package sim

import (
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
)

// repState is where a replica is in its life.
type repState uint8

const (
	repFree     repState = iota // the slot holds no replica
	repStarting                 // in its cold start, billed
	repIdle                     // ready, waiting for a batch
	repBusy                     // serving a batch
	repDraining                 // serving its last batch, then stops
)

// replica is one simulated worker. Its slot in poolSim.reps is reused;
// gen tells its successive occupants apart.
type replica struct {
	state     repState
	gen       uint32
	requested time.Duration // when it was asked for: billing starts
	batch     []*batcher.Item
	rows      int
}

// poolSim is one pool during a run: its batcher queue, its replicas, its
// bill and the counters its observation is made of.
type poolSim struct {
	idx   int
	spec  *Pool
	price float64 // USD per replica-hour now
	down  bool
	q     *batcher.Queue
	form  [2]batcher.FormConfig // per kind
	// cpm is the cost per million requests of each kind at full load,
	// the router's ranking; +Inf for a kind the pool cannot serve.
	cpm [2]float64
	// model is the pool's cost model at its current price, as the
	// router's view builder takes it.
	model costmodel.Pool

	reps                      []replica
	idle                      []int32 // idle slots, most recent last
	starting, ready, draining int     // ready counts idle and busy
	queued, queuedRows        int
	inflight, inflightRows    int
	wakeAt                    time.Duration // pending forming wake-up; never if none

	// Since the last decision.
	arrived, arrivedRows int
	unservedRows         int     // rows of the pool's tiers that found no pool while it had no ready replica
	concArea             float64 // integral of rows queued or in flight, row-seconds
	concAt               time.Duration
	lat                  latencyWindow // latencies answered over the router's stats window
	interrupted          int

	// The bill.
	billed     int // replicas billed now: starting, ready and draining
	billedAt   time.Duration
	cost       float64 // USD
	repSeconds float64
}

// live returns the replicas that count as the pool's size: starting and
// ready.
func (p *poolSim) live() int { return p.starting + p.ready }

// bill brings the pool's bill up to now at its current size and price.
func (p *poolSim) bill(now time.Duration) {
	dt := (now - p.billedAt).Seconds()
	p.cost += float64(p.billed) * p.price * dt / 3600
	p.repSeconds += float64(p.billed) * dt
	p.billedAt = now
}

// setPrice changes the price from now on.
func (p *poolSim) setPrice(now time.Duration, perHour float64) {
	p.bill(now)
	p.price = perHour
}

// concurrency brings the concurrency integral up to now; call it before
// the rows queued or in flight change.
func (p *poolSim) concurrency(now time.Duration) {
	p.concArea += float64(p.queuedRows+p.inflightRows) * (now - p.concAt).Seconds()
	p.concAt = now
}

// slot returns a free replica slot, growing the table when needed.
func (p *poolSim) slot() int32 {
	for i := range p.reps {
		if p.reps[i].state == repFree {
			return int32(i)
		}
	}
	p.reps = append(p.reps, replica{})
	return int32(len(p.reps) - 1)
}

// popIdle removes and returns the most recently idle replica; -1 if none.
func (p *poolSim) popIdle() int32 {
	n := len(p.idle)
	if n == 0 {
		return -1
	}
	i := p.idle[n-1]
	p.idle = p.idle[:n-1]
	return i
}

// dropIdle removes slot i from the idle list.
func (p *poolSim) dropIdle(i int32) {
	for j, s := range p.idle {
		if s == i {
			p.idle = append(p.idle[:j], p.idle[j+1:]...)
			return
		}
	}
}

// batcherStats returns what the pool's batcher would report at now: its
// queue by class, in items and rows, the rows arriving in each class and
// the classes standing, one slot per ready replica, and the batches,
// items and rows in flight on them.
func (p *poolSim) batcherStats(now time.Duration) batcher.Stats {
	t := at(now)
	return batcher.Stats{
		Queued: p.q.LenByClass(), QueuedRows: p.q.RowsByClass(),
		ArrivingRows: p.q.RowRates(t),
		Standing:     p.q.Standing(t),
		Workers:      p.ready, Slots: p.ready,
		InFlightBatches: p.ready - len(p.idle), InFlightItems: p.inflight, InFlightRows: p.inflightRows,
	}
}
