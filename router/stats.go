package router

import (
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
)

// PoolStats is a read-only snapshot of one pool for the scaler: what
// arrives, what waits, what runs, and how fast it ran over the last
// Window. Taking it is cheap: a few locks and a merge of ten small
// histograms.
type PoolStats struct {
	Name string `json:"name"`
	// Window is the span the rates and latencies cover: the configured
	// window, or less just after the router started.
	Window time.Duration `json:"window"`
	// ArrivalRate is the requests per second routed to the pool, retries
	// and re-routed requests included; RowRate the same in rows.
	ArrivalRate float64 `json:"arrival_rate"`
	RowRate     float64 `json:"row_rate"`
	// Arrivals and ArrivedRows count what ArrivalRate and RowRate do,
	// since the router started: a rate over any span is the difference
	// of two snapshots.
	Arrivals    uint64 `json:"arrivals"`
	ArrivedRows uint64 `json:"arrived_rows"`
	// Queued is the number of items waiting, by class; QueuedRows their
	// rows, the unit of the pool's throughput.
	Queued     batcher.ClassCounts `json:"queued"`
	QueuedRows batcher.ClassCounts `json:"queued_rows"`
	// InFlight is the number of items in batches sent to workers and not
	// yet answered; InFlightRows their rows.
	InFlight     int `json:"in_flight"`
	InFlightRows int `json:"in_flight_rows"`
	// Workers is the number of workers the driver reported; Ready those
	// taking batches (the others are ejected or fail their checks).
	// Workers still starting are the driver's to count.
	Workers int `json:"workers"`
	Ready   int `json:"ready"`
	// Batch summarizes the latency of the batches the pool's workers ran
	// well; Latency the requests' latency from arrival to answer, for the
	// requests this pool answered.
	Batch   LatencySummary `json:"batch"`
	Latency LatencySummary `json:"latency"`
	// SLO is the latency target of the requests that arrived over Window:
	// the harmonic mean of their models' SLOs, each request weighing one,
	// so that a shared pool's target is that of the traffic it has, not
	// the tightest of the models it could have. Of requests all equally
	// fast, the mean share of its SLO each one takes is their latency
	// over this SLO. 0 when no request with an SLO arrived.
	SLO time.Duration `json:"slo"`
	// Curve is the capacity curve learned from the pool's batches: its
	// models' curves weighted by their rows. Configured is the curve it
	// started from, zero when none was configured; Models the curve
	// learned of each model, nil before the first batch.
	Curve      costmodel.Curve            `json:"curve"`
	Configured costmodel.Curve            `json:"configured"`
	Models     map[string]costmodel.Curve `json:"models,omitempty"`
	// Warmup is the service time of cold and of warm workers.
	Warmup Warmup `json:"warmup"`
}

// LatencySummary describes a set of durations; all zero when empty.
// Percentiles are upper bounds within 6.25 %.
type LatencySummary struct {
	Count uint64        `json:"count"`
	Mean  time.Duration `json:"mean"`
	P50   time.Duration `json:"p50"`
	P95   time.Duration `json:"p95"`
	P99   time.Duration `json:"p99"`
	Max   time.Duration `json:"max"`
}

func summarize(h *histogram) LatencySummary {
	return LatencySummary{
		Count: h.n, Mean: h.mean(), Max: h.max,
		P50: h.quantile(0.50), P95: h.quantile(0.95), P99: h.quantile(0.99),
	}
}

// poolWindow keeps a pool's sliding-window counts. It is safe for
// concurrent use; time is passed in.
type poolWindow struct {
	start time.Time

	mu  sync.Mutex
	win *ring[poolBucket]
	// requests and rows count every arrival since start.
	requests, rows uint64
}

type poolBucket struct {
	requests, rows int64
	// timed counts the requests with an SLO; inverse sums 1/SLO of
	// each, in 1/s.
	timed          int64
	inverse        float64
	batch, latency histogram
}

func newPoolWindow(span time.Duration, start time.Time) *poolWindow {
	return &poolWindow{start: start, win: newRing[poolBucket](span)}
}

// arrived counts a request of rows rows whose model's SLO is slo (0 for
// none).
func (w *poolWindow) arrived(now time.Time, rows int64, slo time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := w.win.at(now)
	b.requests++
	b.rows += rows
	if slo > 0 {
		b.timed++
		b.inverse += 1 / slo.Seconds()
	}
	w.requests++
	w.rows += uint64(max(rows, 0))
}

// batch records a good batch's latency.
func (w *poolWindow) batch(now time.Time, d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.win.at(now).batch.record(d)
}

// answered records a request's latency from arrival to answer.
func (w *poolWindow) answered(now time.Time, d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.win.at(now).latency.record(d)
}

// span returns the time the window covers at now: since the start, but
// at least one bucket, so that the first arrivals do not count as a burst.
func (w *poolWindow) span(now time.Time) time.Duration {
	return max(min(w.win.span(), now.Sub(w.start)), w.win.width)
}

// fill sets the window's fields of s.
func (w *poolWindow) fill(s *PoolStats, now time.Time) {
	var batch, latency histogram
	var requests, rows, timed int64
	var inverse float64
	w.mu.Lock()
	w.win.each(now, func(b *poolBucket) {
		requests += b.requests
		rows += b.rows
		timed += b.timed
		inverse += b.inverse
		batch.add(&b.batch)
		latency.add(&b.latency)
	})
	s.Arrivals, s.ArrivedRows = w.requests, w.rows
	w.mu.Unlock()
	s.Window = w.span(now)
	s.ArrivalRate = float64(requests) / s.Window.Seconds()
	s.RowRate = float64(rows) / s.Window.Seconds()
	s.Batch, s.Latency = summarize(&batch), summarize(&latency)
	if inverse > 0 {
		s.SLO = time.Duration(float64(timed) / inverse * float64(time.Second))
	}
}

// StatsAt returns the pool's snapshot at now.
func (p *Pool) StatsAt(now time.Time) PoolStats {
	q := p.queue.Stats()
	s := PoolStats{
		Name: p.name, Queued: q.Queued, QueuedRows: q.QueuedRows, InFlight: q.InFlightItems, InFlightRows: q.InFlightRows,
		Curve: p.learned.Curve(), Configured: p.learned.Prior(), Models: p.learned.Curves(),
	}
	p.mu.Lock()
	s.Workers, s.Ready, s.Warmup = len(p.workers), p.ready, p.warmup
	p.mu.Unlock()
	p.stats.fill(&s, now)
	return s
}
