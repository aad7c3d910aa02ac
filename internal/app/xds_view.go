package app

import (
	"fmt"
	"math"
	"net"
	"strconv"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/xds"
)

// xdsGatewayID names this process among the gateway replicas it publishes.
const xdsGatewayID = "local"

// gatewayAddrs are the host:port addresses this gateway serves on; an
// empty one is off.
type gatewayAddrs struct {
	http, grpc string
}

// readyCounts returns how many workers of a pool are ready.
type readyCounts func(pool string) int

// ConfigView is the view a configuration yields with no process running:
// the gateway on its configured listeners, and each pool at its configured
// minimum size but without addresses, so every pool's cluster is published
// with an empty load assignment. Weights are chosen as if each pool had its
// minimum number of ready workers.
func ConfigView(cfg *configs.Config) (xds.View, error) {
	in := newInForce(cfg)
	gw := gatewayAddrs{http: cfg.Listen.HTTP, grpc: cfg.Listen.GRPC}
	return buildView(in, gw, func(string) []router.EndpointState { return nil }, minimumCounts(in.fleet))
}

// ConfigDump returns the JSON of every flavor's snapshot of ConfigView
// (xds.MarshalDump), at version 1: what `sluice xds dump --config`
// prints.
func ConfigDump(cfg *configs.Config) ([]byte, error) {
	v, err := ConfigView(cfg)
	if err != nil {
		return nil, err
	}
	dumps := map[string]xds.Dump{}
	for _, f := range xds.Flavors {
		snap, err := xds.Build(v, f, "1")
		if err != nil {
			return nil, err
		}
		if dumps[f.String()], err = xds.DumpOf(snap, f); err != nil {
			return nil, err
		}
	}
	return xds.MarshalDump(dumps)
}

// liveView is the view of the running topology: each pool's workers as the
// router reports them, ready ones healthy and the others (ejected, failing
// their checks) unhealthy.
func liveView(in *inForce, gw gatewayAddrs, endpoints func(pool string) []router.EndpointState) (xds.View, error) {
	ready := func(pool string) int {
		n := 0
		for _, ep := range endpoints(pool) {
			if ep.Ready {
				n++
			}
		}
		return n
	}
	return buildView(in, gw, endpoints, ready)
}

// minimumCounts counts each pool's workers at its minimum size.
func minimumCounts(f costmodel.Fleet) readyCounts {
	return func(pool string) int { return f.Bounds[pool].Min }
}

func buildView(in *inForce, gw gatewayAddrs, endpoints func(string) []router.EndpointState, ready readyCounts) (xds.View, error) {
	cfg := in.cfg
	gateway, err := gatewayEndpoint(gw)
	if err != nil {
		return xds.View{}, err
	}
	v := xds.View{Policy: xdsPolicy(cfg)}
	if gateway.HTTP != (xds.Address{}) || gateway.GRPC != (xds.Address{}) {
		v.Gateways = []xds.Endpoint{gateway}
	}
	for _, p := range in.fleet.Pools {
		pv, err := poolView(p, in.fleet.Bounds[p.Name], endpoints(p.Name))
		if err != nil {
			return xds.View{}, err
		}
		v.Pools = append(v.Pools, pv)
	}
	for _, t := range cfg.Tiers {
		v.Tiers = append(v.Tiers, xds.Tier{Name: t.Name, Pools: t.Pools})
	}
	for _, m := range cfg.Models {
		v.Models = append(v.Models, modelView(in, m, ready))
	}
	return v, nil
}

func gatewayEndpoint(gw gatewayAddrs) (xds.Endpoint, error) {
	h, err := xdsAddress(gw.http)
	if err != nil {
		return xds.Endpoint{}, fmt.Errorf("gateway http: %w", err)
	}
	g, err := xdsAddress(gw.grpc)
	if err != nil {
		return xds.Endpoint{}, fmt.Errorf("gateway grpc: %w", err)
	}
	return xds.Endpoint{ID: xdsGatewayID, HTTP: h, GRPC: g, Healthy: true}, nil
}

