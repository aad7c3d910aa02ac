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
	q := p.queue.Stats()
	cm := p.ModelCost(m.Name)
	b := batchAt(cm, f.SLO, m)
	thr := throughput(cm.Curve, b)
	idle := p.learned.Latency(m.Name, costmodel.Size{Rows: int(min(f.Rows, math.MaxInt32)), Bytes: f.Bytes})
	p.remeasure(m, f.Rows, idle, f.SLO)
	return PoolView{
		Name:          p.name,
		Ready:         q.Workers,
		FreeSlots:     max(q.Slots-q.InFlightBatches, 0),
		Ahead:         ahead(q.Queued, f.Priority),
		InFlight:      q.InFlightItems,
		MaxBatch:      cm.MaxBatch,
		MaxBatchBytes: p.maxBytes,
		BatchAt:       b,
		Throughput:    thr,
		// The price of the work at full load, not of idle time: ready
		// replicas are paid for whether they work or not, so the router
		// fills the cheapest pool first, as the scaler sizes them, and
		// spills to the next only when the cheaper one would be late.
		CostPerMillion: cm.CostPerMillion(f.SLO, 1),
		Curve:          cm.Curve,
		Idle:           idle,
		Missing:        p.missing(m.Name),
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

// ahead returns the items queued at priority pr or above: those that
// will be served before a new item of class pr.
func ahead(q batcher.ClassCounts, pr batcher.Priority) int {
	n := 0
	for _, c := range []batcher.Priority{batcher.Critical, batcher.High, batcher.Normal, batcher.Low} {
		if c >= pr {
			n += q.Of(c)
		}
	}
	return n
}
