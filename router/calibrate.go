package router

import (
	"context"
	"slices"
	"time"

	"github.com/sluice-gateway/sluice/oip"
)

// remeasureGap is how much the estimate may exceed a re-measurement
// before it is taken to be out of date and forgotten.
const remeasureGap = 1.5

// CalibrationConfig bounds the probes that measure a pool's latency. A
// pool configured without a curve (a zero PoolConfig.Cost.Curve and
// Queue.Form.Curve) is calibrated for each model it serves when the first
// worker that describes the model attaches: a few batches of synthetic
// inputs of the model's own shape (from its metadata, zeros) at 1, half
// the largest and the largest batch, so that routing and scaling work
// from the first minute. And a pool that the router avoids for a model,
// because the latency it learned of it misses the model's SLO even idle,
// is measured again now and then, as nothing else would correct it: when
// the estimate is far above what the measurement shows, what was learned
// of the model is forgotten. The zero value measures nothing: it has no
// defaults of its own, and serve passes the configuration's calibration
// section.
type CalibrationConfig struct {
	// Budget bounds one model's calibration on a pool, and a
	// re-measurement; 0 (or less) turns both off.
	Budget time.Duration
	// Batches is how many batches a calibration or a re-measurement
	// measures at each size, after one that warms the worker up; 0 (or
	// less) turns both off.
	Batches int
	// Remeasure is the least time between two re-measurements of one
	// model on one pool; 0 (or less) turns them off.
	Remeasure time.Duration
}

// calibrates reports whether c measures at all.
func (c CalibrationConfig) calibrates() bool { return c.Budget > 0 && c.Batches > 0 }

// calibrate measures model m on w if the pool has no configured curve, no
// calibration measured m on it yet (whatever traffic taught it: a few
// requests of one size do not make a curve) and no measurement of m runs:
// batches at 1, half the largest and the largest batch of m's rows,
// within CalibrationConfig.Budget, the fastest of each size observed. It
// runs in the caller's goroutine, one of p.bg's.
func (p *Pool) calibrate(w *worker, m Model, md *oip.ModelMetadata) {
	if !p.calib.calibrates() || !p.learned.Prior().IsZero() || !p.startCalibrating(m.Name) {
		return
	}
	defer p.stopMeasuring(m.Name)
	if len(md.Inputs) == 0 {
		p.notCalibrated(w, m, "its metadata lists no inputs")
		return
	}
	ctx, cancel := context.WithTimeout(p.bgCtx, p.calib.Budget)
	defer cancel()
	start := p.clock.Now()
	measured := false
	for _, rows := range calibrationSizes(p.largestBatch(m)) {
		req := synthetic(md, rows, m.Batching)
		// The fastest of a few batches of one size: what the worker
		// takes, without what a busy gateway host adds to some of them.
		// Traffic teaches the rest.
		if lats := p.measure(ctx, w, m.Name, req, p.calib.Batches); len(lats) > 0 {
			p.learned.Observe(m.Name, batchSize(req), slices.Min(lats))
			measured = true
		}
	}
	p.markCalibrated(m.Name, measured)
	if !measured {
		p.notCalibrated(w, m, "no batch answered")
		return
	}
	curve := p.learned.CurveOf(m.Name)
	p.log.Info("router: calibrated a pool without a configured curve", "model", m.Name, "worker", w.endpoint.ID,
		"batches", p.learned.ModelObservations(m.Name), "took", p.clock.Now().Sub(start),
		"base", curve.Base, "per_item", curve.PerItem)
}

// notCalibrated logs that m could not be calibrated on w, and why.
func (p *Pool) notCalibrated(w *worker, m Model, reason string) {
	p.log.Warn("router: could not calibrate a pool without a configured curve; traffic will teach it",
		"model", m.Name, "worker", w.endpoint.ID, "reason", reason)
}

// largestBatch returns the most rows one batch of m holds on the pool:
// 1 when m does not batch; else the smaller of the pool's MaxBatch and
// m's own, of those set; 1 when neither is.
func (p *Pool) largestBatch(m Model) int {
	if !m.Batching {
		return 1
	}
	b := m.MaxBatch
	if pb := p.cost.MaxBatch; pb > 0 && (b <= 0 || pb < b) {
		b = pb
	}
	return max(b, 1)
}

// calibrationSizes returns the batch sizes a calibration measures: 1,
// half of largest and largest, each once, ascending.
func calibrationSizes(largest int) []int {
	sizes := []int{1, max(largest/2, 1), max(largest, 1)}
	return slices.Compact(sizes)
}

// measure sends req to w n+1 times in a row and returns the latencies of
// the last n: the first warms the worker up for req's shape. It stops at
// the first failure or when ctx ends, returning what it measured.
func (p *Pool) measure(ctx context.Context, w *worker, model string, req *oip.InferenceRequest, n int) []time.Duration {
	var out []time.Duration
	for i := range n + 1 {
		start := p.clock.Now()
		if _, err := w.link.infer(ctx, model, "", req); err != nil {
			if ctx.Err() == nil {
				p.log.Warn("router: measuring a model failed", "model", model, "worker", w.endpoint.ID, "error", err)
			}
			return out
		}
		if i > 0 {
			out = append(out, p.clock.Now().Sub(start))
		}
	}
	return out
}

