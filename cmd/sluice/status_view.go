package main

import (
	"slices"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler"
)

// The status page's history and decision list.
const (
	// statusWindow is the span of the trends.
	statusWindow = 15 * time.Minute
	// statusStep is the time between two samples of the trends.
	statusStep = 5 * time.Second
	// statusDecisions is how many decisions the status keeps.
	statusDecisions = 50
)

// statusView is what the status page, GET /admin/status and `sluice
// status` show: one value every renderer reads. Durations are
// nanoseconds in JSON, prices USD per hour and rates requests per second.
type statusView struct {
	At time.Time `json:"at"`
	// DryRun is true when the scaler plans without acting.
	DryRun bool `json:"dry_run"`
	// Planned is false before the scaler's first plan: desired sizes,
	// the planned price and the tiers are then unknown.
	Planned bool `json:"planned"`
	// Window is the span the trends cover, ending at At.
	Window time.Duration    `json:"window"`
	Pools  []poolStatusView `json:"pools"`
	Fleet  fleetView        `json:"fleet"`
	Budget budgetView       `json:"budget"`
	Tiers  []tierPlanView   `json:"tiers"`
	// Decisions are the latest decisions that changed a size, noticed an
	// event or failed, newest first, at most statusDecisions.
	Decisions []decisionView `json:"decisions"`
}

// poolStatusView is one pool, in configuration order.
type poolStatusView struct {
	Name string `json:"name"`
	Spot bool   `json:"spot"`
	// Desired is the plan's size; Ready and Starting the driver's counts;
	// Min and Max the bounds the scaler plans within.
	Desired  int `json:"desired"`
	Ready    int `json:"ready"`
	Starting int `json:"starting"`
	Min      int `json:"min"`
	Max      int `json:"max"`
	// Queued counts requests waiting; InFlight those sent to workers.
	Queued   int `json:"queued"`
	InFlight int `json:"in_flight"`
	// Rate is requests per second over the router's window.
	Rate float64 `json:"rate"`
	// P99 is the requests' latency over the router's window, SLO the
	// tightest SLO of the models the pool serves (0 when it serves none).
	P99     time.Duration `json:"p99"`
	SLO     time.Duration `json:"slo"`
	Latency sloState      `json:"latency"`
	// PricePerHour is one replica's price; USDPerHour that of the ready
	// and starting replicas.
	PricePerHour float64   `json:"price_per_hour"`
	USDPerHour   float64   `json:"usd_per_hour"`
	Trend        trendView `json:"trend"`
	// Error says why the replicas are unknown; empty when they are known.
	Error string `json:"error,omitempty"`
}

// sloState compares a pool's p99 latency with its SLO.
type sloState string

// The states of a pool's latency.
const (
	// sloIdle: no request answered within the router's window.
	sloIdle sloState = "idle"
	// sloMet: p99 within the SLO (or the pool serves no model with one).
	sloMet sloState = "ok"
	// sloMissed: p99 beyond the SLO.
	sloMissed sloState = "over"
)

// fleetView sums the pools.
type fleetView struct {
	Desired  int `json:"desired"`
	Ready    int `json:"ready"`
	Starting int `json:"starting"`
	// SpotReplicas and OnDemandReplicas count ready and starting
	// replicas; SpotShare is the spot part of them, 0 when none run.
	SpotReplicas     int     `json:"spot_replicas"`
	OnDemandReplicas int     `json:"on_demand_replicas"`
	SpotShare        float64 `json:"spot_share"`
	Queued           int     `json:"queued"`
	Rate             float64 `json:"rate"`
	// USDPerHour is the price of the replicas that run now (the spend
	// rate), SpotUSDPerHour its spot part, PlannedUSDPerHour the price
	// of the plan's sizes.
	USDPerHour        float64   `json:"usd_per_hour"`
	SpotUSDPerHour    float64   `json:"spot_usd_per_hour"`
	PlannedUSDPerHour float64   `json:"planned_usd_per_hour"`
	Trend             trendView `json:"trend"`
}

// budgetView compares the spend rate with the budget.
type budgetView struct {
	// PerHour and PerDay are the configured caps, USD; 0 is no cap.
	PerHour float64 `json:"per_hour"`
	PerDay  float64 `json:"per_day"`
	// Used is the spend rate over PerHour (1 at the cap), PlannedUsed the
	// planned price over it; both 0 without an hourly cap.
	Used        float64     `json:"used"`
	PlannedUsed float64     `json:"planned_used"`
	State       budgetState `json:"state"`
}

