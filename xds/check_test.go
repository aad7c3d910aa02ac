package xds

import (
	"errors"
	"strings"
	"testing"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
)

func TestBuildRejects(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*View)
		wantErr error
		wantMsg string
	}{
		{"duplicate pool", func(v *View) { v.Pools = append(v.Pools, Pool{Name: "cpu"}) }, ErrInvalidView, `pool "cpu" listed twice`},
		{"unnamed pool", func(v *View) { v.Pools[2].Name = "" }, ErrInvalidView, "pool with an empty name"},
		{"duplicate endpoint", func(v *View) { v.Pools[1].Endpoints[1].ID = "cpu-2" }, ErrInvalidView, `endpoint "cpu-2" listed twice`},
		{"port out of range", func(v *View) { v.Gateways[0].HTTP.Port = 70000 }, ErrInvalidView, "port 70000 is above 65535"},
		{"port without host", func(v *View) { v.Pools[0].Endpoints[0].GRPC.Host = "" }, ErrInvalidView, "port 9001 has no host"},
		{"tier of unknown pool", func(v *View) { v.Tiers[0].Pools = []string{"tpu"} }, ErrInvalidView, `tier "light": unknown pool "tpu"`},
		{"empty tier", func(v *View) { v.Tiers[1].Pools = nil }, ErrInvalidView, `tier "heavy" has no pools`},
		{"model of unknown tier", func(v *View) { v.Models[0].Tier = "gold" }, ErrInvalidView, `model "sum": unknown tier "gold"`},
		{"weight of unknown pool", func(v *View) { v.Models[1].Weights["tpu"] = 1 }, ErrInvalidView, `weight for unknown pool "tpu"`},
		{"negative slo", func(v *View) { v.Models[2].SLO = -1 }, ErrInvalidView, "must not be negative"},
		{"retry budget above 1", func(v *View) { v.Policy.RetryBudget = 1.5 }, ErrInvalidView, "retry budget 1.5"},
		{"no model timeout", func(v *View) { v.Models[1].Timeout = 0 }, ErrInvalidView, `model "echo": timeout 0s must be > 0`},
		{"no health interval", func(v *View) { v.Policy.HealthInterval = 0 }, ErrInvalidView, "policy health interval 0s must be > 0"},
		{"no health timeout", func(v *View) { v.Policy.HealthTimeout = 0 }, ErrInvalidView, "policy health timeout 0s must be > 0"},
		{"no ejection length", func(v *View) { v.Policy.EjectFor = 0 }, ErrInvalidView, "policy eject for 0s must be > 0"},
		{"no ejection count", func(v *View) { v.Policy.EjectAfter = 0 }, ErrInvalidView, "policy eject after 0 must be >= 1"},
		{"model name unfit for a path", func(v *View) { v.Models[2].Name = "embed?v=2" }, ErrInvalidResource, "PathSeparatedPrefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := cloneView(richView())
			tt.edit(&v)
			_, err := Build(v, Envoy, "1")
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Build = %v, want %v containing %q", err, tt.wantErr, tt.wantMsg)
			}
		})
	}
}

func TestConsistent(t *testing.T) {
	good := func() map[resource.Type][]types.Resource {
		res, err := resources(richView(), Proxyless)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	tests := []struct {
		name    string
		edit    func(map[resource.Type][]types.Resource)
		wantMsg string // empty: consistent
	}{
		{"as built", func(map[resource.Type][]types.Resource) {}, ""},
		{"load assignment missing", func(res map[resource.Type][]types.Resource) {
			res[resource.EndpointType] = res[resource.EndpointType][1:]
		}, `load assignment "pool/cpu" is referred to but missing`},
		{"orphan load assignment", func(res map[resource.Type][]types.Resource) {
			res[resource.EndpointType] = append(res[resource.EndpointType], &endpoint.ClusterLoadAssignment{ClusterName: "pool/tpu"})
		}, `load assignment "pool/tpu" is referred to by nothing`},
		{"route configuration of an API listener missing", func(res map[resource.Type][]types.Resource) {
			res[resource.RouteType] = res[resource.RouteType][1:]
		}, `route configuration "model/echo" is referred to but missing`},
		{"orphan route configuration", func(res map[resource.Type][]types.Resource) {
			res[resource.RouteType] = append(res[resource.RouteType], &route.RouteConfiguration{Name: "model/gone"})
		}, `route configuration "model/gone" is referred to by nothing`},
		{"route to unknown cluster", func(res map[resource.Type][]types.Resource) {
			rc := res[resource.RouteType][0].(*route.RouteConfiguration)
			rc.VirtualHosts[0].Routes[0].GetRoute().ClusterSpecifier = &route.RouteAction_Cluster{Cluster: "pool/tpu"}
		}, `names unknown cluster "pool/tpu"`},
		{"EDS service name", func(res map[resource.Type][]types.Resource) {
			c := res[resource.ClusterType][0].(*cluster.Cluster)
			c.EdsClusterConfig.ServiceName = "elsewhere"
		}, `load assignment "elsewhere" is referred to but missing`},
		{"static cluster needs no load assignment", func(res map[resource.Type][]types.Resource) {
			res[resource.ClusterType] = append(res[resource.ClusterType], &cluster.Cluster{Name: "static", ClusterDiscoveryType: &cluster.Cluster_Type{Type: cluster.Cluster_STATIC}})
		}, ""},
		{"listener without a connection manager", func(res map[resource.Type][]types.Resource) {
			res[resource.ListenerType] = append(res[resource.ListenerType], &listener.Listener{Name: "tcp", Address: &core.Address{}})
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := good()
			tt.edit(res)
			err := consistent(res)
			switch {
			case tt.wantMsg == "" && err != nil:
				t.Errorf("consistent = %v, want nil", err)
			case tt.wantMsg != "" && (!errors.Is(err, ErrInconsistent) || !strings.Contains(err.Error(), tt.wantMsg)):
				t.Errorf("consistent = %v, want ErrInconsistent containing %q", err, tt.wantMsg)
			}
		})
	}
}

func TestGroupOf(t *testing.T) {
	tests := []struct {
		name string
		node *core.Node
		want string
	}{
		{"nil node", nil, "envoy/default"},
		{"envoy with cluster", envoyNode("e", "edge"), "envoy/edge"},
		{"grpc-go", grpcNode("g"), "grpc/default"},
		{"grpc-java with cluster", &core.Node{Id: "j", Cluster: "batch", UserAgentName: "gRPC Java"}, "grpc/batch"},
		{"unknown agent", &core.Node{Id: "x", UserAgentName: "curl"}, "envoy/default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := GroupOf(tt.node); got != tt.want {
				t.Errorf("GroupOf = %q, want %q", got, tt.want)
			}
		})
	}
}
