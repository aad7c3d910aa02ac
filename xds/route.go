package xds

import (
	"slices"
	"strings"
	"time"

	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	previoushosts "github.com/envoyproxy/go-control-plane/envoy/extensions/retry/host/previous_hosts/v3"
	matcher "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Retry conditions. Envoy retries HTTP 5xx, resets and refused
// connections; gRPC calls fail with a status instead, so gRPC routes retry
// Unavailable (the same transport failures) and Internal (a worker fault).
const (
	retryOnHTTP        = "5xx,reset,connect-failure"
	retryOnEnvoyGRPC   = "reset,connect-failure,unavailable,internal"
	retryOnProxyless   = "unavailable,internal"
	previousHostsName  = "envoy.retry_host_predicates.previous_hosts"
	hostSelectAttempts = 3
)

// routeBuilder builds the routes of one flavor's snapshot.
type routeBuilder struct {
	v     View
	f     Flavor
	pol   Policy
	pools map[string]Pool
	tiers []Tier // sorted by name
	m     *marshaler
}

func newRouteBuilder(v View, f Flavor, pol Policy, m *marshaler) *routeBuilder {
	pools := make(map[string]Pool, len(v.Pools))
	for _, p := range v.Pools {
		pools[p.Name] = p
	}
	tiers := slices.SortedFunc(slices.Values(v.Tiers), func(a, b Tier) int { return strings.Compare(a.Name, b.Name) })
	return &routeBuilder{v: v, f: f, pol: pol, pools: pools, tiers: tiers, m: m}
}

// ingress returns the Envoy flavor's route configuration: each model's
// REST paths, then the gRPC service to the gateway, then everything else
// (health, metadata) to the gateway.
func (b *routeBuilder) ingress(models []Model) *route.RouteConfiguration {
	var routes []*route.Route
	for _, md := range models {
		routes = append(routes, b.model(md)...)
	}
	routes = append(routes, b.grpcService(models), b.catchAll())
	return &route.RouteConfiguration{
		Name:         IngressRoutes,
		VirtualHosts: []*route.VirtualHost{{Name: "sluice", Domains: []string{"*"}, Routes: routes}},
	}
}

// proxyless returns the route configuration of one model's API listener.
func (b *routeBuilder) proxyless(md Model) *route.RouteConfiguration {
	return &route.RouteConfiguration{
		Name:         ModelRoutes(md.Name),
		VirtualHosts: []*route.VirtualHost{{Name: md.Name, Domains: []string{"*"}, Routes: b.model(md)}},
	}
}

// model returns a model's routes, most specific first. A batched model
// goes to the gateway replicas. A pass-through model goes to its tier's
// pools, split by weight, or to another tier's when TierHeader names one.
func (b *routeBuilder) model(md Model) []*route.Route {
	if md.Batched {
		return []*route.Route{b.route(md.Name, b.modelMatch(md.Name), b.toGateway(md))}
	}
	var routes []*route.Route
	for _, t := range b.tiers {
		if t.Name == md.Tier {
			continue
		}
		match := b.modelMatch(md.Name)
		match.Headers = []*route.HeaderMatcher{tierHeader(t.Name)}
		routes = append(routes, b.route(md.Name+"/tier/"+t.Name, match, b.toPools(md, t)))
	}
	own := b.tier(md.Tier)
	return append(routes, b.route(md.Name, b.modelMatch(md.Name), b.toPools(md, own)))
}

func (b *routeBuilder) tier(name string) Tier {
	i := slices.IndexFunc(b.tiers, func(t Tier) bool { return t.Name == name })
	return b.tiers[i] // check guarantees every model's tier exists
}

// modelMatch matches a model's requests: for Envoy the REST paths
// /v2/models/{name} and below (not /v2/models/{name}-other), for a
// proxyless client every call, since its listener is the model's own.
func (b *routeBuilder) modelMatch(model string) *route.RouteMatch {
	if b.f == Proxyless {
		return &route.RouteMatch{PathSpecifier: &route.RouteMatch_Prefix{Prefix: "/"}}
	}
	return &route.RouteMatch{PathSpecifier: &route.RouteMatch_PathSeparatedPrefix{PathSeparatedPrefix: "/v2/models/" + model}}
}

func tierHeader(tier string) *route.HeaderMatcher {
	return &route.HeaderMatcher{
		Name: TierHeader,
		HeaderMatchSpecifier: &route.HeaderMatcher_StringMatch{StringMatch: &matcher.StringMatcher{
			MatchPattern: &matcher.StringMatcher_Exact{Exact: tier},
		}},
	}
}

func (b *routeBuilder) route(name string, match *route.RouteMatch, action *route.RouteAction) *route.Route {
	return &route.Route{Name: name, Match: match, Action: &route.Route_Route{Route: action}}
}

// toGateway sends a batched model to the gateway replicas, which queue and
// batch it within its deadline; a try is not cut short by the SLO there.
func (b *routeBuilder) toGateway(md Model) *route.RouteAction {
	cluster := GatewayHTTPCluster
	if b.f == Proxyless {
		cluster = GatewayGRPCCluster
	}
	return b.action(single(cluster), md.Timeout, 0)
}

// toPools sends a pass-through model to a tier's pools, each try bounded by
// the model's SLO.
func (b *routeBuilder) toPools(md Model, t Tier) *route.RouteAction {
	return b.action(b.split(md, t), md.Timeout, md.SLO)
}

// grpcService sends the OIP v2 gRPC service to the gateway (Envoy only):
// the model is in the message, so Envoy cannot route by it.
func (b *routeBuilder) grpcService(models []Model) *route.Route {
	timeout := b.gatewayTimeout()
	match := &route.RouteMatch{
		PathSpecifier: &route.RouteMatch_Prefix{Prefix: grpcServicePrefix},
		Grpc:          &route.RouteMatch_GrpcRouteMatchOptions{},
	}
	action := b.action(single(GatewayGRPCCluster), timeout, 0)
	action.RetryPolicy.RetryOn = retryOnEnvoyGRPC
	action.MaxStreamDuration = &route.RouteAction_MaxStreamDuration{GrpcTimeoutHeaderMax: durationpb.New(timeout)}
	return b.route("grpc", match, action)
}

// catchAll sends every other path (health, server metadata) to the gateway.
func (b *routeBuilder) catchAll() *route.Route {
	match := &route.RouteMatch{PathSpecifier: &route.RouteMatch_Prefix{Prefix: "/"}}
	return b.route("gateway", match, b.action(single(GatewayHTTPCluster), b.gatewayTimeout(), 0))
}

// gatewayTimeout is the deadline of the gateway's own routes: the longest
// model timeout, since a call may name any model. 0 (no deadline) when the
// view has no model.
func (b *routeBuilder) gatewayTimeout() time.Duration {
	var timeout time.Duration
	for _, md := range b.v.Models {
		timeout = max(timeout, md.Timeout)
	}
	return timeout
}

// action returns a route action to dest with the flavor's deadline and
// retry policy; perTry > 0 bounds each try (Envoy only: grpc-go has no
// per-try timeout).
func (b *routeBuilder) action(dest *route.RouteAction, timeout, perTry time.Duration) *route.RouteAction {
	if b.f == Proxyless {
		dest.MaxStreamDuration = &route.RouteAction_MaxStreamDuration{MaxStreamDuration: durationpb.New(timeout)}
		dest.RetryPolicy = &route.RetryPolicy{RetryOn: retryOnProxyless, NumRetries: wrapperspb.UInt32(b.pol.Retries)}
		return dest
	}
	dest.Timeout = durationpb.New(timeout)
	dest.RetryPolicy = &route.RetryPolicy{
		RetryOn:    retryOnHTTP,
		NumRetries: wrapperspb.UInt32(b.pol.Retries),
		RetryHostPredicate: []*route.RetryPolicy_RetryHostPredicate{{
			Name:       previousHostsName,
			ConfigType: &route.RetryPolicy_RetryHostPredicate_TypedConfig{TypedConfig: b.m.any(&previoushosts.PreviousHostsPredicate{})},
		}},
		HostSelectionRetryMaxAttempts: hostSelectAttempts,
	}
	if perTry > 0 {
		dest.RetryPolicy.PerTryTimeout = durationpb.New(perTry)
	}
	return dest
}

func single(cluster string) *route.RouteAction {
	return &route.RouteAction{ClusterSpecifier: &route.RouteAction_Cluster{Cluster: cluster}}
}

// split returns the action that divides a model's traffic among a tier's
// pools, in the tier's order: by the model's weights, or evenly over the
// pools with a healthy endpoint when the tier's pools have no weight (over
// all of them when none has one). One pool gets a plain cluster action.
func (b *routeBuilder) split(md Model, t Tier) *route.RouteAction {
	out := weigh(t.Pools, func(p string) uint32 { return md.Weights[p] })
	if len(out) == 0 {
		out = weigh(t.Pools, func(p string) uint32 { return uint32(min(b.pools[p].healthy(), 1)) })
	}
	if len(out) == 0 {
		out = weigh(t.Pools, func(string) uint32 { return 1 })
	}
	if len(out) == 1 {
		return single(out[0].Name)
	}
	return &route.RouteAction{ClusterSpecifier: &route.RouteAction_WeightedClusters{WeightedClusters: &route.WeightedCluster{Clusters: out}}}
}

// weigh returns the pools' clusters with the weight w gives them, leaving
// out those it gives 0.
func weigh(pools []string, w func(pool string) uint32) []*route.WeightedCluster_ClusterWeight {
	var out []*route.WeightedCluster_ClusterWeight
	for _, p := range pools {
		if n := w(p); n > 0 {
			out = append(out, &route.WeightedCluster_ClusterWeight{Name: PoolCluster(p), Weight: wrapperspb.UInt32(n)})
		}
	}
	return out
}
