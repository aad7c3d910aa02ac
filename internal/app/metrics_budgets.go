package app

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-gateway/sluice/budget"
)

// budgetCollector exposes the tenants' budgets and the state store, read
// at scrape time:
//
//	sluice_tenant_budget_usd{tenant,window}            the budget in force
//	sluice_tenant_budget_spent_usd{tenant,window}      spent in the current window
//	sluice_tenant_budget_remaining_usd{tenant,window}  what the budget leaves
//	sluice_tenant_budget_state{tenant}                 0 ok, 1 soft, 2 fallback, 3 exhausted
//	sluice_state_up{backend}                           1 while the store answers
//	sluice_state_local_decisions_total                 rate-limit calls decided locally
//	sluice_state_outages_total                         times the store became unreachable
//	sluice_state_sync_failures_total                   spend exchanges that failed
//
// Windows are those with a budget. The calls by budget step are counted
// with the tenants' calls (sluice_tenant_budget_calls_total, see
// tenantCollector). Tenants are the configuration's, so the series are
// bounded. It is safe for concurrent use.
type budgetCollector struct {
	t *tenancy

	budget, spent, remaining, state        *prometheus.Desc
	up, localDecisions, outages, syncFails *prometheus.Desc
}

var _ prometheus.Collector = (*budgetCollector)(nil)

func newBudgetCollector(t *tenancy) *budgetCollector {
	window := []string{"tenant", "window"}
	return &budgetCollector{
		t: t,
		budget: prometheus.NewDesc("sluice_tenant_budget_usd",
			"The tenant's budget in force for the window, in USD (the configuration's, or the operator's override).", window, nil),
		spent: prometheus.NewDesc("sluice_tenant_budget_spent_usd",
			"What the tenant spent in the current window (UTC-aligned hour, day or month), in USD, across every replica as of the last sync.", window, nil),
		remaining: prometheus.NewDesc("sluice_tenant_budget_remaining_usd",
			"What the tenant's budget leaves for the current window, in USD; 0 once spent.", window, nil),
		state: prometheus.NewDesc("sluice_tenant_budget_state",
			"Where the tenant's spend stands: 0 ok, 1 soft (cheapest pool), 2 fallback (the model's fallback), 3 exhausted (refused).", []string{"tenant"}, nil),
		up: prometheus.NewDesc("sluice_state_up",
			"1 while the state store (file or redis) answers; 0 while each replica decides on local state.", []string{"backend"}, nil),
		localDecisions: prometheus.NewDesc("sluice_state_local_decisions_total",
			"Rate-limit decisions taken on this replica's own buckets because the shared store could not be reached.", nil, nil),
		outages: prometheus.NewDesc("sluice_state_outages_total",
			"Times the shared state store became unreachable.", nil, nil),
		syncFails: prometheus.NewDesc("sluice_state_sync_failures_total",
			"Exchanges of spend with the state store that failed (the spend stays pending).", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *budgetCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.budget, c.spent, c.remaining, c.state, c.up, c.localDecisions, c.outages, c.syncFails} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *budgetCollector) Collect(ch chan<- prometheus.Metric) {
	for _, r := range c.t.book.Tenants(time.Now()) {
		gauge(ch, c.state, float64(r.State), r.Name)
		for _, w := range budget.Windows {
			if r.Budget.Of(w) <= 0 {
				continue
			}
			gauge(ch, c.budget, r.Budget.Of(w), r.Name, w.String())
			gauge(ch, c.spent, r.Spent.Of(w), r.Name, w.String())
			gauge(ch, c.remaining, r.Remaining.Of(w), r.Name, w.String())
		}
	}
	h := c.t.store.Health()
	up := 0.0
	if h.Up {
		up = 1
	}
	gauge(ch, c.up, up, h.Backend)
	counter(ch, c.localDecisions, float64(h.LocalDecisions))
	counter(ch, c.outages, float64(h.Outages))
	counter(ch, c.syncFails, float64(c.t.keeper.Failures()))
}
