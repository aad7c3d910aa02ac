package worker

import "errors"

// Errors returned, wrapped with context, by Server and New. The transports
// map them to HTTP statuses and gRPC codes (in parentheses).
var (
	// ErrUnknownModel means no model of that name is served (404, NotFound).
	ErrUnknownModel = errors.New("worker: unknown model")
	// ErrUnknownVersion means the model exists but not that version; every
	// model has only version "1" (404, NotFound).
	ErrUnknownVersion = errors.New("worker: unknown model version")
	// ErrNotReady means the cold start has not passed yet (503, Unavailable).
	ErrNotReady = errors.New("worker: not ready")
	// ErrBadInput means the inputs do not fit the model (400, InvalidArgument).
	ErrBadInput = errors.New("worker: bad input")
	// ErrUnknownOutput means a requested output is not one the model
	// produces (400, InvalidArgument).
	ErrUnknownOutput = errors.New("worker: unknown output")
	// ErrBatchTooLarge means a request carries more rows than MaxBatch
	// (400, InvalidArgument).
	ErrBatchTooLarge = errors.New("worker: batch too large")
	// ErrOptions means New was given options it cannot honour.
	ErrOptions = errors.New("worker: invalid options")
)
