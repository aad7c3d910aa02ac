package kubernetes

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Endpoint is one ready replica of a pool as routing sees it.
type Endpoint struct {
	// ID names the replica: its pod's name, or its address when the
	// EndpointSlice names no pod. It is unique within a pool.
	ID string
	// Pool is the name of the replica's pool.
	Pool string
	// HTTP and GRPC are the host:port of the replica's OIP v2 HTTP and
	// gRPC ports; either is empty when the Service has no port of that
	// name (Options.HTTPPort, Options.GRPCPort).
	HTTP, GRPC string
}

// Endpoints returns the ready replicas of a pool, sorted by ID, from the
// EndpointSlices of its Service (Options.Service). An endpoint counts as
// ready when its ready condition is true or unknown, as the EndpointSlice
// API advises; a terminating replica is not ready. Replicas that several
// slices list are returned once; those without an address or without
// either named port are left out. A Service without slices, or without
// ready replicas, yields an empty slice and no error. The result is a
// fresh slice the caller may keep. It fails with the API server's error.
func (d *Driver) Endpoints(ctx context.Context, pool string) ([]Endpoint, error) {
	service := d.opts.Service(pool)
	list, err := d.slices.List(ctx, metav1.ListOptions{
		LabelSelector: discoveryv1.LabelServiceName + "=" + service,
	})
	if err != nil {
		return nil, fmt.Errorf("kubernetes: pool %q: list endpointslices of service %s/%s: %w",
			pool, d.opts.Namespace, service, err)
	}
	return readyEndpoints(pool, list.Items, d.opts.HTTPPort, d.opts.GRPCPort), nil
}

// readyEndpoints returns the ready endpoints listed in items, each once,
// sorted by ID, with the ports named httpPort and grpcPort.
func readyEndpoints(pool string, items []discoveryv1.EndpointSlice, httpPort, grpcPort string) []Endpoint {
	seen := make(map[string]bool)
	out := []Endpoint{}
	for _, s := range items {
		httpNum, grpcNum := portNumber(s.Ports, httpPort), portNumber(s.Ports, grpcPort)
		for _, e := range s.Endpoints {
			ep, ok := endpointOf(pool, e, httpNum, grpcNum)
			if ok && !seen[ep.ID] {
				seen[ep.ID] = true
				out = append(out, ep)
			}
		}
	}
	slices.SortFunc(out, func(a, b Endpoint) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// endpointOf converts one slice endpoint with the slice's port numbers
// (0 when absent); ok is false if e is not ready or not reachable.
func endpointOf(pool string, e discoveryv1.Endpoint, httpNum, grpcNum int32) (ep Endpoint, ok bool) {
	ready := e.Conditions.Ready == nil || *e.Conditions.Ready
	if !ready || len(e.Addresses) == 0 || (httpNum == 0 && grpcNum == 0) {
		return Endpoint{}, false
	}
	addr := e.Addresses[0]
	ep = Endpoint{ID: addr, Pool: pool, HTTP: hostPort(addr, httpNum), GRPC: hostPort(addr, grpcNum)}
	if e.TargetRef != nil && e.TargetRef.Name != "" {
		ep.ID = e.TargetRef.Name
	}
	return ep, true
}

// portNumber returns the number of the port called name, or 0.
func portNumber(ports []discoveryv1.EndpointPort, name string) int32 {
	for _, p := range ports {
		if p.Name != nil && *p.Name == name && p.Port != nil {
			return *p.Port
		}
	}
	return 0
}

// hostPort joins an address and a port, bracketing IPv6; port 0 gives "".
func hostPort(addr string, port int32) string {
	if port == 0 {
		return ""
	}
	return net.JoinHostPort(addr, strconv.Itoa(int(port)))
}
