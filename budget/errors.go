package budget

import "errors"

var (
	// ErrUnknownTenant is returned by Book.Override for a tenant the
	// configuration does not list.
	ErrUnknownTenant = errors.New("budget: unknown tenant")
	// ErrBadAmount is returned by Book.Override for a budget that is
	// negative, NaN or infinite.
	ErrBadAmount = errors.New("budget: invalid amount")
)
