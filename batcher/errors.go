package batcher

import "errors"

var (
	// ErrQueueFull is returned when an item's priority class already holds
	// its ClassLimits.MaxLen items. The gateway answers 429 with Retry-After.
	ErrQueueFull = errors.New("batcher: queue full")
	// ErrQueueTimeout is returned when an item spent its class's
	// ClassLimits.MaxQueueTime queued without being dispatched. The gateway
	// answers 503.
	ErrQueueTimeout = errors.New("batcher: queue timeout")
	// ErrDeadline is returned when an item's deadline passed before it was
	// answered: while queued (the item was never sent to a worker) or while
	// its batch was in flight. The gateway answers 504.
	ErrDeadline = errors.New("batcher: deadline exceeded")
	// ErrClosed is returned by Submit on a closed Pool, and to every item
	// still queued when the Pool is closed.
	ErrClosed = errors.New("batcher: pool closed")
	// ErrInvalidItem is returned for an item the batcher cannot queue: an
	// unknown priority, an item already queued, or a request whose rows or
	// batch key cannot be read. It is a caller's mistake, not overload.
	ErrInvalidItem = errors.New("batcher: invalid item")
	// ErrBadResponse is returned to every member of a batch whose
	// response does not split back into the members' rows: the worker
	// answered, but wrongly. The gateway answers 502.
	ErrBadResponse = errors.New("batcher: bad response")
	// ErrTooLarge is wrapped by a Dispatcher's error when the worker
	// refused the request for its size (gRPC RESOURCE_EXHAUSTED, HTTP
	// 413): the request's fault, not the worker's. A batch of several
	// members refused so is sent again in halves, so that no member fails
	// for its companions' size; a member refused alone gets it. The
	// gateway answers 413.
	ErrTooLarge = errors.New("batcher: request too large for the worker")
	// ErrBadPriority is returned by ParsePriority for an unknown name.
	ErrBadPriority = errors.New("batcher: unknown priority")
	// ErrBadShedLevel is returned by ParseShedLevel for an unknown name,
	// and by ShedLevel.MarshalText for a value outside the levels.
	ErrBadShedLevel = errors.New("batcher: unknown shed level")
)
