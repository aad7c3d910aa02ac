package app

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-gateway/sluice/gateway"
)

// tenantCollector exposes each tenant's calls for chargeback, read from
// the gateway's counts at scrape time:
//
//	sluice_tenant_requests_total{tenant,outcome}  calls: answered, or the
//	                                              reason they failed
//	sluice_tenant_inferences_total{tenant}        rows answered
//	sluice_tenant_fallbacks_total{tenant}         calls a fallback answered
//	sluice_tenant_cost_usd_total{tenant}          what they cost
//	sluice_tenant_budget_calls_total{tenant,state} calls of a tenant or key
//	                                              with a budget, by the step
//	                                              that served them (ok, soft,
//	                                              fallback) or refused them
//	                                              (exhausted)
//
// Tenants are the configured keys' (or gateway.AnonymousTenant), so the
// series are bounded. It is safe for concurrent use.
type tenantCollector struct {
	counts *gateway.TenantCounters

	requests, inferences, fallbacks, cost, budget *prometheus.Desc
}

var _ prometheus.Collector = (*tenantCollector)(nil)

// outcomeAnswered is the outcome of an answered call.
const outcomeAnswered = "answered"

func newTenantCollector(counts *gateway.TenantCounters) *tenantCollector {
	tenant := []string{"tenant"}
	return &tenantCollector{
		counts: counts,
		requests: prometheus.NewDesc("sluice_tenant_requests_total",
			"The tenant's infer calls, by outcome: answered, or the reason they failed.", []string{"tenant", "outcome"}, nil),
		inferences: prometheus.NewDesc("sluice_tenant_inferences_total",
			"Inferences (request rows) answered for the tenant.", tenant, nil),
		fallbacks: prometheus.NewDesc("sluice_tenant_fallbacks_total",
			"The tenant's calls answered by their model's fallback.", tenant, nil),
		cost: prometheus.NewDesc("sluice_tenant_cost_usd_total",
			"What answering the tenant's calls cost, in USD: rows times the serving pool's cost per inference at the model's SLO.", tenant, nil),
		budget: prometheus.NewDesc("sluice_tenant_budget_calls_total",
			"The calls of the tenant under a budget, by the step that served them (ok, soft: the cheapest pool, fallback: the model's fallback) or refused them (exhausted).",
			[]string{"tenant", "state"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *tenantCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.requests, c.inferences, c.fallbacks, c.cost, c.budget} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *tenantCollector) Collect(ch chan<- prometheus.Metric) {
	for tenant, n := range c.counts.Snapshot() {
		counter(ch, c.requests, float64(n.Answered), tenant, outcomeAnswered)
		for reason, k := range n.Failed {
			counter(ch, c.requests, float64(k), tenant, reason)
		}
		counter(ch, c.inferences, float64(n.Inferences), tenant)
		counter(ch, c.fallbacks, float64(n.Fallbacks), tenant)
		counter(ch, c.cost, n.CostUSD, tenant)
		for state, k := range n.Budget {
			counter(ch, c.budget, float64(k), tenant, state)
		}
	}
}