// budgetState grades the spend rate against the hourly budget.
type budgetState string

// The budget states.
const (
	budgetUncapped budgetState = "uncapped"
	budgetOK       budgetState = "ok"
	// budgetNear: at budgetNearShare of the cap or more.
	budgetNear budgetState = "near"
	// budgetOver: beyond the cap.
	budgetOver budgetState = "over"
)

// budgetNearShare is the share of the hourly budget from which the spend
// rate is graded near.
const budgetNearShare = 0.8

// trendView is a series of samples, oldest first: the slices are aligned
// with At. A sample that lacks the pool (its replicas were unknown) is
// left out.
type trendView struct {
	At         []time.Time `json:"at"`
	Rate       []float64   `json:"rate"`
	Replicas   []float64   `json:"replicas"`
	USDPerHour []float64   `json:"usd_per_hour"`
}

// statusLayout is what the configuration says about the status: the
// pools in order, with the bounds the scaler plans within, and the budget.
type statusLayout struct {
	Pools  []layoutPool
	Budget configs.Budget
	DryRun bool
}

// layoutPool is one configured pool.
type layoutPool struct {
	Name         string
	PricePerHour float64
	Spot         bool
	Min, Max     int
	// SLO is the tightest SLO among the models the pool's tiers serve; 0
	// for a pool in no tier.
	SLO time.Duration
}

// layoutOf returns the layout of cfg. pre: cfg is validated.
func layoutOf(cfg *configs.Config) statusLayout {
	slos := map[string]time.Duration{}
	for tier, slo := range tierSLOs(cfg) {
		for _, t := range cfg.Tiers {
			if t.Name != tier {
				continue
			}
			for _, p := range t.Pools {
				if s, ok := slos[p]; !ok || slo < s {
					slos[p] = slo
				}
			}
		}
	}
	l := statusLayout{Budget: cfg.Budget, DryRun: cfg.Scaler.DryRun}
	for _, p := range cfg.Pools {
		l.Pools = append(l.Pools, layoutPool{
			Name: p.Name, PricePerHour: p.PricePerHour, Spot: p.Spot,
			Min: p.Replicas.Min, Max: p.Replicas.Max, SLO: slos[p.Name],
		})
	}
	return l
}

// poolLive is what the data plane and the driver show of a pool now.
type poolLive struct {
	Stats           router.PoolStats
	Ready, Starting int
	// Err is the driver's error counting the replicas; nil when counted.
	Err error
}

// statusInput is everything a status view is made of.
type statusInput struct {
	Now    time.Time
	Layout statusLayout
	// Live holds each pool's live facts by name; a pool it lacks reads
	// as idle with no replicas.
	Live map[string]poolLive
	// Plan is the scaler's current plan, if Planned.
	Plan    scaler.Plan
	Planned bool
	// Decisions are the kept decisions, oldest first.
	Decisions []scaler.Decision
	// Samples are the trends' samples, oldest first; those outside the
	// window ending at Now are left out.
	Samples []statusSample
}

// buildStatus makes the status view of in. It does no IO; the view
// shares the decisions' replica maps, which must not be modified.
func buildStatus(in statusInput) statusView {
	samples := inWindow(in.Samples, in.Now)
	v := statusView{At: in.Now, DryRun: in.Layout.DryRun, Planned: in.Planned, Window: statusWindow}
	for _, lp := range in.Layout.Pools {
		v.Pools = append(v.Pools, poolViewOf(lp, in, samples))
	}
	v.Fleet = fleetOf(v.Pools, samples)
	if in.Planned {
		v.Fleet.PlannedUSDPerHour = in.Plan.CostPerHour
	}
	v.Budget = budgetOf(in.Layout.Budget, v.Fleet)
	v.Tiers = tierViews(in.Plan.Tiers)
	v.Decisions = decisionsOf(in.Decisions)
	return v
}

