package scaler

import (
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
)

// Defaults NewSpec fills in for the fields of Config that the
// configuration does not set: the forecast's tuning and the latency
// headroom. The rules' knobs (Interval to QueueDrainTarget) have no
// defaults here; the configuration owns them (configs.DefaultScalerInterval
// and the constants beside it) and its caller passes them in.
const (
	// DefaultLatencyHeadroom scales up ahead once a pool's p95 passes 80 %
	// of its SLO.
	DefaultLatencyHeadroom = 0.8
	// DefaultAlpha is the forecast's level smoothing factor: each
	// decision moves the level a fifth of the way to the observed rate,
	// which keeps Poisson noise out of the forecast.
	DefaultAlpha = 0.2
	// DefaultBeta is the forecast's trend smoothing factor: small, since
	// the trend is extrapolated over a whole cold start.
	DefaultBeta = 0.02
	// DefaultDamping is the time constant of the trend's damping: a trend
	// adds at most 15 s of itself to any forecast, however far ahead, so
	// that the trend of a step, extrapolated over a 60-90 s cold start,
	// does not nearly double it (TestTrendOnOffSteps: a 150 to 900 rps
	// step took 11 GPUs of 200 rps undamped, at most 6 damped).
	DefaultDamping = 15 * time.Second
	// DefaultErrorGain moves the mean absolute forecast error 3 % of the
	// way to each new error.
	DefaultErrorGain = 0.03
	// DefaultErrorBand provisions one mean absolute forecast error above
	// the forecast: the batch queue absorbs the rest of a second's noise.
	DefaultErrorBand = 1.0
)

// Config is what the policy is told: the pools and tiers, and the knobs of
// its rules (see the package documentation for the rules themselves).
// Every knob from Interval to QueueDrainTarget is required (NewSpec
// refuses a zero one); LatencyHeadroom and the Forecast's fields, which the
// configuration does not set, take the Default constant of the same name
// when zero. NewSpec checks a Config and compiles it into a Spec.
type Config struct {
	// Pools are the groups of replicas the policy sizes; names unique.
	Pools []PoolConfig
	// Tiers are the demand the pools serve; names unique, each naming at
	// least one pool that can meet its SLO.
	Tiers []TierConfig
	// Interval is the time between a Loop's decisions; Decide itself works
	// from the times it is given. > 0.
	Interval time.Duration
	// Stabilization is the scale-down window: a pool's size is the highest
	// recommendation of the last Stabilization. A panic also ends only
	// after Stabilization without the panic condition. > 0.
	Stabilization time.Duration
	// HoldColdStarts shortens a pool's scale-down window to this many of
	// its cold starts when that is shorter than Stabilization, so a pool
	// that starts fast gives back capacity it no longer needs sooner.
	// > 0; +Inf keeps Stabilization for every pool.
	HoldColdStarts float64
	// PanicWindow is the window of arrival rates whose mean is the panic
	// demand. > 0.
	PanicWindow time.Duration
	// PanicThreshold is the ratio of panic demand to ready capacity above
	// which a tier panics; > 1.
	PanicThreshold float64
	// SpotShareMax caps the part of a tier's demand placed on spot pools;
	// in (0, 1]. To keep a tier off spot, leave spot pools out of it.
	SpotShareMax float64
	// OnDemandHigh is the part of each tier's high-priority demand that
	// pools other than spot can serve at all times, in [0, 1]; 0 keeps
	// none. It holds for a tier with spot pools none of whose other pools
	// starts faster than they do, and comes on top of what spot pools
	// take, so that losing every spot replica at once leaves the high
	// class capacity that is already running, at its price: with a single
	// on-demand pool of whole replicas, at least one of them while the
	// class has any demand.
	OnDemandHigh float64
	// SpotBackoff is how long after its last lost worker a spot pool
	// counts only its ready replicas, the rest of its share going to other
	// pools. > 0.
	SpotBackoff time.Duration
	// QueueDrainTarget is the time within which a pool should drain its
	// queue while arrivals continue. > 0.
	QueueDrainTarget time.Duration
	// BurstMemory is the half-life of the bursts a tier remembers: the
	// excess of its mean arrival rate over its fastest pool's cold start
	// above the forecast before it, which the tier keeps as standing
	// headroom (see TierPlan.Headroom). >= 0; 0 keeps no headroom.
	BurstMemory time.Duration
	// LatencyHeadroom is the fraction of the SLO a pool's p95 may reach
	// before it is scaled up ahead of demand; in (0, 1].
	LatencyHeadroom float64
	// Forecast tunes the arrival-rate forecast.
	Forecast Forecast
	// Budget caps spending; zero values mean no cap.
	Budget Budget
	// Prewarm raises pools' minimums on a schedule.
	Prewarm []Prewarm
}

