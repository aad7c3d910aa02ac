package costmodel

import (
	"math"
	"time"
)

// Pool is what the cost model knows of a group of identical replicas. It is
// a plain value; to change a price, replace the Pool value (a Fleet holds
// every pool of a configuration).
type Pool struct {
	// Name identifies the pool.
	Name string
	// PricePerHour is the price of one replica in USD per hour; >= 0.
	PricePerHour float64
	// Spot marks interruptible capacity; false is on-demand.
	Spot bool
	// Curve is the latency of a batch of b items on one replica.
	Curve Curve
	// MaxBatch is the largest batch a replica takes; < 1 counts as 1.
	MaxBatch int
	// ColdStart is how long a new replica takes to become ready.
	ColdStart time.Duration
}

// ServiceBudget returns the part of an end-to-end SLO that one batch's
// service may take: slo/2. A request that arrives just after a batch has
// left waits for that batch to finish, then rides the next one, so it
// spends up to two service times in the system; a batch that takes at most
// slo/2 therefore keeps every request within slo at full load (queueing
// beyond one batch is the scaler's to prevent).
func ServiceBudget(slo time.Duration) time.Duration { return slo / 2 }

// BatchAt returns the batch size the pool runs to serve within slo: the
// largest b in [1, MaxBatch] with Curve.Latency(b) <= ServiceBudget(slo),
// or 0 when even a batch of one does not fit.
func (p Pool) BatchAt(slo time.Duration) int {
	return p.Curve.MaxBatchWithin(max(p.MaxBatch, 1), ServiceBudget(slo))
}

// Throughput returns the inferences per second one replica sustains at
// slo: b / Latency(b) in seconds, with b = BatchAt(slo). It is 0 when no
// batch fits the SLO and +Inf when the curve says a batch takes no time.
func (p Pool) Throughput(slo time.Duration) float64 {
	b := p.BatchAt(slo)
	if b == 0 {
		return 0
	}
	return float64(b) / p.Curve.Latency(b).Seconds()
}

// CostPerMillion returns the USD that one million inferences cost on this
// pool at slo when its replicas are busy the given fraction of the time:
//
//	PricePerHour / (3600 × Throughput(slo) × utilization) × 1e6
//
// Utilization is a fraction in (0, 1]; values above 1 count as 1, since a
// replica cannot sustain more than its throughput. The result is +Inf when
// the throughput or the utilization is 0 (or less): the pool cannot serve
// at that SLO, or serves nothing.
func (p Pool) CostPerMillion(slo time.Duration, utilization float64) float64 {
	thr := p.Throughput(slo)
	if thr <= 0 || !(utilization > 0) {
		return math.Inf(1)
	}
	return p.PricePerHour / (3600 * thr * min(utilization, 1)) * 1e6
}

// MinLatency returns Latency(1): the fastest a lone request can be served
// by an idle replica. A pool whose MinLatency exceeds an SLO cannot meet it
// at all.
func (p Pool) MinLatency() time.Duration { return p.Curve.Latency(1) }

// Capacity returns the inferences per second that replicas replicas sustain
// at slo: replicas × Throughput(slo); 0 for replicas <= 0.
func (p Pool) Capacity(slo time.Duration, replicas int) float64 {
	if replicas <= 0 {
		return 0
	}
	return float64(replicas) * p.Throughput(slo)
}

// CostPerHour returns what replicas replicas cost in USD per hour; 0 for
// replicas <= 0.
func (p Pool) CostPerHour(replicas int) float64 {
	if replicas <= 0 {
		return 0
	}
	return float64(replicas) * p.PricePerHour
}

// Step is the effect of changing a pool's size by one replica.
type Step struct {
	// Replicas is the pool's size after the step; >= 0.
	Replicas int
	// Capacity is the change in sustained inferences per second: positive
	// for a step up, negative for a step down, 0 when there is nothing to
	// remove.
	Capacity float64
	// CostPerHour is the change in USD per hour, signed like Capacity.
	CostPerHour float64
}

// Marginal returns the steps from a pool of replicas replicas (< 0 counts
// as 0) to one more (up) and one fewer (down) at slo. Down from an empty
// pool is the zero change, Step{Replicas: 0}.
func (p Pool) Marginal(slo time.Duration, replicas int) (up, down Step) {
	n := max(replicas, 0)
	thr := p.Throughput(slo)
	up = Step{Replicas: n + 1, Capacity: thr, CostPerHour: p.PricePerHour}
	if n == 0 {
		return up, Step{}
	}
	return up, Step{Replicas: n - 1, Capacity: -thr, CostPerHour: -p.PricePerHour}
}
