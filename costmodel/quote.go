package costmodel

import "time"

// TypicalUtilization is the share of the time a replica is busy in a
// fleet run with headroom, at which Quote prices inferences besides full
// load.
const TypicalUtilization = 0.7

// Quote is what one replica of a pool delivers at an SLO and what its
// inferences cost. Batch and Throughput are 0, and the costs +Inf, when
// the pool cannot serve a single item within the SLO.
type Quote struct {
	// Pool names the pool; Spot marks interruptible capacity.
	Pool string
	Spot bool
	// PricePerHour is one replica's price, USD per hour.
	PricePerHour float64
	SLO          time.Duration
	// Batch is the batch a replica runs at the SLO (Pool.BatchAt).
	Batch int
	// Throughput is the inferences per second one replica sustains at
	// the SLO (Pool.Throughput).
	Throughput float64
	// PerMillionBusy is the USD per million inferences with replicas
	// busy all the time; PerMillionTypical at TypicalUtilization.
	PerMillionBusy, PerMillionTypical float64
}

// Quote returns what one replica of p delivers at slo and what its
// inferences cost.
func (p Pool) Quote(slo time.Duration) Quote {
	return Quote{
		Pool: p.Name, Spot: p.Spot, PricePerHour: p.PricePerHour, SLO: slo,
		Batch: p.BatchAt(slo), Throughput: p.Throughput(slo),
		PerMillionBusy: p.CostPerMillion(slo, 1), PerMillionTypical: p.CostPerMillion(slo, TypicalUtilization),
	}
}
