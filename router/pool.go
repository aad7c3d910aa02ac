package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/credentials"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip"
)

// Pool is a group of identical workers behind one batcher queue, with the
// workers' health, the capacity curve learned from their batches, and the
// pool's sliding-window statistics. It is safe for concurrent use.
type Pool struct {
	name     string
	queue    *batcher.Pool
	maxBytes int64 // the largest batch in bytes; 0 means no limit
	slots    int
	activate bool           // the driver starts workers on demand
	cost     costmodel.Pool // price and limits; Curve is the prior
	learned  *costmodel.Mix // latency per model and size, from its batches
	clock    batcher.Clock
	health   HealthConfig
	prober   Prober
	web      workerHTTP                       // the client of HTTP links and checks
	creds    credentials.TransportCredentials // of the worker links
	log      *slog.Logger
	stats    *poolWindow
	tracing  tracing
	calib    CalibrationConfig
	counts   *modelStats // each model's executions and queue waits; nil counts none
	// catalog keeps the metadata the pool's workers give; routed returns
	// the models the tables in use route to the pool. With routed nil,
	// the pool asks its workers nothing.
	catalog *catalog
	routed  func(pool string) []Model
	// configured reports whether the config names a model; nil names all.
	configured func(model string) bool

	// bg runs discoveries, calibrations and re-measurements: its context
	// ends when the pool closes, which waits for them.
	bg       sync.WaitGroup
	bgCtx    context.Context
	bgCancel context.CancelFunc

	mu      sync.Mutex
	workers map[string]*worker
	ready   int                  // workers attached to the queue
	waiting map[*waiter]struct{} // submissions in progress
	closed  bool
	check   batcher.Timer // the next round of active checks
	warmup  Warmup
	// measuring marks the models being calibrated or measured again;
	// measuredAt is when each was last measured again; calibrated marks
	// the models a calibration measured.
	measuring  map[string]bool
	measuredAt map[string]time.Time
	calibrated map[string]bool

	// retiring is set, under mu, when Reload took the pool out of the
	// tables; drained is then called once waiting is empty.
	retiring bool
	drained  func()
}

// waiter is one submission in progress, sent back when the pool loses
// its last ready worker so that it can be routed elsewhere, unless it is
// held: queued to wait for a worker the pool has yet to start. It is
// sent back by withdrawing its item from the queue with the cause
// (rather than by cancelling a context of its own, which would cost each
// try a context), or by cancel when that is set.
type waiter struct {
	cancel context.CancelCauseFunc
	item   *batcher.Item
	held   bool
	// own holds the item of a waiter made with it (newWaiter): one
	// allocation for both.
	own batcher.Item
}

// newWaiter returns a waiter of its own copy of it.
func newWaiter(it batcher.Item, held bool) *waiter {
	wt := &waiter{own: it, held: held}
	wt.item = &wt.own
	return wt
}

// sendBack sends wt back with cause.
func (wt *waiter) sendBack(q *batcher.Pool, cause error) {
	if wt.cancel != nil {
		wt.cancel(cause)
		return
	}
	q.Withdraw(wt.item, cause)
}

// poolDeps are what a pool shares with its router.
type poolDeps struct {
	clock  batcher.Clock
	health HealthConfig
	prober Prober
	web    workerHTTP
	// creds secure the worker links.
	creds  credentials.TransportCredentials
	log    *slog.Logger
	window time.Duration
	// tp is the queue's TracerProvider unless its config names one.
	tp      trace.TracerProvider
	tracing tracing
	// calib bounds calibrations and re-measurements.
	calib CalibrationConfig
	// counts counts each model's executions and queue waits.
	counts *modelStats
	// catalog keeps what workers said of the models; routed returns the
	// models the tables in use route to a pool.
	catalog *catalog
	routed  func(pool string) []Model
	// configured reports whether the config in use names a model.
	configured func(model string) bool
}

func newPool(pc PoolConfig, d poolDeps) *Pool {
	qc := pc.Queue
	if qc.Clock == nil {
		qc.Clock = d.clock
	}
	if qc.Name == "" {
		qc.Name = pc.Name
	}
	if qc.TracerProvider == nil {
		qc.TracerProvider = d.tp
	}
	if d.counts != nil {
		qc.Observer = statsObserver{next: qc.Observer, stats: d.counts}
	}
	cost := pc.Cost
	if cost.Name == "" {
		cost.Name = pc.Name
	}
	if cost.Curve.IsZero() {
		cost.Curve = qc.Form.Curve
	}
	if cost.MaxBatch == 0 {
		cost.MaxBatch = qc.Form.MaxBatch
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Pool{
		bgCtx: ctx, bgCancel: cancel, calib: d.calib,
		counts: d.counts, catalog: d.catalog, routed: d.routed, configured: d.configured,
		measuring: map[string]bool{}, measuredAt: map[string]time.Time{}, calibrated: map[string]bool{},
		name:     pc.Name,
		queue:    batcher.NewPool(qc),
		maxBytes: max(qc.Form.MaxBytes, 0),
		slots:    max(pc.Slots, 1),
		activate: pc.Activate,
		cost:     cost,
		learned:  costmodel.NewMix(cost.Curve, max(cost.MaxBatch, 1), costmodel.EstimatorOptions{}),
		clock:    d.clock,
		health:   d.health,
		prober:   d.prober,
		web:      d.web,
		creds:    orPlaintext(d.creds),
		log:      d.log.With("pool", pc.Name),
		stats:    newPoolWindow(d.window, d.clock.Now()),
		tracing:  d.tracing,
		workers:  map[string]*worker{},
		waiting:  map[*waiter]struct{}{},
	}
}

// Name returns the pool's name.
func (p *Pool) Name() string { return p.name }

// Ready returns the number of workers that take batches now: those the
// driver reported, less the ejected and the failing their checks.
func (p *Pool) Ready() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ready
}

