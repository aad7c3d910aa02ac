package router

import "errors"

var (
	// ErrUnknownModel is returned for a model the configuration does not name.
	ErrUnknownModel = errors.New("router: unknown model")
	// ErrNoCapacity is returned when no pool of a model's tier has a ready
	// worker.
	ErrNoCapacity = errors.New("router: no ready worker")
	// ErrBackend wraps a failure of a worker call: connection refused,
	// reset, or an internal error of the worker.
	ErrBackend = errors.New("router: backend failed")
)
