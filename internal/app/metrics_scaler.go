package app

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/scaler"
)

// decisionMetrics counts, at each of the scaler's decisions (its
// LoopOptions.OnDecision), what it decided and noticed, and meters the
// fleet's spending:
//
//	sluice_scaler_decisions_total{result}             ok or error
//	sluice_scaler_changes_total{pool,direction,reason} resizes (changeReason)
//	sluice_scaler_events_total{kind}                   panics, spot losses, budget cuts, ...
//	sluice_spot_interruptions_total{pool}              decisions that found a spot pool's workers lost
//
// observe runs on the scaler's goroutine only; the counters and the
// meter are safe for the concurrent scrapes.
type decisionMetrics struct {
	// fleet returns the pools in force, priced.
	fleet func() costmodel.Fleet
	// last returns the snapshot of the latest decision.
	last func() (scaler.Snapshot, map[string]int, bool)
	// served counts the inferences served since the start.
	served func() uint64

	decisions, changes, events, spot *prometheus.CounterVec
	meter                            spendMeter
}

// newDecisionMetrics returns the decision metrics of pools, registered
// with reg; they meter the spending at the prices of fleet at each
// decision.
func newDecisionMetrics(reg prometheus.Registerer, pools costmodel.Fleet, fleet func() costmodel.Fleet, last func() (scaler.Snapshot, map[string]int, bool), served func() uint64) (*decisionMetrics, error) {
	m := &decisionMetrics{
		fleet: fleet, last: last, served: served,
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sluice_scaler_decisions_total",
			Help: "The scaler's decisions, by result: ok, or error (no snapshot, or a plan not fully applied).",
		}, []string{"result"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sluice_scaler_changes_total",
			Help: "Pool resizes the scaler planned, by direction (up, down) and by what set the new size.",
		}, []string{"pool", "direction", "reason"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sluice_scaler_events_total",
			Help: "Events the scaler noticed, by kind: panic, calm, spot_lost, spot_restored, budget_cut, daily_spend.",
		}, []string{"kind"}),
		spot: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sluice_spot_interruptions_total",
			Help: "Decisions at which the scaler found workers of the spot pool lost (interrupted or vanished).",
		}, []string{"pool"}),
	}
	for _, c := range []prometheus.Collector{m.decisions, m.changes, m.events, m.spot} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("sluice: scaler metrics: %w", err)
		}
	}
	m.initialize(pools)
	return m, nil
}

// initialize sets the series known in advance to 0, so that their rates
// are defined before the first event; series that exist keep their
// counts, so a reload calls it again for the pools it adds.
func (m *decisionMetrics) initialize(pools costmodel.Fleet) {
	for _, r := range []string{"ok", "error"} {
		m.decisions.WithLabelValues(r)
	}
	for _, k := range []scaler.EventKind{scaler.EventPanic, scaler.EventCalm, scaler.EventSpotLost,
		scaler.EventSpotRestored, scaler.EventBudgetCut, scaler.EventDailySpend} {
		m.events.WithLabelValues(string(k))
	}
	for _, p := range pools.Pools {
		if p.Spot {
			m.spot.WithLabelValues(p.Name)
		}
	}
}

// observe counts decision d and meters the fleet observed for it.
func (m *decisionMetrics) observe(d scaler.Decision) {
	result := "ok"
	if d.Err != nil {
		result = "error"
	}
	m.decisions.WithLabelValues(result).Inc()
	for _, c := range d.Plan.Changes {
		direction := "up"
		if c.To < c.From {
			direction = "down"
		}
		m.changes.WithLabelValues(c.Pool, direction, changeReason(c)).Inc()
	}
	for _, e := range d.Plan.Events {
		m.events.WithLabelValues(string(e.Kind)).Inc()
		if e.Kind == scaler.EventSpotLost && e.Pool != "" {
			m.spot.WithLabelValues(e.Pool).Inc()
		}
	}
	if d.Plan.Replicas == nil {
		return // no snapshot: nothing observed
	}
	if snap, _, ok := m.last(); ok {
		m.meter.observe(d.At, m.fleet().CostPerHour(running(snap)), m.served())
	}
}

// running returns the replicas of snap, ready and starting, by pool.
func running(snap scaler.Snapshot) map[string]int {
	out := make(map[string]int, len(snap.Pools))
	for pool, ps := range snap.Pools {
		out[pool] = ps.Ready + ps.Starting
	}
	return out
}

// changeReason returns the reason label of a change: the kind of what set
// its size (see scaler.ChangeKind), "other" for a change without one.
func changeReason(c scaler.Change) string {
	if c.Kind == "" {
		return "other"
	}
	return string(c.Kind)
}

// costCollector exposes the spending a decisionMetrics meters and the
// budget it is held to:
//
//	sluice_spent_usd_total                   since the start
//	sluice_spent_today_usd                   since midnight
//	sluice_cost_per_million_inferences_usd   over the last spendWindow
//	sluice_budget_usd_per_hour, sluice_budget_usd_per_day  when set
//	sluice_budget_used_ratio{period}         planned $/h over the hourly
//	                                         budget; spent today over the
//	                                         daily one
//
// It is safe for concurrent use.
type costCollector struct {
	meter *spendMeter
	plan  func() (scaler.Plan, bool)
	// budget returns the budget the scaler plans within now, which a
	// reload may change.
	budget func() scaler.Budget

	spent, today, perMillion, perHour, perDay, used *prometheus.Desc
}

var _ prometheus.Collector = (*costCollector)(nil)

// newCostCollector returns a collector of meter's spending, of the plans
// plan returns and of the budget budget returns at each scrape; both must
// be safe for concurrent use.
func newCostCollector(meter *spendMeter, plan func() (scaler.Plan, bool), budget func() scaler.Budget) *costCollector {
	return &costCollector{
		meter: meter, plan: plan, budget: budget,
		spent: prometheus.NewDesc("sluice_spent_usd_total",
			"What the fleet cost since the start, in USD: the replicas observed at each decision times the time since the previous one.", nil, nil),
		today: prometheus.NewDesc("sluice_spent_today_usd",
			"What the fleet cost since midnight, in USD.", nil, nil),
		perMillion: prometheus.NewDesc("sluice_cost_per_million_inferences_usd",
			"What the fleet cost per million inferences served over the last 5 minutes, in USD.", nil, nil),
		perHour: prometheus.NewDesc("sluice_budget_usd_per_hour",
			"The ceiling on the planned fleet's price, USD per hour.", nil, nil),
		perDay: prometheus.NewDesc("sluice_budget_usd_per_day",
			"The ceiling on a day's spending, USD.", nil, nil),
		used: prometheus.NewDesc("sluice_budget_used_ratio",
			"Share of the budget used: period hour, the planned fleet's price over the hourly budget; day, today's spending over the daily budget.",
			[]string{"period"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *costCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.spent, c.today, c.perMillion, c.perHour, c.perDay, c.used} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *costCollector) Collect(ch chan<- prometheus.Metric) {
	r, budget := c.meter.read(), c.budget()
	counter(ch, c.spent, r.Spent)
	gauge(ch, c.today, r.Today)
	if r.PerMillionOK {
		gauge(ch, c.perMillion, r.PerMillion)
	}
	if b := budget.PerHour; b > 0 {
		gauge(ch, c.perHour, b)
		if plan, ok := c.plan(); ok {
			gauge(ch, c.used, plan.CostPerHour/b, "hour")
		}
	}
	if b := budget.PerDay; b > 0 {
		gauge(ch, c.perDay, b)
		gauge(ch, c.used, r.Today/b, "day")
	}
}
