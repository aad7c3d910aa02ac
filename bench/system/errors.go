package system

import "errors"

// The errors of the benchmarks.
var (
	// ErrNotFlat is returned by a soak whose end exceeds its start.
	ErrNotFlat = errors.New("not flat")
	// errServeStopped marks serve ending before the benchmark asked.
	errServeStopped = errors.New("bench: serve stopped")
	// ErrRealEvents refuses scripted events, which the real run cannot
	// replay faithfully.
	ErrRealEvents = errors.New("bench: --events is not supported by the real run: the local workers cannot be lost the way pool_down and spot_interrupt lose them, and a price event would change the bill but not the router's choices; replay the events with `sluice bench sim` instead")
)
