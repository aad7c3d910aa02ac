package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler"
)

// poolStatser reads the data plane's per-pool statistics. *router.Router
// is one.
type poolStatser interface {
	Stats() []router.PoolStats
}

// replicaCounter counts a pool's ready and starting replicas. Every
// poolDriver is one.
type replicaCounter interface {
	Replicas(ctx context.Context, pool string) (ready, starting int, err error)
}

// planReader reads the scaler's current plan and recent decisions.
// *scaler.Loop is one.
type planReader interface {
	Plan() (scaler.Plan, bool)
	History() []scaler.Decision
}

var (
	_ poolStatser    = (*router.Router)(nil)
	_ replicaCounter = poolDriver(nil)
	_ planReader     = (*scaler.Loop)(nil)
)

// statusDeps are what a statusBoard reads. Plane, Driver and Scaler are
// required.
type statusDeps struct {
	Plane  poolStatser
	Driver replicaCounter
	Scaler planReader
	// Bounds returns the bounds the scaler plans within now (pins
	// included). If nil, the configured bounds are shown.
	Bounds func() []scaler.PoolConfig
	// Now is the clock. If nil, time.Now is used.
	Now func() time.Time
}

// statusBoard gathers what the status page, GET /admin/status and `sluice
// status` show, and keeps the history they show: a sample of the pools
// per tick of its run loop, and the scaler's decisions worth reading. It
// is safe for concurrent use.
type statusBoard struct {
	deps      statusDeps
	layout    atomic.Pointer[statusLayout]
	samples   *statusSampler
	decisions *decisionLog
}

// newStatusBoard returns a board over deps showing the pools and budget
// of cfg. pre: cfg is validated.
func newStatusBoard(cfg *configs.Config, deps statusDeps) *statusBoard {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	b := &statusBoard{
		deps:      deps,
		samples:   newStatusSampler(deps.Now, statusWindow, statusStep),
		decisions: newDecisionLog(statusDecisions),
	}
	b.setConfig(cfg)
	return b
}

// setConfig makes the board show the pools and budget of cfg from now
// on, as after a configuration reload; the history of the pools whose
// names stay is kept. pre: cfg is validated.
func (b *statusBoard) setConfig(cfg *configs.Config) {
	l := layoutOf(cfg)
	b.layout.Store(&l)
}

// register serves the status on r:
//
//	GET /               the status page (HTML)
//	GET /admin/status   the same facts as JSON, which `sluice status` reads
func (b *statusBoard) register(r chi.Router) {
	r.Get("/", b.getPage)
	r.Get("/admin/status", b.getStatus)
}

func (b *statusBoard) getPage(w http.ResponseWriter, r *http.Request) {
	var page bytes.Buffer
	if err := renderStatusHTML(&page, b.view(r.Context())); err != nil {
		http.Error(w, fmt.Sprintf("sluice: status page: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = page.WriteTo(w)
}

func (b *statusBoard) getStatus(w http.ResponseWriter, r *http.Request) {
	writeAdminJSON(w, http.StatusOK, b.view(r.Context()))
}

// view gathers the facts now and makes their view, keeping the scaler's
// decisions the board has not seen yet.
func (b *statusBoard) view(ctx context.Context) statusView {
	layout := b.currentLayout()
	plan, planned := b.deps.Scaler.Plan()
	b.decisions.add(b.deps.Scaler.History())
	return buildStatus(statusInput{
		Now: b.deps.Now(), Layout: layout, Live: b.live(ctx, layout),
		Plan: plan, Planned: planned,
		Decisions: b.decisions.recent(), Samples: b.samples.recent(),
	})
}

// sample records the pools now and keeps the scaler's new decisions.
func (b *statusBoard) sample(ctx context.Context) {
	layout := b.currentLayout()
	b.samples.record(func(now time.Time) statusSample { return sampleOf(now, layout, b.live(ctx, layout)) })
	b.decisions.add(b.deps.Scaler.History())
}

// run samples at once and then at every tick of ticks, until ctx is done
// or ticks is closed.
func (b *statusBoard) run(ctx context.Context, ticks <-chan time.Time) {
	b.sample(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-ticks:
			if !ok {
				return
			}
			b.sample(ctx)
		}
	}
}

// currentLayout is the configured layout with the bounds the scaler
// plans within now.
func (b *statusBoard) currentLayout() statusLayout {
	l := *b.layout.Load()
	if b.deps.Bounds == nil {
		return l
	}
	bounds := map[string]scaler.PoolConfig{}
	for _, pc := range b.deps.Bounds() {
		bounds[pc.Name] = pc
	}
	l.Pools = append([]layoutPool(nil), l.Pools...)
	for i, p := range l.Pools {
		if pc, ok := bounds[p.Name]; ok {
			l.Pools[i].Min, l.Pools[i].Max = pc.Min, pc.Max
		}
	}
	return l
}

// live reads each pool of layout from the data plane and the driver.
func (b *statusBoard) live(ctx context.Context, layout statusLayout) map[string]poolLive {
	stats := map[string]router.PoolStats{}
	for _, ps := range b.deps.Plane.Stats() {
		stats[ps.Name] = ps
	}
	out := make(map[string]poolLive, len(layout.Pools))
	for _, p := range layout.Pools {
		l := poolLive{Stats: stats[p.Name]}
		ready, starting, err := b.deps.Driver.Replicas(ctx, p.Name)
		if err != nil {
			l.Err = fmt.Errorf("pool %q: replicas: %w", p.Name, err)
		} else {
			l.Ready, l.Starting = ready, starting
		}
		out[p.Name] = l
	}
	return out
}

// startStatus makes serve's status board, on the real clock, and samples
// every statusStep until the returned stop is called; stop waits for the
// sample in progress.
func startStatus(ctx context.Context, cfg *configs.Config, rt *router.Router, driver poolDriver, sc *autoscaler) (b *statusBoard, stop func()) {
	b = newStatusBoard(cfg, statusDeps{Plane: rt, Driver: driver, Scaler: sc.loop, Bounds: sc.pins.current})
	ctx, cancel := context.WithCancel(ctx)
	ticker := time.NewTicker(statusStep)
	var wg sync.WaitGroup
	wg.Go(func() { b.run(ctx, ticker.C) })
	return b, func() { cancel(); wg.Wait(); ticker.Stop() }
}
