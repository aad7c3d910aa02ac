package costmodel

import (
	"math"
	"sync"
	"time"
)

// Defaults for EstimatorOptions fields left at zero.
const (
	// DefaultForgetting keeps an observation's weight at 0.99 of what it
	// was one observation earlier: a memory of about 100 observations.
	DefaultForgetting = 0.99
	// DefaultPriorWeight counts the prior as one observation at each of its
	// two anchor batch sizes.
	DefaultPriorWeight = 1
)

// EstimatorOptions tunes an Estimator. The zero value takes the defaults.
type EstimatorOptions struct {
	// Forgetting is the factor λ in (0, 1] by which every earlier
	// observation's weight shrinks when a new one arrives; 1 never forgets.
	// The effective memory is about 1/(1−λ) observations. Values outside
	// (0, 1] (including the zero value) mean DefaultForgetting.
	Forgetting float64
	// PriorWeight is how many observations the prior counts as at each of
	// its anchor batch sizes, 1 and max(maxBatch, 2). Unlike observations
	// it is never forgotten. Values <= 0, NaN or +Inf mean
	// DefaultPriorWeight.
	PriorWeight float64
}

// Estimator learns a pool's capacity curve online from observed (batch
// size, latency) pairs, starting from a configured prior, so that a wrong
// configuration converges to the measured truth. It is safe for
// concurrent use.
//
// It fits latency = base + per_item·b by weighted least squares with
// exponential forgetting, regularised by the prior:
//
//	minimise  Σᵢ λ^(n−i) (yᵢ − base − per_item·bᵢ)²
//	        + w Σ_{a ∈ {1, M}} (prior(a) − base − per_item·a)²
//
// where M = max(maxBatch, 2) and w = PriorWeight. The data terms are kept as
// forgotten sufficient statistics (a 2×2 matrix and a 2-vector), so each
// Observe is O(1) and the fit is an exact 2×2 solve, constrained to base >= 0
// and per_item >= 0.
//
// Why this shape:
//   - Few samples, or samples at a single batch size, determine one
//     combination base + per_item·b but not the split between base and
//     per_item. The prior's pseudo-observations, which are never forgotten,
//     keep the system well-posed and the unidentified direction at the
//     prior, so the estimate never blows up (classic recursive least
//     squares with forgetting winds its covariance up in that case).
//   - Forgetting tracks drift (a new model version, a slower instance type)
//     and lets the data outweigh the prior: with λ = 0.99 recent data weighs
//     about 100 observations against the prior's 2w = 2. The price is a
//     small bias toward the prior that never decays: with batch sizes spread
//     over [1, M], a settled estimate sits about 7 % of the prior's error
//     away from the truth (3.5 % when the prior is half the truth).
//   - With no observation, Curve returns the prior unchanged, points and all.
//
// A prior given as points enters the fit through its latencies at the two
// anchors. Observations are not filtered for outliers; a caller that can
// tell a failed batch from a slow one should observe only successes.
type Estimator struct {
	prior  Curve
	lambda float64

	// w and wy are the prior's fixed terms: w Σ xxᵀ and w Σ x·prior.
	w  [3]float64 // symmetric 2×2: [0]=(0,0), [1]=(0,1), [2]=(1,1)
	wy [2]float64

	mu  sync.Mutex
	n   int        // observations so far
	s   [3]float64 // forgotten Σ xxᵀ, x = (1, b), symmetric like w
	sy  [2]float64 // forgotten Σ x·y, y in seconds
	fit Curve      // cached estimate, current when ok
	ok  bool       // no observation since fit was computed
}

// NewEstimator returns an Estimator whose estimate starts at prior, for a
// pool whose batches hold at most maxBatch items (< 1 counts as 1).
func NewEstimator(prior Curve, maxBatch int, opts EstimatorOptions) *Estimator {
	lambda := opts.Forgetting
	if !(lambda > 0 && lambda <= 1) {
		lambda = DefaultForgetting
	}
	wt := opts.PriorWeight
	if !(wt > 0) || math.IsInf(wt, 1) {
		wt = DefaultPriorWeight
	}
	e := &Estimator{prior: prior, lambda: lambda}
	for _, a := range []int{1, max(maxBatch, 2)} {
		x, y := float64(a), prior.Latency(a).Seconds()
		e.w[0], e.w[1], e.w[2] = e.w[0]+wt, e.w[1]+wt*x, e.w[2]+wt*x*x
		e.wy[0], e.wy[1] = e.wy[0]+wt*y, e.wy[1]+wt*x*y
	}
	return e
}

// Observe records that a batch of batch items took latency. Pairs with
// batch < 1 or latency <= 0 carry no information and are ignored.
func (e *Estimator) Observe(batch int, latency time.Duration) {
	if batch < 1 || latency <= 0 {
		return
	}
	x, y, l := float64(batch), latency.Seconds(), e.lambda
	e.mu.Lock()
	defer e.mu.Unlock()
	e.s[0], e.s[1], e.s[2] = l*e.s[0]+1, l*e.s[1]+x, l*e.s[2]+x*x
	e.sy[0], e.sy[1] = l*e.sy[0]+y, l*e.sy[1]+x*y
	e.n++
	e.ok = false
}

// Observations returns how many observations the estimator has taken,
// forgotten ones included; ignored pairs do not count.
func (e *Estimator) Observations() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.n
}

// Curve returns the current estimate as Base + PerItem (both >= 0, Points
// empty), or the prior itself, unchanged, before the first observation.
func (e *Estimator) Curve() Curve {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.n == 0 {
		return e.prior
	}
	if !e.ok {
		e.fit, e.ok = e.solve(), true
	}
	return e.fit
}

// solve minimises the regularised least-squares objective over base >= 0,
// per_item >= 0. The caller holds e.mu.
func (e *Estimator) solve() Curve {
	q := quadratic{
		a00: e.s[0] + e.w[0], a01: e.s[1] + e.w[1], a11: e.s[2] + e.w[2],
		r0: e.sy[0] + e.wy[0], r1: e.sy[1] + e.wy[1],
	}
	base, perItem := q.minimise()
	return Curve{Base: seconds(base), PerItem: seconds(perItem)}
}

// seconds converts a non-negative number of seconds to a Duration.
func seconds(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }
