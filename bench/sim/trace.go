package sim

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// MaxRPS bounds the arrival rate of one trace second, so that a mistyped
// rate fails on reading instead of running for hours.
const MaxRPS = 1e6

// Second is one second of a trace: requests arrive as a Poisson process of
// rate RPS within it, each heavy with probability HeavyFraction.
type Second struct {
	// RPS is the mean arrival rate in requests per second; in [0, MaxRPS].
	RPS float64
	// HeavyFraction is the share of heavy requests; in [0, 1].
	HeavyFraction float64
}

// Trace is a scenario's offered load, one Second per second from the start.
// It is a plain value; Run only reads it.
type Trace struct {
	// Name names the scenario in reports: the file name without
	// ".trace.csv" for a loaded trace.
	Name string
	// Seconds holds second i of the scenario at index i.
	Seconds []Second
}

// Duration returns the trace's length in seconds.
func (t Trace) Duration() int { return len(t.Seconds) }

// Peak returns the highest rate of any second, in requests per second; 0
// for an empty trace.
func (t Trace) Peak() float64 {
	peak := 0.0
	for _, s := range t.Seconds {
		peak = max(peak, s.RPS)
	}
	return peak
}

// Expected returns the expected number of requests over the whole trace.
func (t Trace) Expected() float64 {
	total := 0.0
	for _, s := range t.Seconds {
		total += s.RPS
	}
	return total
}

// traceColumns is the header of a trace file.
var traceColumns = []string{"second", "rps", "heavy_fraction"}

// ReadTrace reads a trace in CSV with the header second,rps,heavy_fraction
// (columns in any order; '#' starts a comment line). Seconds are integers
// in strictly increasing order; a second the file skips has no arrivals.
// name is the file name quoted in errors, which wrap ErrTrace and give the
// line and column of the fault.
func ReadTrace(r io.Reader, name string) (Trace, error) {
	t, err := openTable(r, name, ErrTrace, traceColumns)
	if err != nil {
		return Trace{}, err
	}
	tr := Trace{Name: scenarioName(name, ".trace.csv")}
	for {
		ok, err := t.next()
		if err != nil {
			return Trace{}, err
		}
		if !ok {
			break
		}
		if tr.Seconds, err = appendSecond(t, tr.Seconds); err != nil {
			return Trace{}, err
		}
	}
	if len(tr.Seconds) == 0 {
		return Trace{}, fmt.Errorf("%w: %s: no seconds after the header", ErrTrace, name)
	}
	return tr, nil
}

// appendSecond parses the current record of t and appends it to secs,
// padding skipped seconds with idle ones.
func appendSecond(t *table, secs []Second) ([]Second, error) {
	sec, err := t.int(0, "second")
	if err != nil {
		return nil, err
	}
	if sec < len(secs) {
		return nil, t.errorf(0, "second %d: want seconds in increasing order, after %d", sec, len(secs)-1)
	}
	rps, err := t.float(1, "rps", 0, MaxRPS)
	if err != nil {
		return nil, err
	}
	heavy, err := t.float(2, "heavy_fraction", 0, 1)
	if err != nil {
		return nil, err
	}
	for len(secs) < sec {
		secs = append(secs, Second{})
	}
	return append(secs, Second{RPS: rps, HeavyFraction: heavy}), nil
}

// LoadTrace reads the trace file at path; see ReadTrace.
func LoadTrace(path string) (Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return Trace{}, fmt.Errorf("%w: %w", ErrTrace, err)
	}
	defer f.Close()
	return ReadTrace(f, path)
}

// scenarioName returns the base name of path without suffix (or without
// its extension when it lacks suffix).
func scenarioName(path, suffix string) string {
	base := filepath.Base(path)
	if s, ok := strings.CutSuffix(base, suffix); ok {
		return s
	}
	return strings.TrimSuffix(base, filepath.Ext(base))
}
