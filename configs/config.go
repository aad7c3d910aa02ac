package configs

import (
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
)

// Config is the whole of a Sluice configuration file. Load and Parse fill
// its defaults and validate it; a Config they return is ready to use and
// satisfies every rule documented on its fields. A Config is a plain value:
// it is not safe to modify while other goroutines read it.
//
// Durations are written as Go duration strings ("200ms", "1m"); a zero
// duration or number means "unset" and takes the field's default, if any.
type Config struct {
	Listen Listen `yaml:"listen"`
	Auth   Auth   `yaml:"auth"`
	// Models are the models the gateway serves; at least one.
	Models []Model `yaml:"models"`
	// Tiers group pools for models.
	Tiers []Tier `yaml:"tiers"`
	// Pools are the groups of workers; at least one.
	Pools []Pool `yaml:"pools"`
	// Queue bounds the priority classes of every pool's queue.
	Queue Queue `yaml:"queue"`
	// Routes pick a request's tier by more than its model; the first
	// matching route wins, and a request no route matches goes to its
	// model's tier.
	Routes []Route `yaml:"routes"`
	// Health configures worker health checks and outlier ejection.
	Health Health `yaml:"health"`
	// Retry bounds retries of failed batches.
	Retry Retry `yaml:"retry"`
	// Cache bounds the response cache shared by the models that opt in.
	Cache  Cache  `yaml:"cache"`
	Scaler Scaler `yaml:"scaler"`
	Budget Budget `yaml:"budget"`
	// Shutdown shapes how serve drains when it stops.
	Shutdown Shutdown `yaml:"shutdown"`
	// Limits bound what one connection or request may ask.
	Limits Limits `yaml:"limits"`
	// Protocol reads Triton's priority and sequence parameters.
	Protocol Protocol `yaml:"protocol"`
	// Admin secures the admin listener.
	Admin Admin `yaml:"admin"`
	// TLS serves the client listeners over TLS; nil means plaintext.
	TLS *TLS `yaml:"tls"`
	// WorkersTLS reaches the workers over TLS; nil means plaintext.
	WorkersTLS *WorkersTLS `yaml:"workers_tls"`

	// File is the path the config was loaded from; empty if not from a file.
	File string `yaml:"-"`
}

// Listen holds the listener addresses, each host:port with a numeric port
// (an empty host binds every interface; port 0 picks a free port). An empty
// address turns that listener off, except HTTP, which defaults to
// DefaultHTTPAddr (127.0.0.1:8080). No two listeners may share an address.
type Listen struct {
	// HTTP serves the OIP v2 REST API; default 127.0.0.1:8080.
	HTTP string `yaml:"http"`
	// GRPC serves the OIP v2 gRPC API; off when empty.
	GRPC string `yaml:"grpc"`
	// Admin serves metrics and health for operators; off when empty.
	Admin string `yaml:"admin"`
	// XDS serves the Envoy xDS control plane (ADS); off when empty.
	XDS string `yaml:"xds"`
}

// Model is a model the gateway serves.
type Model struct {
	// Name is the model's name in request paths; non-empty and unique
	// among models.
	Name string `yaml:"name"`
	// Tier names the tier whose pools serve the model; required.
	Tier string `yaml:"tier"`
	// Batching allows merging requests into batches; nil means the default,
	// true. With false, requests are forwarded one by one.
	Batching *bool `yaml:"batching"`
	// MaxBatch caps the items in one batch for this model; >= 0, and 0
	// means the pool's max_batch.
	MaxBatch int `yaml:"max_batch"`
	// Timeout is the deadline of a request that names none; > 0, default
	// 30s (DefaultTimeout).
	Timeout time.Duration `yaml:"timeout"`
	// SLO is the end-to-end latency target; > 0, default 500ms
	// (DefaultSLO).
	SLO time.Duration `yaml:"slo"`
	// Fallback names a cheaper model served instead when this model's tier
	// is shed or has no capacity; empty means none.
	Fallback string `yaml:"fallback"`
	// RateLimit caps the model's requests across all tenants; nil means no
	// cap.
	RateLimit *RateLimit `yaml:"rate_limit"`
	// Cache opts the model into the response cache; nil means off.
	Cache *ModelCache `yaml:"cache"`
}

// BatchingEnabled reports whether the model's requests may be merged; true
// when Batching is nil.
func (m Model) BatchingEnabled() bool { return m.Batching == nil || *m.Batching }

// Tier is an ordered list of pools that can serve the same models.
type Tier struct {
	// Name is non-empty and unique among tiers.
	Name string `yaml:"name"`
	// Pools names at least one pool, each defined under pools and listed
	// once.
	Pools []string `yaml:"pools"`
}

// Pool is a group of identical workers.
type Pool struct {
	// Name is unique among pools and a DNS-1123 label (lower-case letters,
	// digits and '-', starting and ending with a letter or digit, at most
	// 63 characters), since it also names processes and Kubernetes objects.
	Name string `yaml:"name"`
	// PricePerHour is the price of one replica in USD per hour; >= 0.
	PricePerHour float64 `yaml:"price_per_hour"`
	// Spot marks interruptible capacity; default false (on-demand).
	Spot bool `yaml:"spot"`
	// Curve is the latency of a batch of b items on one replica: either
	// base >= 0, per_item >= 0 and base + per_item > 0, or points sorted by
	// strictly increasing batch >= 1 with latencies > 0 and non-decreasing
	// (not both). Required.
	Curve costmodel.Curve `yaml:"curve"`
	// MaxBatch is the largest batch a replica takes; >= 1, default 1
	// (DefaultPoolMaxBatch).
	MaxBatch int `yaml:"max_batch"`
	// ColdStart is how long a new replica takes to become ready; >= 0.
	ColdStart time.Duration `yaml:"cold_start"`
	// Replicas bounds the pool's size.
	Replicas Replicas `yaml:"replicas"`
}

// Replicas bounds a pool: 0 <= Min <= Initial <= Max and Max >= 1.
type Replicas struct {
	// Min is the floor the scaler never goes below; default 0 (the pool
	// may scale to zero).
	Min int `yaml:"min"`
	// Initial is the size the pool starts at. 0 means the default,
	// max(Min, 1): a pool always starts with at least one replica, so the
	// first requests need not wait for a cold start.
	Initial int `yaml:"initial"`
	// Max is the largest size. 0 means the default, max(Initial, 1).
	Max int `yaml:"max"`
	// Warm is how many ready replicas the scaler keeps spare beyond
	// demand; >= 0, default 0.
	Warm int `yaml:"warm"`
}

// Queue bounds each priority class of every pool's queue, as Triton's queue
// policy does: a request beyond a length bound is rejected at once (429),
// one queued longer than its class allows is rejected then (503). Zero
// values mean unbounded.
type Queue struct {
	Critical ClassQueue `yaml:"critical"`
	High     ClassQueue `yaml:"high"`
	Normal   ClassQueue `yaml:"normal"`
	Low      ClassQueue `yaml:"low"`
}

// ClassQueue bounds one priority class of a pool's queue.
type ClassQueue struct {
	// MaxLength is the most requests of the class one pool may hold
	// queued; 0 means unbounded.
	MaxLength int `yaml:"max_length"`
	// MaxQueueTime is the longest a request of the class may wait queued;
	// 0 means unbounded (the request's own deadline still applies).
	MaxQueueTime time.Duration `yaml:"max_queue_time"`
}
