package xds

import (
	"fmt"
	"slices"
	"strings"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
)

// Build returns the snapshot a client of flavor f gets for view v, every
// resource at version. It is pure: the same arguments give equal
// snapshots. It fails, with ErrInvalidView, when v breaks a rule of its
// documentation; with ErrInvalidResource when a generated resource fails
// its proto validation (ValidateAll, embedded messages included); and with
// ErrInconsistent when a resource refers to one the snapshot lacks or one
// is referred to by none (checked for both flavors, following API
// listeners, which cache.Snapshot.Consistent does not).
//
// The snapshot holds, for Envoy: one cluster and load assignment per pool
// (HTTP ports), the gateway's HTTP and gRPC clusters, the ingress listener
// and its route configuration; for Proxyless: one cluster and load
// assignment per pool (gRPC ports), the gateway's gRPC cluster, and per
// model an API listener and its route configuration.
func Build(v View, f Flavor, version string) (*cache.Snapshot, error) {
	if err := v.check(); err != nil {
		return nil, err
	}
	res, err := resources(v, f)
	if err != nil {
		return nil, err
	}
	if err := consistent(res); err != nil {
		return nil, err
	}
	snap, err := cache.NewSnapshot(version, res)
	if err != nil {
		return nil, fmt.Errorf("xds: %s snapshot: %w", f, err)
	}
	if f == Envoy {
		if err := snap.Consistent(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInconsistent, err)
		}
	}
	return snap, nil
}

// resources builds and validates every resource of a flavor's snapshot.
func resources(v View, f Flavor) (map[resource.Type][]types.Resource, error) {
	pol := v.Policy.withDefaults()
	m := &marshaler{}
	models := slices.SortedFunc(slices.Values(v.Models), func(a, b Model) int { return strings.Compare(a.Name, b.Name) })
	pools := slices.SortedFunc(slices.Values(v.Pools), func(a, b Pool) int { return strings.Compare(a.Name, b.Name) })
	res := map[resource.Type][]types.Resource{}
	add := func(typ resource.Type, r types.Resource) {
		if err := validate(r); err != nil {
			m.fail(err)
		}
		res[typ] = append(res[typ], r)
	}
	for _, p := range pools {
		add(resource.ClusterType, poolCluster(p, f, pol))
		add(resource.EndpointType, loadAssignment(PoolCluster(p.Name), p.Endpoints, poolPort(f)))
	}
	for _, c := range gatewayClusters(f, pol, m) {
		add(resource.ClusterType, c)
		add(resource.EndpointType, loadAssignment(c.GetName(), v.Gateways, gatewayPort(c.GetName())))
	}
	rb := newRouteBuilder(v, f, pol, m)
	if f == Envoy {
		add(resource.ListenerType, ingressListener(v, m))
		add(resource.RouteType, rb.ingress(models))
	} else {
		for _, md := range models {
			add(resource.ListenerType, apiListener(md, m))
			add(resource.RouteType, rb.proxyless(md))
		}
	}
	if m.err != nil {
		return nil, fmt.Errorf("%s snapshot: %w", f, m.err)
	}
	return res, nil
}

// gatewayPort returns the port a gateway cluster reaches replicas on.
func gatewayPort(cluster string) port {
	if cluster == GatewayHTTPCluster {
		return httpPort
	}
	return grpcPort
}
