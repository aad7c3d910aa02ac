package sim

import "errors"

var (
	// ErrTrace is returned for a trace file that cannot be read: a bad
	// header, a malformed number, a second out of order. The message names
	// the file, line and column.
	ErrTrace = errors.New("sim: bad trace")
	// ErrEvents is returned for an events file that cannot be read: a bad
	// header, an unknown event, a missing or out-of-range value. The
	// message names the file, line and column.
	ErrEvents = errors.New("sim: bad events")
	// ErrFleet is returned for a Fleet the simulator cannot run: no pools,
	// a class naming an unknown pool, a pool no class can use.
	ErrFleet = errors.New("sim: bad fleet")
	// ErrPolicy is returned for an unknown policy name, or a policy that
	// cannot be built for the fleet it is given.
	ErrPolicy = errors.New("sim: bad policy")
	// ErrArrivals is returned for Options.Arrivals out of time order or
	// with a kind other than Light and Heavy.
	ErrArrivals = errors.New("sim: bad arrivals")
	// ErrUnknownPool is returned for an event naming a pool the fleet does
	// not have.
	ErrUnknownPool = errors.New("sim: unknown pool")
)