// PoolConfig is a pool as the policy sees it: what it costs and delivers,
// and its bounds.
type PoolConfig struct {
	// Pool is the pool's name, price, spot flag, capacity curve, max batch
	// and cold start. Name is non-empty.
	costmodel.Pool
	// Min is the floor the policy never plans below (budget included);
	// 0 lets the pool scale to zero. 0 <= Min <= Max.
	Min int
	// Max is the most replicas the policy plans; >= 1.
	Max int
	// Warm is the number of replicas kept spare beyond demand; >= 0. A
	// pool with Warm > 0 never scales to zero.
	Warm int
}

// TierConfig is a set of pools that serve the same requests.
type TierConfig struct {
	// Name is non-empty.
	Name string
	// SLO is the end-to-end latency target of the tier's requests (the
	// tightest of its models'); > 0. It decides each pool's batch size,
	// hence its throughput and cost per inference, in this tier.
	SLO time.Duration
	// Pools names pools of Config.Pools, each once.
	Pools []string
}

// Forecast tunes Holt's double exponential smoothing of a tier's arrival
// rate (see the package documentation).
type Forecast struct {
	// Alpha is the level's smoothing factor; in (0, 1]; default 0.2.
	Alpha float64
	// Beta is the trend's smoothing factor; in (0, 1]; default 0.02.
	Beta float64
	// Damping is the time constant of the trend's extrapolation: a trend
	// of b adds b·Damping·(1 - e^(-lead/Damping)) at a lead, never more
	// than b·Damping; > 0; default 15s (DefaultDamping).
	Damping time.Duration
	// ErrorGain smooths the mean absolute one-step forecast error: each
	// new error moves it this part of the way; in (0, 1]; default 0.03,
	// so it remembers about thirty decisions and a burst of a few seconds
	// does not widen the error band for long.
	ErrorGain float64
	// ErrorBand is how many mean absolute one-step forecast errors are
	// provisioned above the forecast; >= 0; default 1. Zero means the
	// default: use a tiny positive value to provision none.
	ErrorBand float64
}

// Budget caps the fleet's spending. Zero values mean no cap.
type Budget struct {
	// PerHour is the ceiling on the planned fleet's price, USD per hour;
	// >= 0.
	PerHour float64
	// PerDay is the ceiling on a day's spending, USD; >= 0. Days run from
	// midnight to midnight in the location of the times Decide is given.
	PerDay float64
}

// Prewarm raises a pool's minimum during scheduled windows.
type Prewarm struct {
	// Schedule is a standard five-field cron spec or a descriptor such as
	// "@daily", optionally prefixed "CRON_TZ=Zone "; "@every" is refused.
	// Without a zone, times are in the location of the times Decide is
	// given.
	Schedule string
	// Duration is how long each window lasts from its scheduled start;
	// > 0. Replicas are started the pool's cold start ahead, so that they
	// are ready at the scheduled time.
	Duration time.Duration
	// Pool names the pool whose minimum is raised.
	Pool string
	// Min is the pool's minimum during the window; 0 <= Min <= the pool's
	// Max.
	Min int
}

// withDefaults returns c with its unset LatencyHeadroom and Forecast set
// to their defaults.
func (c Config) withDefaults() Config {
	setNumber(&c.LatencyHeadroom, DefaultLatencyHeadroom)
	setNumber(&c.Forecast.Alpha, DefaultAlpha)
	setNumber(&c.Forecast.Beta, DefaultBeta)
	setNumber(&c.Forecast.ErrorGain, DefaultErrorGain)
	if c.Forecast.Damping == 0 {
		c.Forecast.Damping = DefaultDamping
	}
	setNumber(&c.Forecast.ErrorBand, DefaultErrorBand)
	return c
}

func setNumber(v *float64, def float64) {
	if *v == 0 {
		*v = def
	}
}
