package costmodel

import "time"

// Point is one measured point of a capacity curve: a batch of Batch items
// takes Latency on one replica.
type Point struct {
	// Batch is the number of items in the batch; >= 1.
	Batch int `yaml:"batch" json:"batch"`
	// Latency is the time the batch takes; > 0.
	Latency time.Duration `yaml:"latency" json:"latency"`
}

// Curve is a replica's capacity curve: the time one batch of b items takes.
// It is either the line Base + PerItem·b or, when Points is non-empty, the
// polyline through Points (Base and PerItem are then ignored).
//
// A valid curve has Base >= 0, PerItem >= 0 and Base + PerItem > 0, or
// Points sorted by strictly increasing Batch >= 1 with positive,
// non-decreasing latencies; configs validates both forms. Every valid curve
// is non-decreasing in b.
//
// The zero value is a curve where every batch takes no time. A Curve is a
// plain value; its Points must not be modified while it is in use.
type Curve struct {
	// Base is the fixed latency of any batch.
	Base time.Duration `yaml:"base" json:"base"`
	// PerItem is the latency each item adds.
	PerItem time.Duration `yaml:"per_item" json:"per_item"`
	// Points, when non-empty, replace Base and PerItem with measured
	// points, sorted by Batch.
	Points []Point `yaml:"points" json:"points,omitempty"`
}

// IsZero reports whether c is the zero Curve, which stands for a curve
// not configured: no base, no per-item latency, no points.
func (c Curve) IsZero() bool { return c.Base == 0 && c.PerItem == 0 && len(c.Points) == 0 }

// Latency returns the time a batch of b items takes; b < 1 is treated as 1.
//
// For a line it is Base + PerItem·b. For points it interpolates linearly
// between the two points around b; beyond the last point it extrapolates
// with the last segment's slope (flat when there is one point), and below
// the first point it is the first point's latency, since a smaller batch is
// not assumed to be faster than the smallest one measured. It is never
// negative for points.
func (c Curve) Latency(b int) time.Duration {
	if b < 1 {
		b = 1
	}
	if len(c.Points) == 0 {
		return c.Base + time.Duration(b)*c.PerItem
	}
	return interpolate(c.Points, b)
}

// interpolate evaluates the polyline through ps at b.
// pre: len(ps) > 0, sorted by strictly increasing Batch.
func interpolate(ps []Point, b int) time.Duration {
	first, last := ps[0], ps[len(ps)-1]
	switch {
	case b <= first.Batch:
		return first.Latency
	case len(ps) == 1:
		return first.Latency
	case b >= last.Batch:
		return max(0, along(ps[len(ps)-2], last, b))
	}
	i := 1
	for ps[i].Batch < b {
		i++
	}
	return along(ps[i-1], ps[i], b)
}

// along evaluates the line through p and q at b, in integer nanoseconds so
// that it is exact at both points. pre: p.Batch < q.Batch.
func along(p, q Point, b int) time.Duration {
	rise, run, n := q.Latency-p.Latency, time.Duration(q.Batch-p.Batch), time.Duration(b-p.Batch)
	return p.Latency + rise*(n/run) + rise*(n%run)/run
}

// MaxBatchWithin returns the largest b in [1, maxBatch] whose Latency(b)
// is at most budget, or 0 if even a batch of one exceeds it (or maxBatch
// < 1). It relies on Latency being non-decreasing in b, which holds for
// every valid curve.
func (c Curve) MaxBatchWithin(maxBatch int, budget time.Duration) int {
	lo, hi := 0, maxBatch // invariant: lo fits (or is 0); everything above hi does not
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if c.Latency(mid) <= budget {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return max(lo, 0)
}
