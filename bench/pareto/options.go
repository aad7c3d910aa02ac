package pareto

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"

	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/scaler"
)

// Defaults of a sweep's zero options.
const (
	// DefaultSeeds is how many seeds every configuration runs with.
	DefaultSeeds = 3
	// HighTarget is the least SLO attainment of high-priority requests a
	// configuration must keep to reach a level.
	HighTarget = 0.995
)

// DefaultLevels returns the SLO levels a sweep reports on.
func DefaultLevels() []float64 { return []float64{0.95, 0.99, 0.999} }

// DefaultOracleCaps returns the utilization caps the oracle is tried at,
// from the cheapest plan to the most provisioned.
func DefaultOracleCaps() []float64 { return []float64{1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4} }

// Options is one sweep.
type Options struct {
	// Fleet is the system under test; its BudgetPerHour caps every run
	// (0: no cap).
	Fleet sim.Fleet
	// Scaler is the production scaler's spec, for the costaware family.
	Scaler *scaler.Spec
	// Scenarios are the traffic to run; at least one.
	Scenarios []sim.Scenario
	// Families are the policies to sweep; nil means sim.Families(Scaler).
	Families []sim.Family
	// Seeds is how many seeds, 1 to Seeds, each configuration runs with;
	// 0 means DefaultSeeds.
	Seeds int
	// Levels are the SLO levels to report, each in (0, 1); nil means
	// DefaultLevels.
	Levels []float64
	// OracleCaps are the oracle's utilization caps, each in (0, 1],
	// tried from the largest down; nil means DefaultOracleCaps.
	OracleCaps []float64
	// Parallel is how many runs go at once; 0 means GOMAXPROCS.
	Parallel int
	// Progress, if set, is called after each run with the runs done and
	// those queued so far (the oracle queues its runs as it searches),
	// from one goroutine at a time.
	Progress func(done, queued int, last Job)
}

// withDefaults returns o with its zero fields defaulted, levels sorted
// and caps sorted from the largest down, or an ErrOptions error.
func (o Options) withDefaults() (Options, error) {
	if o.Families == nil {
		o.Families = sim.Families(o.Scaler)
	}
	if o.Seeds == 0 {
		o.Seeds = DefaultSeeds
	}
	if o.Levels == nil {
		o.Levels = DefaultLevels()
	}
	if o.OracleCaps == nil {
		o.OracleCaps = DefaultOracleCaps()
	}
	if o.Parallel <= 0 {
		o.Parallel = runtime.GOMAXPROCS(0)
	}
	o.Levels, o.OracleCaps = slices.Sorted(slices.Values(o.Levels)), slices.Clone(o.OracleCaps)
	slices.SortFunc(o.OracleCaps, func(a, b float64) int { return cmp.Compare(b, a) })
	return o, o.check()
}

// check reports what makes o unusable.
func (o Options) check() error {
	switch {
	case len(o.Scenarios) == 0:
		return fmt.Errorf("%w: no scenario", ErrOptions)
	case len(o.Families) == 0:
		return fmt.Errorf("%w: no policy family", ErrOptions)
	case o.Seeds < 1:
		return fmt.Errorf("%w: %d seeds, want at least 1", ErrOptions, o.Seeds)
	}
	for _, l := range o.Levels {
		if !(l > 0 && l < 1) {
			return fmt.Errorf("%w: level %v, want in (0, 1)", ErrOptions, l)
		}
	}
	for _, c := range o.OracleCaps {
		if !(c > 0 && c <= 1) {
			return fmt.Errorf("%w: oracle cap %v, want in (0, 1]", ErrOptions, c)
		}
	}
	return nil
}

// seeds returns the seeds every configuration runs with.
func (o Options) seeds() []uint64 {
	out := make([]uint64, o.Seeds)
	for i := range out {
		out[i] = uint64(i + 1)
	}
	return out
}
