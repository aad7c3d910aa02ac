package costreport

import "errors"

// Errors of Fetch; test for them with errors.Is.
var (
	// ErrUnreachable means no admin listener answered.
	ErrUnreachable = errors.New("costreport: admin listener unreachable")
	// ErrRefused means the admin listener answered with an error or with
	// something that is not a list of pools.
	ErrRefused = errors.New("costreport: admin listener refused")
)
