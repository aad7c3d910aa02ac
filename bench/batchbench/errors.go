package batchbench

import "errors"

// ErrConfig is returned, wrapped, for a Config that cannot run: no target,
// a limit, level or duration that is not positive, or no levels.
var ErrConfig = errors.New("batchbench: invalid config")
