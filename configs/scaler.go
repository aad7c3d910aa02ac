package configs

import "time"

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
	// SpotBackoff is how long a spot pool that lost workers counts only
	// its ready replicas while other pools cover the rest; > 0, default 2m
	// (DefaultSpotBackoff).
	SpotBackoff time.Duration `yaml:"spot_backoff"`
	// QueueDrainTarget is the time within which a pool's queue should
	// drain while arrivals continue; > 0, default 5s
	// (DefaultQueueDrainTarget).
	QueueDrainTarget time.Duration `yaml:"queue_drain_target"`
	// DryRun logs the scaler's plans without resizing pools or shedding;
	// default false.
	DryRun bool `yaml:"dry_run"`
	// Driver runs the pools' workers: DriverLocal (the default) or
	// DriverKubernetes.
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

// Budget caps spending. When the planned fleet costs more, the scaler
// removes the capacity dearest per inference first, then sheds the low and
// normal classes, then serves fallback models.
type Budget struct {
	// PerHour is the ceiling of the fleet's price in USD per hour; >= 0,
	// and 0 (the default) means no cap.
	PerHour float64 `yaml:"per_hour"`
	// PerDay caps a day's spending in USD (midnight to midnight, local
	// time); >= 0, and 0 (the default) means no cap. The scaler reports
	// when the day's projected spending crosses 50, 80 and 100 % of it.
	PerDay float64 `yaml:"per_day"`
}
