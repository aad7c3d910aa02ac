package app

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/scaler"
)

// scalerCollector exposes the scaler's latest decision to Prometheus: per
// pool the gauges an HPA (through prometheus-adapter) can scale on, the
// price of the replicas observed and of the planned fleet, and each
// tier's directives. It reads the plan and the snapshot of the latest
// tick, so its values change once per tick, and reports nothing but the
// prices before the first. It is safe for concurrent use.
type scalerCollector struct {
	plan  func() (scaler.Plan, bool)
	last  func() (scaler.Snapshot, map[string]int, bool)
	fleet func() costmodel.Fleet

	desired, ready, starting, queuePerReplica, costPerReplica *prometheus.Desc
	poolCost, fleetCost, planCost, tierShed, tierDemand       *prometheus.Desc
}

var _ prometheus.Collector = (*scalerCollector)(nil)

func newScalerCollector(plan func() (scaler.Plan, bool), last func() (scaler.Snapshot, map[string]int, bool), fleet func() costmodel.Fleet) *scalerCollector {
	pool, tier := []string{"pool"}, []string{"tier"}
	return &scalerCollector{
		plan: plan, last: last, fleet: fleet,
		desired: prometheus.NewDesc("sluice_pool_desired_replicas",
			"Replicas the scaler's latest plan wants for the pool.", pool, nil),
		ready: prometheus.NewDesc("sluice_pool_ready_replicas",
			"Replicas of the pool that served requests at the latest decision.", pool, nil),
		starting: prometheus.NewDesc("sluice_pool_starting_replicas",
			"Replicas of the pool that were starting at the latest decision.", pool, nil),
		queuePerReplica: prometheus.NewDesc("sluice_pool_queue_length_per_replica",
			"Requests queued for the pool per ready replica at the latest decision; the whole queue when none is ready.", pool, nil),
		costPerReplica: prometheus.NewDesc("sluice_pool_cost_per_replica_usd_per_hour",
			"Price of one replica of the pool, USD per hour.", pool, nil),
		poolCost: prometheus.NewDesc("sluice_pool_cost_usd_per_hour",
			"Price of the pool's replicas, ready and starting, at the latest decision, USD per hour.", pool, nil),
		fleetCost: prometheus.NewDesc("sluice_fleet_cost_usd_per_hour",
			"Price of every pool's replicas, ready and starting, at the latest decision, USD per hour.", nil, nil),
		planCost: prometheus.NewDesc("sluice_scaler_planned_cost_usd_per_hour",
			"Price of the fleet the scaler's latest plan wants, USD per hour.", nil, nil),
		tierShed: prometheus.NewDesc("sluice_tier_shed_level",
			"Priority classes the scaler has admission shed for the tier: 0 none, 1 low, 2 low and normal.", tier, nil),
		tierDemand: prometheus.NewDesc("sluice_tier_demand_items_per_second",
			"Items (rows) per second the scaler provisions the tier for.", tier, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *scalerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.desired, c.ready, c.starting, c.queuePerReplica, c.costPerReplica,
		c.poolCost, c.fleetCost, c.planCost, c.tierShed, c.tierDemand,
	} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *scalerCollector) Collect(ch chan<- prometheus.Metric) {
	fleet := c.fleet()
	for _, p := range fleet.Pools {
		gauge(ch, c.costPerReplica, p.PricePerHour, p.Name)
	}
	if snap, queued, ok := c.last(); ok {
		c.collectSnapshot(ch, fleet, snap, queued)
	}
	plan, ok := c.plan()
	if !ok {
		return
	}
	gauge(ch, c.planCost, plan.CostPerHour)
	for pool, n := range plan.Replicas {
		gauge(ch, c.desired, float64(n), pool)
	}
	for tier, tp := range plan.Tiers {
		gauge(ch, c.tierShed, float64(tp.Shed), tier)
		gauge(ch, c.tierDemand, tp.Demand, tier)
	}
}

func (c *scalerCollector) collectSnapshot(ch chan<- prometheus.Metric, fleet costmodel.Fleet, snap scaler.Snapshot, queued map[string]int) {
	for pool, ps := range snap.Pools {
		gauge(ch, c.ready, float64(ps.Ready), pool)
		gauge(ch, c.starting, float64(ps.Starting), pool)
		perReplica := float64(queued[pool]) / float64(max(ps.Ready, 1))
		gauge(ch, c.queuePerReplica, perReplica, pool)
		p, _ := fleet.Pool(pool)
		gauge(ch, c.poolCost, p.CostPerHour(ps.Ready+ps.Starting), pool)
	}
	gauge(ch, c.fleetCost, fleet.CostPerHour(running(snap)))
}

// gauge sends one gauge of d; a metric d cannot make (a wrong number of
// label values) is dropped.
func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	if m, err := prometheus.NewConstMetric(d, prometheus.GaugeValue, v, labels...); err == nil {
		ch <- m
	}
}
