package status

import "errors"

// The errors of Fetch.
var (
	// ErrUnreachable: no admin listener answers at the address.
	ErrUnreachable = errors.New("sluice status: admin listener unreachable")
	// ErrRefused: the admin listener answered with an error.
	ErrRefused = errors.New("sluice status: admin listener refused")
)
