package kubernetes

import (
	"context"
	"fmt"
	"math"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	appsclient "k8s.io/client-go/kubernetes/typed/apps/v1"
	discoveryclient "k8s.io/client-go/kubernetes/typed/discovery/v1"
	"k8s.io/client-go/util/retry"
)

// Driver runs each pool as one Deployment: it sizes the pool through the
// Deployment's scale subresource and reads its ready endpoints from the
// EndpointSlices of the pool's Service. It keeps no state of its own, so
// every call reflects the API server at the time of the call.
//
// A Driver is safe for concurrent use. Its methods make one or a few API
// calls each and honour the context's deadline and cancellation.
type Driver struct {
	opts        Options
	deployments appsclient.DeploymentInterface
	slices      discoveryclient.EndpointSliceInterface
}

// New returns a Driver that reaches the API server through client. It
// fails, wrapping ErrInvalidOptions, if client is nil or opts is not valid
// (see Options).
func New(client kubernetes.Interface, opts Options) (*Driver, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: nil client", ErrInvalidOptions)
	}
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return &Driver{
		opts:        opts,
		deployments: client.AppsV1().Deployments(opts.Namespace),
		slices:      client.DiscoveryV1().EndpointSlices(opts.Namespace),
	}, nil
}

// SetReplicas sets the desired replica count of a pool's Deployment to n,
// n >= 0, through its scale subresource. It reads the scale first and
// writes only if the count differs, so repeating a call is cheap and
// leaves the Deployment untouched; a write that races another writer
// (409 Conflict) is retried on a fresh read (Options.Backoff).
//
// The Deployment controller, not SetReplicas, then starts or stops pods:
// SetReplicas returns once the API server has stored the new count.
// It fails, wrapping ErrInvalidReplicas, ErrNotLeader (while
// Options.Leader does not lead; nothing is written), ErrUnknownPool (no
// such Deployment), or the API server's error.
func (d *Driver) SetReplicas(ctx context.Context, pool string, n int) error {
	if n < 0 || n > math.MaxInt32 {
		return fmt.Errorf("%w: pool %q: %d, must be in [0, %d]", ErrInvalidReplicas, pool, n, math.MaxInt32)
	}
	if d.opts.Leader != nil && !d.opts.Leader.IsLeader() {
		return fmt.Errorf("%w: pool %q not scaled to %d", ErrNotLeader, pool, n)
	}
	name := d.opts.Deployment(pool)
	from, err := d.updateScale(ctx, name, int32(n))
	if err != nil {
		return d.wrap(err, pool, name, fmt.Sprintf("scale to %d", n))
	}
	if from != int32(n) {
		d.opts.Logger.Info("kubernetes: scaled pool", "pool", pool,
			"deployment", d.opts.Namespace+"/"+name, "from", from, "to", n)
	}
	return nil
}

// updateScale sets the scale of Deployment name to n unless it is n
// already, retrying on conflicts, and returns the count it found.
func (d *Driver) updateScale(ctx context.Context, name string, n int32) (from int32, err error) {
	err = retry.RetryOnConflict(d.opts.Backoff, func() error {
		scale, err := d.deployments.GetScale(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		from = scale.Spec.Replicas
		if from == n {
			return nil
		}
		scale.Spec.Replicas = n
		_, err = d.deployments.UpdateScale(ctx, name, scale, metav1.UpdateOptions{})
		return err
	})
	return from, err
}

// Replicas returns how many of a pool's desired replicas are ready, and
// how many more are desired but not ready yet (starting, unschedulable or
// failing their readiness probes): ready + starting is the Deployment's
// spec.replicas. Ready pods beyond spec.replicas, which a scale-down is
// about to stop, are not counted. The counts come from the Deployment's
// status, which the Deployment controller updates shortly after pods
// change. It fails, wrapping ErrUnknownPool or the API server's error.
func (d *Driver) Replicas(ctx context.Context, pool string) (ready, starting int, err error) {
	name := d.opts.Deployment(pool)
	dep, err := d.deployments.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return 0, 0, d.wrap(err, pool, name, "read replicas")
	}
	ready, starting = replicaCounts(dep)
	return ready, starting, nil
}

// replicaCounts splits a Deployment's desired replicas into ready and
// not yet ready. A nil spec.replicas means 1, as the API server defaults.
func replicaCounts(dep *appsv1.Deployment) (ready, starting int) {
	want := 1
	if dep.Spec.Replicas != nil {
		want = int(*dep.Spec.Replicas)
	}
	ready = min(max(int(dep.Status.ReadyReplicas), 0), want)
	return ready, want - ready
}

// wrap adds the pool, the Deployment and the action to an API error, and
// ErrUnknownPool when the Deployment does not exist.
func (d *Driver) wrap(err error, pool, name, action string) error {
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("%w: pool %q: deployment %s/%s: %w", ErrUnknownPool, pool, d.opts.Namespace, name, err)
	}
	return fmt.Errorf("kubernetes: pool %q: deployment %s/%s: %s: %w", pool, d.opts.Namespace, name, action, err)
}
