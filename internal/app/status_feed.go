package app

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/scaling"
	"github.com/sluice-gateway/sluice/internal/status"
	"github.com/sluice-gateway/sluice/router"
)

// statusFeed hands the status board serve's facts as plain values: the
// layout of the configuration in force with the bounds the scaler plans
// within, the pools' live counts, the plan and the decisions. It is safe
// for concurrent use.
type statusFeed struct {
	cfg    atomic.Pointer[configs.Config]
	plane  interface{ Stats() []router.PoolStats }
	driver scaling.ReplicaCounter
	sc     *autoscaler
}

// deps returns the board's Deps over the feed.
func (f *statusFeed) deps() status.Deps {
	return status.Deps{Layout: f.layout, Live: f.live, Plan: f.plan, Decisions: f.decisions}
}

// setConfig makes the board show the pools and budget of cfg from now
// on, as after a configuration reload. pre: cfg is validated.
func (f *statusFeed) setConfig(cfg *configs.Config) { f.cfg.Store(cfg) }

// layout is the layout of the configuration in force, with the bounds
// the scaler plans within now.
func (f *statusFeed) layout() status.Layout {
	l := layoutOf(f.cfg.Load())
	for _, pc := range f.sc.pins.current() {
		if b, ok := l.Fleet.Bounds[pc.Name]; ok {
			b.Min, b.Max = pc.Min, pc.Max
			l.Fleet.Bounds[pc.Name] = b
		}
	}
	return l
}

// layoutOf returns the layout of cfg: its pools, each with the tightest
// SLO among the models its tiers serve, and its budget. pre: cfg is
// validated.
func layoutOf(cfg *configs.Config) status.Layout {
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
		Fleet: cfg.Fleet(), SLOs: slos, DryRun: cfg.Scaler.DryRun,
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
	return status.Plan{Replicas: p.Replicas, CostPerHour: p.CostPerHour, Tiers: tierViews(p.Tiers)}, ok
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

// startStatus makes serve's status board over cfg, rt, the driver and
// the scaler, on the real clock, and samples every status.Step until the
// returned stop is called; stop waits for the sample in progress. feed
// takes the configuration of a reload.
func startStatus(ctx context.Context, cfg *configs.Config, rt *router.Router, driver poolDriver, sc *autoscaler) (b *status.Board, feed *statusFeed, stop func()) {
	feed = &statusFeed{plane: rt, driver: driver, sc: sc}
	feed.setConfig(cfg)
	b = status.NewBoard(feed.deps())
	ctx, cancel := context.WithCancel(ctx)
	ticker := time.NewTicker(status.Step)
	var wg sync.WaitGroup
	wg.Go(func() { b.Run(ctx, ticker.C) })
	return b, feed, func() { cancel(); wg.Wait(); ticker.Stop() }
}
