package xds

import (
	"fmt"
	"time"
)

// View is what the control plane publishes: the gateway replicas, the pools
// and their endpoints, the tiers, the models and the traffic policy. It is a
// plain value built by the caller from the live topology; Build turns it
// into xDS resources. The order of slices does not matter: Build sorts
// everything by name.
//
// A View handed to Server.Update or Build is owned by the callee from then
// on: the caller must not modify it, its slices or its maps afterwards.
type View struct {
	// Ingress is where the Envoy listener binds; the zero Address means
	// 0.0.0.0:DefaultIngressPort.
	Ingress Address
	// Gateways are the Sluice gateway replicas. Their HTTP addresses form
	// the Envoy cluster for the REST API, their gRPC addresses the cluster
	// for inference.GRPCInferenceService.
	Gateways []Endpoint
	// Pools are the groups of workers; names are unique.
	Pools []Pool
	// Tiers are the ordered groups of pools models are served from; names
	// are unique and every pool they name is in Pools.
	Tiers []Tier
	// Models are the models routed; names are unique and every tier they
	// name is in Tiers.
	Models []Model
	// Policy holds health, ejection and retry settings shared by every
	// cluster and route.
	Policy Policy
}

// Address is a host and a port. The zero Address means "none".
type Address struct {
	// Host is an IP address. Envoy resolves no names in EDS, so a host
	// name here reaches Envoy unresolved and is rejected by it.
	Host string
	// Port is a TCP port in [1, 65535]; 0 means no listener.
	Port uint32
}

// IsZero reports whether a has no port, that is, names no listener.
func (a Address) IsZero() bool { return a.Port == 0 }

// String returns host:port.
func (a Address) String() string { return fmt.Sprintf("%s:%d", a.Host, a.Port) }

// Endpoint is one worker or gateway replica.
type Endpoint struct {
	// ID names the endpoint uniquely within its pool; it is published as
	// the endpoint's hostname, for operators.
	ID string
	// HTTP is the OIP v2 REST listener; zero leaves the endpoint out of
	// clusters served over HTTP (the Envoy flavor's).
	HTTP Address
	// GRPC is the OIP v2 gRPC listener; zero leaves the endpoint out of
	// clusters served over gRPC (the proxyless flavor's and Envoy's gateway
	// gRPC cluster).
	GRPC Address
	// Healthy publishes the endpoint as HEALTHY; false publishes it as
	// UNHEALTHY (not ready, or ejected), so that clients keep it known but
	// send it nothing.
	Healthy bool
	// Weight is the endpoint's share within its pool; 0 means 1.
	Weight uint32
}

// Pool is a group of identical workers behind one cluster.
type Pool struct {
	// Name is unique among pools.
	Name string
	// Endpoints are the pool's workers; empty publishes a cluster without
	// hosts (requests to it fail fast with 503 / Unavailable).
	Endpoints []Endpoint
	// MaxReplicas is the most workers the pool may grow to; with
	// Concurrency it sizes the circuit breakers. 0 means
	// max(len(Endpoints), 1).
	MaxReplicas uint32
	// Concurrency is how many requests one worker serves at once (its
	// largest batch); 0 means 1.
	Concurrency uint32
}

// Tier is an ordered list of pools that can serve the same models.
type Tier struct {
	// Name is unique among tiers; clients pick a tier by sending it in the
	// header TierHeader.
	Name string
	// Pools names at least one pool.
	Pools []string
}

// Model is one model the routes serve.
type Model struct {
	// Name is unique among models; it is the path segment of
	// /v2/models/{name}/... and the target of xds:///{name}.
	Name string
	// Tier names the tier whose pools serve the model when the request
	// names none.
	Tier string
	// Batched routes the model through the gateway replicas, which merge
	// its requests into batches; false routes it straight to the pools
	// ("pass-through"), split by Weights.
	Batched bool
	// SLO is the model's latency target: a pass-through route gives each
	// try this long before retrying elsewhere. 0 means no per-try limit.
	SLO time.Duration
	// Timeout is the deadline of a whole request, retries included; > 0,
	// required (serve passes the configuration's models[].timeout). The
	// gateway's own routes (the gRPC service, health and metadata) allow
	// the longest of the models' timeouts.
	Timeout time.Duration
	// Weights is the share of the model's traffic each pool gets, by pool
	// name, among the pools of the tier a request is routed to; pools
	// absent or at 0 get none. When no pool of the tier has a weight, the
	// tier's pools with a healthy endpoint share equally (all of them when
	// none is healthy). Ignored for batched models.
	Weights map[string]uint32
}

// Policy holds the traffic settings shared by every cluster and route.
// The health and retry settings have no defaults here: they are the
// configuration's (its health and retry sections), and serve passes them
// in; a View whose Policy leaves one at zero is refused.
type Policy struct {
	// HealthInterval is the time between two active health checks of an
	// endpoint, and between two outlier-detection sweeps; > 0, required.
	HealthInterval time.Duration
	// HealthTimeout bounds one active health check; > 0, required.
	HealthTimeout time.Duration
	// EjectAfter consecutive 5xx or gateway failures eject an endpoint;
	// >= 1, required.
	EjectAfter uint32
	// EjectFor is the first ejection's length; it grows with each ejection
	// in a row. > 0, required.
	EjectFor time.Duration
	// RetryBudget is the largest fraction of a cluster's active requests
	// that may be retries, in [0, 1]; at 0 only a few retries at a time
	// get through, however many requests are active.
	RetryBudget float64
	// Retries is the most retries of one request; 0 means DefaultRetries.
	// The configuration has no such key: this is the control plane's own.
	Retries uint32
}

// Defaults of the View's fields that the configuration does not set.
const (
	// DefaultIngressPort is the port of the Envoy listener.
	DefaultIngressPort = 10000
	// DefaultRetries is the most retries of one request.
	DefaultRetries = 2
)

// withDefaults returns p with its zero Retries set to DefaultRetries.
func (p Policy) withDefaults() Policy {
	if p.Retries == 0 {
		p.Retries = DefaultRetries
	}
	return p
}

// ingress returns the Envoy listener's address with its defaults.
func (v View) ingress() Address {
	a := v.Ingress
	if a.Host == "" {
		a.Host = "0.0.0.0"
	}
	if a.Port == 0 {
		a.Port = DefaultIngressPort
	}
	return a
}

// healthy returns how many of the pool's endpoints are healthy.
func (p Pool) healthy() int {
	n := 0
	for _, ep := range p.Endpoints {
		if ep.Healthy {
			n++
		}
	}
	return n
}
