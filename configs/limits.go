package configs

import (
	"fmt"
	"math"
	"time"
)

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

// Limits bound what one client connection or request may ask of the
// gateway, so that no single caller can exhaust its memory, its
// connections or its queues. Every field has a default (the constants
// above) that a zero value takes; each applies to both front ends unless
// its doc says otherwise.
type Limits struct {
	// MaxBodyBytes bounds an HTTP request body and a gRPC request message,
	// in bytes; from 1 to 1 GiB, default 16 MiB (DefaultMaxBodyBytes). A
	// larger body is refused with HTTP 413 or gRPC RESOURCE_EXHAUSTED.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// ReadHeaderTimeout bounds the time an HTTP client (the HTTP and admin
	// listeners) may take to send a request's headers; > 0, default 10s
	// (DefaultReadHeaderTimeout).
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	// IdleTimeout is how long an HTTP keep-alive connection may wait for
	// its next request before it is closed; > 0, default 2m
	// (DefaultIdleTimeout).
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// MaxConcurrentStreams caps the gRPC calls one connection may have in
	// flight; from 1 to 4294967295, default 1024
	// (DefaultMaxConcurrentStreams). Calls beyond it wait in the client
	// for a free stream.
	MaxConcurrentStreams int64 `yaml:"max_concurrent_streams"`
	// MaxDeadline caps every request's deadline: a client's timeout or
	// gRPC deadline larger than it is cut to it. > 0, default 5m
	// (DefaultMaxDeadline), and no model's timeout may exceed it.
	MaxDeadline time.Duration `yaml:"max_deadline"`
	// MaxJSONDepth caps the nesting of objects and arrays in an HTTP
	// request body; a deeper body is refused with 400 before it is
	// decoded. >= 4, the depth of {"inputs": [{"data": [...]}]}; default
	// 32 (DefaultMaxJSONDepth).
	MaxJSONDepth int `yaml:"max_json_depth"`
	// MaxTensorElements caps the elements of all the inputs of one request
	// together; a request over it is refused with 400 / INVALID_ARGUMENT
	// naming the input that crosses it. >= 1, default 4194304 (4 Mi,
	// DefaultMaxTensorElements).
	MaxTensorElements int64 `yaml:"max_tensor_elements"`
}

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

// maxBodyBytesCeiling is the largest limits.max_body_bytes accepted: 1 GiB.
const maxBodyBytesCeiling = 1 << 30

// minJSONDepth is the nesting of the smallest request body,
// {"inputs": [{"data": [...]}]}.
const minJSONDepth = 4

// limits checks the limits section, and that no model's timeout exceeds
// the deadline cap.
func (c *checker) limits(l Limits, models []Model) {
	if l.MaxBodyBytes < 1 || l.MaxBodyBytes > maxBodyBytesCeiling {
		c.addf("limits.max_body_bytes", "%d must be between 1 and %d (1 GiB)", l.MaxBodyBytes, maxBodyBytesCeiling)
	}
	c.positive("limits.read_header_timeout", l.ReadHeaderTimeout)
	c.positive("limits.idle_timeout", l.IdleTimeout)
	if l.MaxConcurrentStreams < 1 || l.MaxConcurrentStreams > math.MaxUint32 {
		c.addf("limits.max_concurrent_streams", "%d must be between 1 and %d", l.MaxConcurrentStreams, uint32(math.MaxUint32))
	}
	c.positive("limits.max_deadline", l.MaxDeadline)
	if l.MaxJSONDepth < minJSONDepth {
		c.addf("limits.max_json_depth", "%d must be >= %d, the depth of {\"inputs\": [{\"data\": [...]}]}", l.MaxJSONDepth, minJSONDepth)
	}
	if l.MaxTensorElements < 1 {
		c.addf("limits.max_tensor_elements", "%d must be >= 1", l.MaxTensorElements)
	}
	c.modelDeadlines(models, l.MaxDeadline)
}

// modelDeadlines reports the models whose timeout exceeds the deadline
// cap, which would silently cut it.
func (c *checker) modelDeadlines(ms []Model, limit time.Duration) {
	if limit <= 0 {
		return // reported above
	}
	for i, m := range ms {
		if m.Timeout > limit {
			c.addf(fmt.Sprintf("models[%d].timeout", i), "%v must be <= limits.max_deadline %v", m.Timeout, limit)
		}
	}
}