// Stats returns the pool's queue statistics.
func (p *Pool) Stats() batcher.Stats { return p.queue.Stats() }

// CostModel returns the pool as the cost model sees it, with the capacity
// curve learned from its batches so far: the mean of its models' curves
// weighted by their rows (the configured curve before the first batch).
func (p *Pool) CostModel() costmodel.Pool {
	cm := p.cost
	cm.Curve = p.learned.Curve()
	return cm
}

// ModelCost returns the pool as the cost model sees it for one model: its
// curve is the one learned from that model's batches (the configured curve
// before the first).
func (p *Pool) ModelCost(model string) costmodel.Pool {
	cm := p.cost
	cm.Curve = p.learned.CurveOf(model)
	return cm
}

// Submit queues one request on this pool, bypassing the picker, and waits
// for its answer; see batcher.Pool.Submit for the errors, and besides an
// error wrapping ErrNoCapacity when the pool has no ready worker or loses
// its last one meanwhile. Serve is the router's entry point; Submit serves
// callers that chose the pool themselves; their requests count in no SLO
// of PoolStats.
func (p *Pool) Submit(ctx context.Context, it *batcher.Item) (*oip.InferenceResponse, error) {
	return p.submit(ctx, &waiter{item: it}, 0)
}

// submit queues wt's item, a request of a model whose SLO is slo (0 for
// none), and waits for its answer. Unless wt is held, it fails with an
// error wrapping errEvacuated when the pool has no ready worker, or loses
// its last one while it waits (unless the pool is closing); a held item
// waits for a worker until its deadline.
func (p *Pool) submit(ctx context.Context, wt *waiter, slo time.Duration) (*oip.InferenceResponse, error) {
	it := wt.item
	if !p.enter(wt) {
		return nil, fmt.Errorf("pool %q: %w", p.name, errEvacuated)
	}
	defer p.leave(wt)
	p.stats.arrived(p.clock.Now(), max(it.Rows, 1), slo)
	resp, err := p.queue.Submit(ctx, it)
	if err != nil && errors.Is(err, errEvacuated) {
		return nil, fmt.Errorf("pool %q: %w", p.name, errEvacuated)
	}
	if err == nil && !it.Enqueued.IsZero() {
		now := p.clock.Now()
		p.stats.answered(now, now.Sub(it.Enqueued))
	}
	return resp, err
}

// enter registers a submission; false when the pool retires, or has no
// ready worker and wt is not held.
func (p *Pool) enter(wt *waiter) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.retiring || (p.ready == 0 && !wt.held) {
		return false
	}
	p.waiting[wt] = struct{}{}
	return true
}

func (p *Pool) leave(wt *waiter) {
	p.mu.Lock()
	delete(p.waiting, wt)
	drained := p.retiring && len(p.waiting) == 0
	p.mu.Unlock()
	if drained {
		p.drained()
	}
}

// evacuate sends every submission in progress back to the router, but
// the held ones, which wait for the pool's next worker. An item already
// in flight is routed again too, its answer dropped: this happens only
// when the last worker leaves, which is rarely while it still serves.
// pre: p.mu held.
func (p *Pool) evacuate() {
	n := 0
	for wt := range p.waiting {
		if !wt.held {
			wt.sendBack(p.queue, errEvacuated)
			n++
		}
	}
	if n > 0 {
		p.log.Warn("router: pool lost its last ready worker; routing its queue elsewhere", "requests", n)
	}
}

// SetEndpoints makes eps the pool's set of workers: new ones start
// taking batches, missing ones stop and are closed once their batches in
// flight have finished. An endpoint whose address changed is replaced.
// Health is kept for the workers that stay.
func (p *Pool) SetEndpoints(eps []Endpoint) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	want := make(map[string]Endpoint, len(eps))
	for _, ep := range eps {
		want[ep.ID] = ep
	}
	for id, w := range p.workers {
		if ep, ok := want[id]; !ok || ep != w.endpoint {
			p.removeLocked(w)
		}
	}
	for id, ep := range want {
		if _, ok := p.workers[id]; ok || p.closed {
			continue
		}
		w, err := dialWorker(ep, p)
		if err != nil {
			return fmt.Errorf("pool %q: %w", p.name, err)
		}
		p.workers[id] = w
		p.reconcile(w)
	}
	return nil
}

// removeLocked forgets w. pre: p.mu held.
func (p *Pool) removeLocked(w *worker) {
	w.removed = true
	if w.timer != nil {
		w.timer.Stop()
	}
	p.reconcile(w)
	delete(p.workers, w.endpoint.ID)
	w.retire()
}

// reconcile attaches w to the queue or detaches it, as its health and
// membership say; a worker that attaches is asked for the models routed
// to the pool (discover). pre: p.mu held.
func (p *Pool) reconcile(w *worker) {
	want := !w.removed && !p.closed && w.health.ready()
	if want == w.attached {
		return
	}
	w.attached = want
	if want {
		p.ready++
		p.queue.AddWorker(w.endpoint.ID, w, p.slots)
		w.link.resetBackoff()
		p.discover(w, true)
		return
	}
	p.ready--
	p.queue.RemoveWorker(w.endpoint.ID)
	if p.ready == 0 && !p.closed {
		p.evacuate()
	}
}

// close stops the health checks, the queue, the workers, and the
// discoveries and measurements in progress, which it waits for.
func (p *Pool) close() {
	p.mu.Lock()
	p.closed = true
	if p.check != nil {
		p.check.Stop()
	}
	for _, w := range p.workers {
		p.removeLocked(w)
	}
	p.mu.Unlock()
	p.bgCancel()
	p.queue.Close()
	p.bg.Wait()
}
