package sim

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler"
)

// epoch is the wall-clock time of a scenario's start, for the batcher,
// which reads time.Time.
var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Options is one simulation run.
type Options struct {
	// Fleet is the system under test; its zero fields take their defaults.
	Fleet Fleet
	// Trace is the offered load; Events the scripted events, in any order
	// (may be nil).
	Trace  Trace
	Events []Event
	// Policy names the policy in the report and, when NewPolicy is nil,
	// selects a built-in one (see Policies).
	Policy string
	// NewPolicy, when set, builds the policy instead.
	NewPolicy NewPolicyFunc
	// Scaler is the production scaler's spec, for the costaware policy.
	Scaler *scaler.Spec
	// Seed seeds every random draw: the same options give the same result.
	Seed uint64
	// Timeline records the per-second timeline in the result.
	Timeline bool
	// Row is the simulated time one trace row lasts (see row.go); 0
	// means DefaultRow, one second.
	Row time.Duration
	// EnforceBudget makes Fleet.BudgetPerHour a cap on every policy
	// alike: a replica whose start would take the fleet's price per hour
	// over it is not started (see resize). Without it only the policies
	// that keep a budget themselves keep one.
	EnforceBudget bool
	// Arrivals, when not nil, are the requests to run, sorted by At, in
	// place of those drawn from Trace, which still sets the run's length
	// and its timeline; Seed then seeds the other draws only. Requests
	// at or after the trace's end are not sent. An empty, non-nil slice
	// sends nothing.
	Arrivals []Arrival
}

// checkArrivals reports given arrivals out of order or of an unknown
// kind.
func checkArrivals(given []Arrival) error {
	for i, a := range given {
		if a.Kind != Light && a.Kind != Heavy {
			return fmt.Errorf("%w: arrival %d: kind %d", ErrArrivals, i, a.Kind)
		}
		if i > 0 && a.At < given[i-1].At {
			return fmt.Errorf("%w: arrival %d at %v comes before arrival %d at %v", ErrArrivals, i, a.At, i-1, given[i-1].At)
		}
	}
	return nil
}

// arrivalsBefore returns the given arrivals before end as a non-nil
// slice; they are sorted (checkArrivals).
func (o Options) arrivalsBefore(end time.Duration) []Arrival {
	n, _ := slices.BinarySearchFunc(o.Arrivals, end, func(a Arrival, t time.Duration) int { return cmp.Compare(a.At, t) })
	return o.Arrivals[:n:n]
}

// Result is what a run produced.
type Result struct {
	Report Report
	// Timeline is nil unless Options.Timeline was set.
	Timeline *Timeline
}

// sim is one run in progress. It is driven from one goroutine.
type sim struct {
	fleet     Fleet
	policy    Policy
	now       time.Duration
	end       time.Duration // the end of the trace
	row       time.Duration // the length of a trace row
	events    eventQueue
	arr       *arrivals
	rng       *rand.Rand // interruptions
	pools     []*poolSim
	tiers     [2][]int // pool indexes per kind, in preference order
	keys      [2]string
	shed      [2]batcher.ShedLevel // the shed level of each kind's tier
	script    []Event
	next      int // next scripted event
	free      []*request
	open      int // requests accepted and not yet finished
	obs       Observation
	kindIn    [2][4]int // arrivals per kind and class since the last decision
	picker    router.Picker
	views     []router.PoolView // scratch for the picker
	viewPools []int             // the pool of each view
	models    [2]router.Model   // the model of each kind, as the router knows it
	budget    retryBudget
	st        *stats
	tl        *Timeline
	secIn     int     // arrivals in the current second
	maxRate   float64 // the dearest fleet at a second's start, USD per hour
	budgetCap float64 // USD per hour no start may exceed; 0 if none
	growOrder []int   // scratch: pools, cheapest per row first
}

// Run simulates one scenario under one policy on a simulated clock and
// returns its report. It fails, before simulating anything, for a fleet
// it cannot run (ErrFleet, ErrUnknownPool), an unknown policy (ErrPolicy),
// an event naming an unknown pool (ErrUnknownPool) or arrivals it cannot
// replay (ErrArrivals).
func Run(opts Options) (*Result, error) {
	s, err := newSim(opts)
	if err != nil {
		return nil, err
	}
	s.start()
	s.loop()
	return s.result(opts), nil
}