func poolView(p costmodel.Pool, b costmodel.Bounds, eps []router.EndpointState) (xds.Pool, error) {
	pv := xds.Pool{Name: p.Name, MaxReplicas: clampUint32(b.Max), Concurrency: clampUint32(p.MaxBatch)}
	for _, ep := range eps {
		h, err := xdsAddress(ep.HTTP)
		if err != nil {
			return xds.Pool{}, fmt.Errorf("pool %q worker %q http: %w", p.Name, ep.ID, err)
		}
		g, err := xdsAddress(ep.GRPC)
		if err != nil {
			return xds.Pool{}, fmt.Errorf("pool %q worker %q grpc: %w", p.Name, ep.ID, err)
		}
		pv.Endpoints = append(pv.Endpoints, xds.Endpoint{ID: ep.ID, HTTP: h, GRPC: g, Healthy: ep.Ready})
	}
	return pv, nil
}

func modelView(in *inForce, m configs.Model, ready readyCounts) xds.Model {
	mv := xds.Model{Name: m.Name, Tier: m.Tier, Batched: m.BatchingEnabled(), SLO: m.SLO, Timeout: m.Timeout}
	if !mv.Batched {
		mv.Weights = cheapestFeasible(in, m, ready)
	}
	return mv
}

// cheapestFeasible returns the weights of a pass-through model's tier: all
// on the pool with the lowest cost per inference among those with a ready
// worker whose capacity curve can meet the model's SLO (the first in tier
// order on a tie), or none when no pool qualifies, which xds publishes as
// an even split over the pools with healthy endpoints. It stands in for
// the router's own split until the router publishes one: the router too
// sends each request to the cheapest pool that meets the SLO. Weights
// cover the model's own tier; a request whose header names another tier is
// split by the same weights where they name its pools, evenly otherwise.
func cheapestFeasible(in *inForce, m configs.Model, ready readyCounts) map[string]uint32 {
	best, bestCost := "", math.Inf(1)
	for _, name := range tierPools(in.cfg, m.Tier) {
		p, ok := in.fleet.Pool(name)
		if !ok || ready(name) == 0 || p.BatchAt(m.SLO) == 0 {
			continue
		}
		if c := p.CostPerMillion(m.SLO, 1); best == "" || c < bestCost {
			best, bestCost = name, c
		}
	}
	if best == "" {
		return nil
	}
	return map[string]uint32{best: 1}
}

func tierPools(cfg *configs.Config, tier string) []string {
	for _, t := range cfg.Tiers {
		if t.Name == tier {
			return t.Pools
		}
	}
	return nil
}

func xdsPolicy(cfg *configs.Config) xds.Policy {
	return xds.Policy{
		HealthInterval: cfg.Health.Interval,
		HealthTimeout:  cfg.Health.Timeout,
		EjectAfter:     clampUint32(cfg.Health.EjectAfter),
		EjectFor:       cfg.Health.EjectFor,
		RetryBudget:    cfg.Retry.BudgetRatio,
	}
}

// xdsAddress parses host:port into an xDS address: "" or port 0 give the
// zero address (no listener), and a host that binds every interface ("",
// 0.0.0.0, ::) is published as 127.0.0.1, the address of this machine
// every local client can reach.
func xdsAddress(hostport string) (xds.Address, error) {
	if hostport == "" {
		return xds.Address{}, nil
	}
	host, portStr, err := net.SplitHostPort(hostport)
	if err != nil {
		return xds.Address{}, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return xds.Address{}, fmt.Errorf("port of %q: %w", hostport, err)
	}
	if port == 0 {
		return xds.Address{}, nil
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return xds.Address{Host: host, Port: uint32(port)}, nil
}

func clampUint32(n int) uint32 {
	return uint32(min(max(n, 0), math.MaxUint32))
}
