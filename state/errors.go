package state

import "errors"

var (
	// ErrCorrupt is logged by OpenFile for a file that is not a state
	// file, before it starts afresh.
	ErrCorrupt = errors.New("state: corrupt state file")
	// ErrUnavailable is returned by Redis while its server cannot be
	// reached.
	ErrUnavailable = errors.New("state: redis unreachable")
)
