package costmodel

import (
	"math"
	"time"
)

// BatchCost returns the USD one replica costs while it serves one batch of
// rows rows: PricePerHour for Curve.Latency(rows). Rows below 1 count as 1,
// rows beyond math.MaxInt32 as math.MaxInt32. It is 0 for a free pool.
func (p Pool) BatchCost(rows int64) float64 {
	b := int(min(max(rows, 1), math.MaxInt32))
	return p.PricePerHour * p.Curve.Latency(b).Hours()
}

// CostPerInference returns the USD one inference costs on the pool at slo
// when its replicas are always busy (idle capacity is no one request's
// doing): the cost of a batch of BatchAt(slo) over its size, which is
// PricePerHour / (3600 × Throughput(slo)), CostPerMillion(slo, 1) / 1e6.
//
// When no batch fits slo the request is served all the same, in a batch
// of one, and priced so: BatchCost(1). The result is therefore finite,
// unlike CostPerMillion's; it is 0 for a free pool and for a curve whose
// batches take no time.
func (p Pool) CostPerInference(slo time.Duration) float64 {
	b := max(p.BatchAt(slo), 1)
	return p.BatchCost(int64(b)) / float64(b)
}

// RequestCost returns the USD of a request of rows inferences on the pool
// at slo: rows × CostPerInference(slo); 0 for rows <= 0.
func (p Pool) RequestCost(slo time.Duration, rows int64) float64 {
	if rows <= 0 {
		return 0
	}
	return float64(rows) * p.CostPerInference(slo)
}
