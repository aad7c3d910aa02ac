package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	k8s "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler/kubernetes"
)

// The environment the Kubernetes driver reads, as the manifests in
// configs/kubernetes set it from the downward API.
const (
	// envPodNamespace names the namespace of the pools' Deployments and
	// of the scaler's Lease; required.
	envPodNamespace = "POD_NAMESPACE"
	// envPodName names this gateway in the Lease; the host name (a pod's
	// name) when unset.
	envPodName = "POD_NAME"
)

var _ poolDriver = (*kubernetes.Driver)(nil)

// endpointsPoll is how often the Kubernetes driver reads the pools' ready
// pods for the router.
const endpointsPoll = time.Second

// errNoNamespace is returned when the Kubernetes driver has no namespace.
var errNoNamespace = errors.New("sluice: scaler.driver kubernetes needs " + envPodNamespace)

// startKubePools runs pools as Deployments: it reaches the API server
// (in a pod through its service account, else through $KUBECONFIG or
// ~/.kube/config), campaigns for the scaler's Lease so that only the
// leader resizes, and hands rt each pool's ready pods every
// endpointsPoll, reached over the protocol protocol names for the pool.
// stop ends both and waits for them.
func startKubePools(ctx context.Context, pools []string, rt *router.Router, protocol func(pool string) router.Protocol, log *slog.Logger) (poolDriver, func(), error) {
	ns := os.Getenv(envPodNamespace)
	if ns == "" {
		return nil, nil, errNoNamespace
	}
	client, err := kubeClient()
	if err != nil {
		return nil, nil, err
	}
	elector, err := kubernetes.NewElector(client, kubernetes.ElectorOptions{Namespace: ns, Identity: podName(), Logger: log})
	if err != nil {
		return nil, nil, err
	}
	driver, err := kubernetes.New(client, kubernetes.Options{Namespace: ns, Leader: elector, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := elector.Run(ctx); err != nil {
			log.Error("scaler: leader election stopped", slog.Any("error", err))
		}
	})
	wg.Go(func() {
		t := time.NewTicker(endpointsPoll)
		defer t.Stop()
		feedEndpoints(ctx, driver, pools, protocol, rt, t.C, log)
	})
	log.Info("pools run as Kubernetes Deployments", slog.String("namespace", ns))
	return driver, func() { cancel(); wg.Wait() }, nil
}

// kubeClient connects to the API server from a pod, else with the user's
// kubeconfig.
func kubeClient() (k8s.Interface, error) {
	rc, err := rest.InClusterConfig()
	if errors.Is(err, rest.ErrNotInCluster) {
		rules := clientcmd.NewDefaultClientConfigLoadingRules()
		rc, err = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, nil).ClientConfig()
	}
	if err != nil {
		return nil, fmt.Errorf("sluice: kubernetes client: %w", err)
	}
	return k8s.NewForConfig(rc)
}

// podName returns this gateway's identity in the Lease.
func podName() string {
	if name := os.Getenv(envPodName); name != "" {
		return name
	}
	host, err := os.Hostname()
	if err != nil {
		return "sluice"
	}
	return host
}

// endpointsReader reads a pool's ready replicas; *kubernetes.Driver is one.
type endpointsReader interface {
	Endpoints(ctx context.Context, pool string) ([]kubernetes.Endpoint, error)
}

// feedEndpoints hands rt the ready replicas of every pool at once and at
// every tick, until ctx is done, each reached over the protocol protocol
// names for its pool. A pool whose replicas cannot be read keeps the ones
// it had.
func feedEndpoints(ctx context.Context, src endpointsReader, pools []string, protocol func(string) router.Protocol,
	rt *router.Router, ticks <-chan time.Time, log *slog.Logger) {
	last := map[string][]router.Endpoint{}
	for {
		for _, pool := range pools {
			last[pool] = feedPool(ctx, src, pool, protocol(pool), last[pool], rt, log)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
	}
}

// feedPool reads pool's replicas, reached over proto, and hands them to
// rt when they differ from was; it returns what rt has now.
func feedPool(ctx context.Context, src endpointsReader, pool string, proto router.Protocol, was []router.Endpoint, rt *router.Router, log *slog.Logger) []router.Endpoint {
	eps, err := src.Endpoints(ctx, pool)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("reading pool endpoints", slog.String("pool", pool), slog.Any("error", err))
		}
		return was
	}
	now := make([]router.Endpoint, len(eps))
	for i, ep := range eps {
		now[i] = router.Endpoint{ID: ep.ID, GRPC: ep.GRPC, HTTP: ep.HTTP, Protocol: proto}
	}
	if was != nil && slices.Equal(was, now) {
		return was
	}
	if err := rt.SetEndpoints(pool, now); err != nil {
		log.Error("updating endpoints", slog.String("pool", pool), slog.Any("error", err))
		return was
	}
	log.Info("pool workers changed", slog.String("pool", pool), slog.Int("ready", len(now)))
	return now
}
