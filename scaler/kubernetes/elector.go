package kubernetes

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/klog/v2"
)

// Defaults for the zero fields of ElectorOptions; the timings are those of
// Kubernetes' own controllers.
const (
	DefaultLeaseName     = "sluice-scaler"
	DefaultLeaseDuration = 15 * time.Second
	DefaultRenewDeadline = 10 * time.Second
	DefaultRetryPeriod   = 2 * time.Second
)

// ElectorOptions configures an Elector. Namespace and Identity are
// required; every other zero field takes the default named in its comment.
type ElectorOptions struct {
	// Namespace holds the Lease; required.
	Namespace string
	// LeaseName names the coordination.k8s.io/v1 Lease the candidates
	// share. Empty means DefaultLeaseName.
	LeaseName string
	// Identity names this candidate in the Lease's holderIdentity; it must
	// differ between candidates. In a pod, its name (the downward API's
	// metadata.name) is a good choice. Required.
	Identity string
	// LeaseDuration is how long the other candidates wait after the
	// Lease's last renewal before they take it over. Zero means
	// DefaultLeaseDuration.
	LeaseDuration time.Duration
	// RenewDeadline is how long the leader keeps trying to renew before it
	// gives up leading; it must be shorter than LeaseDuration, so that a
	// leader cut off from the API server stops before another starts.
	// Zero means DefaultRenewDeadline.
	RenewDeadline time.Duration
	// RetryPeriod is the time between two tries to acquire or renew; the
	// RenewDeadline must exceed 1.2 × RetryPeriod. Zero means
	// DefaultRetryPeriod.
	RetryPeriod time.Duration
	// OnStartedLeading, if not nil, is called in a goroutine of its own
	// when this candidate becomes leader; its context is cancelled when
	// the leadership ends.
	OnStartedLeading func(ctx context.Context)
	// OnStoppedLeading, if not nil, is called once after each leadership
	// ends, whether lost, released or cancelled; never for a term that
	// did not start.
	OnStoppedLeading func()
	// Logger receives the election's events, those of client-go's
	// leaderelection included. If nil, nothing is logged.
	Logger *slog.Logger
}

// withDefaults returns o with every zero field set to its default.
func (o ElectorOptions) withDefaults() ElectorOptions {
	o.LeaseName = orString(o.LeaseName, DefaultLeaseName)
	o.LeaseDuration = orDuration(o.LeaseDuration, DefaultLeaseDuration)
	o.RenewDeadline = orDuration(o.RenewDeadline, DefaultRenewDeadline)
	o.RetryPeriod = orDuration(o.RetryPeriod, DefaultRetryPeriod)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

func orDuration(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Elector campaigns for the scaler's Lease so that, of several gateway
// replicas, one scales and the others stand by. It implements Leader for
// Options.Leader. Run campaigns; IsLeader may be called at any time from
// any goroutine.
//
// Leadership is a lease, not a lock: between IsLeader returning true and a
// write reaching the API server the Lease may pass to another candidate.
// RenewDeadline < LeaseDuration bounds that window to clock skew and one
// request's latency.
type Elector struct {
	client  kubernetes.Interface
	opts    ElectorOptions
	running atomic.Bool

	mu      sync.Mutex
	leading bool
	// done is the Done channel of the running Run's context; nil before
	// the first Run.
	done <-chan struct{}
}

// NewElector returns an Elector that keeps the Lease through client. It
// fails, wrapping ErrInvalidOptions, if client is nil, Namespace or
// Identity is empty, or the timings are inconsistent.
func NewElector(client kubernetes.Interface, opts ElectorOptions) (*Elector, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: nil client", ErrInvalidOptions)
	}
	if opts.Namespace == "" || opts.Identity == "" {
		return nil, fmt.Errorf("%w: elector needs a Namespace and an Identity, got %q and %q",
			ErrInvalidOptions, opts.Namespace, opts.Identity)
	}
	e := &Elector{client: client, opts: opts.withDefaults()}
	if _, err := leaderelection.NewLeaderElector(e.config()); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
	}
	return e, nil
}

