package configs

import "time"

// Limits bound what one client connection or request may ask of the
// gateway, so that no single caller can exhaust its memory, its
// connections or its queues. Every field has a default (defaults_limits.go)
// that a zero value takes; each applies to both front ends unless its doc
// says otherwise.
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
