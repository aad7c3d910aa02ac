package batcher

import (
	"context"
	"errors"
)

// Stats is a snapshot of a Pool, cheap to take, for the router and the
// scaler. Counters run from NewPool and never decrease.
type Stats struct {
	// Queued is the number of items waiting, by class; QueuedRows their
	// rows (Item.Rows, at least 1 each), the unit of a batch's size.
	Queued     ClassCounts `json:"queued"`
	QueuedRows ClassCounts `json:"queued_rows"`
	// InFlightBatches, InFlightItems and InFlightRows count the batches
	// sent to workers and not yet answered, the items they hold and their
	// rows.
	InFlightBatches int `json:"in_flight_batches"`
	InFlightItems   int `json:"in_flight_items"`
	InFlightRows    int `json:"in_flight_rows"`
	// ArrivingRows is the rows per second arriving in each class
	// (Queue.RowRates).
	ArrivingRows ClassRates `json:"arriving_rows"`
	// Standing is the classes serving their newest items first because
	// their oldest is late (Queue.Standing): a new item of such a class
	// goes before the others queued in it.
	Standing Classes `json:"standing"`
	// Workers is the number of workers attached; Slots the sum of their
	// slots (the batches they may have in flight at once).
	Workers int `json:"workers"`
	Slots   int `json:"slots"`
	// Batches, Items and Rows count what was dispatched: Items/Batches is
	// the mean batch size (see MeanBatch).
	Batches uint64 `json:"batches"`
	Items   uint64 `json:"items"`
	Rows    uint64 `json:"rows"`
	// FailedBatches counts the dispatched batches that failed.
	FailedBatches uint64 `json:"failed_batches"`
	// Rejected counts the items answered with an error of the batcher's.
	Rejected Rejections `json:"rejected"`
	// Usage is how busy the workers were, for their utilization.
	Usage Usage `json:"usage"`
}

// Rejections counts items that were not answered by a worker, by reason.
type Rejections struct {
	// QueueFull counts Submits refused with ErrQueueFull.
	QueueFull uint64 `json:"queue_full"`
	// QueueTimeout counts items failed with ErrQueueTimeout.
	QueueTimeout uint64 `json:"queue_timeout"`
	// Deadline counts items failed with ErrDeadline, queued or in flight,
	// including those whose context deadline passed while queued.
	Deadline uint64 `json:"deadline"`
	// Canceled counts items whose caller went away while they were queued.
	Canceled uint64 `json:"canceled"`
	// Closed counts items failed with ErrClosed.
	Closed uint64 `json:"closed"`
}

// MeanBatch returns the mean number of items per dispatched batch, 0
// before the first.
func (s Stats) MeanBatch() float64 {
	if s.Batches == 0 {
		return 0
	}
	return float64(s.Items) / float64(s.Batches)
}

// count adds one rejection for err; errors of no known reason are not
// counted.
func (r *Rejections) count(err error) {
	switch {
	case errors.Is(err, ErrQueueFull):
		r.QueueFull++
	case errors.Is(err, ErrQueueTimeout):
		r.QueueTimeout++
	case errors.Is(err, ErrDeadline), errors.Is(err, context.DeadlineExceeded):
		r.Deadline++
	case errors.Is(err, context.Canceled):
		r.Canceled++
	case errors.Is(err, ErrClosed):
		r.Closed++
	}
}

// Stats returns a snapshot of the pool.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.st
	now := p.clock.Now()
	s.Queued, s.QueuedRows = p.q.LenByClass(), p.q.RowsByClass()
	s.ArrivingRows = p.q.RowRates(now)
	s.Standing = p.q.Standing(now)
	s.Usage = p.usage.usage(now)
	s.Workers = len(p.workers)
	for _, w := range p.workers {
		s.Slots += w.slots
	}
	return s
}
