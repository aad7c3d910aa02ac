package app

import (
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/gateway"
)

// Classic buckets of the batcher's histograms; native buckets come
// besides them (gateway.HistogramOpts).
var (
	// queueWaitBuckets are in seconds.
	queueWaitBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}
	// batchRowsBuckets are in rows.
	batchRowsBuckets = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}
)

// priorities are the batcher's classes, highest first.
var priorities = []batcher.Priority{batcher.Critical, batcher.High, batcher.Normal, batcher.Low}

// batchMetrics are the histograms every pool's queue feeds as batches
// leave it:
//
//	sluice_queue_wait_seconds{pool,priority}  time queued, per request
//	sluice_batch_size_rows{pool}               rows per batch
//
// It is safe for concurrent use.
type batchMetrics struct {
	wait *prometheus.HistogramVec
	rows *prometheus.HistogramVec

	mu        sync.Mutex
	observers map[string]*poolObserver // by pool
}

// newBatchMetrics returns the batch histograms, registered with reg.
func newBatchMetrics(reg prometheus.Registerer) (*batchMetrics, error) {
	m := &batchMetrics{
		wait: prometheus.NewHistogramVec(gateway.HistogramOpts("sluice_queue_wait_seconds",
			"Time requests waited in their pool's queue before their batch left, by priority class, in seconds.", queueWaitBuckets),
			[]string{"pool", "priority"}),
		rows: prometheus.NewHistogramVec(gateway.HistogramOpts("sluice_batch_size_rows",
			"Rows (inferences) per batch sent to a worker.", batchRowsBuckets),
			[]string{"pool"}),
		observers: map[string]*poolObserver{},
	}
	for _, c := range []prometheus.Collector{m.wait, m.rows} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("sluice: batch metrics: %w", err)
		}
	}
	return m, nil
}

// observer returns the batcher.Observer of pool, its label children
// resolved once so that observing allocates nothing; the same one for
// the same pool, so that a pool config rebuilt on reload compares equal.
func (m *batchMetrics) observer(pool string) batcher.Observer {
	m.mu.Lock()
	defer m.mu.Unlock()
	if o, ok := m.observers[pool]; ok {
		return o
	}
	o := &poolObserver{rows: m.rows.WithLabelValues(pool), wait: map[batcher.Priority]prometheus.Observer{}}
	for _, p := range priorities {
		o.wait[p] = m.wait.WithLabelValues(pool, p.String())
	}
	m.observers[pool] = o
	return o
}

// poolObserver feeds one pool's batches to the histograms. Its map is
// filled once and only read after, so it is safe for concurrent use.
type poolObserver struct {
	rows prometheus.Observer
	wait map[batcher.Priority]prometheus.Observer
}

var _ batcher.Observer = (*poolObserver)(nil)

// ObserveBatch implements batcher.Observer.
func (o *poolObserver) ObserveBatch(_ int, rows int64) { o.rows.Observe(float64(rows)) }

// ObserveWait implements batcher.Observer; a class the batcher does not
// define is not observed.
func (o *poolObserver) ObserveWait(p batcher.Priority, wait time.Duration) {
	if h, ok := o.wait[p]; ok {
		h.Observe(wait.Seconds())
	}
}
