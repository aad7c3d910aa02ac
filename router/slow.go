package router

import (
	"fmt"
	"slices"
	"time"
)

// paceWeight is the weight of the latest batch in a worker's pace.
const paceWeight = 0.2

// pace is a worker's exponentially weighted moving average of its
// batches' slowness: latency over the pool's curve for the batch's rows.
// The zero value has seen no batch.
type pace struct {
	avg     float64
	batches int
}

// add returns p with one more batch of slowness s.
func (p pace) add(s float64) pace {
	if p.batches == 0 {
		return pace{avg: s, batches: 1}
	}
	return pace{avg: p.avg + paceWeight*(s-p.avg), batches: p.batches + 1}
}

// slowness returns err, or, for a good batch of rows on w that took
// latency, more than HealthConfig.SlowFactor times slower than the
// pool's typical pace, an error wrapping ErrBackend and errSlow for w's
// health to count; the batch's answer is not affected. It records the
// batch in w's pace. pre: p.mu not held.
func (p *Pool) slowness(w *worker, rows int, latency time.Duration, err error) error {
	factor := p.health.SlowFactor
	if err != nil || factor <= 1 {
		return err
	}
	expected := p.cost.Curve.Latency(max(rows, 1))
	if expected <= 0 {
		return nil
	}
	s := float64(latency) / float64(expected)
	p.mu.Lock()
	typical := max(1, p.typicalPace())
	w.pace = w.pace.add(s)
	p.mu.Unlock()
	if s <= factor*typical {
		return nil
	}
	return fmt.Errorf("%w: %w: %v for %d rows, %.3g times the curve's %v, over %g times the pool's typical %.3g",
		ErrBackend, errSlow, latency, rows, s, expected, factor, typical)
}

// typicalPace is the median pace of the pool's attached workers that
// have served a batch, the lower middle one for an even count; 0 when
// there is none. pre: p.mu held.
func (p *Pool) typicalPace() float64 {
	paces := make([]float64, 0, len(p.workers))
	for _, w := range p.workers {
		if w.attached && w.pace.batches > 0 {
			paces = append(paces, w.pace.avg)
		}
	}
	if len(paces) == 0 {
		return 0
	}
	slices.Sort(paces)
	return paces[(len(paces)-1)/2]
}
