package configs

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/robfig/cron/v3"
)

// Defaults of the scaler section; the scaler package has none of its own
// and is handed these values.
const (
	// DefaultScalerInterval is the time between two scaler decisions.
	DefaultScalerInterval = 2 * time.Second
	// DefaultStabilization is the scale-down window.
	DefaultStabilization = 5 * time.Minute
	// DefaultHoldColdStarts keeps replicas no longer needed for three of
	// their pool's cold starts, at most the stabilization window.
	DefaultHoldColdStarts = 3.0
	// DefaultPanicWindow is the window of a surge's demand.
	DefaultPanicWindow = 6 * time.Second
	// DefaultPanicThreshold starts a panic at 200 % of ready capacity.
	DefaultPanicThreshold = 2.0
	// DefaultSpotShareMax lets spot pools take all of a tier's demand.
	DefaultSpotShareMax = 1.0
	// DefaultOnDemandHigh keeps no floor of on-demand capacity for the
	// high class: on the reference fleet the floor is a standing on-demand
	// GPU, which costs more than the whole fleet of steady traffic (see
	// the README's configuration reference).
	DefaultOnDemandHigh = 0.0
	// DefaultSpotBackoff is how long a spot pool that lost workers is
	// trusted with its ready replicas only.
	DefaultSpotBackoff = 2 * time.Minute
	// DefaultQueueDrainTarget is the time a queue should drain within.
	DefaultQueueDrainTarget = 5 * time.Second
	// DefaultBurstMemory is the half-life of the bursts a tier
	// remembers and keeps standing headroom for.
	DefaultBurstMemory = 10 * time.Minute
	// DefaultDriver runs workers as child processes.
	DefaultDriver = DriverLocal
)

// Scaler configures the embedded scaler. Zero values take the defaults
// named on the fields.
type Scaler struct {
	// Interval between decisions; > 0, default 2s (DefaultScalerInterval).
	Interval time.Duration `yaml:"interval"`
	// Stabilization is the scale-down window: a pool's size is the highest
	// the scaler wanted within it; a panic also ends only after this long
	// without a surge. > 0, default 5m (DefaultStabilization).
	Stabilization time.Duration `yaml:"stabilization"`
	// HoldColdStarts shortens a pool's scale-down window to this many of
	// its cold starts when that is shorter than Stabilization, so that
	// fast-starting pools give back what they no longer need sooner; > 0,
	// default 3 (DefaultHoldColdStarts).
	HoldColdStarts float64 `yaml:"hold_cold_starts"`
	// PanicWindow is the window whose mean arrival rate is compared with
	// ready capacity to detect a surge; > 0, default 6s
	// (DefaultPanicWindow).
	PanicWindow time.Duration `yaml:"panic_window"`
	// PanicThreshold is the ratio of the panic window's demand to ready
	// capacity that starts a panic; > 1, default 2 (DefaultPanicThreshold).
	PanicThreshold float64 `yaml:"panic_threshold"`
	// SpotShareMax caps the part of a tier's demand placed on spot pools;
	// in (0, 1], default 1 (DefaultSpotShareMax): no cap.
	SpotShareMax float64 `yaml:"spot_share_max"`
	// OnDemandHigh is the part of each tier's high-priority demand that
	// pools other than spot can serve at all times, on top of what spot
	// pools take; in
	// [0, 1], default 0 (DefaultOnDemandHigh): no floor. A pointer, so
	// that 0 can be set. It holds for a
	// tier with spot pools none of whose other pools starts faster than
	// they do; at 1, a tier of spot and on-demand GPUs keeps at least one
	// on-demand GPU while it has high-priority demand.
	OnDemandHigh *float64 `yaml:"on_demand_high"`
	// SpotBackoff is how long a spot pool that lost workers counts only
	// its ready replicas while other pools cover the rest; > 0, default 2m
	// (DefaultSpotBackoff).
	SpotBackoff time.Duration `yaml:"spot_backoff"`
	// QueueDrainTarget is the time within which a pool's queue should
	// drain while arrivals continue; > 0, default 5s
	// (DefaultQueueDrainTarget).
	QueueDrainTarget time.Duration `yaml:"queue_drain_target"`
	// BurstMemory is the half-life of the bursts a tier remembers: the
	// excess of its arrival rate over its fastest pool's cold start above
	// the forecast, or of what a queue past the SLO needed, kept as
	// standing headroom on the cheapest capacity
	// that serves it in time, since a burst shorter than a cold start
	// finds only what already runs; > 0, default 10m
	// (DefaultBurstMemory). A tiny value (1ns) keeps none.
	BurstMemory time.Duration `yaml:"burst_memory"`
	// DryRun logs the scaler's plans without resizing pools or shedding;
	// default false.
	DryRun bool `yaml:"dry_run"`
	// Driver runs the pools' workers: DriverLocal (the default,
	// DefaultDriver) or DriverKubernetes.
	Driver string `yaml:"driver"`
	// Prewarm raises pools' minimums on a schedule.
	Prewarm []Prewarm `yaml:"prewarm"`
}

// The drivers Scaler.Driver names.
const (
	// DriverLocal runs each pool's workers as child processes of serve.
	DriverLocal = "local"
	// DriverKubernetes runs each pool as a Deployment "sluice-<pool>" in
	// the namespace $POD_NAMESPACE names, routes to the ready pods of its
	// Service, and scales from one gateway replica at a time, the holder
	// of the Lease "sluice-scaler" (configs/kubernetes has the manifests).
	DriverKubernetes = "kubernetes"
)

// Prewarm raises a pool's minimum during scheduled windows, its replicas
// started a cold start ahead so that they are ready when a window opens.
type Prewarm struct {
	// Schedule is when windows open: a five-field cron spec ("0 9 * * 1-5")
	// or a descriptor ("@daily"), optionally prefixed "CRON_TZ=Zone "
	// (local time otherwise); "@every" is refused. Required.
	Schedule string `yaml:"schedule"`
	// Duration is how long each window lasts; > 0.
	Duration time.Duration `yaml:"duration"`
	// Pool names a pool defined under pools.
	Pool string `yaml:"pool"`
	// Min is the pool's minimum during a window; 0 <= min <= the pool's
	// replicas.max.
	Min int `yaml:"min"`
}

// OnDemandHighShare returns OnDemandHigh, or its default before
// defaults are applied.
func (s Scaler) OnDemandHighShare() float64 {
	if s.OnDemandHigh == nil {
		return DefaultOnDemandHigh
	}
	return *s.OnDemandHigh
}

func (s *Scaler) applyDefaults() {
	fillIfZero(&s.Interval, DefaultScalerInterval)
	fillIfZero(&s.Stabilization, DefaultStabilization)
	fillIfZero(&s.HoldColdStarts, DefaultHoldColdStarts)
	fillIfZero(&s.PanicWindow, DefaultPanicWindow)
	fillIfZero(&s.PanicThreshold, DefaultPanicThreshold)
	fillIfZero(&s.SpotShareMax, DefaultSpotShareMax)
	if s.OnDemandHigh == nil {
		v := DefaultOnDemandHigh
		s.OnDemandHigh = &v
	}
	fillIfZero(&s.SpotBackoff, DefaultSpotBackoff)
	fillIfZero(&s.QueueDrainTarget, DefaultQueueDrainTarget)
	fillIfZero(&s.BurstMemory, DefaultBurstMemory)
	fillIfZero(&s.Driver, DefaultDriver)
}

// scaler checks the scaler section; pools are checked by pools, and give
// each pre-warm window's pool and bounds.
func (c *checker) scaler(s Scaler, pools []Pool) {
	c.positive("scaler.interval", s.Interval)
	c.positive("scaler.stabilization", s.Stabilization)
	c.positive("scaler.panic_window", s.PanicWindow)
	c.positive("scaler.spot_backoff", s.SpotBackoff)
	c.positive("scaler.queue_drain_target", s.QueueDrainTarget)
	c.positive("scaler.burst_memory", s.BurstMemory)
	if !(s.PanicThreshold > 1) || math.IsInf(s.PanicThreshold, 1) {
		c.addf("scaler.panic_threshold", "%v must be > 1 and finite", s.PanicThreshold)
	}
	if !(s.HoldColdStarts > 0) {
		c.addf("scaler.hold_cold_starts", "%v must be > 0", s.HoldColdStarts)
	}
	if !(s.SpotShareMax > 0 && s.SpotShareMax <= 1) {
		c.addf("scaler.spot_share_max", "%v must be > 0 and <= 1", s.SpotShareMax)
	}
	if v := s.OnDemandHighShare(); !(v >= 0 && v <= 1) {
		c.addf("scaler.on_demand_high", "%v must be >= 0 and <= 1", v)
	}
	if s.Driver != DriverLocal && s.Driver != DriverKubernetes {
		c.addf("scaler.driver", "%q must be %s or %s", s.Driver, DriverLocal, DriverKubernetes)
	}
	maxes := map[string]int{}
	for _, p := range pools {
		maxes[p.Name] = p.Replicas.Max
	}
	for i, pw := range s.Prewarm {
		c.prewarm(fmt.Sprintf("scaler.prewarm[%d]", i), pw, maxes)
	}
}

// prewarm checks one pre-warm entry; maxes holds each pool's max replicas.
func (c *checker) prewarm(f string, pw Prewarm, maxes map[string]int) {
	if pw.Schedule == "" {
		c.addf(f+".schedule", "is required")
	} else if err := checkSchedule(pw.Schedule); err != nil {
		c.addf(f+".schedule", "%q %v", pw.Schedule, err)
	}
	c.positive(f+".duration", pw.Duration)
	maxReplicas, ok := maxes[pw.Pool]
	switch {
	case !ok:
		c.addf(f+".pool", "pool %q is not defined under pools", pw.Pool)
	case pw.Min < 0 || pw.Min > maxReplicas:
		c.addf(f+".min", "%d must be between 0 and pool %q's replicas.max %d", pw.Min, pw.Pool, maxReplicas)
	}
}

// checkSchedule parses a pre-warm schedule as the scaler will.
func checkSchedule(spec string) error {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return fmt.Errorf("is not a cron schedule: %w", err)
	}
	if _, every := sched.(cron.ConstantDelaySchedule); every {
		return errors.New("is not allowed: @every has no fixed start times")
	}
	return nil
}
