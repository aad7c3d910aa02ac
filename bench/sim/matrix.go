package sim

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/scaler"
)

// MatrixPolicies returns the built-in policies in the order a matrix
// lists them: Sluice's first, then the bounds, then the autoscalers.
func MatrixPolicies() []string {
	return []string{"costaware", "oracle", "static-peak", "static-ondemand", "hpa", "kpa", "queue"}
}

// Scenario is a trace and its scripted events.
type Scenario struct {
	Name   string
	Trace  Trace
	Events []Event
}

// LoadScenarios reads every NAME.trace.csv of dir, with NAME.events.csv
// when there is one, sorted by name. It fails when dir holds no trace or
// a file does not read.
func LoadScenarios(dir string) ([]Scenario, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.trace.csv"))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTrace, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w: no *.trace.csv in %s", ErrTrace, dir)
	}
	slices.Sort(paths)
	out := make([]Scenario, 0, len(paths))
	for _, path := range paths {
		sc, err := loadScenario(path)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// loadScenario reads one trace and its events file, if any.
func loadScenario(tracePath string) (Scenario, error) {
	tr, err := LoadTrace(tracePath)
	if err != nil {
		return Scenario{}, err
	}
	sc := Scenario{Name: tr.Name, Trace: tr}
	evPath := strings.TrimSuffix(tracePath, ".trace.csv") + ".events.csv"
	if _, err := os.Stat(evPath); errors.Is(err, os.ErrNotExist) {
		return sc, nil
	}
	sc.Events, err = LoadEvents(evPath)
	return sc, err
}

// MatrixOptions is a set of runs: every scenario under every policy.
type MatrixOptions struct {
	Fleet     Fleet
	Scaler    *scaler.Spec
	Scenarios []Scenario
	// Policies names the policies; nil means MatrixPolicies().
	Policies []string
	Seed     uint64
	// Timeline records each run's timeline.
	Timeline bool
	// Parallel is how many runs go at once; 0 means GOMAXPROCS.
	Parallel int
	// Progress, if set, is called after each run with the runs done and
	// their total, from one goroutine at a time.
	Progress func(done, total int, last Cell)
}

// Cell is one run of a matrix.
type Cell struct {
	Scenario, Policy string
	// Result is nil when Err is set.
	Result *Result
	Err    error
	// Elapsed is the run's wall-clock time.
	Elapsed time.Duration
}

// RunMatrix runs every scenario under every policy, Parallel at a time,
// and returns the cells scenario by scenario, policies in order. A run's
// error is kept in its cell; the other runs go on.
func RunMatrix(o MatrixOptions) []Cell {
	pols := o.Policies
	if pols == nil {
		pols = MatrixPolicies()
	}
	cells := make([]Cell, 0, len(o.Scenarios)*len(pols))
	for _, sc := range o.Scenarios {
		for _, p := range pols {
			cells = append(cells, Cell{Scenario: sc.Name, Policy: p})
		}
	}
	par := o.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
		next = make(chan int)
	)
	for range min(par, len(cells)) {
		wg.Go(func() {
			for i := range next {
				cells[i] = o.run(o.Scenarios[i/len(pols)], pols[i%len(pols)])
				mu.Lock()
				done++
				if o.Progress != nil {
					o.Progress(done, len(cells), cells[i])
				}
				mu.Unlock()
			}
		})
	}
	for i := range cells {
		next <- i
	}
	close(next)
	wg.Wait()
	return cells
}

// run runs one cell.
func (o MatrixOptions) run(sc Scenario, policy string) Cell {
	start := time.Now()
	res, err := Run(Options{Fleet: o.Fleet, Trace: sc.Trace, Events: sc.Events, Policy: policy,
		Scaler: o.Scaler, Seed: o.Seed, Timeline: o.Timeline})
	return Cell{Scenario: sc.Name, Policy: policy, Result: res, Err: err, Elapsed: time.Since(start)}
}
