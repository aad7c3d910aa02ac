package xds

import (
	"math"
	"slices"
	"strings"
	"time"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	httpopts "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Fixed settings of every cluster.
const (
	// connectTimeout bounds a new upstream connection.
	connectTimeout = time.Second
	// unhealthyThreshold and healthyThreshold are the failed and passed
	// active checks that flip an endpoint's health.
	unhealthyThreshold = 2
	healthyThreshold   = 1
	// maxEjectionPercent keeps at least half of a pool in service however
	// many of its endpoints fail.
	maxEjectionPercent = 50
	// failurePercentage ejects an endpoint failing at least this share of
	// its requests in an interval (the detection grpc-go implements),
	// given failureMinimumHosts endpoints and failureRequestVolume requests.
	failurePercentage    = 50
	failureMinimumHosts  = 2
	failureRequestVolume = 20
	// minRetryConcurrency lets a few retries through however small the
	// budget.
	minRetryConcurrency = 3
	// httpOptionsKey names the upstream HTTP protocol options extension.
	httpOptionsKey = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
)

// port selects the listener of an endpoint a cluster reaches.
type port func(Endpoint) Address

func httpPort(ep Endpoint) Address { return ep.HTTP }
func grpcPort(ep Endpoint) Address { return ep.GRPC }

// poolPort returns the port a flavor reaches pool workers on.
func poolPort(f Flavor) port {
	if f == Proxyless {
		return grpcPort
	}
	return httpPort
}

// poolCluster returns the EDS cluster of a pool: round robin, circuit
// breakers sized from the pool's capacity, a retry budget, outlier
// detection, and for Envoy active checks of the OIP ready path.
func poolCluster(p Pool, f Flavor, pol Policy) *cluster.Cluster {
	c := edsCluster(PoolCluster(p.Name), pol)
	c.CircuitBreakers = circuitBreakers(capacity(p), pol)
	if f == Envoy {
		c.HealthChecks = []*core.HealthCheck{healthCheck(pol, httpCheck())}
	}
	return c
}

// gatewayClusters returns the clusters of the gateway replicas: for Envoy
// one over HTTP, health-checked on the ready path, and one over gRPC
// (HTTP/2), checked by connecting; for proxyless clients the gRPC one.
// Gateways are not sized, so they get Envoy's default circuit breakers.
func gatewayClusters(f Flavor, pol Policy, m *marshaler) []*cluster.Cluster {
	grpcC := edsCluster(GatewayGRPCCluster, pol)
	if f == Proxyless {
		return []*cluster.Cluster{grpcC}
	}
	httpC := edsCluster(GatewayHTTPCluster, pol)
	httpC.HealthChecks = []*core.HealthCheck{healthCheck(pol, httpCheck())}
	grpcC.HealthChecks = []*core.HealthCheck{healthCheck(pol, tcpCheck())}
	grpcC.TypedExtensionProtocolOptions = map[string]*anypb.Any{httpOptionsKey: m.any(http2Options())}
	return []*cluster.Cluster{httpC, grpcC}
}

// edsCluster returns a round-robin cluster whose endpoints come over ADS,
// with outlier detection and without panic routing.
func edsCluster(name string, pol Policy) *cluster.Cluster {
	return &cluster.Cluster{
		Name:                 name,
		ClusterDiscoveryType: &cluster.Cluster_Type{Type: cluster.Cluster_EDS},
		EdsClusterConfig:     &cluster.Cluster_EdsClusterConfig{EdsConfig: adsSource()},
		ConnectTimeout:       durationpb.New(connectTimeout),
		LbPolicy:             cluster.Cluster_ROUND_ROBIN,
		// Without panic routing Envoy never sends to an endpoint published
		// unhealthy, however few are healthy: a worker that is not ready
		// only fails the request.
		CommonLbConfig:   &cluster.Cluster_CommonLbConfig{HealthyPanicThreshold: &typev3.Percent{Value: 0}},
		OutlierDetection: outlierDetection(pol),
	}
}

// adsSource says "over the same ADS stream".
func adsSource() *core.ConfigSource {
	return &core.ConfigSource{
		ConfigSourceSpecifier: &core.ConfigSource_Ads{Ads: &core.AggregatedConfigSource{}},
		ResourceApiVersion:    core.ApiVersion_V3,
	}
}

// capacity returns the most requests a pool serves at once when fully
// grown: replicas × concurrency, saturating at MaxUint32.
func capacity(p Pool) uint32 {
	replicas := uint64(max(p.MaxReplicas, uint32(len(p.Endpoints)), 1))
	n := replicas * uint64(max(p.Concurrency, 1))
	return uint32(min(n, math.MaxUint32))
}

func circuitBreakers(capacity uint32, pol Policy) *cluster.CircuitBreakers {
	return &cluster.CircuitBreakers{Thresholds: []*cluster.CircuitBreakers_Thresholds{{
		Priority:           core.RoutingPriority_DEFAULT,
		MaxConnections:     wrapperspb.UInt32(capacity),
		MaxPendingRequests: wrapperspb.UInt32(capacity),
		MaxRequests:        wrapperspb.UInt32(capacity),
		RetryBudget: &cluster.CircuitBreakers_Thresholds_RetryBudget{
			BudgetPercent:       &typev3.Percent{Value: pol.RetryBudget * 100},
			MinRetryConcurrency: wrapperspb.UInt32(minRetryConcurrency),
		},
	}}}
}

func outlierDetection(pol Policy) *cluster.OutlierDetection {
	return &cluster.OutlierDetection{
		Consecutive_5Xx:                wrapperspb.UInt32(pol.EjectAfter),
		Interval:                       durationpb.New(pol.HealthInterval),
		BaseEjectionTime:               durationpb.New(pol.EjectFor),
		MaxEjectionPercent:             wrapperspb.UInt32(maxEjectionPercent),
		FailurePercentageThreshold:     wrapperspb.UInt32(failurePercentage),
		EnforcingFailurePercentage:     wrapperspb.UInt32(100),
		FailurePercentageMinimumHosts:  wrapperspb.UInt32(failureMinimumHosts),
		FailurePercentageRequestVolume: wrapperspb.UInt32(failureRequestVolume),
	}
}

func healthCheck(pol Policy, checker func(*core.HealthCheck)) *core.HealthCheck {
	hc := &core.HealthCheck{
		Timeout:            durationpb.New(pol.HealthTimeout),
		Interval:           durationpb.New(pol.HealthInterval),
		UnhealthyThreshold: wrapperspb.UInt32(unhealthyThreshold),
		HealthyThreshold:   wrapperspb.UInt32(healthyThreshold),
	}
	checker(hc)
	return hc
}

func httpCheck() func(*core.HealthCheck) {
	return func(hc *core.HealthCheck) {
		hc.HealthChecker = &core.HealthCheck_HttpHealthCheck_{HttpHealthCheck: &core.HealthCheck_HttpHealthCheck{Path: ReadyPath}}
	}
}

func tcpCheck() func(*core.HealthCheck) {
	return func(hc *core.HealthCheck) {
		hc.HealthChecker = &core.HealthCheck_TcpHealthCheck_{TcpHealthCheck: &core.HealthCheck_TcpHealthCheck{}}
	}
}

func http2Options() *httpopts.HttpProtocolOptions {
	return &httpopts.HttpProtocolOptions{
		UpstreamProtocolOptions: &httpopts.HttpProtocolOptions_ExplicitHttpConfig_{
			ExplicitHttpConfig: &httpopts.HttpProtocolOptions_ExplicitHttpConfig{
				ProtocolConfig: &httpopts.HttpProtocolOptions_ExplicitHttpConfig_Http2ProtocolOptions{
					Http2ProtocolOptions: &core.Http2ProtocolOptions{},
				},
			},
		},
	}
}

// loadAssignment returns the endpoints of a cluster: those of eps with the
// port at all, in one locality named after the cluster, sorted by ID then
// address. An empty assignment is valid and leaves the cluster without
// hosts.
func loadAssignment(name string, eps []Endpoint, at port) *endpoint.ClusterLoadAssignment {
	la := &endpoint.ClusterLoadAssignment{ClusterName: name}
	var lbs []*endpoint.LbEndpoint
	for _, ep := range sortedEndpoints(eps) {
		if a := at(ep); !a.IsZero() {
			lbs = append(lbs, lbEndpoint(ep, a))
		}
	}
	if len(lbs) > 0 {
		// grpc-go rejects localities without an ID and ignores those
		// without a weight.
		la.Endpoints = []*endpoint.LocalityLbEndpoints{{
			Locality:            &core.Locality{Zone: name},
			LbEndpoints:         lbs,
			LoadBalancingWeight: wrapperspb.UInt32(1),
		}}
	}
	return la
}

func lbEndpoint(ep Endpoint, a Address) *endpoint.LbEndpoint {
	status := core.HealthStatus_HEALTHY
	if !ep.Healthy {
		status = core.HealthStatus_UNHEALTHY
	}
	return &endpoint.LbEndpoint{
		HostIdentifier: &endpoint.LbEndpoint_Endpoint{Endpoint: &endpoint.Endpoint{
			Address:  socketAddress(a),
			Hostname: ep.ID,
		}},
		HealthStatus:        status,
		LoadBalancingWeight: wrapperspb.UInt32(max(ep.Weight, 1)),
	}
}

func socketAddress(a Address) *core.Address {
	return &core.Address{Address: &core.Address_SocketAddress{SocketAddress: &core.SocketAddress{
		Address:       a.Host,
		PortSpecifier: &core.SocketAddress_PortValue{PortValue: a.Port},
	}}}
}

// sortedEndpoints returns a sorted copy of eps.
func sortedEndpoints(eps []Endpoint) []Endpoint {
	out := slices.Clone(eps)
	slices.SortFunc(out, func(a, b Endpoint) int {
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.GRPC.String()+a.HTTP.String(), b.GRPC.String()+b.HTTP.String())
	})
	return out
}
