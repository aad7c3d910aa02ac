package app

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/internal/scaling"
	"github.com/sluice-gateway/sluice/internal/status"
	"github.com/sluice-gateway/sluice/router"
)

// statusFeed hands the status board serve's facts as plain values: the
// layout of the configuration in force with the bounds the scaler plans
// within, the pools' live counts, the plan and the decisions. It is safe
// for concurrent use.
type statusFeed struct {
	cur    *current
	plane  interface{ Stats() []router.PoolStats }
	driver scaling.ReplicaCounter
	sc     *autoscaler
}

// deps returns the board's Deps over the feed.
func (f *statusFeed) deps() status.Deps {
	return status.Deps{Layout: f.layout, Live: f.live, Plan: f.plan, Decisions: f.decisions}
}

// layout is the layout of what is in force, with the bounds the scaler
// plans within now in a copy of the fleet's.
func (f *statusFeed) layout() status.Layout {
	l := layoutOf(f.cur.load())
	bounds := maps.Clone(l.Fleet.Bounds)
	for _, pc := range f.sc.pins.current() {
		if b, ok := bounds[pc.Name]; ok {
			b.Min, b.Max = pc.Min, pc.Max
			bounds[pc.Name] = b
		}
	}
	l.Fleet.Bounds = bounds
	return l
}

// layoutOf returns the layout of what is in force: its fleet, each pool
// with the tightest SLO among the models its tiers serve, and its budget.
func layoutOf(in *inForce) status.Layout {
	cfg := in.cfg
	slos := map[string]time.Duration{}
	for tier, slo := range tierSLOs(cfg) {
		for _, t := range cfg.Tiers {
			if t.Name != tier {
				continue
			}
			for _, p := range t.Pools {
				if s, ok := slos[p]; !ok || slo < s {
					slos[p] = slo
				}
			}
		}
	}
	return status.Layout{
		Fleet: in.fleet, SLOs: slos, DryRun: cfg.Scaler.DryRun,
		Budget: status.Budget{PerHour: cfg.Budget.PerHour, PerDay: cfg.Budget.PerDay},
	}
}

// live reads the pools from the router and the driver.
func (f *statusFeed) live(ctx context.Context, pools []string) map[string]status.Live {
	stats := map[string]router.PoolStats{}
	for _, ps := range f.plane.Stats() {
		stats[ps.Name] = ps
	}
	out := make(map[string]status.Live, len(pools))
	for _, name := range pools {
		ps := stats[name]
		l := status.Live{
			Queued: ps.Queued.Total(), InFlight: ps.InFlight, Rate: ps.ArrivalRate,
			P99: ps.Latency.P99, Answered: ps.Latency.Count,
		}
		ready, starting, err := f.driver.Replicas(ctx, name)
		if err != nil {
			l.Err = fmt.Errorf("pool %q: replicas: %w", name, err)
		} else {
			l.Ready, l.Starting = ready, starting
		}
		out[name] = l
	}
	return out
}

// plan returns the scaler's current plan.
func (f *statusFeed) plan() (status.Plan, bool) {
	p, ok := f.sc.loop.Plan()
	return status.Plan{Replicas: p.Replicas, CostPerHour: p.CostPerHour, HeadroomCostPerHour: p.HeadroomCostPerHour,
		Tiers: tierViews(p.Tiers)}, ok
}

// decisions returns the scaler's recent decisions, oldest first.
func (f *statusFeed) decisions() []status.DecisionView {
	h := f.sc.loop.History()
	out := make([]status.DecisionView, len(h))
	for i, d := range h {
		out[i] = decisionViewOf(d)
	}
	return out
}

// startStatus makes serve's status board over what cur holds, rt, the
// driver, the scaler and the tenants, on the real clock, and samples every
// status.Step until the returned stop is called; stop waits for the
// sample in progress.
func startStatus(ctx context.Context, cur *current, rt *router.Router, driver poolDriver, sc *autoscaler, tenants func() []status.Tenant) (b *status.Board, stop func()) {
	feed := &statusFeed{cur: cur, plane: rt, driver: driver, sc: sc}
	deps := feed.deps()
	deps.Tenants = tenants
	b = status.NewBoard(deps)
	ctx, cancel := context.WithCancel(ctx)
	ticker := time.NewTicker(status.Step)
	var wg sync.WaitGroup
	wg.Go(func() { b.Run(ctx, ticker.C) })
	return b, func() { cancel(); wg.Wait(); ticker.Stop() }
}
