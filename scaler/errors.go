package scaler

import "errors"

// Errors of the package. They are wrapped with the offending field, pool or
// value; test for them with errors.Is.
var (
	// ErrInvalidSpec is returned by NewSpec for a Config it cannot plan
	// with: a bound out of range, a name missing or repeated, a schedule
	// that does not parse.
	ErrInvalidSpec = errors.New("scaler: invalid spec")
	// ErrUnknownPool is returned by Loop.Desired for a pool the spec does
	// not name.
	ErrUnknownPool = errors.New("scaler: unknown pool")
	// ErrNoPlan is returned by Loop.Desired before the first decision.
	ErrNoPlan = errors.New("scaler: no plan yet")
	// ErrNoSource is returned by NewLoop without a Source.
	ErrNoSource = errors.New("scaler: no snapshot source")
)
