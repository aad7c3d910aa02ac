package app

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/router"
)

// poolSource is what poolCollector reads of the data plane at scrape
// time; routerPools adapts *router.Router.
type poolSource interface {
	// Stats returns every pool's statistics, sorted by name.
	Stats() []router.PoolStats
	// QueueStats returns a pool's queue statistics; false for an unknown
	// pool.
	QueueStats(pool string) (batcher.Stats, bool)
	// Retries counts the requests tried again after a worker failed
	// them.
	Retries() uint64
}

// routerPools is a *router.Router as a poolSource.
type routerPools struct{ *router.Router }

var _ poolSource = routerPools{}

// QueueStats implements poolSource.
func (r routerPools) QueueStats(pool string) (batcher.Stats, bool) {
	p := r.Pool(pool)
	if p == nil {
		return batcher.Stats{}, false
	}
	return p.Stats(), true
}

// poolCollector exposes, at each scrape, what the router and its queues
// count per pool: queue lengths by class, work in flight, the workers'
// slots and busy time (their utilization is the ratio of the rates of
// sluice_pool_busy_seconds_total and sluice_pool_slot_seconds_total),
// batches, the per-inference latency of cold workers apart from warm
// ones, and the retries. It is safe for concurrent use.
type poolCollector struct {
	src poolSource

	queue, inFlight, inFlightBatches, slots        *prometheus.Desc
	busy, slotTime, batches, failedBatches, warmup *prometheus.Desc
	retries                                        *prometheus.Desc
}

var _ prometheus.Collector = (*poolCollector)(nil)

func newPoolCollector(src poolSource) *poolCollector {
	pool := []string{"pool"}
	return &poolCollector{
		src: src,
		queue: prometheus.NewDesc("sluice_queue_length",
			"Requests waiting in the pool's queue, by priority class.", []string{"pool", "priority"}, nil),
		inFlight: prometheus.NewDesc("sluice_pool_in_flight_requests",
			"Requests in batches sent to the pool's workers and not answered yet.", pool, nil),
		inFlightBatches: prometheus.NewDesc("sluice_pool_in_flight_batches",
			"Batches sent to the pool's workers and not answered yet.", pool, nil),
		slots: prometheus.NewDesc("sluice_pool_slots",
			"Batches the pool's attached workers may have in flight at once.", pool, nil),
		busy: prometheus.NewDesc("sluice_pool_busy_seconds_total",
			"Slot-seconds the pool's workers spent on batches; over sluice_pool_slot_seconds_total, their utilization.", pool, nil),
		slotTime: prometheus.NewDesc("sluice_pool_slot_seconds_total",
			"Slot-seconds the pool's workers were attached: the time sluice_pool_busy_seconds_total is a share of.", pool, nil),
		batches: prometheus.NewDesc("sluice_pool_batches_total",
			"Batches sent to the pool's workers.", pool, nil),
		failedBatches: prometheus.NewDesc("sluice_pool_failed_batches_total",
			"Batches sent to the pool's workers that failed.", pool, nil),
		warmup: prometheus.NewDesc("sluice_worker_inference_duration_seconds",
			"Worker-side latency of each inference of the pool's good batches, in seconds: state cold for a worker's first batches after it joined the pool, warm after.",
			[]string{"pool", "state"}, nil),
		retries: prometheus.NewDesc("sluice_retries_total",
			"Requests tried again after a worker failed them.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.queue, c.inFlight, c.inFlightBatches, c.slots, c.busy, c.slotTime,
		c.batches, c.failedBatches, c.warmup, c.retries,
	} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, ps := range c.src.Stats() {
		for _, p := range priorities {
			gauge(ch, c.queue, float64(ps.Queued.Of(p)), ps.Name, p.String())
		}
		gauge(ch, c.inFlight, float64(ps.InFlight), ps.Name)
		collectSummary(ch, c.warmup, ps.Warmup.Cold, ps.Name, "cold")
		collectSummary(ch, c.warmup, ps.Warmup.Warm, ps.Name, "warm")
		if qs, ok := c.src.QueueStats(ps.Name); ok {
			c.collectQueue(ch, ps.Name, qs)
		}
	}
	counter(ch, c.retries, float64(c.src.Retries()))
}

// collectQueue sends the metrics of pool's queue statistics.
func (c *poolCollector) collectQueue(ch chan<- prometheus.Metric, pool string, qs batcher.Stats) {
	gauge(ch, c.inFlightBatches, float64(qs.InFlightBatches), pool)
	gauge(ch, c.slots, float64(qs.Slots), pool)
	counter(ch, c.busy, qs.Usage.BusySeconds, pool)
	counter(ch, c.slotTime, qs.Usage.SlotSeconds, pool)
	counter(ch, c.batches, float64(qs.Batches), pool)
	counter(ch, c.failedBatches, float64(qs.FailedBatches), pool)
}

// collectSummary sends st as a summary without quantiles: its count of
// inferences and their sum of seconds.
func collectSummary(ch chan<- prometheus.Metric, d *prometheus.Desc, st router.ServiceTime, labels ...string) {
	if m, err := prometheus.NewConstSummary(d, st.Inferences, st.Seconds, nil, labels...); err == nil {
		ch <- m
	}
}

// counter sends one counter of d; a metric d cannot make (a wrong number
// of label values) is dropped.
func counter(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	if m, err := prometheus.NewConstMetric(d, prometheus.CounterValue, v, labels...); err == nil {
		ch <- m
	}
}
