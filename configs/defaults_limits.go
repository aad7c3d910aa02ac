package configs

import "time"

// Defaults of the limits section.
const (
	// DefaultMaxBodyBytes bounds a request body or message: 16 MiB.
	DefaultMaxBodyBytes = 16 << 20
	// DefaultReadHeaderTimeout bounds the reading of an HTTP request's
	// headers.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultIdleTimeout closes an idle HTTP keep-alive connection.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultMaxConcurrentStreams caps the gRPC calls in flight on one
	// connection.
	DefaultMaxConcurrentStreams = 1024
	// DefaultMaxDeadline caps every request's deadline.
	DefaultMaxDeadline = 5 * time.Minute
	// DefaultMaxJSONDepth caps the nesting of an HTTP request body.
	DefaultMaxJSONDepth = 32
	// DefaultMaxTensorElements caps the input elements of one request.
	DefaultMaxTensorElements = 4 << 20
)

// applyDefaults fills the limits left at zero.
func (l *Limits) applyDefaults() {
	fillIfZero(&l.MaxBodyBytes, DefaultMaxBodyBytes)
	fillIfZero(&l.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	fillIfZero(&l.IdleTimeout, DefaultIdleTimeout)
	fillIfZero(&l.MaxConcurrentStreams, DefaultMaxConcurrentStreams)
	fillIfZero(&l.MaxDeadline, DefaultMaxDeadline)
	fillIfZero(&l.MaxJSONDepth, DefaultMaxJSONDepth)
	fillIfZero(&l.MaxTensorElements, DefaultMaxTensorElements)
}

// fillIfZero sets *v to def when *v is zero.
func fillIfZero[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}
