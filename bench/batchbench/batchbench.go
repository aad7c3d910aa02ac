package batchbench

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/costmodel"
)

// Limit returns the most requests per second one worker of curve c can
// serve, each request one row: full batches of maxBatch back to back,
// maxBatch / c.Latency(maxBatch). maxBatch < 1 counts as 1; a curve whose
// batches take no time has no limit (+Inf).
func Limit(c costmodel.Curve, maxBatch int) float64 {
	maxBatch = max(maxBatch, 1)
	lat := c.Latency(maxBatch)
	if lat <= 0 {
		return math.Inf(1)
	}
	return float64(maxBatch) / lat.Seconds()
}

// Counts is what the system under test has dispatched since it started;
// both only grow.
type Counts struct {
	// Batches is the number of batches sent to workers.
	Batches int64
	// Items is the number of requests those batches carried.
	Items int64
}

// Config says what to measure. Target, Curve and MaxBatch are required.
type Config struct {
	// Target sends one request through the system under test.
	Target load.Target
	// Counts reads the system's dispatch counters; nil reports a mean
	// batch of 0.
	Counts func() Counts
	// Curve and MaxBatch describe the one worker behind the system: its
	// batch latency, whose Latency(MaxBatch) must be positive, and its
	// largest batch, >= 1. They give the limit (see Limit) and the ideal
	// latencies (see Ideal).
	Curve    costmodel.Curve
	MaxBatch int
	// Levels are the offered loads as fractions of the limit, each > 0,
	// run in order.
	Levels []float64
	// Duration is how long each level offers load; > 0.
	Duration time.Duration
	// Seed seeds the arrivals: level i uses Seed+i, so a run is
	// repeatable and its levels differ.
	Seed uint64
	// Timeout is the client timeout of each request; 0 means
	// load.DefaultTimeout.
	Timeout time.Duration
	// OnLevel, when not nil, receives each level's result as soon as it is
	// measured, from Run's goroutine.
	OnLevel func(Level)
}

// Level is the measurement of one load level. Rates are in requests per
// second, latencies in milliseconds, from each request's scheduled send
// time to its answer, over the successful requests.
type Level struct {
	// Fraction is the offered load as a fraction of the limit.
	Fraction   float64 `json:"level"`
	OfferedRPS float64 `json:"offered_rps"`
	// ServedRPS counts successes over the whole level, the drain of a
	// backlog after the arrivals stop included.
	ServedRPS float64 `json:"served_rps"`
	LimitRPS  float64 `json:"limit_rps"`
	// ServedPct is ServedRPS as a percentage of LimitRPS.
	ServedPct float64 `json:"served_pct"`
	P50ms     float64 `json:"p50_ms"`
	P95ms     float64 `json:"p95_ms"`
	P99ms     float64 `json:"p99_ms"`
	// IdealP50ms and IdealP99ms are the quantiles an ideal batcher would
	// reach on the same arrivals (see Ideal): the floor to compare with.
	IdealP50ms float64 `json:"ideal_p50_ms"`
	IdealP99ms float64 `json:"ideal_p99_ms"`
	// SendLagP50ms and SendLagP99ms say how late the load generator sent
	// its requests (see load.Result.SendLag): latency the generator's own
	// machine added, included in the quantiles above.
	SendLagP50ms float64 `json:"send_lag_p50_ms"`
	SendLagP99ms float64 `json:"send_lag_p99_ms"`
	// MeanBatch is the mean number of requests per batch the system
	// dispatched during the level; 0 without Counts.
	MeanBatch float64 `json:"mean_batch"`
	// Requests counts the requests sent; Succeeded and Errors split them.
	Requests  int `json:"requests"`
	Succeeded int `json:"succeeded"`
	Errors    int `json:"errors"`
	// ErrorsBy splits Errors: by HTTP status ("503"), "timeout" for the
	// client timeout, "other" for failures with no answer. Nil when there
	// are no errors.
	ErrorsBy map[string]int `json:"errors_by,omitempty"`
}

// Run checks cfg, sends one probe request, so that a broken system fails
// fast and connections are open before the first level, then measures
// each level in turn. It returns the levels measured, and an error
// wrapping ErrConfig for a bad cfg, the probe's error, or ctx's error when
// ctx ended first (with the levels measured until then).
func Run(ctx context.Context, cfg Config) ([]Level, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := probe(ctx, cfg); err != nil {
		return nil, err
	}
	var out []Level
	for i, frac := range cfg.Levels {
		lv, err := runLevel(ctx, cfg, frac, cfg.Seed+uint64(i))
		if err != nil {
			return out, err
		}
		out = append(out, lv)
		if cfg.OnLevel != nil {
			cfg.OnLevel(lv)
		}
	}
	return out, nil
}

