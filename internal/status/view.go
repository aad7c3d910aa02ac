package status

import (
	"slices"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
)

// The status page's history and decision list.
const (
	// Window is the span of the trends.
	Window = 15 * time.Minute
	// Step is the time between two samples of the trends.
	Step = 5 * time.Second
	// MaxDecisions is how many decisions the status keeps.
	MaxDecisions = 50
)

// View is what the status page, GET /admin/status and `sluice status`
// show: one value every renderer reads. Durations are nanoseconds in
// JSON, prices USD per hour and rates requests per second.
type View struct {
	At time.Time `json:"at"`
	// DryRun is true when the scaler plans without acting.
	DryRun bool `json:"dry_run"`
	// Planned is false before the scaler's first plan: desired sizes,
	// the planned price and the tiers are then unknown.
	Planned bool `json:"planned"`
	// Window is the span the trends cover, ending at At.
	Window time.Duration `json:"window"`
	Pools  []PoolView    `json:"pools"`
	Fleet  FleetView     `json:"fleet"`
	Budget BudgetView    `json:"budget"`
	Tiers  []TierView    `json:"tiers"`
	// Decisions are the latest decisions that changed a size, noticed an
	// event or failed, newest first, at most MaxDecisions.
	Decisions []DecisionView `json:"decisions"`
	// Tenants are the tenants with a budget, by name.
	Tenants []Tenant `json:"tenants,omitempty"`
}

// PoolView is one pool, in configuration order.
type PoolView struct {
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
	Latency SLOState      `json:"latency"`
	// PricePerHour is one replica's price; USDPerHour that of the ready
	// and starting replicas.
	PricePerHour float64   `json:"price_per_hour"`
	USDPerHour   float64   `json:"usd_per_hour"`
	Trend        TrendView `json:"trend"`
	// Error says why the replicas are unknown; empty when they are known.
	Error string `json:"error,omitempty"`
}

// SLOState compares a pool's p99 latency with its SLO.
type SLOState string

// The states of a pool's latency.
const (
	// SLOIdle: no request answered within the router's window.
	SLOIdle SLOState = "idle"
	// SLOMet: p99 within the SLO (or the pool serves no model with one).
	SLOMet SLOState = "ok"
	// SLOMissed: p99 beyond the SLO.
	SLOMissed SLOState = "over"
)

// FleetView sums the pools.
type FleetView struct {
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
	// of the plan's sizes, HeadroomUSDPerHour the part of it that the
	// tiers' burst headroom adds.
	USDPerHour         float64   `json:"usd_per_hour"`
	SpotUSDPerHour     float64   `json:"spot_usd_per_hour"`
	PlannedUSDPerHour  float64   `json:"planned_usd_per_hour"`
	HeadroomUSDPerHour float64   `json:"headroom_usd_per_hour"`
	Trend              TrendView `json:"trend"`
}

// BudgetView compares the spend rate with the budget.
type BudgetView struct {
	// PerHour and PerDay are the configured caps, USD; 0 is no cap.
	PerHour float64 `json:"per_hour"`
	PerDay  float64 `json:"per_day"`
	// Used is the spend rate over PerHour (1 at the cap), PlannedUsed the
	// planned price over it; both 0 without an hourly cap.
	Used        float64     `json:"used"`
	PlannedUsed float64     `json:"planned_used"`
	State       BudgetState `json:"state"`
}

// BudgetState grades the spend rate against the hourly budget.
type BudgetState string

// The budget states.
const (
	BudgetUncapped BudgetState = "uncapped"
	BudgetOK       BudgetState = "ok"
	// BudgetNear: at budgetNearShare of the cap or more.
	BudgetNear BudgetState = "near"
	// BudgetOver: beyond the cap.
	BudgetOver BudgetState = "over"
)

// budgetNearShare is the share of the hourly budget from which the spend
// rate is graded near.
const budgetNearShare = 0.8