// startCalibrating marks model as being measured, for its calibration;
// false if a calibration measured it already, it is being measured or
// the pool is closed.
func (p *Pool) startCalibrating(model string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.measuring[model] || p.calibrated[model] {
		return false
	}
	p.measuring[model] = true
	return true
}

// markCalibrated records that a calibration of model measured it, when it
// did: the next worker that describes it does not calibrate it again.
func (p *Pool) markCalibrated(model string, measured bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calibrated[model] = p.calibrated[model] || measured
}

// startMeasuring marks model as being measured; false if it already is
// or the pool is closed.
func (p *Pool) startMeasuring(model string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.measuring[model] {
		return false
	}
	p.measuring[model] = true
	return true
}

func (p *Pool) stopMeasuring(model string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.measuring, model)
}

// synthetic returns a request of rows rows (1 for a model that does not
// batch) for an input of every tensor md describes, zero-filled: its
// first dimension is rows when the model batches, and every other
// dimension of unknown size (-1) is 1. BYTES elements hold 16 zero bytes.
func synthetic(md *oip.ModelMetadata, rows int, batching bool) *oip.InferenceRequest {
	req := &oip.InferenceRequest{ID: "sluice-calibration"}
	for _, in := range md.Inputs {
		shape := slices.Clone(in.Shape)
		for i := range shape {
			if shape[i] < 0 {
				shape[i] = 1
			}
		}
		if batching && len(shape) > 0 {
			shape[0] = int64(rows)
		}
		n := int64(1)
		for _, d := range shape {
			n *= d
		}
		dt := oip.Datatype(in.Datatype)
		t := oip.Tensor{Name: in.Name, Datatype: dt, Shape: shape}
		if dt == oip.Bytes {
			t.Elems = make([][]byte, n)
			for i := range t.Elems {
				t.Elems[i] = make([]byte, 16)
			}
		} else {
			t.Raw = make([]byte, n*int64(dt.Size()))
		}
		req.Inputs = append(req.Inputs, t)
	}
	return req
}

// remeasure measures model again on one of the pool's workers, in the
// background, if the pool is avoided for it because what it learned of it
// misses slo even idle, at most once per CalibrationConfig.Remeasure: a
// request of rows rows of the model's own shape, measured as a
// calibration's batches are. If the estimate of that size meets slo, the
// request was avoided for its own size (its bytes), not for what the pool
// learned, and nothing is sent. If the estimate exceeds the measurement
// by more than half, what the pool learned of the model is forgotten, and
// the measurement is its first observation.
func (p *Pool) remeasure(m Model, rows int64, idle, slo time.Duration) {
	if !p.calib.calibrates() || p.calib.Remeasure <= 0 || slo <= 0 || idle <= slo || p.learned.ModelObservations(m.Name) == 0 {
		return
	}
	w, md := p.remeasurable(m.Name)
	if w == nil {
		return
	}
	go func() {
		defer p.bg.Done()
		defer p.stopMeasuring(m.Name)
		req := synthetic(md, int(min(rows, int64(p.largestBatch(m)))), m.Batching)
		size := batchSize(req)
		if p.learned.Latency(m.Name, size) <= slo {
			return
		}
		ctx, cancel := context.WithTimeout(p.bgCtx, p.calib.Budget)
		defer cancel()
		lats := p.measure(ctx, w, m.Name, req, p.calib.Batches)
		if len(lats) == 0 {
			return
		}
		slices.Sort(lats)
		measured, estimate := lats[len(lats)/2], p.learned.Latency(m.Name, size)
		if float64(estimate) > remeasureGap*float64(measured) {
			p.log.Info("router: forgetting an estimate a new measurement contradicts", "model", m.Name,
				"worker", w.endpoint.ID, "estimate", estimate, "measured", measured, "rows", size.Rows)
			p.learned.Reset(m.Name)
		}
		for _, lat := range lats {
			p.learned.Observe(m.Name, size, lat)
		}
	}()
}

// remeasurable returns an attached worker that described model, and the
// model's metadata, with the measurement of model started and p.bg
// counting it; nil when there is none, the last measurement was too
// recent, one runs or the pool is closed.
func (p *Pool) remeasurable(model string) (*worker, *oip.ModelMetadata) {
	if p.catalog == nil {
		return nil, nil
	}
	md, ok := p.catalog.metadata(model, p)
	if !ok {
		return nil, nil
	}
	now := p.clock.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.measuring[model] || now.Sub(p.measuredAt[model]) < p.calib.Remeasure {
		return nil, nil
	}
	for _, w := range p.workers {
		if why, said := w.models[model]; w.attached && said && why == "" {
			p.measuring[model], p.measuredAt[model] = true, now
			p.bg.Add(1)
			return w, md
		}
	}
	return nil, nil
}
