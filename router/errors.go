package router

import (
	"errors"
	"fmt"
)

var (
	// ErrUnknownModel is returned for a model the configuration does not name.
	ErrUnknownModel = errors.New("router: unknown model")
	// ErrNoCapacity is returned when no pool of a request's tier can take
	// it — none has a ready worker, takes its rows, or can meet its SLO —
	// and neither the cache nor a fallback model answers. The message
	// names each pool's reason.
	ErrNoCapacity = errors.New("router: no pool can take the request")
	// ErrShed is returned for a request whose tier refuses its priority
	// class for now (see Router.SetShed).
	ErrShed = errors.New("router: tier is shedding load")
	// ErrBackend wraps a failure of a worker call: connection refused,
	// reset, worker gone, or an internal error of the worker.
	ErrBackend = errors.New("router: backend failed")
	// ErrConfig is returned by New for a configuration that names what
	// does not exist, or turns on checks or retries without their
	// timeout or window.
	ErrConfig = errors.New("router: bad config")
	// ErrModelUnavailable is returned for a model the configuration names
	// but no pool of its tier serves: the attached workers of each pool
	// that has some said they do not. It comes wrapped with
	// ErrNoCapacity, as no pool can take the request; the message gives
	// the workers' answers.
	ErrModelUnavailable = errors.New("router: model unavailable")
	// ErrSequenceLost is returned for a request of a sequence whose worker
	// is gone: the sequence's state went with it, so it must start again.
	ErrSequenceLost = errors.New("router: sequence lost")
	// ErrClosed is returned by Reload after Close.
	ErrClosed = errors.New("router: closed")
)

var (
	// errUnreachable marks an ErrBackend failure where the worker could
	// not be reached at all; it ejects the worker at once.
	errUnreachable = errors.New("unreachable")
	// errEvacuated is the cause given to requests queued on a pool whose
	// last ready worker left: Serve routes them again.
	errEvacuated = fmt.Errorf("%w: the pool lost its last ready worker", ErrNoCapacity)
	// errNotReady is a probe's verdict on a worker that answered but is
	// not ready.
	errNotReady = errors.New("not ready")
	// errSlow marks a batch answered well, but more than
	// HealthConfig.SlowFactor times slower than its pool's curve: it
	// counts as a failed batch towards ejecting the worker.
	errSlow = errors.New("answered too slowly")
)