// Run campaigns for the Lease until ctx is done: it acquires the Lease
// when it is free or expired, renews it while leading and, after losing
// it, campaigns again. When ctx is done it releases the Lease if it holds
// it, so another candidate takes over within RetryPeriod instead of
// LeaseDuration, and returns nil after OnStoppedLeading has run. It
// returns ErrRunning at once if another Run of e has not returned.
func (e *Elector) Run(ctx context.Context) error {
	if !e.running.CompareAndSwap(false, true) {
		return fmt.Errorf("%w: lease %s/%s", ErrRunning, e.opts.Namespace, e.opts.LeaseName)
	}
	defer e.running.Store(false)
	e.mu.Lock()
	e.done = ctx.Done()
	e.mu.Unlock()
	ctx = klog.NewContext(ctx, logr.FromSlogHandler(e.opts.Logger.Handler()))
	for ctx.Err() == nil {
		le, err := leaderelection.NewLeaderElector(e.config())
		if err != nil {
			return fmt.Errorf("kubernetes: lease %s/%s: %w", e.opts.Namespace, e.opts.LeaseName, err)
		}
		le.Run(ctx)
	}
	return nil
}

// IsLeader reports whether this candidate leads: true from the acquiring
// of the Lease until its loss, or until the context of Run is done, which
// is before the Lease is released.
func (e *Elector) IsLeader() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.leading && !closed(e.done)
}

// closed reports whether done is closed; a nil channel is not.
func closed(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// config returns the client-go configuration of one term: one campaign
// and, if it wins, the leadership that follows, until it ends.
func (e *Elector) config() leaderelection.LeaderElectionConfig {
	return leaderelection.LeaderElectionConfig{
		Lock: &resourcelock.LeaseLock{
			LeaseMeta:  metav1.ObjectMeta{Namespace: e.opts.Namespace, Name: e.opts.LeaseName},
			Client:     e.client.CoordinationV1(),
			LockConfig: resourcelock.ResourceLockConfig{Identity: e.opts.Identity},
		},
		LeaseDuration:   e.opts.LeaseDuration,
		RenewDeadline:   e.opts.RenewDeadline,
		RetryPeriod:     e.opts.RetryPeriod,
		ReleaseOnCancel: true,
		Name:            e.opts.LeaseName,
		Callbacks:       e.callbacks(&term{}),
	}
}

// term is the state of one campaign. client-go starts OnStartedLeading in
// a goroutine that may run after OnStoppedLeading; ended keeps such a late
// start from marking the Elector as leading.
type term struct {
	started, ended bool
}

func (e *Elector) callbacks(t *term) leaderelection.LeaderCallbacks {
	return leaderelection.LeaderCallbacks{
		OnStartedLeading: func(ctx context.Context) {
			if e.begin(t) {
				e.opts.Logger.Info("kubernetes: leading", "lease", e.opts.LeaseName, "identity", e.opts.Identity)
				if e.opts.OnStartedLeading != nil {
					e.opts.OnStartedLeading(ctx)
				}
			}
		},
		OnStoppedLeading: func() {
			if e.end(t) {
				e.opts.Logger.Info("kubernetes: stopped leading", "lease", e.opts.LeaseName, "identity", e.opts.Identity)
				if e.opts.OnStoppedLeading != nil {
					e.opts.OnStoppedLeading()
				}
			}
		},
		OnNewLeader: func(identity string) {
			e.opts.Logger.Info("kubernetes: lease holder", "lease", e.opts.LeaseName, "holder", identity)
		},
	}
}

// begin marks the start of t's leadership; false if t has already ended.
func (e *Elector) begin(t *term) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if t.ended {
		return false
	}
	t.started, e.leading = true, true
	return true
}

// end marks the end of t; true if t had started leading.
func (e *Elector) end(t *term) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	t.ended = true
	if t.started {
		e.leading = false
	}
	return t.started
}