func (cfg Config) validate() error {
	switch {
	case cfg.Target == nil:
		return fmt.Errorf("%w: no target", ErrConfig)
	case cfg.MaxBatch < 1:
		return fmt.Errorf("%w: max batch %d, must be at least 1", ErrConfig, cfg.MaxBatch)
	case cfg.Curve.Latency(cfg.MaxBatch) <= 0:
		return fmt.Errorf("%w: curve %v + %v per item takes no time: no limit", ErrConfig, cfg.Curve.Base, cfg.Curve.PerItem)
	case len(cfg.Levels) == 0:
		return fmt.Errorf("%w: no levels", ErrConfig)
	case cfg.Duration <= 0:
		return fmt.Errorf("%w: duration %v, must be positive", ErrConfig, cfg.Duration)
	}
	for _, f := range cfg.Levels {
		if !(f > 0) || math.IsInf(f, 1) {
			return fmt.Errorf("%w: level %g, must be positive and finite", ErrConfig, f)
		}
	}
	return nil
}

// probe sends one request and fails unless it succeeds.
func probe(ctx context.Context, cfg Config) error {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = load.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := cfg.Target.Do(ctx); err != nil {
		return fmt.Errorf("batchbench: probe request: %w", err)
	}
	return nil
}

// runLevel offers frac of the limit for cfg.Duration and measures it.
func runLevel(ctx context.Context, cfg Config, frac float64, seed uint64) (Level, error) {
	limit := Limit(cfg.Curve, cfg.MaxBatch)
	sched, err := load.Poisson(frac*limit, cfg.Duration, seed)
	if err != nil {
		return Level{}, fmt.Errorf("batchbench: level %g: %w", frac, err)
	}
	before := cfg.counts()
	res := load.Run(ctx, sched, cfg.Target, load.Options{Timeout: cfg.Timeout})
	after := cfg.counts()
	if err := ctx.Err(); err != nil {
		return Level{}, fmt.Errorf("batchbench: level %g: %w", frac, err)
	}
	lv := summarize(frac, limit, res, meanBatch(before, after))
	ideal := Ideal(sched, cfg.Curve, cfg.MaxBatch)
	lv.IdealP50ms, lv.IdealP99ms = millis(ideal.Quantile(0.50)), millis(ideal.Quantile(0.99))
	return lv, nil
}

func (cfg Config) counts() Counts {
	if cfg.Counts == nil {
		return Counts{}
	}
	return cfg.Counts()
}

// meanBatch returns the items per batch dispatched between two readings;
// 0 when no batch was.
func meanBatch(before, after Counts) float64 {
	batches := after.Batches - before.Batches
	if batches <= 0 {
		return 0
	}
	return float64(after.Items-before.Items) / float64(batches)
}

// summarize turns a load result into a Level.
func summarize(frac, limit float64, res load.Result, batch float64) Level {
	served := res.ServedRate()
	return Level{
		Fraction:     frac,
		OfferedRPS:   res.OfferedRate(),
		ServedRPS:    served,
		LimitRPS:     limit,
		ServedPct:    100 * served / limit,
		P50ms:        millis(res.Latency.Quantile(0.50)),
		P95ms:        millis(res.Latency.Quantile(0.95)),
		P99ms:        millis(res.Latency.Quantile(0.99)),
		SendLagP50ms: millis(res.SendLag.Quantile(0.50)),
		SendLagP99ms: millis(res.SendLag.Quantile(0.99)),
		MeanBatch:    batch,
		Requests:     res.Sent,
		Succeeded:    res.Succeeded,
		Errors:       res.Errors(),
		ErrorsBy:     errorsBy(res),
	}
}

// errorsBy names the failures of res; nil when there are none.
func errorsBy(res load.Result) map[string]int {
	if res.Errors() == 0 {
		return nil
	}
	out := map[string]int{}
	for code, n := range res.Statuses {
		out[strconv.Itoa(code)] = n
	}
	if res.Timeouts > 0 {
		out["timeout"] = res.Timeouts
	}
	if res.Other > 0 {
		out["other"] = res.Other
	}
	return out
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
