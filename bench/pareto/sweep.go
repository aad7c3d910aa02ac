package pareto

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/sluice-gateway/sluice/bench/sim"
)

// config is one configuration of a family on a scenario, gathering its
// seeds' reports as they finish.
type config struct {
	run  Run
	reps []sim.Report
	errs []error
}

// Sweep runs every family's grid on every scenario over the seeds, the
// oracle's search and the lower bound, Parallel runs at once, and returns
// the result. It fails with ErrOptions before running anything for
// options it cannot run; when runs fail it returns the whole result and
// an ErrRuns error naming each.
func Sweep(o Options) (*Result, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	res := &Result{Seeds: o.seeds(), Levels: o.Levels, BudgetUSDPerHour: o.Fleet.BudgetPerHour, Families: o.Families}
	r := newRunner(o.Parallel, o.Progress)
	grid := make([][]*config, len(o.Scenarios))
	for i, sc := range o.Scenarios {
		grid[i] = o.queueFamilies(r, sc)
	}
	oracles, found := make([][]Run, len(o.Scenarios)), make([]Bounds, len(o.Scenarios))
	var searches sync.WaitGroup
	for i, sc := range o.Scenarios {
		searches.Go(func() { found[i], oracles[i] = o.searchOracle(r, sc) })
	}
	lower, errs := o.lowerBounds()
	searches.Wait()
	r.close()
	for i, sc := range o.Scenarios {
		found[i].LowerUSD = lower[i]
		res.Scenarios = append(res.Scenarios, ScenarioBounds{Scenario: sc.Name, Bounds: found[i]})
		for _, c := range grid[i] {
			res.Runs = append(res.Runs, aggregate(c.run, c.reps, c.errs))
		}
		res.Runs = append(res.Runs, oracles[i]...)
	}
	return res, runErrors(res.Runs, errs)
}

// queueFamilies queues every configuration of every family on sc, each
// seed a task, and returns them in the order of the families and grids.
func (o Options) queueFamilies(r *runner, sc sim.Scenario) []*config {
	var out []*config
	for _, fam := range o.Families {
		for _, p := range fam.Grid() {
			run := Run{Scenario: sc.Name, Family: fam.Name, Config: p, Default: fam.IsDefault(p), label: fam.Format(p)}
			c := o.newConfig(run)
			out = append(out, c)
			mk, err := fam.New(p)
			if err != nil {
				c.errs[0] = err
				continue
			}
			r.push(o.tasks(c, sc, mk, false)...)
		}
	}
	return out
}

// newConfig returns an empty configuration of run with room for every
// seed.
func (o Options) newConfig(run Run) *config {
	run.Seeds, run.BudgetUSDPerHour = o.seeds(), o.Fleet.BudgetPerHour
	return &config{run: run, reps: make([]sim.Report, o.Seeds), errs: make([]error, o.Seeds)}
}

// tasks returns a task per seed of c on sc with the policy mk, each
// recording its report in c and calling finished, if set, when done.
func (o Options) tasks(c *config, sc sim.Scenario, mk sim.NewPolicyFunc, urgent bool, finished ...func()) []*task {
	out := make([]*task, 0, o.Seeds)
	for k, seed := range c.run.Seeds {
		opts := sim.Options{Fleet: o.Fleet, Trace: sc.Trace, Events: sc.Events, Policy: c.run.Family, NewPolicy: mk,
			Scaler: o.Scaler, Seed: seed, EnforceBudget: true}
		out = append(out, &task{
			job:    Job{Scenario: sc.Name, Family: c.run.Family, Config: c.run.label, Seed: seed},
			opts:   opts,
			urgent: urgent,
			size:   sc.Trace.Expected(),
			done: func(res *sim.Result, err error) {
				if c.errs[k] = err; err == nil {
					c.reps[k] = res.Report
				}
				for _, f := range finished {
					f()
				}
			},
		})
	}
	return out
}

// searchOracle tries the oracle at each cap, from the largest down, until
// every level is reached or the caps run out, and returns the bounds it
// found, but for the lower bound, and its runs.
func (o Options) searchOracle(r *runner, sc sim.Scenario) (Bounds, []Run) {
	b := Bounds{OracleUSD: map[string]*float64{}, OracleCap: map[string]*float64{}}
	open := make([]float64, 0, len(o.Levels))
	for _, l := range o.Levels {
		b.OracleUSD[levelKey(l)], b.OracleCap[levelKey(l)] = nil, nil
		open = append(open, l)
	}
	var runs []Run
	for _, capacity := range o.OracleCaps {
		if len(open) == 0 {
			break
		}
		run := o.runOracle(r, sc, capacity)
		runs = append(runs, run)
		open = dropReached(open, run, func(l float64) {
			cost, at := run.CostUSD, capacity
			b.OracleUSD[levelKey(l)], b.OracleCap[levelKey(l)] = &cost, &at
		})
	}
	return b, runs
}

// dropReached removes the levels run reaches from open, calling
// reached for each.
func dropReached(open []float64, run Run, reached func(float64)) []float64 {
	out := open[:0]
	for _, l := range open {
		if run.Reaches(l) {
			reached(l)
		} else {
			out = append(out, l)
		}
	}
	return out
}

// runOracle runs the oracle at capacity over every seed and waits for it.
func (o Options) runOracle(r *runner, sc sim.Scenario, capacity float64) Run {
	p := sim.Point{"cap": capacity}
	c := o.newConfig(Run{Scenario: sc.Name, Family: OracleFamily, Config: p, label: fmt.Sprintf("cap=%g", capacity)})
	var wg sync.WaitGroup
	wg.Add(o.Seeds)
	r.push(o.tasks(c, sc, sim.OracleAt(capacity), true, wg.Done)...)
	wg.Wait()
	return aggregate(c.run, c.reps, c.errs)
}

// lowerBounds returns each scenario's lower bound (nil where it failed)
// and the errors.
func (o Options) lowerBounds() ([]*float64, []error) {
	out := make([]*float64, len(o.Scenarios))
	var errs []error
	for i, sc := range o.Scenarios {
		lb, err := sim.LowerBound(o.Fleet, sc.Trace, sc.Events)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: lower bound: %w", sc.Name, err))
			continue
		}
		lb = round(lb)
		out[i] = &lb
	}
	return out, errs
}

// runErrors joins the failures of runs and others under ErrRuns; nil
// when there are none.
func runErrors(runs []Run, others []error) error {
	errs := others
	for _, r := range runs {
		if r.Error != "" {
			errs = append(errs, fmt.Errorf("%s / %s (%s): %s", r.Scenario, r.Family, r.label, r.Error))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrRuns, errors.Join(errs...))
}

// round rounds a figure to six decimals for the reports.
func round(x float64) float64 { return math.Round(x*1e6) / 1e6 }
