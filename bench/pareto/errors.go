package pareto

import "errors"

var (
	// ErrOptions is returned for options a sweep cannot run: no scenario,
	// no family, a level or a cap outside (0, 1], no seed.
	ErrOptions = errors.New("pareto: bad options")
	// ErrRuns is returned, joined with each failure, when some runs of a
	// sweep failed; the result still holds every run.
	ErrRuns = errors.New("pareto: runs failed")
)
