package app

import (
	"slices"

	"github.com/prometheus/client_golang/prometheus"
)

// restartCollector exposes, at each scrape, how many times a worker
// process of each pool the local driver runs exited or failed to start
// unasked (each was started again, with back-off). It is safe for
// concurrent use.
type restartCollector struct {
	w        *workers
	restarts *prometheus.Desc
}

var _ prometheus.Collector = (*restartCollector)(nil)

func newRestartCollector(w *workers) *restartCollector {
	return &restartCollector{w: w, restarts: prometheus.NewDesc("sluice_pool_worker_restarts_total",
		"Worker processes of the pool that exited or failed to start without being asked to, each started again with back-off.",
		[]string{"pool"}, nil)}
}

// Describe implements prometheus.Collector.
func (c *restartCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.restarts }

// Collect implements prometheus.Collector.
func (c *restartCollector) Collect(ch chan<- prometheus.Metric) {
	for _, pool := range c.w.supervisedPools() {
		counter(ch, c.restarts, float64(c.w.Restarts(pool)), pool)
	}
}

// supervisedPools names the pools in force that the local driver runs.
func (w *workers) supervisedPools() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for name, k := range w.kinds {
		if supervised(k) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