// newSim checks opts and builds the run.
func newSim(opts Options) (*sim, error) {
	f := opts.Fleet.withDefaults()
	if err := f.validate(); err != nil {
		return nil, err
	}
	for _, ev := range opts.Events {
		if f.PoolIndex(ev.Pool) < 0 {
			return nil, fmt.Errorf("%w: %s at second %d: pool %q", ErrUnknownPool, ev.Kind, ev.Second, ev.Pool)
		}
	}
	if err := checkArrivals(opts.Arrivals); err != nil {
		return nil, err
	}
	script := slices.Clone(opts.Events)
	slices.SortStableFunc(script, func(a, b Event) int { return a.Second - b.Second })
	row := opts.row()
	s := &sim{fleet: f, script: script, end: time.Duration(len(opts.Trace.Seconds)) * row, row: row}
	mk := opts.NewPolicy
	if mk == nil {
		var ok bool
		if mk, ok = policies[opts.Policy]; !ok {
			return nil, fmt.Errorf("%w: %q (want one of %v)", ErrPolicy, opts.Policy, Policies())
		}
	}
	pol, err := mk(Setup{Fleet: &s.fleet, Trace: opts.Trace, Events: script, Scaler: opts.Scaler})
	if err != nil {
		return nil, fmt.Errorf("policy %q: %w", opts.Policy, err)
	}
	s.policy = pol
	s.arr = newArrivals(opts.Trace.Seconds, opts.Seed, row)
	if opts.Arrivals != nil {
		s.arr = replayArrivals(opts.Trace.Seconds, opts.arrivalsBefore(s.end))
	}
	s.rng = rand.New(rand.NewPCG(opts.Seed, 0x5b07))
	if opts.EnforceBudget {
		s.budgetCap = f.BudgetPerHour
	}
	s.build()
	if opts.Timeline {
		s.tl = newTimeline(&s.fleet, len(opts.Trace.Seconds))
	}
	return s, nil
}

// build creates the pools, their queues and the observation.
func (s *sim) build() {
	f := &s.fleet
	for k, kind := range f.Kinds {
		s.keys[k] = batcher.ItemKey(kind.Model, "", "")
		s.models[k] = routerModel(kind)
		for _, name := range kind.Pools {
			s.tiers[k] = append(s.tiers[k], f.PoolIndex(name))
		}
	}
	for i := range f.Pools {
		p := &poolSim{idx: i, spec: &f.Pools[i], price: f.Pools[i].PricePerHour, q: batcher.NewQueue(f.Limits),
			wakeAt: never}
		for k := range f.Kinds {
			p.form[k] = f.formConfig(i, k)
		}
		s.pools = append(s.pools, p)
		s.pricePool(p)
	}
	s.shed = [2]batcher.ShedLevel{}
	s.picker = router.DefaultPicker()
	s.budget = newRetryBudget(f.RetryBudget, f.RetryWindow)
	s.obs.Pools = make([]PoolState, len(f.Pools))
	s.st = newStats(len(f.Pools))
}

// start brings up the fleet the policy chooses for the first second's
// load, already warm, and schedules the first second and decision.
func (s *sim) start() {
	var first Second
	if len(s.arr.trace) > 0 {
		first = s.arr.trace[0]
	}
	d := secondDemand(first)
	for k := range s.obs.Kinds {
		s.obs.Kinds[k] = KindState{ArrivalRate: d[k], NormalRate: d[k] * shareNormal, LowRate: d[k] * (1 - shareHigh - shareNormal)}
	}
	for i, p := range s.pools {
		s.obs.Pools[i] = PoolState{PricePerHour: p.price}
	}
	want := s.policy.Start(&s.obs)
	for _, i := range s.cheapestFirst() {
		p := s.pools[i]
		for range s.affordable(p, s.clamp(p, want, i)) {
			slot := p.slot()
			p.reps[slot] = replica{state: repIdle, gen: p.reps[slot].gen + 1}
			p.idle = append(p.idle, slot)
			p.ready++
			p.billed++
		}
	}
	s.events.push(event{at: 0, kind: evSecond})
	s.events.push(event{at: s.fleet.Interval, kind: evTick})
}

// clamp returns want[i] within pool p's bounds; 0 for a pool that is
// down or missing from want.
func (s *sim) clamp(p *poolSim, want []int, i int) int {
	if p.down || i >= len(want) {
		return 0
	}
	return min(max(want[i], p.spec.Min), p.spec.Max)
}

// loop runs events and arrivals in time order until the trace has ended
// and every accepted request is finished.
func (s *sim) loop() {
	drainLimit := s.end + s.maxTimeout() + time.Minute
	for {
		next := s.arr.next
		if s.events.len() > 0 && s.events.peek() <= next {
			ev := s.events.pop()
			s.now = ev.at
			s.handle(ev)
		} else if next != never {
			s.now = next
			s.arrive()
			s.arr.advance()
		}
		if s.now >= s.end && (s.open == 0 || s.now > drainLimit) && s.arr.next == never {
			return
		}
	}
}

// maxTimeout returns the longest request timeout of the kinds.
func (s *sim) maxTimeout() time.Duration {
	return max(s.fleet.Kinds[Light].Timeout, s.fleet.Kinds[Heavy].Timeout)
}

// handle runs one event.
func (s *sim) handle(ev event) {
	p := s.poolOf(ev)
	switch ev.kind {
	case evSecond:
		s.second()
	case evTick:
		s.tick()
	case evReady:
		s.ready(p, ev.slot, ev.gen)
	case evDone:
		s.done(p, ev.slot, ev.gen)
	case evWake:
		if p.wakeAt == s.now {
			p.wakeAt = never
			s.kick(p)
		}
	}
}

// poolOf returns the pool of a pool event, nil for others.
func (s *sim) poolOf(ev event) *poolSim {
	if ev.kind < evReady {
		return nil
	}
	return s.pools[ev.pool]
}

// at returns the wall-clock time of the simulated time d.
func at(d time.Duration) time.Time { return epoch.Add(d) }
