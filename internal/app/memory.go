package app

import "runtime/debug"

// setMemoryLimit sets the Go runtime's soft memory limit to limit bytes
// (limits.memory_limit), unless the GOMEMLIMIT environment variable, as
// getenv reads it, set one: the runtime applied that one at start and it
// stays; a limit of 0 or less also leaves the runtime's. It returns the
// limit in force, in bytes.
func setMemoryLimit(limit int64, getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" || limit <= 0 {
		return debug.SetMemoryLimit(-1)
	}
	debug.SetMemoryLimit(limit)
	return limit
}
