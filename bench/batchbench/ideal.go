package batchbench

import (
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/costmodel"
)

// Ideal returns the latencies that an ideal batcher in front of one worker
// of curve c would give the arrivals of s: with no overhead at all, the
// moment the worker is free it sends every arrival waiting, up to
// maxBatch (< 1 counts as 1), oldest first, and each arrival's latency
// runs from its offset to the end of its batch. Being work-conserving and
// greedy it never waits for companions, so at light load it is the
// floor of the median; at any load it is the reference the real system's
// overheads are measured against. It is a pure function of its arguments.
func Ideal(s load.Schedule, c costmodel.Curve, maxBatch int) *load.Latencies {
	maxBatch = max(maxBatch, 1)
	lat := load.NewLatencies()
	var free time.Duration // when the worker is next free, from the start
	for i := 0; i < len(s.Offsets); {
		start := max(free, s.Offsets[i])
		j := i + 1
		for j < len(s.Offsets) && j-i < maxBatch && s.Offsets[j] <= start {
			j++
		}
		free = start + c.Latency(j-i)
		for _, at := range s.Offsets[i:j] {
			lat.Record(free - at)
		}
		i = j
	}
	return lat
}
