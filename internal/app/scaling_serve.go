package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/internal/scaling"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler"
	"github.com/sluice-gateway/sluice/scaler/keda"
	"github.com/sluice-gateway/sluice/scaler/kubernetes"
)

// autoscaler is serve's embedded scaler: a Loop deciding on the router's
// statistics and the driver's replica counts, acting through the driver
// and admission, the router's shedding per tier and the gateway's
// fallbacks (unless in dry run), with the operator's
// pins, its admin API, its Prometheus metrics and the KEDA endpoint.
type autoscaler struct {
	loop   *scaler.Loop
	source *scaling.Source
	pins   *pins
	driver poolDriver
	// fleet returns the pools in force, their prices the ones the admin
	// API and the metrics show.
	fleet func() costmodel.Fleet
	// admission passes the scaler's shedding and fallbacks on; a reload
	// tells it the models' new fallbacks.
	admission *scaling.Admission
	interval  time.Duration
	dryRun    bool
	metrics   *prometheus.Registry
	// decisions counts the decisions in metrics; a reload adds the
	// series of new pools.
	decisions *decisionMetrics
	// curves returns the curves the router learned of the pools, for
	// those configured without one; nil plans no such pool.
	curves func() map[string]costmodel.Curve
	// curveErr is the last refusal of learned curves logged.
	curveErr string
	log      *slog.Logger
}

// newScaling wires the scaler of what cur holds over the data plane, the
// driver that runs the pools and the admission it directs, with its
// metrics in reg. now is the clock the rates and the startup window are
// measured with. It fails when the scaler cannot plan with what is in
// force.
func newScaling(cur *current, plane scaling.Plane, driver poolDriver, adm scaling.Target, reg *prometheus.Registry, now func() time.Time, log *slog.Logger) (*autoscaler, error) {
	in := cur.load()
	cfg := in.cfg
	s := &autoscaler{
		source: scaling.NewSource(plane, driver, now), driver: driver, fleet: cur.fleet,
		admission: scaling.NewAdmission(adm, tierFallbacks(cfg), log), dryRun: cfg.Scaler.DryRun, metrics: reg, log: log,
		curves: learnedCurves(plane),
	}
	decisions, err := newDecisionMetrics(reg, in.fleet, cur.fleet, s.source.Last, servedBy(plane))
	if err != nil {
		return nil, err
	}
	s.decisions = decisions
	var spec *scaler.Spec
	s.pins, spec, err = newPins(scalerConfig(in), initialSizes(in.fleet), now(), func(sp *scaler.Spec) { s.loop.SetSpec(sp) })
	if err != nil {
		return nil, err
	}
	s.interval = spec.Config().Interval
	s.loop, err = scaler.NewLoop(spec, s.source, scaler.LoopOptions{
		Actuator:   scaler.ActuatorFunc(driver.SetReplicas),
		Admission:  s.admission,
		DryRun:     cfg.Scaler.DryRun,
		Logger:     log,
		OnDecision: decisions.observe,
	})
	if err != nil {
		return nil, err
	}
	err = register(reg, newScalerCollector(s.loop.Plan, s.source.Last, cur.fleet),
		newCostCollector(&decisions.meter, s.loop.Plan, s.pins.budget))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// activate tells the router which pools start workers on demand: those
// Sluice runs when the scaler acts; none in dry run, nor a pool whose size
// its addresses give (a request held for a worker that nobody starts
// would only wait for its deadline).
func activate(rc *router.Config, cfg *configs.Config) {
	given := map[string]bool{}
	for _, p := range cfg.Pools {
		given[p.Name] = p.Kind(cfg.Scaler.Driver).GivenSize()
	}
	for i := range rc.Pools {
		rc.Pools[i].Activate = !cfg.Scaler.DryRun && !given[rc.Pools[i].Name]
	}
}

// start decides at once and then at every tick of ticks, until the
// returned stop is called; stop waits for the decision in progress.
func (s *autoscaler) start(ctx context.Context, now func() time.Time, ticks <-chan time.Time) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		s.tick(ctx, now())
		for {
			select {
			case <-ctx.Done():
				return
			case t := <-ticks:
				s.tick(ctx, t)
			}
		}
	})
	return func() { cancel(); wg.Wait() }
}

// tick ends the startup minimums when due, takes the curves learned of
// the pools configured without one, and makes one decision.
func (s *autoscaler) tick(ctx context.Context, now time.Time) {
	if err := s.pins.expire(now); err != nil {
		s.log.Error("scaler: ending the startup minimums", slog.Any("error", err))
	}
	s.learnCurves()
	d := s.loop.Tick(ctx, now)
	switch {
	case d.Err == nil || ctx.Err() != nil:
	case errors.Is(d.Err, kubernetes.ErrNotLeader):
		// Another gateway replica holds the Lease and scales.
		s.log.Debug("scaler: decision", slog.Any("error", d.Err))
	default:
		s.log.Error("scaler: decision", slog.Any("error", d.Err))
	}
}

// registerGRPC serves the plan to KEDA on g, unless in dry run, where
// KEDA would act on plans meant only to be read.
func (s *autoscaler) registerGRPC(g grpc.ServiceRegistrar) {
	if !s.dryRun {
		keda.NewServer(s.loop).Register(g)
	}
}

// startScaling wires the scaler (see newScaling) on the real clock and
// starts it; stop ends it and waits for the decision in progress.
func startScaling(ctx context.Context, cur *current, plane scaling.Plane, driver poolDriver, adm scaling.Target, reg *prometheus.Registry, log *slog.Logger) (s *autoscaler, stop func(), err error) {
	s, err = newScaling(cur, plane, driver, adm, reg, time.Now, log)
	if err != nil {
		return nil, nil, err
	}
	ticker := time.NewTicker(s.interval)
	stopLoop := s.start(ctx, time.Now, ticker.C)
	mode := "acting"
	if s.dryRun {
		mode = "dry run: plans are logged, not applied"
	}
	log.Info("scaler started", slog.Duration("interval", s.interval), slog.String("mode", mode))
	return s, func() { stopLoop(); ticker.Stop() }, nil
}

// tierFallbacks lists, per tier, the models of cfg's tier that have a
// fallback: what the scaler's directive to the tier switches.
func tierFallbacks(cfg *configs.Config) map[string][]string {
	out := map[string][]string{}
	for _, m := range cfg.Models {
		if m.Fallback != "" {
			out[m.Tier] = append(out[m.Tier], m.Name)
		}
	}
	return out
}
