package configs

import (
	"errors"
	"fmt"
	"math"

	"github.com/robfig/cron/v3"
)

// scaler checks the scaler section and budget.per_day against the pools.
func (c *checker) scaler(cfg *Config) {
	s := cfg.Scaler
	c.positive("scaler.stabilization", s.Stabilization)
	c.positive("scaler.panic_window", s.PanicWindow)
	c.positive("scaler.spot_backoff", s.SpotBackoff)
	c.positive("scaler.queue_drain_target", s.QueueDrainTarget)
	if !(s.PanicThreshold > 1) || math.IsInf(s.PanicThreshold, 1) {
		c.addf("scaler.panic_threshold", "%v must be > 1 and finite", s.PanicThreshold)
	}
	if !(s.HoldColdStarts > 0) {
		c.addf("scaler.hold_cold_starts", "%v must be > 0", s.HoldColdStarts)
	}
	if !(s.SpotShareMax > 0 && s.SpotShareMax <= 1) {
		c.addf("scaler.spot_share_max", "%v must be > 0 and <= 1", s.SpotShareMax)
	}
	if s.Driver != DriverLocal && s.Driver != DriverKubernetes {
		c.addf("scaler.driver", "%q must be %s or %s", s.Driver, DriverLocal, DriverKubernetes)
	}
	maxes := map[string]int{}
	for _, p := range cfg.Pools {
		maxes[p.Name] = p.Replicas.Max
	}
	for i, pw := range s.Prewarm {
		c.prewarm(fmt.Sprintf("scaler.prewarm[%d]", i), pw, maxes)
	}
	c.nonNegativeNumber("budget.per_day", cfg.Budget.PerDay)
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
