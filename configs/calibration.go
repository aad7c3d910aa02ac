package configs

import "time"

// Defaults of the calibration section.
const (
	// DefaultCalibrationBudget bounds one model's calibration on a pool.
	DefaultCalibrationBudget = 10 * time.Second
	// DefaultCalibrationBatches is how many batches a calibration
	// measures at each size.
	DefaultCalibrationBatches = 4
	// DefaultRemeasure is the least time between two re-measurements of
	// one model on one pool.
	DefaultRemeasure = 2 * time.Second
)

// Calibration bounds the probes that measure a pool's latency. A pool
// without a curve is calibrated for each model its workers serve when
// the first worker that describes the model attaches: a few batches of
// zeros of the model's own input shape (from its metadata) at 1, half the
// largest and the largest batch, so that routing and scaling work from
// the first minute. A pool the router avoids for a model because what it
// learned misses the model's SLO even idle is measured again now and
// then. Every field takes its default when zero.
type Calibration struct {
	// Budget bounds one model's calibration on a pool, and one
	// re-measurement; > 0, default 10s (DefaultCalibrationBudget).
	Budget time.Duration `yaml:"budget"`
	// Batches is how many batches a calibration measures at each size,
	// after one that warms the worker up; >= 1, default 4
	// (DefaultCalibrationBatches).
	Batches int `yaml:"batches"`
	// Remeasure is the least time between two re-measurements of one
	// model on one pool; default 2s (DefaultRemeasure); a negative value
	// turns re-measurement off.
	Remeasure time.Duration `yaml:"remeasure"`
}

func (c *Calibration) applyDefaults() {
	fillIfZero(&c.Budget, DefaultCalibrationBudget)
	fillIfZero(&c.Batches, DefaultCalibrationBatches)
	fillIfZero(&c.Remeasure, DefaultRemeasure)
}

// calibration checks the calibration section.
func (c *checker) calibration(cal Calibration) {
	c.positive("calibration.budget", cal.Budget)
	if cal.Batches < 1 {
		c.addf("calibration.batches", "%d must be >= 1", cal.Batches)
	}
}
