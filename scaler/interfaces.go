package scaler

import "context"

// Source gives a Loop what was observed just before each decision. The
// wiring implements it from the data plane's stats and the drivers'
// replica counts.
type Source interface {
	// Snapshot returns the current observations. An error skips the
	// decision; the Loop tries again at its next tick.
	Snapshot(ctx context.Context) (Snapshot, error)
}

// SourceFunc adapts a function to a Source.
type SourceFunc func(ctx context.Context) (Snapshot, error)

// Snapshot calls f(ctx).
func (f SourceFunc) Snapshot(ctx context.Context) (Snapshot, error) { return f(ctx) }

// Actuator resizes pools; the drivers (local processes, Kubernetes) are
// adapted to it by the wiring.
type Actuator interface {
	// SetReplicas asks for n replicas of the named pool; n >= 0. It should
	// return once the request is accepted, not once the replicas are
	// ready; an error is retried at the next decision.
	SetReplicas(ctx context.Context, pool string, n int) error
}

// ActuatorFunc adapts a function to an Actuator.
type ActuatorFunc func(ctx context.Context, pool string, n int) error

// SetReplicas calls f(ctx, pool, n).
func (f ActuatorFunc) SetReplicas(ctx context.Context, pool string, n int) error {
	return f(ctx, pool, n)
}

// Admission applies a plan's admission directives to the gateway. Its
// methods are called from the goroutine running the Loop and must not
// block.
type Admission interface {
	// SetShed makes admission reject the classes level names for the
	// tier's requests.
	SetShed(tier string, level Shed)
	// SetFallback makes admission serve the tier's models' fallback models
	// (on) or the models themselves (off).
	SetFallback(tier string, on bool)
}

var (
	_ Source   = SourceFunc(nil)
	_ Actuator = ActuatorFunc(nil)
)
