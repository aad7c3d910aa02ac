package router

import (
	"math"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip"
)

// view takes the pool's snapshot for a request of model m with facts f:
// its curve and idle latency are those learned of m, at the request's
// size for the idle latency.
func (p *Pool) view(f Facts, m Model) PoolView {
	cm := p.ModelCost(m.Name)
	v := ViewOf(p.name, p.queue.Stats(), cm, m, f)
	v.Idle = p.learned.Latency(m.Name, costmodel.Size{Rows: int(min(f.Rows, math.MaxInt32)), Bytes: f.Bytes})
	p.remeasure(m, f.Rows, v.Idle, f.SLO)
	v.Missing = p.missing(m.Name)
	v.MaxBatchBytes = p.maxBytes
	return v
}

// ViewOf builds the picker's snapshot of the pool named name for a
// request of model m with facts f, from plain values: the pool's batcher
// statistics s and its cost model for m, cm (price, curve, largest
// batch). It leaves Idle and Missing, which come from what a pool learned
// of its workers, zero. The router builds every view with it, and a
// simulator builds its views with it too, so that both hand the picker
// the same snapshot for the same pool.
func ViewOf(name string, s batcher.Stats, cm costmodel.Pool, m Model, f Facts) PoolView {
	b := batchAt(cm, f.SLO, m)
	return PoolView{
		Name:       name,
		Ready:      s.Workers,
		FreeSlots:  max(s.Slots-s.InFlightBatches, 0),
		Ahead:      ahead(s.QueuedRows, f.Priority),
		InFlight:   s.InFlightRows,
		Overtaking: s.ArrivingRows.Above(f.Priority),
		MaxBatch:   cm.MaxBatch,
		BatchAt:    b,
		Throughput: throughput(cm.Curve, b),
		// The price of the work at full load, not of idle time: ready
		// replicas are paid for whether they work or not, so the router
		// fills the cheapest pool first, as the scaler sizes them, and
		// spills to the next only when the cheaper one would be late.
		CostPerMillion: cm.CostPerMillion(f.SLO, 1),
		Curve:          cm.Curve,
	}
}

// batchSize measures a batch for the learned latency: its rows (1 when its
// inputs have none in common) and the bytes of its input data.
func batchSize(req *oip.InferenceRequest) costmodel.Size {
	rows, err := req.Rows()
	if err != nil || rows < 1 {
		rows = 1
	}
	s := costmodel.Size{Rows: int(min(rows, math.MaxInt32))}
	for i := range req.Inputs {
		t := &req.Inputs[i]
		s.Bytes += int64(len(t.Raw))
		for _, e := range t.Elems {
			s.Bytes += int64(len(e))
		}
	}
	return s
}

// batchAt returns the batch size the pool runs for model m within slo:
// the cost model's, capped by the model's own limit; 1 when the model
// does not batch or no batch fits.
func batchAt(cm costmodel.Pool, slo time.Duration, m Model) int {
	if !m.Batching {
		return 1
	}
	b := max(cm.BatchAt(slo), 1)
	if m.MaxBatch > 0 {
		b = min(b, m.MaxBatch)
	}
	return b
}

// throughput returns the inferences per second of batches of b on curve
// c; +Inf when they take no time.
func throughput(c costmodel.Curve, b int) float64 {
	lat := c.Latency(b).Seconds()
	if lat <= 0 {
		return math.Inf(1)
	}
	return float64(b) / lat
}

// ahead returns the rows queued that are served before a new item of
// class pr: those of its class and of more urgent ones. A standing class
// (batcher.Queue.Standing) serves each tenant's newest first, yet its
// rows still count: every later arrival of the class goes before the new
// item, and rows standing mean the pool is behind, so a pool that another
// could relieve must not look empty to the picker.
func ahead(rows batcher.ClassCounts, pr batcher.Priority) int {
	n := 0
	for _, c := range []batcher.Priority{batcher.Critical, batcher.High, batcher.Normal, batcher.Low} {
		if c >= pr {
			n += rows.Of(c)
		}
	}
	return n
}
