package sim

import (
	"fmt"
	"slices"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/scaler"
)

// Policy decides the size of every pool, once per Fleet.Interval of
// simulated time. The simulator calls it from one goroutine; a Policy
// may keep state between calls and serves one run.
type Policy interface {
	// Start returns the replicas per pool, index-aligned with
	// Fleet.Pools, to begin the scenario with, already warm, for the
	// first second's load in obs (ArrivalRate of the kinds; no replicas,
	// empty queues).
	Start(obs *Observation) []int
	// Decide returns what to do at obs.Now. The simulator clamps each
	// pool's replicas to [Min, Max] (0 for a pool that is down).
	Decide(obs *Observation) Decision
}

// Decision is a policy's answer.
type Decision struct {
	// Replicas is the desired number of replicas per pool, ready and
	// starting, index-aligned with Fleet.Pools.
	Replicas []int
	// Shed lists, per kind, the shed level of its tier: requests of a
	// class the level sheds are rejected as "shed". The zero value,
	// batcher.ShedNone, admits every class; nil Shed admits everything.
	Shed []batcher.ShedLevel
}

// Observation is what a policy sees at a decision: the fleet's state now
// and the traffic since the previous decision. The simulator reuses it
// between calls; a policy must not keep it or its slices.
type Observation struct {
	// Now is the time since the scenario started.
	Now time.Duration
	// Window is the time since the previous decision, over which rates,
	// concurrency and latency are measured.
	Window time.Duration
	// Pools is the state of each pool, index-aligned with Fleet.Pools.
	Pools []PoolState
	// Kinds is the traffic of each kind, at Light and Heavy.
	Kinds [2]KindState
}

// PoolState is one pool as a policy sees it.
type PoolState struct {
	// Ready is the replicas that take batches; Starting those still in
	// their cold start. Replicas that finish a batch before stopping are
	// in neither.
	Ready, Starting int
	// Down reports a pool that cannot start replicas (pool_down).
	Down bool
	// PricePerHour is the pool's current price of one replica, in USD.
	PricePerHour float64
	// ArrivalRate is the requests per second routed to the pool over the
	// window; ArrivalRows the same in batch rows.
	ArrivalRate, ArrivalRows float64
	// UnservedRows is the rows per second of the pool's tiers that no pool
	// could take while this one had no ready replica: the demand a
	// scale-from-zero path (Knative's activator, a KEDA queue) would
	// hold for it. The router rejects these requests.
	UnservedRows float64
	// Queued and QueuedRows are the requests (and their rows) waiting in
	// the pool's queue now.
	Queued, QueuedRows int
	// InFlight and InFlightRows are the requests (and rows) in batches
	// being served now.
	InFlight, InFlightRows int
	// Concurrency is the time-averaged rows of the pool's requests queued
	// or in flight over the window.
	Concurrency float64
	// P95 is the 95th percentile latency, arrival to answer, of the
	// requests the pool answered over the router's stats window
	// (router.DefaultStatsWindow, 10 s) ending now, as the router's
	// PoolStats gives it to the production scaler; 0 when none.
	P95 time.Duration
	// Interrupted is the replicas lost (spot interruptions, pool_down)
	// over the window.
	Interrupted int
}

// KindState is one kind's traffic as a policy sees it.
type KindState struct {
	// ArrivalRate is the requests per second that arrived over the
	// window, admitted or not; NormalRate and LowRate the part of it in
	// the normal and low classes.
	ArrivalRate, NormalRate, LowRate float64
}

// Setup is what a policy may know when it is built.
type Setup struct {
	// Fleet is the fleet under test, with its defaults filled.
	Fleet *Fleet
	// Trace and Events are the scenario; only the oracle and the static
	// policies look ahead in them.
	Trace  Trace
	Events []Event
	// Scaler is the production scaler's spec; the costaware policy needs
	// it, the others ignore it.
	Scaler *scaler.Spec
}

// NewPolicyFunc builds one run's policy.
type NewPolicyFunc func(s Setup) (Policy, error)

// policies holds the built-in policies by name: the matrix's, and each
// family's default configuration under the family's name.
var policies = map[string]NewPolicyFunc{
	"static-peak":      staticFamily.mustDefault(),
	"static-ondemand":  newStaticOnDemand,
	"oracle":           newOracle,
	"hpa":              newHPA,
	"hpa-per-pool":     hpaPerPoolFamily.mustDefault(),
	"hpa-cheapest-gpu": hpaCheapestGPUFamily.mustDefault(),
	"kpa":              kpaFamily.mustDefault(),
	"keda-inflight":    kedaInflightFamily.mustDefault(),
	"keda-rate":        kedaRateFamily.mustDefault(),
	"queue":            newQueuePolicy,
	"costaware":        newCostaware,
}

// Policies returns the names of the built-in policies, sorted.
func Policies() []string {
	names := make([]string, 0, len(policies))
	for name := range policies {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// NewPolicy builds the named built-in policy for one run. It fails with
// ErrPolicy for an unknown name.
func NewPolicy(name string, s Setup) (Policy, error) {
	mk, ok := policies[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q (want one of %v)", ErrPolicy, name, Policies())
	}
	return mk(s)
}
