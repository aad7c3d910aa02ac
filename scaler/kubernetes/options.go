package kubernetes

import (
	"fmt"
	"log/slog"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
)

// Defaults for the zero fields of Options.
const (
	// DefaultPrefix is prepended to a pool's name to name its Deployment
	// and its Service: pool "cpu" runs as Deployment "sluice-cpu".
	DefaultPrefix = "sluice-"
	// DefaultHTTPPort and DefaultGRPCPort are the names of a worker's two
	// ports in its Service, and so in the Service's EndpointSlices.
	DefaultHTTPPort = "http"
	DefaultGRPCPort = "grpc"
)

// Leader tells whether this process may act. *Elector implements it; so
// does any func adapter a caller writes, which lets a test or a
// single-replica setup decide without a Lease.
type Leader interface {
	// IsLeader reports whether this process leads now. It must be safe for
	// concurrent use and return quickly: SetReplicas calls it every time.
	IsLeader() bool
}

var _ Leader = (*Elector)(nil)

// Options configures a Driver. Only Namespace is required; every other
// zero field takes the default named in its comment.
type Options struct {
	// Namespace holds the pools' Deployments and Services; required.
	Namespace string
	// Deployment names the Deployment that runs a pool's replicas. If nil,
	// it is DefaultPrefix + pool.
	Deployment func(pool string) string
	// Service names the Service whose EndpointSlices list a pool's
	// replicas (the slices labelled kubernetes.io/service-name=<Service>).
	// If nil, it is the pool's Deployment name.
	Service func(pool string) string
	// HTTPPort and GRPCPort are the port names a pool's Service gives the
	// workers' OIP v2 HTTP and gRPC ports. Empty means DefaultHTTPPort and
	// DefaultGRPCPort.
	HTTPPort, GRPCPort string
	// Leader, if not nil, gates SetReplicas: while Leader.IsLeader is
	// false, SetReplicas writes nothing and returns ErrNotLeader, so that
	// of several gateway replicas only the one holding the Lease scales.
	// Replicas and Endpoints only read and are never gated. If nil, every
	// SetReplicas acts, which suits a single gateway replica.
	Leader Leader
	// Backoff spaces the retries of a scale update that lost a race with
	// another writer (409 Conflict). The zero value means
	// retry.DefaultRetry: 5 tries, 10 ms apart with jitter.
	Backoff wait.Backoff
	// Logger receives one Info record per replica change the Driver
	// writes. If nil, nothing is logged.
	Logger *slog.Logger
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.Deployment == nil {
		o.Deployment = func(pool string) string { return DefaultPrefix + pool }
	}
	if o.Service == nil {
		o.Service = o.Deployment
	}
	o.HTTPPort = orString(o.HTTPPort, DefaultHTTPPort)
	o.GRPCPort = orString(o.GRPCPort, DefaultGRPCPort)
	if o.Backoff.Steps == 0 {
		o.Backoff = retry.DefaultRetry
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// validate reports the first field of o that a Driver cannot work with.
func (o Options) validate() error {
	if o.Namespace == "" {
		return fmt.Errorf("%w: Namespace is empty", ErrInvalidOptions)
	}
	if o.HTTPPort == o.GRPCPort {
		return fmt.Errorf("%w: HTTPPort and GRPCPort are both %q", ErrInvalidOptions, o.HTTPPort)
	}
	return nil
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