func poolViewOf(lp layoutPool, in statusInput, samples []statusSample) poolStatusView {
	live := in.Live[lp.Name]
	pv := poolStatusView{
		Name: lp.Name, Spot: lp.Spot, Desired: in.Plan.Replicas[lp.Name],
		Ready: live.Ready, Starting: live.Starting, Min: lp.Min, Max: lp.Max,
		Queued: live.Stats.Queued.Total(), InFlight: live.Stats.InFlight, Rate: live.Stats.ArrivalRate,
		P99: live.Stats.Latency.P99, SLO: lp.SLO, Latency: latencyOf(live.Stats.Latency, lp.SLO),
		PricePerHour: lp.PricePerHour, USDPerHour: float64(live.Ready+live.Starting) * lp.PricePerHour,
		Trend: trendOf(samples, func(s statusSample) (poolSample, bool) { ps, ok := s.Pools[lp.Name]; return ps, ok }),
	}
	if live.Err != nil {
		pv.Error = live.Err.Error()
	}
	return pv
}

// latencyOf grades a latency summary against slo (0: no SLO).
func latencyOf(l router.LatencySummary, slo time.Duration) sloState {
	switch {
	case l.Count == 0:
		return sloIdle
	case slo > 0 && l.P99 > slo:
		return sloMissed
	}
	return sloMet
}

func fleetOf(pools []poolStatusView, samples []statusSample) fleetView {
	var f fleetView
	for _, p := range pools {
		f.Desired += p.Desired
		f.Ready += p.Ready
		f.Starting += p.Starting
		f.Queued += p.Queued
		f.Rate += p.Rate
		f.USDPerHour += p.USDPerHour
		if p.Spot {
			f.SpotReplicas += p.Ready + p.Starting
			f.SpotUSDPerHour += p.USDPerHour
		} else {
			f.OnDemandReplicas += p.Ready + p.Starting
		}
	}
	if running := f.SpotReplicas + f.OnDemandReplicas; running > 0 {
		f.SpotShare = float64(f.SpotReplicas) / float64(running)
	}
	f.Trend = trendOf(samples, statusSample.total)
	return f
}

func budgetOf(b configs.Budget, f fleetView) budgetView {
	v := budgetView{PerHour: b.PerHour, PerDay: b.PerDay, State: budgetUncapped}
	if b.PerHour <= 0 {
		return v
	}
	v.Used, v.PlannedUsed = f.USDPerHour/b.PerHour, f.PlannedUSDPerHour/b.PerHour
	switch {
	case v.Used > 1:
		v.State = budgetOver
	case v.Used >= budgetNearShare:
		v.State = budgetNear
	default:
		v.State = budgetOK
	}
	return v
}

// trendOf returns the series of value over samples, skipping the samples
// for which it is not ok.
func trendOf(samples []statusSample, value func(statusSample) (poolSample, bool)) trendView {
	t := trendView{At: []time.Time{}, Rate: []float64{}, Replicas: []float64{}, USDPerHour: []float64{}}
	for _, s := range samples {
		ps, ok := value(s)
		if !ok {
			continue
		}
		t.At = append(t.At, s.At)
		t.Rate = append(t.Rate, ps.Rate)
		t.Replicas = append(t.Replicas, float64(ps.Replicas))
		t.USDPerHour = append(t.USDPerHour, ps.USDPerHour)
	}
	return t
}

// inWindow returns the samples within statusWindow up to now.
func inWindow(samples []statusSample, now time.Time) []statusSample {
	from := now.Add(-statusWindow)
	return slices.DeleteFunc(slices.Clone(samples), func(s statusSample) bool {
		return !s.At.After(from) || s.At.After(now)
	})
}

// decisionsOf returns the views of the last statusDecisions of ds,
// newest first.
func decisionsOf(ds []scaler.Decision) []decisionView {
	out := []decisionView{}
	for i := len(ds) - 1; i >= 0 && len(out) < statusDecisions; i-- {
		out = append(out, decisionViewOf(ds[i]))
	}
	return out
}

// decisionViewOf is d as GET /admin/decisions shows it.
func decisionViewOf(d scaler.Decision) decisionView {
	dv := decisionView{
		At: d.At, DryRun: d.DryRun, Replicas: d.Plan.Replicas, USDPerHour: d.Plan.CostPerHour,
		Changes: changeViews(d.Plan.Changes), Events: eventTexts(d.Plan.Events),
	}
	if d.Err != nil {
		dv.Error = d.Err.Error()
	}
	return dv
}