// TrendView is a series of samples, oldest first: the slices are aligned
// with At. A sample that lacks the pool (its replicas were unknown) is
// left out.
type TrendView struct {
	At         []time.Time `json:"at"`
	Rate       []float64   `json:"rate"`
	Replicas   []float64   `json:"replicas"`
	USDPerHour []float64   `json:"usd_per_hour"`
}

// TierView is one tier's demand and admission directives in the
// scaler's plan, as the status and GET /admin/plan show them.
type TierView struct {
	Name string `json:"name"`
	// Demand and Capacity are in items (rows) per second, as is
	// Headroom, the part kept standing above the forecast for the bursts
	// the tier has seen.
	Demand   float64 `json:"demand"`
	Capacity float64 `json:"capacity"`
	Headroom float64 `json:"headroom"`
	Panic    bool    `json:"panic"`
	// Shed is the shed level's name: none, low or normal.
	Shed     string `json:"shed"`
	Fallback bool   `json:"fallback"`
}

// DecisionView is one decision of the scaler, as the status and GET
// /admin/decisions show it.
type DecisionView struct {
	At         time.Time      `json:"at"`
	DryRun     bool           `json:"dry_run"`
	Error      string         `json:"error,omitempty"`
	Replicas   map[string]int `json:"replicas"`
	USDPerHour float64        `json:"usd_per_hour"`
	Changes    []ChangeView   `json:"changes"`
	Events     []string       `json:"events"`
}

// ChangeView is one pool's change of size and why.
type ChangeView struct {
	Pool       string  `json:"pool"`
	From       int     `json:"from"`
	To         int     `json:"to"`
	Reason     string  `json:"reason"`
	USDPerHour float64 `json:"usd_per_hour"`
	// Text is the change in one line, as the log has it.
	Text string `json:"text"`
}

// Layout is what the configuration in force says about the status.
type Layout struct {
	// Fleet holds the pools to show, in order, with their prices and the
	// bounds the scaler plans within.
	Fleet costmodel.Fleet
	// SLOs holds each pool's SLO, the tightest among the models the
	// pool's tiers serve; a pool it lacks has none.
	SLOs   map[string]time.Duration
	Budget Budget
	// DryRun is true when the scaler plans without acting.
	DryRun bool
}

// Budget is the configured budget in USD; 0 is no cap.
type Budget struct {
	PerHour, PerDay float64
}

// Live is what the data plane and the driver show of a pool now.
type Live struct {
	Ready, Starting int
	// Err is the driver's error counting the replicas; nil when counted.
	Err error
	// Queued counts requests waiting; InFlight those sent to workers.
	Queued, InFlight int
	// Rate is requests per second over the router's window.
	Rate float64
	// P99 is the requests' latency over the router's window, of Answered
	// requests; none answered reads as idle.
	P99      time.Duration
	Answered uint64
}

// Plan is the scaler's plan as the status shows it.
type Plan struct {
	// Replicas holds the desired size of each pool.
	Replicas map[string]int
	// CostPerHour is the planned fleet's price, USD per hour, of which
	// HeadroomCostPerHour keeps the tiers' burst headroom.
	CostPerHour, HeadroomCostPerHour float64
	// Tiers are the tiers' directives, sorted by name.
	Tiers []TierView
}

// input is everything a view is made of.
type input struct {
	Now    time.Time
	Layout Layout
	// Live holds each pool's live facts by name; a pool it lacks reads
	// as idle with no replicas.
	Live map[string]Live
	// Plan is the scaler's current plan, if Planned.
	Plan    Plan
	Planned bool
	// Decisions are the kept decisions, oldest first.
	Decisions []DecisionView
	// Samples are the trends' samples, oldest first; those outside the
	// window ending at Now are left out.
	Samples []sample
	// Tenants are the tenants with a budget.
	Tenants []Tenant
}

// build makes the view of in. It does no IO; the view shares the
// decisions' replica maps, which must not be modified.
func build(in input) View {
	samples := inWindow(in.Samples, in.Now)
	v := View{At: in.Now, DryRun: in.Layout.DryRun, Planned: in.Planned, Window: Window}
	for _, p := range in.Layout.Fleet.Pools {
		v.Pools = append(v.Pools, poolViewOf(p, in, samples))
	}
	v.Fleet = fleetOf(v.Pools, samples)
	if in.Planned {
		v.Fleet.PlannedUSDPerHour = in.Plan.CostPerHour
		v.Fleet.HeadroomUSDPerHour = in.Plan.HeadroomCostPerHour
	}
	v.Budget = budgetOf(in.Layout.Budget, v.Fleet)
	v.Tiers = in.Plan.Tiers
	if v.Tiers == nil {
		v.Tiers = []TierView{}
	}
	v.Decisions = decisionsOf(in.Decisions)
	v.Tenants = in.Tenants
	return v
}

func poolViewOf(p costmodel.Pool, in input, samples []sample) PoolView {
	live, bounds, slo := in.Live[p.Name], in.Layout.Fleet.Bounds[p.Name], in.Layout.SLOs[p.Name]
	pv := PoolView{
		Name: p.Name, Spot: p.Spot, Desired: in.Plan.Replicas[p.Name],
		Ready: live.Ready, Starting: live.Starting, Min: bounds.Min, Max: bounds.Max,
		Queued: live.Queued, InFlight: live.InFlight, Rate: live.Rate,
		P99: live.P99, SLO: slo, Latency: latencyOf(live, slo),
		PricePerHour: p.PricePerHour, USDPerHour: p.CostPerHour(live.Ready + live.Starting),
		Trend: trendOf(samples, func(s sample) (poolSample, bool) { ps, ok := s.Pools[p.Name]; return ps, ok }),
	}
	if live.Err != nil {
		pv.Error = live.Err.Error()
	}
	return pv
}

// latencyOf grades a pool's latency against slo (0: no SLO).
func latencyOf(l Live, slo time.Duration) SLOState {
	switch {
	case l.Answered == 0:
		return SLOIdle
	case slo > 0 && l.P99 > slo:
		return SLOMissed
	}
	return SLOMet
}

func fleetOf(pools []PoolView, samples []sample) FleetView {
	var f FleetView
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
	f.Trend = trendOf(samples, sample.total)
	return f
}

func budgetOf(b Budget, f FleetView) BudgetView {
	v := BudgetView{PerHour: b.PerHour, PerDay: b.PerDay, State: BudgetUncapped}
	if b.PerHour <= 0 {
		return v
	}
	v.Used, v.PlannedUsed = f.USDPerHour/b.PerHour, f.PlannedUSDPerHour/b.PerHour
	switch {
	case v.Used > 1:
		v.State = BudgetOver
	case v.Used >= budgetNearShare:
		v.State = BudgetNear
	default:
		v.State = BudgetOK
	}
	return v
}

// trendOf returns the series of value over samples, skipping the samples
// for which it is not ok.
func trendOf(samples []sample, value func(sample) (poolSample, bool)) TrendView {
	t := TrendView{At: []time.Time{}, Rate: []float64{}, Replicas: []float64{}, USDPerHour: []float64{}}
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

// inWindow returns the samples within Window up to now.
func inWindow(samples []sample, now time.Time) []sample {
	from := now.Add(-Window)
	return slices.DeleteFunc(slices.Clone(samples), func(s sample) bool {
		return !s.At.After(from) || s.At.After(now)
	})
}

// decisionsOf returns the last MaxDecisions of ds, newest first.
func decisionsOf(ds []DecisionView) []DecisionView {
	out := []DecisionView{}
	for i := len(ds) - 1; i >= 0 && len(out) < MaxDecisions; i-- {
		out = append(out, ds[i])
	}
	return out
}
