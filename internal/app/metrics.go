package app

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/internal/scaling"
	"github.com/sluice-gateway/sluice/router"
)

// serveMetrics is serve's Prometheus registry, which the admin listener
// serves at /metrics, with the recorders it lends the data plane: the
// gateway's call metrics and each pool's batch histograms. The collectors
// that read the router's pools, the tenants' counts and the scaler at
// scrape time join it once those exist (watch, newScaling). Beside
// Sluice's own metrics it holds the Go runtime's and the process's.
type serveMetrics struct {
	reg     *prometheus.Registry
	gateway *gateway.Metrics
	batches *batchMetrics
}

// newServeMetrics returns a new registry with the data plane's recorders
// and the runtime's collectors registered.
func newServeMetrics() (*serveMetrics, error) {
	m := &serveMetrics{reg: prometheus.NewRegistry()}
	err := m.reg.Register(collectors.NewGoCollector())
	if err == nil {
		err = m.reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if err != nil {
		return nil, fmt.Errorf("sluice: metrics: %w", err)
	}
	if m.gateway, err = gateway.NewMetrics(m.reg); err != nil {
		return nil, err
	}
	if m.batches, err = newBatchMetrics(m.reg); err != nil {
		return nil, err
	}
	return m, nil
}

// instrument gives each pool of rc its batch observer; the gateway's
// call metrics are m.gateway.
func (m *serveMetrics) instrument(rc *router.Config) {
	for i := range rc.Pools {
		rc.Pools[i].Queue.Observer = m.batches.observer(rc.Pools[i].Name)
	}
}

// watch registers the collectors that read rt's pools, the tenants'
// counts and the tenancy's budgets and state at each scrape.
func (m *serveMetrics) watch(rt *router.Router, tenants *gateway.TenantCounters, t *tenancy) error {
	return register(m.reg, newPoolCollector(routerPools{rt}), newTenantCollector(tenants), newBudgetCollector(t))
}

// register registers each of cs with reg, stopping at the first error.
func register(reg prometheus.Registerer, cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("sluice: metrics: %w", err)
		}
	}
	return nil
}

// servedBy returns a counter of the inferences plane's workers served
// well since the router started, cold and warm.
func servedBy(plane scaling.Plane) func() uint64 {
	return func() uint64 {
		var n uint64
		for _, p := range plane.Stats() {
			n += p.Warmup.Cold.Inferences + p.Warmup.Warm.Inferences
		}
		return n
	}
}
