package configs

import "time"

// Defaults of the retry section.
const (
	// DefaultRetryBudget is the share of requests that may be retries.
	DefaultRetryBudget = 0.2
	// DefaultRetryWindow is the window of the retry budget.
	DefaultRetryWindow = 10 * time.Second
)

// Retry bounds the retries of batches that failed on a worker: each
// request is retried at most once, and only while retries stay within
// BudgetRatio of the requests over Window.
type Retry struct {
	// BudgetRatio is the largest share of requests that may be retries
	// over Window; in [0, 1], default 0.2 (DefaultRetryBudget). Being a
	// number whose zero means unset, it cannot turn retries off.
	BudgetRatio float64 `yaml:"budget_ratio"`
	// Window is the sliding window the ratio is measured over; > 0,
	// default 10s (DefaultRetryWindow).
	Window time.Duration `yaml:"window"`
}

func (r *Retry) applyDefaults() {
	fillIfZero(&r.BudgetRatio, DefaultRetryBudget)
	fillIfZero(&r.Window, DefaultRetryWindow)
}

func (c *checker) retry(r Retry) {
	if !(r.BudgetRatio >= 0 && r.BudgetRatio <= 1) {
		c.addf("retry.budget_ratio", "%v must be between 0 and 1", r.BudgetRatio)
	}
	c.positive("retry.window", r.Window)
}
