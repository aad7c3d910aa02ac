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
	// noPriorWeight is the weight of a zero prior's anchors: no prior at
	// all as far as any observation can tell, but enough to keep a fit
	// from data at one batch size well-posed.
	noPriorWeight = 1e-6
	// byteRidge holds the per-byte cost at 0 while no observation tells
	// bytes apart from rows: a pull as weak as noPriorWeight's, in the
	// fit's units (seconds per KiB).
	byteRidge = 1e-6
	// kib is the unit of bytes in the fit, which keeps its normal
	// equations well-conditioned for inputs of bytes to megabytes.
	kib = 1024.0
)

// Size is the work of one batch: its rows (dimension 0 of its inputs) and
// the bytes of its input data. Bytes 0 means unknown or negligible.
type Size struct {
	Rows  int
	Bytes int64
}

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
	// DefaultPriorWeight. A zero prior curve is no prior: it weighs
	// 1e-6 whatever PriorWeight says.
	PriorWeight float64
}

// Estimator learns a pool's latency online from observed (batch size,
// latency) pairs, starting from a configured prior, so that a wrong
// configuration converges to the measured truth. It is safe for
// concurrent use.
//
// It fits latency = base + per_row·rows + per_byte·bytes by weighted least
// squares with exponential forgetting, regularised by the prior:
//
//	minimise  Σᵢ λ^(n−i) (yᵢ − base − per_row·rowsᵢ − per_byte·bytesᵢ)²
//	        + w Σ_{a ∈ {1, M}} (prior(a) − base − per_row·a)²
//	        + ε per_byte²
//
// where M = max(maxBatch, 2), w = PriorWeight and ε a negligible ridge. The
// data terms are kept as forgotten sufficient statistics (a 3×3 matrix and
// a 3-vector), so each Observe is O(1) and the fit is an exact solve,
// constrained to non-negative coefficients.
//
// Why this shape:
//   - Few samples, or samples at a single batch size, determine one
//     combination base + per_row·b but not the split between base and
//     per_row. The prior's pseudo-observations, which are never forgotten,
//     keep the system well-posed and the unidentified direction at the
//     prior, so the estimate never blows up (classic recursive least
//     squares with forgetting winds its covariance up in that case).
//   - Bytes set calls of one model apart that rows do not: twenty large
//     inputs of one row teach per_byte, not the latency of every row, so
//     a small call's prediction stays what small calls took. The prior's
//     anchors have no bytes: the configured curve is read as the latency
//     of rows whose data costs nothing extra, and what large inputs take
//     beyond it goes to per_byte. When every row has the same size, rows
//     and bytes cannot be told apart, and only their sum along the data
//     matters: the fit is right there either way.
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

	// w and wy are the fixed terms: the prior's w Σ xxᵀ and w Σ x·prior,
	// and the per-byte ridge, in the layout of quadratic.a.
	w  [6]float64
	wy [3]float64

	mu  sync.Mutex
	n   int        // observations so far
	s   [6]float64 // forgotten Σ xxᵀ, x = (1, rows, KiB), laid out like w
	sy  [3]float64 // forgotten Σ x·y, y in seconds
	fit [3]float64 // cached estimate (base, per row, per KiB), current when ok
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
	if prior.IsZero() {
		wt = noPriorWeight
	}
	e := &Estimator{prior: prior, lambda: lambda}
	for _, a := range []int{1, max(maxBatch, 2)} {
		x, y := [3]float64{1, float64(a), 0}, prior.Latency(a).Seconds()
		addOuter(&e.w, &e.wy, x, y, wt)
	}
	e.w[5] += byteRidge
	return e
}

// addOuter adds wt·x·xᵀ to a and wt·x·y to ay.
func addOuter(a *[6]float64, ay *[3]float64, x [3]float64, y, wt float64) {
	a[0] += wt * x[0] * x[0]
	a[1] += wt * x[0] * x[1]
	a[2] += wt * x[0] * x[2]
	a[3] += wt * x[1] * x[1]
	a[4] += wt * x[1] * x[2]
	a[5] += wt * x[2] * x[2]
	for i := range 3 {
		ay[i] += wt * x[i] * y
	}
}

// Observe records that a batch of batch items took latency, its bytes
// unknown: ObserveSize(Size{Rows: batch}, latency).
func (e *Estimator) Observe(batch int, latency time.Duration) {
	e.ObserveSize(Size{Rows: batch}, latency)
}

// ObserveSize records that a batch of size s took latency. Pairs with
// s.Rows < 1 or latency <= 0 carry no information and are ignored;
// negative bytes count as 0.
func (e *Estimator) ObserveSize(s Size, latency time.Duration) {
	if s.Rows < 1 || latency <= 0 {
		return
	}
	x := features(s)
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range e.s {
		e.s[i] *= e.lambda
	}
	for i := range e.sy {
		e.sy[i] *= e.lambda
	}
	addOuter(&e.s, &e.sy, x, latency.Seconds(), 1)
	e.n++
	e.ok = false
}

// features returns the fit's regressors of s: 1, rows, KiB.
func features(s Size) [3]float64 {
	return [3]float64{1, float64(s.Rows), float64(max(s.Bytes, 0)) / kib}
}

// Observations returns how many observations the estimator has taken,
// forgotten ones included; ignored pairs do not count.
func (e *Estimator) Observations() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.n
}

// Curve returns the current estimate of the latency of a batch of b rows
// of the size the observed rows have had on average (their bytes weighted
// as the observations are): Base + PerItem·b, both >= 0, Points empty. It
// returns the prior itself, unchanged, before the first observation.
func (e *Estimator) Curve() Curve {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.n == 0 {
		return e.prior
	}
	theta := e.theta()
	perRow := theta[1]
	if e.s[1] > 0 {
		perRow += theta[2] * e.s[2] / e.s[1] // per KiB × forgotten mean KiB per row
	}
	return Curve{Base: seconds(theta[0]), PerItem: seconds(perRow)}
}

// Latency returns the estimated latency of a batch of size s: the prior's
// Latency(s.Rows) before the first observation, else base + per_row·rows
// + per_byte·bytes. Rows < 1 count as 1.
func (e *Estimator) Latency(s Size) time.Duration {
	s.Rows = max(s.Rows, 1)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.n == 0 {
		return e.prior.Latency(s.Rows)
	}
	theta, x := e.theta(), features(s)
	return seconds(theta[0]*x[0] + theta[1]*x[1] + theta[2]*x[2])
}

// theta returns the fit, computing it if an observation came since the
// last. The caller holds e.mu.
func (e *Estimator) theta() [3]float64 {
	if !e.ok {
		var q quadratic
		for i := range q.a {
			q.a[i] = e.s[i] + e.w[i]
		}
		for i := range q.r {
			q.r[i] = e.sy[i] + e.wy[i]
		}
		e.fit, e.ok = q.minimise(), true
	}
	return e.fit
}

// seconds converts a non-negative number of seconds to a Duration.
func seconds(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }
