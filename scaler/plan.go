package scaler

import (
	"fmt"
	"time"
)

// Plan is one decision: the replicas each pool should have, what admission
// should do, why anything changed, and what happened worth logging. A Plan
// is a value; its maps and slices are not shared with any State, and must
// not be modified by readers that share it.
type Plan struct {
	// At is the time the plan was decided.
	At time.Time
	// Replicas is the desired size of every pool of the spec.
	Replicas map[string]int
	// Changes lists the pools whose desired size changed, in spec order.
	Changes []Change
	// Tiers holds every tier's demand, capacity and admission directives.
	Tiers map[string]TierPlan
	// CostPerHour is the price of Replicas, USD per hour.
	CostPerHour float64
	// HeadroomCostPerHour is the part of the fill's price, USD per hour,
	// that the tiers' burst headroom adds: the price of the replicas the
	// fill placed less that of those it places without the headroom.
	HeadroomCostPerHour float64
	// Events are things worth a log line and a metric: panics starting and
	// ending, lost spot workers, budget cuts, daily spend thresholds.
	Events []Event
}

// TierPlan is a plan's view of one tier.
type TierPlan struct {
	// Demand is the items per second provisioned for now: the forecast
	// plus its error band, or the panic demand when higher.
	Demand float64
	// Capacity is the items per second the planned replicas give the tier
	// at its SLO (a pool shared by tiers counts for each its share).
	Capacity float64
	// Headroom is the items per second kept standing above the forecast
	// for the bursts the tier has seen (Config.BurstMemory); it counts in
	// Demand's provision for lead times where it exceeds the error band.
	Headroom float64
	// Panic is true while the tier is in panic mode.
	Panic bool
	// Shed tells admission which priority classes to reject.
	Shed Shed
	// Fallback tells admission to serve the tier's models' fallbacks.
	Fallback bool
}

// Shed is how much of a tier's traffic admission rejects.
type Shed int

// Shed levels, each shedding the classes of the one before as well.
const (
	// ShedNone admits every class.
	ShedNone Shed = iota
	// ShedLow rejects the low priority class.
	ShedLow
	// ShedNormal rejects the normal and low priority classes.
	ShedNormal
)

// String returns "none", "low" or "normal".
func (s Shed) String() string {
	switch s {
	case ShedNone:
		return "none"
	case ShedLow:
		return "low"
	case ShedNormal:
		return "normal"
	}
	return fmt.Sprintf("Shed(%d)", int(s))
}

// Change is one pool's new size and the reason for it.
type Change struct {
	// Pool names the pool.
	Pool string
	// From is the previous plan's size (the observed ready and starting
	// replicas at the first decision); To the new one.
	From, To int
	// Kind classifies what set To, in a word fit for a metric label;
	// Reason says it for a person.
	Kind   ChangeKind
	Reason string
	// CostPerHour is the change's effect on the fleet's price, USD per
	// hour: negative for a scale-down.
	CostPerHour float64
}

// String formats the change as
// "gpu-spot 3→5: forecast 620 rps over 540 at SLO; +2.40 $/h".
func (c Change) String() string {
	return fmt.Sprintf("%s %d→%d: %s; %+.2f $/h", c.Pool, c.From, c.To, c.Reason, c.CostPerHour)
}

// ChangeKind classifies what set a pool's new size.
type ChangeKind string

// Change kinds.
const (
	// ChangeForecast: a tier's forecast demand.
	ChangeForecast ChangeKind = "forecast"
	// ChangePanic: a tier's surge in panic mode, or a pool held through
	// one.
	ChangePanic ChangeKind = "panic"
	// ChangeQueue: the pool's queue, to drain it in time.
	ChangeQueue ChangeKind = "queue"
	// ChangeLatency: the pool's p95 over its headroom of the SLO.
	ChangeLatency ChangeKind = "latency"
	// ChangeInFlight: the work in flight at the pool's batch size.
	ChangeInFlight ChangeKind = "in_flight"
	// ChangeWarm: the pool's warm spares alone.
	ChangeWarm ChangeKind = "warm"
	// ChangeStabilization: the highest need of the scale-down window.
	ChangeStabilization ChangeKind = "stabilization"
	// ChangeSpot: a spot pool retried at its size before it lost workers.
	ChangeSpot ChangeKind = "spot"
	// ChangeBudget: the hourly or daily budget cut the plan.
	ChangeBudget ChangeKind = "budget"
	// ChangeMin, ChangeMax and ChangePrewarm: the pool's bounds, the
	// lower one raised by a pre-warm schedule.
	ChangeMin     ChangeKind = "min"
	ChangeMax     ChangeKind = "max"
	ChangePrewarm ChangeKind = "prewarm"
	// ChangeNoDemand: nothing asks for the pool.
	ChangeNoDemand ChangeKind = "no_demand"
)

// reason is what set a size: its kind, and the words for a person.
type reason struct {
	kind ChangeKind
	text string
}

// EventKind classifies an Event.
type EventKind string

// Event kinds.
const (
	// EventPanic: a tier entered panic mode.
	EventPanic EventKind = "panic"
	// EventCalm: a tier left panic mode.
	EventCalm EventKind = "calm"
	// EventSpotLost: a spot pool lost workers; other pools cover them.
	EventSpotLost EventKind = "spot_lost"
	// EventSpotRestored: a spot pool's back-off ended; it takes its share
	// again.
	EventSpotRestored EventKind = "spot_restored"
	// EventBudgetCut: the plan was cut to fit the budget.
	EventBudgetCut EventKind = "budget_cut"
	// EventDailySpend: the day's projected spending crossed Fraction of
	// the daily budget (0.5, 0.8 or 1), once a day each.
	EventDailySpend EventKind = "daily_spend"
)

// Event is something a decision noticed; the Loop logs each.
type Event struct {
	// Kind says what happened.
	Kind EventKind
	// Tier and Pool name what the event is about; empty when not one.
	Tier, Pool string
	// Fraction is the threshold of an EventDailySpend; 0 otherwise.
	Fraction float64
	// Message says what happened, for a person.
	Message string
}

// String returns "kind: message".
func (e Event) String() string { return string(e.Kind) + ": " + e.Message }
