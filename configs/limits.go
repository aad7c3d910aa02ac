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
	// DefaultBodyTimeout bounds the reading of one HTTP request's body:
	// a 16 MiB body at 1 MB/s takes 16 s.
	DefaultBodyTimeout = 30 * time.Second
	// DefaultWriteTimeout bounds the writing of one HTTP response.
	DefaultWriteTimeout = 30 * time.Second
	// DefaultMaxConnections caps the open connections of each client
	// listener: at about 20 KiB of buffers and stack for an idle HTTP
	// connection and 100 KiB for a gRPC one, 4096 of them hold at most
	// 400 MiB of a 2 GiB gateway. It is twice DefaultMaxInFlight so that
	// clients of one call per connection (HTTP/1.1) past the calls in
	// flight get the in-flight bound's 503, not a wait in the backlog.
	DefaultMaxConnections = 2 * DefaultMaxInFlight
	// DefaultMaxInFlight caps the inference calls in progress in the
	// gateway: a 2-core gateway answers a few thousand small calls a
	// second, so 2048 calls in flight are about half a second of them.
	DefaultMaxInFlight = 2048
	// DefaultMaxBodyBytesInFlight bounds the bytes of request bodies the
	// gateway holds at once: 384 MiB, so that twenty-one bodies of the
	// largest default size fit beside the eighth kept for small ones. A
	// call holds about its body at a time (the body, then its answer in
	// its place), and twice it for moments, so they stay within the
	// memory limit of a 2 GiB gateway.
	DefaultMaxBodyBytesInFlight = 384 << 20
	// DefaultMemoryLimit is the Go runtime's soft memory limit: 1.5 GiB,
	// three quarters of a 2 GiB gateway, so that the collector works
	// harder before the container's limit is reached.
	DefaultMemoryLimit = 1536 << 20
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
	// BodyTimeout bounds the time an HTTP client may take to send one
	// request's body, chunked or not, counted from the end of its
	// headers; a client still sending then gets 408 and its connection
	// is closed. > 0, default 30s (DefaultBodyTimeout).
	BodyTimeout time.Duration `yaml:"body_timeout"`
	// WriteTimeout bounds the time the gateway spends writing one HTTP
	// response, counted from its first byte: a client that does not read
	// its answer has its connection closed then, and the answer's memory
	// is freed. > 0, default 30s (DefaultWriteTimeout).
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// MaxConnections caps the connections open at once on each client
	// listener (HTTP and gRPC, each on its own). At the cap the HTTP
	// listener closes a connection idle between requests to make room;
	// with none idle, further clients wait in the listener's backlog
	// until one closes. Set it above MaxInFlight, or HTTP/1.1 clients
	// past the calls in flight wait instead of getting 503. >= 1,
	// default 4096 (DefaultMaxConnections).
	MaxConnections int `yaml:"max_connections"`
	// MaxInFlight caps the inference calls in progress in the gateway,
	// over both front ends, from the moment their headers are read until
	// they are answered; one more is refused at once with 503 /
	// UNAVAILABLE and Retry-After. >= 1, default 2048
	// (DefaultMaxInFlight).
	MaxInFlight int `yaml:"max_in_flight"`
	// MaxBodyBytesInFlight bounds the bytes the bodies of the calls in
	// progress hold together, over both front ends: an HTTP body counts
	// the memory it takes as it arrives, a gRPC call its message, until
	// the call is answered (its answer takes the body's place). A call
	// that would cross it is refused with 503 / UNAVAILABLE and
	// Retry-After, so that slow or greedy clients cannot pin the heap;
	// its last eighth is kept for bodies of at most 64 KiB, so that large
	// ones never starve the small. >= 8/7 of max_body_bytes, default
	// 384 MiB (DefaultMaxBodyBytesInFlight) or twice max_body_bytes when
	// that is more.
	MaxBodyBytesInFlight int64 `yaml:"max_body_bytes_in_flight"`
	// MemoryLimit is the Go runtime's soft memory limit, in bytes (see
	// runtime/debug.SetMemoryLimit); the GOMEMLIMIT environment variable,
	// when set, takes precedence. >= 1 MiB, default 1.5 GiB
	// (DefaultMemoryLimit).
	MemoryLimit int64 `yaml:"memory_limit"`
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
	fillIfZero(&l.BodyTimeout, DefaultBodyTimeout)
	fillIfZero(&l.WriteTimeout, DefaultWriteTimeout)
	fillIfZero(&l.MaxConnections, DefaultMaxConnections)
	fillIfZero(&l.MaxInFlight, DefaultMaxInFlight)
	fillIfZero(&l.MaxBodyBytesInFlight, max(DefaultMaxBodyBytesInFlight, 2*l.MaxBodyBytes))
	fillIfZero(&l.MemoryLimit, DefaultMemoryLimit)
}

// maxBodyBytesCeiling is the largest limits.max_body_bytes accepted: 1 GiB.
const maxBodyBytesCeiling = 1 << 30

// minMemoryLimit is the smallest limits.memory_limit accepted: 1 MiB.
const minMemoryLimit = 1 << 20

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
	c.positive("limits.body_timeout", l.BodyTimeout)
	c.positive("limits.write_timeout", l.WriteTimeout)
	c.atLeastOne("limits.max_connections", l.MaxConnections)
	c.atLeastOne("limits.max_in_flight", l.MaxInFlight)
	if l.MaxBodyBytesInFlight-l.MaxBodyBytesInFlight/8 < l.MaxBodyBytes {
		c.addf("limits.max_body_bytes_in_flight", "%d must be >= 8/7 of limits.max_body_bytes %d (its last eighth is kept for small bodies), or no body of that size is ever served",
			l.MaxBodyBytesInFlight, l.MaxBodyBytes)
	}
	if l.MemoryLimit < minMemoryLimit {
		c.addf("limits.memory_limit", "%d must be >= %d (1 MiB)", l.MemoryLimit, minMemoryLimit)
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

// atLeastOne reports a count below 1.
func (c *checker) atLeastOne(field string, n int) {
	if n < 1 {
		c.addf(field, "%d must be >= 1", n)
	}
}
