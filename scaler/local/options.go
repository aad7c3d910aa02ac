package local

import (
	"log/slog"
	"os"
	"time"
)

// Defaults for the zero fields of Options and Backoff.
const (
	DefaultProbeInterval    = 200 * time.Millisecond
	DefaultProbeTimeout     = time.Second
	DefaultFailureThreshold = 3
	DefaultStartTimeout     = 10 * time.Second
	DefaultDrainDelay       = 500 * time.Millisecond
	DefaultStopGrace        = 15 * time.Second
	DefaultBackoffInitial   = 200 * time.Millisecond
	DefaultBackoffMax       = 10 * time.Second
	DefaultBackoffReset     = 30 * time.Second
	DefaultOutputRate       = 20.0 // lines per second
	DefaultOutputBurst      = 200  // lines
)

// Options configures a Supervisor. The zero value is usable: every zero
// field takes the default named in its comment.
type Options struct {
	// Start starts each worker. If nil, it is CommandStarter(Command).
	Start Starter
	// Command is the argv prefix that starts a worker process when Start
	// is nil (see CommandStarter). If empty, it is {os.Executable(),
	// "worker"}.
	Command []string
	// ProbeInterval is the time between two readiness probes of one worker.
	// Zero means DefaultProbeInterval.
	ProbeInterval time.Duration
	// ProbeTimeout bounds one readiness probe. Zero means
	// DefaultProbeTimeout.
	ProbeTimeout time.Duration
	// FailureThreshold is how many probes in a row a ready worker must fail
	// before it leaves routing. One success brings it back. Zero means
	// DefaultFailureThreshold.
	FailureThreshold int
	// StartTimeout bounds the time from exec to the worker's address line,
	// for the emulator, which announces its addresses; a worker that
	// misses it is killed and restarted with back-off. A Command's
	// replica, which may load models for minutes, is not bounded: it is
	// not ready until its probe passes. Zero means DefaultStartTimeout.
	StartTimeout time.Duration
	// DrainDelay is the time between a scaled-down worker leaving routing
	// and its SIGTERM, so requests already routed to it still arrive. Zero
	// means DefaultDrainDelay; negative means no delay. Close does not wait
	// it.
	DrainDelay time.Duration
	// StopGrace is the time a worker has between SIGTERM and SIGKILL to
	// finish its in-flight requests, unless its Command says otherwise.
	// Zero means DefaultStopGrace, which leaves `sluice worker` its own
	// 10 s shutdown grace.
	StopGrace time.Duration
	// RestartBackoff spaces the restarts of a worker that keeps exiting or
	// failing to start. The zero value takes the defaults of Backoff.
	RestartBackoff Backoff
	// Logger receives the Supervisor's events and each line a worker writes
	// to stderr or stdout (after its address line, for one that announces),
	// tagged with its pool and its ID: at Debug for the emulator, at Info
	// for a Command. If nil, nothing is logged.
	Logger *slog.Logger
	// OutputRate caps the lines of one worker process logged per second,
	// both streams together, with bursts of OutputBurst; the lines over
	// it are dropped and counted in the log. Zero means DefaultOutputRate
	// and DefaultOutputBurst.
	OutputRate  float64
	OutputBurst int
	// OnChange, if not nil, is called whenever the set of ready endpoints
	// of a pool changes, with the pool's name and its ready endpoints in
	// creation order. Calls are serial, never concurrent, and each reflects
	// the state at the time of the call. The slice is a fresh copy the
	// callee may keep. OnChange may call Endpoints, Replicas and
	// SetReplicas, but must not call Close; it should return quickly, as
	// workers wait for it before they change state again.
	OnChange func(pool string, endpoints []Endpoint)
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if len(o.Command) == 0 {
		o.Command = []string{executable(), "worker"}
	}
	if o.Start == nil {
		o.Start = CommandStarter(o.Command)
	}
	o.ProbeInterval = orDefault(o.ProbeInterval, DefaultProbeInterval)
	o.ProbeTimeout = orDefault(o.ProbeTimeout, DefaultProbeTimeout)
	o.StartTimeout = orDefault(o.StartTimeout, DefaultStartTimeout)
	o.StopGrace = orDefault(o.StopGrace, DefaultStopGrace)
	o.DrainDelay = orDefault(o.DrainDelay, DefaultDrainDelay)
	if o.DrainDelay < 0 {
		o.DrainDelay = 0
	}
	if o.FailureThreshold <= 0 {
		o.FailureThreshold = DefaultFailureThreshold
	}
	o.RestartBackoff = o.RestartBackoff.withDefaults()
	if !(o.OutputRate > 0) {
		o.OutputRate = DefaultOutputRate
	}
	if o.OutputBurst <= 0 {
		o.OutputBurst = DefaultOutputBurst
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// executable returns the path of the running binary, or os.Args[0] if the
// system cannot tell.
func executable() string {
	if path, err := os.Executable(); err == nil {
		return path
	}
	return os.Args[0]
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Backoff spaces the restarts of a failing worker: the first restart waits
// Initial, each further one twice the previous, at most Max. A worker that
// ran for Reset or longer before exiting starts over at Initial. The zero
// value means DefaultBackoffInitial, DefaultBackoffMax and
// DefaultBackoffReset.
type Backoff struct {
	// Initial is the delay before the first restart.
	Initial time.Duration
	// Max caps the delay; if below Initial, Initial is the cap.
	Max time.Duration
	// Reset is how long a worker must run before its failures are
	// forgotten.
	Reset time.Duration
}

func (b Backoff) withDefaults() Backoff {
	b.Initial = orDefault(b.Initial, DefaultBackoffInitial)
	b.Max = orDefault(b.Max, DefaultBackoffMax)
	b.Reset = orDefault(b.Reset, DefaultBackoffReset)
	return b
}

// Delay returns the wait before restart number failures (1 for the first
// restart). failures < 1 means no wait.
func (b Backoff) Delay(failures int) time.Duration {
	if failures < 1 {
		return 0
	}
	b = b.withDefaults()
	limit := max(b.Max, b.Initial)
	d := b.Initial
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// Failures returns the failure count of a worker that had failed failures
// times in a row, then ran for ranFor and exited or failed to start: 1 if it
// became ready (served) or ran for Reset or longer, failures+1 otherwise. A
// worker killed after serving is restarted after Initial, however often
// that happens; only one that dies before it is ready backs off further.
func (b Backoff) Failures(failures int, ranFor time.Duration, wasReady bool) int {
	if wasReady || ranFor >= b.withDefaults().Reset {
		return 1
	}
	return failures + 1
}
