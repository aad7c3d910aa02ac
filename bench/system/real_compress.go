package system

import (
	"fmt"
	"math"
	"time"

	"github.com/sluice-gateway/sluice/configs"
)

// compressTime compresses cfg's time by k for `sluice bench real`: every
// time constant that is not a latency is divided by k, so that a trace
// whose seconds are replayed in 1/k of a second each (at their own rates)
// meets a fleet that reacts k times faster, while every batch, request
// and probe still takes as long as it really does. Both the real run and
// the simulator's prediction are given the compressed configuration, so
// they see identical parameters.
//
// Divided by k: each pool's cold_start, and the scaler's interval,
// stabilization, panic_window, spot_backoff, queue_drain_target and
// burst_memory (its forecast looks one cold start ahead, so it follows
// the cold starts).
//
// Kept: latencies and deadlines (curves, SLOs, timeouts, queue times,
// limits), since requests are not compressed; the health checks,
// ejections and retry window, which time how failed workers are noticed
// (the simulator does not model them and this benchmark fails none);
// the idle time after which a client's sequence is unpinned (the
// benchmark's load sends no sequence and the simulator models none, so
// dividing it would change nothing measured and only risk rounding it to
// 0); the cache TTL, the listeners' limits and the shutdown drain;
// pre-warm windows and the daily budget, which follow the calendar.
//
// k = 1 changes nothing. It fails for k not positive and finite, or when
// a divided duration rounds to 0 or the result is not valid.
// pre: cfg has its defaults.
func compressTime(cfg *configs.Config, k float64) error {
	if !(k > 0) || math.IsInf(k, 1) {
		return fmt.Errorf("bench: compressing time %g times: want a positive, finite factor", k)
	}
	for i := range cfg.Pools {
		divide(&cfg.Pools[i].ColdStart, k)
	}
	s := &cfg.Scaler
	for _, d := range []*time.Duration{&s.Interval, &s.Stabilization, &s.PanicWindow, &s.SpotBackoff, &s.QueueDrainTarget, &s.BurstMemory} {
		divide(d, k)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("bench: the configuration compressed %g times: %w", k, err)
	}
	return nil
}

// divide divides *d by k, rounding to the nanosecond.
func divide(d *time.Duration, k float64) {
	*d = time.Duration(math.Round(float64(*d) / k))
}
