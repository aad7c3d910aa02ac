package router

import "time"

// ColdBatches is how many good batches a worker serves, after it joins its
// pool, before it counts as warm: its first batches may pay for loading
// and compiling what later ones find ready.
const ColdBatches = 10

// ServiceTime sums the time inferences spent on workers: every row of a
// good batch counts once, with the batch's latency on the worker. Both
// counters run from the router's start and never decrease;
// Seconds/Inferences is the mean per-inference latency.
type ServiceTime struct {
	// Inferences counts the rows of the good batches.
	Inferences uint64 `json:"inferences"`
	// Seconds sums each of those rows' batch latency, in seconds.
	Seconds float64 `json:"seconds"`
}

// Warmup sets the service time of cold workers (their first ColdBatches
// good batches after joining the pool) apart from that of warm ones.
type Warmup struct {
	Cold ServiceTime `json:"cold"`
	Warm ServiceTime `json:"warm"`
}

// recordWarmup counts a good batch of rows rows that took latency on w,
// as cold or warm. pre: p.mu held.
func (p *Pool) recordWarmup(w *worker, rows int, latency time.Duration) {
	st := &p.warmup.Warm
	if w.served < ColdBatches {
		st = &p.warmup.Cold
	}
	w.served++
	n := max(rows, 1)
	st.Inferences += uint64(n)
	st.Seconds += latency.Seconds() * float64(n)
}
