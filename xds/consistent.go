package xds

import (
	"fmt"
	"slices"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// consistent checks the references between a snapshot's resources: every
// route configuration a listener names (in a filter chain or an API
// listener) exists and every one is named; every cluster a route names
// exists; every EDS cluster has a load assignment and every load assignment
// belongs to an EDS cluster. It returns an error wrapping ErrInconsistent
// naming the first dangling reference or orphan it finds.
func consistent(res map[resource.Type][]types.Resource) error {
	clusters, eds := clusterNames(res[resource.ClusterType])
	if err := sameNames("load assignment", eds, names(res[resource.EndpointType])); err != nil {
		return err
	}
	rds, err := listenerRoutes(res[resource.ListenerType])
	if err != nil {
		return err
	}
	if err := sameNames("route configuration", rds, names(res[resource.RouteType])); err != nil {
		return err
	}
	for _, r := range res[resource.RouteType] {
		for _, c := range routeClusters(r.(*route.RouteConfiguration)) {
			if !clusters[c] {
				return fmt.Errorf("%w: route configuration %q names unknown cluster %q", ErrInconsistent, r.(*route.RouteConfiguration).GetName(), c)
			}
		}
	}
	return nil
}

// clusterNames returns the names of all clusters, and the names of the load
// assignments the EDS ones expect.
func clusterNames(rs []types.Resource) (all, eds map[string]bool) {
	all, eds = map[string]bool{}, map[string]bool{}
	for _, r := range rs {
		c := r.(*cluster.Cluster)
		all[c.GetName()] = true
		if c.GetType() == cluster.Cluster_EDS {
			name := c.GetEdsClusterConfig().GetServiceName()
			if name == "" {
				name = c.GetName()
			}
			eds[name] = true
		}
	}
	return all, eds
}

// names returns the names of load assignments or route configurations.
func names(rs []types.Resource) map[string]bool {
	out := map[string]bool{}
	for _, r := range rs {
		switch r := r.(type) {
		case *endpoint.ClusterLoadAssignment:
			out[r.GetClusterName()] = true
		case *route.RouteConfiguration:
			out[r.GetName()] = true
		}
	}
	return out
}

// sameNames reports the first name referred to but missing, or held but
// not referred to.
func sameNames(kind string, referred, held map[string]bool) error {
	for _, n := range sortedKeys(referred) {
		if !held[n] {
			return fmt.Errorf("%w: %s %q is referred to but missing", ErrInconsistent, kind, n)
		}
	}
	for _, n := range sortedKeys(held) {
		if !referred[n] {
			return fmt.Errorf("%w: %s %q is referred to by nothing", ErrInconsistent, kind, n)
		}
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// listenerRoutes returns the route configurations the listeners' HTTP
// connection managers name over RDS, API listeners included.
func listenerRoutes(rs []types.Resource) (map[string]bool, error) {
	out := map[string]bool{}
	for _, r := range rs {
		l := r.(*listener.Listener)
		for _, a := range connectionManagers(l) {
			m := &hcm.HttpConnectionManager{}
			if err := a.UnmarshalTo(m); err != nil {
				return nil, fmt.Errorf("%w: listener %q: %w", ErrInconsistent, l.GetName(), err)
			}
			if name := m.GetRds().GetRouteConfigName(); name != "" {
				out[name] = true
			}
		}
	}
	return out, nil
}

// connectionManagers returns the packed HTTP connection managers of a
// listener: its API listener's and its filter chains'.
func connectionManagers(l *listener.Listener) []*anypb.Any {
	var out []*anypb.Any
	if a := l.GetApiListener().GetApiListener(); a.MessageIs(&hcm.HttpConnectionManager{}) {
		out = append(out, a)
	}
	for _, fc := range l.GetFilterChains() {
		for _, f := range fc.GetFilters() {
			if a := f.GetTypedConfig(); a.MessageIs(&hcm.HttpConnectionManager{}) {
				out = append(out, a)
			}
		}
	}
	return out
}

// routeClusters returns every cluster a route configuration names.
func routeClusters(rc *route.RouteConfiguration) []string {
	var out []string
	for _, vh := range rc.GetVirtualHosts() {
		for _, r := range vh.GetRoutes() {
			a := r.GetRoute()
			if c := a.GetCluster(); c != "" {
				out = append(out, c)
			}
			for _, w := range a.GetWeightedClusters().GetClusters() {
				out = append(out, w.GetName())
			}
		}
	}
	return out
}
