package scaler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// DefaultHistory is how many decisions a Loop keeps by default.
const DefaultHistory = 100

// LoopOptions are a Loop's optional parts; the zero value acts on nothing
// and logs nothing.
type LoopOptions struct {
	// Actuator applies pool sizes. If nil, sizes are planned but not
	// applied.
	Actuator Actuator
	// Admission applies shed levels and fallbacks. If nil, they are
	// planned but not applied.
	Admission Admission
	// DryRun logs plans without applying them to Actuator or Admission.
	DryRun bool
	// Logger receives a line per change and per event. If nil, nothing is
	// logged.
	Logger *slog.Logger
	// History is how many decisions History keeps; 0 means
	// DefaultHistory.
	History int
	// OnDecision, if non-nil, is called with each decision after it is
	// recorded, on the goroutine that runs Tick; metrics hook in here. It
	// must not block.
	OnDecision func(Decision)
}

// Decision is one tick of a Loop.
type Decision struct {
	// At is the tick's time.
	At time.Time
	// Plan is what Decide returned; the zero Plan when the snapshot failed.
	Plan Plan
	// DryRun is true when the plan was not applied.
	DryRun bool
	// Err is the snapshot's error, or the errors of applying the plan,
	// joined; nil when all went well.
	Err error
}

// Loop runs the policy: at every tick it takes a snapshot, decides, applies
// the sizes that changed to the actuator and the directives that changed to
// admission, and keeps the current plan and the recent decisions. Tick and
// Run must not be called concurrently with each other; the other methods
// are safe for concurrent use.
type Loop struct {
	src  Source
	opts LoopOptions
	log  *slog.Logger

	applied  map[string]int      // sizes the actuator accepted
	admitted map[string]TierPlan // directives admission was given

	mu      sync.Mutex
	spec    *Spec
	state   State
	plan    Plan
	planned bool
	history []Decision
	updated chan struct{}
}

// NewLoop returns a Loop deciding by spec on src's snapshots. It fails
// with ErrNoSource when src is nil.
func NewLoop(spec *Spec, src Source, opts LoopOptions) (*Loop, error) {
	if src == nil {
		return nil, ErrNoSource
	}
	if opts.History <= 0 {
		opts.History = DefaultHistory
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Loop{
		src: src, opts: opts, log: log, spec: spec,
		applied: map[string]int{}, admitted: map[string]TierPlan{},
		updated: make(chan struct{}),
	}, nil
}

// Run calls Tick with each time received from ticks, such as a
// time.Ticker's channel, logging failed decisions. It returns ctx.Err()
// when ctx is done, or nil when ticks is closed.
func (l *Loop) Run(ctx context.Context, ticks <-chan time.Time) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case now, ok := <-ticks:
			if !ok {
				return nil
			}
			if d := l.Tick(ctx, now); d.Err != nil {
				l.log.Error("scaler: decision", "err", d.Err)
			}
		}
	}
}

// Tick makes one decision at now and returns it. A snapshot error skips
// Decide and leaves the plan as it was; an actuator error leaves that
// pool to be retried at the next tick.
func (l *Loop) Tick(ctx context.Context, now time.Time) Decision {
	snap, err := l.src.Snapshot(ctx)
	if err != nil {
		d := Decision{At: now, DryRun: l.opts.DryRun, Err: fmt.Errorf("scaler: snapshot: %w", err)}
		l.record(d, nil)
		return d
	}
	l.mu.Lock()
	spec, state := l.spec, l.state
	l.mu.Unlock()
	plan, state := Decide(spec, state, snap, now)
	d := Decision{At: now, Plan: plan, DryRun: l.opts.DryRun}
	l.logPlan(plan)
	if !l.opts.DryRun {
		d.Err = l.apply(ctx, spec, plan)
	}
	l.record(d, &state)
	return d
}

// apply sends the sizes and directives that differ from what was last
// applied.
func (l *Loop) apply(ctx context.Context, spec *Spec, plan Plan) error {
	var errs []error
	for _, pc := range spec.Config().Pools {
		n, ok := plan.Replicas[pc.Name]
		if was, done := l.applied[pc.Name]; !ok || l.opts.Actuator == nil || (done && was == n) {
			continue
		}
		if err := l.opts.Actuator.SetReplicas(ctx, pc.Name, n); err != nil {
			errs = append(errs, fmt.Errorf("scaler: set pool %q to %d replicas: %w", pc.Name, n, err))
			continue
		}
		l.applied[pc.Name] = n
	}
	if l.opts.Admission != nil {
		for _, tc := range spec.Config().Tiers {
			l.admit(tc.Name, plan.Tiers[tc.Name])
		}
	}
	return errors.Join(errs...)
}

// admit passes a tier's directives to admission when they changed.
func (l *Loop) admit(tier string, tp TierPlan) {
	was, done := l.admitted[tier]
	if !done || was.Shed != tp.Shed {
		l.opts.Admission.SetShed(tier, tp.Shed)
	}
	if !done || was.Fallback != tp.Fallback {
		l.opts.Admission.SetFallback(tier, tp.Fallback)
	}
	l.admitted[tier] = tp
}

func (l *Loop) logPlan(p Plan) {
	for _, c := range p.Changes {
		l.log.Info("scaler: resize", "pool", c.Pool, "from", c.From, "to", c.To,
			"reason", c.Reason, "usd_per_hour", c.CostPerHour, "dry_run", l.opts.DryRun)
	}
	for _, e := range p.Events {
		level := slog.LevelWarn
		if e.Kind == EventCalm || e.Kind == EventSpotRestored {
			level = slog.LevelInfo
		}
		l.log.Log(context.Background(), level, "scaler: "+string(e.Kind), "tier", e.Tier, "pool", e.Pool, "detail", e.Message)
	}
}

// record keeps d in the history and, with a new state, makes its plan
// current and wakes Updated's waiters.
func (l *Loop) record(d Decision, state *State) {
	l.mu.Lock()
	if len(l.history) == l.opts.History {
		copy(l.history, l.history[1:])
		l.history = l.history[:len(l.history)-1]
	}
	l.history = append(l.history, d)
	if state != nil {
		l.state, l.plan, l.planned = *state, d.Plan, true
		close(l.updated)
		l.updated = make(chan struct{})
	}
	l.mu.Unlock()
	if l.opts.OnDecision != nil {
		l.opts.OnDecision(d)
	}
}

// SetSpec replaces the spec from the next tick on, as after a configuration
// reload. What the policy remembers is kept for the pools and tiers whose
// names stay; new ones start fresh.
func (l *Loop) SetSpec(spec *Spec) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.spec = spec
}

// Plan returns the current plan; false before the first decision.
func (l *Loop) Plan() (Plan, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.plan, l.planned
}

// History returns the recent decisions, oldest first, at most
// LoopOptions.History of them. The slice is the caller's; the plans in it
// are shared and must not be modified.
func (l *Loop) History() []Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Decision(nil), l.history...)
}

// Desired returns the current plan's size of the named pool, also in dry
// run (serve it to KEDA only when the loop is meant to act). It fails with
// ErrNoPlan before the first decision and ErrUnknownPool for a pool the
// plan lacks.
func (l *Loop) Desired(pool string) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.planned {
		return 0, ErrNoPlan
	}
	n, ok := l.plan.Replicas[pool]
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrUnknownPool, pool)
	}
	return n, nil
}

// Updated returns a channel that is closed when the next plan is made.
func (l *Loop) Updated() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.updated
}
