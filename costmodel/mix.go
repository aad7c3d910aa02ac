package costmodel

import (
	"math"
	"sync"
	"time"
)

// Mix learns the latency of each model one pool serves, each from its own
// batches (an Estimator per model, every one starting from the pool's
// prior), and each model's share of the rows the pool served lately. Models
// differ: a pool shared by a light model and a heavy one must not predict
// the light one's calls from the heavy one's batches. It is safe for
// concurrent use.
type Mix struct {
	prior    Curve
	maxBatch int
	opts     EstimatorOptions
	lambda   float64

	mu     sync.Mutex
	models map[string]*mixModel
}

// mixModel is one model of a Mix.
type mixModel struct {
	est *Estimator
	// share is the model's forgotten count of rows: every observation of
	// any model shrinks it by λ, and one of this model adds its rows.
	share float64
}

// NewMix returns a Mix whose models all start at prior (a zero curve
// means none), for a pool whose batches hold at most maxBatch rows, each
// model's Estimator made with opts.
func NewMix(prior Curve, maxBatch int, opts EstimatorOptions) *Mix {
	lambda := opts.Forgetting
	if !(lambda > 0 && lambda <= 1) {
		lambda = DefaultForgetting
	}
	return &Mix{prior: prior, maxBatch: maxBatch, opts: opts, lambda: lambda, models: map[string]*mixModel{}}
}

// Observe records that a batch of model of size s took latency (see
// Estimator.ObserveSize); the pairs it ignores change no share either.
func (m *Mix) Observe(model string, s Size, latency time.Duration) {
	if s.Rows < 1 || latency <= 0 {
		return
	}
	m.mu.Lock()
	mm := m.models[model]
	if mm == nil {
		mm = &mixModel{est: NewEstimator(m.prior, m.maxBatch, m.opts)}
		m.models[model] = mm
	}
	for _, o := range m.models {
		o.share *= m.lambda
	}
	mm.share += float64(s.Rows)
	m.mu.Unlock()
	mm.est.ObserveSize(s, latency)
}

// estimator returns model's Estimator, nil before its first observation.
func (m *Mix) estimator(model string) *Estimator {
	m.mu.Lock()
	defer m.mu.Unlock()
	if mm := m.models[model]; mm != nil {
		return mm.est
	}
	return nil
}

// Latency returns the estimated latency of a batch of model of size s:
// the model's own estimate, or the prior's Latency(s.Rows) for a model
// never observed.
func (m *Mix) Latency(model string, s Size) time.Duration {
	if e := m.estimator(model); e != nil {
		return e.Latency(s)
	}
	return m.prior.Latency(max(s.Rows, 1))
}

// CurveOf returns model's curve at the size its rows have had (see
// Estimator.Curve), or the prior for a model never observed.
func (m *Mix) CurveOf(model string) Curve {
	if e := m.estimator(model); e != nil {
		return e.Curve()
	}
	return m.prior
}

// Curves returns every observed model's curve, by model; nil before the
// first observation. The map is the caller's.
func (m *Mix) Curves() map[string]Curve {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.models) == 0 {
		return nil
	}
	out := make(map[string]Curve, len(m.models))
	for name, mm := range m.models {
		out[name] = mm.est.Curve()
	}
	return out
}

// Curve returns the pool's curve: the mean of its models' curves (Base
// and PerItem), each weighted by its share of the rows served lately; the
// prior, unchanged, before the first observation.
func (m *Mix) Curve() Curve {
	m.mu.Lock()
	defer m.mu.Unlock()
	var base, perItem, total float64
	for _, mm := range m.models {
		c := mm.est.Curve()
		base += mm.share * float64(c.Base)
		perItem += mm.share * float64(c.PerItem)
		total += mm.share
	}
	if !(total > 0) {
		return m.prior
	}
	return Curve{Base: time.Duration(math.Round(base / total)), PerItem: time.Duration(math.Round(perItem / total))}
}

// Observations returns how many batches the Mix has taken, of every model.
func (m *Mix) Observations() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, mm := range m.models {
		n += mm.est.Observations()
	}
	return n
}

// Prior returns the curve every model starts from.
func (m *Mix) Prior() Curve { return m.prior }

// ModelObservations returns how many batches of model the Mix has taken
// since the model's last Reset.
func (m *Mix) ModelObservations(model string) int {
	if e := m.estimator(model); e != nil {
		return e.Observations()
	}
	return 0
}

// Reset forgets what the Mix learned of model, which then reads the prior
// again, as if never observed: for a measurement that shows the estimate
// to be out of date (a worker that was slow for a while and no longer is,
// whose pool was avoided since and so observed no more).
func (m *Mix) Reset(model string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.models, model)
}
