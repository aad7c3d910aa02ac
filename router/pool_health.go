package router

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
)

// done records the outcome of one batch of model of size on w: every
// batch counts as an execution of the model (ModelStats) and every good
// one in the pool's latency; a good batch teaches the model's latency and
// clears w's failures; a failed one, or a good one far slower than w's
// peers (see slowness), may eject w, and such a slow one teaches nothing,
// since it tells of w and not of the pool. Errors that are not the
// worker's fault (bad input, deadlines) count neither way.
func (p *Pool) done(w *worker, model string, size costmodel.Size, latency time.Duration, err error) {
	now := p.clock.Now()
	rows := size.Rows
	if p.counts != nil {
		p.counts.executed(model, int64(rows), latency)
	}
	good := err == nil
	if good {
		p.stats.batch(now, latency)
	}
	err = p.slowness(w, rows, latency, err)
	if good && err == nil {
		p.learned.Observe(model, size, latency)
	}
	if err != nil && !errors.Is(err, ErrBackend) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil {
		w.health = w.health.succeeded()
		p.recordWarmup(w, rows, latency)
		return
	}
	was := w.health.ejected()
	w.health = w.health.failed(now, errors.Is(err, errUnreachable), p.health)
	if !was && w.health.ejected() {
		p.log.Warn("router: worker ejected", "worker", w.endpoint.ID, "for", w.health.until.Sub(now), "error", err)
		p.reconcile(w)
		p.scheduleProbe(w, now)
	}
}

// scheduleProbe arms the probe that ends w's ejection. pre: p.mu held.
func (p *Pool) scheduleProbe(w *worker, now time.Time) {
	if w.timer != nil {
		w.timer.Stop()
	}
	w.timer = p.clock.AfterFunc(w.health.until.Sub(now), func() { p.reprobe(w) })
}

// reprobe probes an ejected worker whose ejection has passed: it returns
// if ready, and is ejected again, for longer, if not.
func (p *Pool) reprobe(w *worker) {
	err := p.probe(w)
	now := p.clock.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if w.removed || p.closed {
		return
	}
	w.health = w.health.probed(now, err == nil, p.health)
	p.reconcile(w)
	if w.health.ejected() {
		p.log.Info("router: ejected worker still not ready", "worker", w.endpoint.ID, "for", w.health.until.Sub(now), "error", err)
		p.scheduleProbe(w, now)
		return
	}
	p.log.Info("router: worker returned", "worker", w.endpoint.ID)
}

// startChecks arms the first round of active checks, if they are on.
func (p *Pool) startChecks() {
	if p.health.Interval <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.check = p.clock.AfterFunc(p.health.Interval, p.checkRound)
}

// checkRound probes every worker that is not ejected, at once, applies
// the verdicts and arms the next round.
func (p *Pool) checkRound() {
	ws := p.checkable()
	errs := make([]error, len(ws))
	var wg sync.WaitGroup
	for i, w := range ws {
		wg.Go(func() { errs[i] = p.probe(w) })
	}
	wg.Wait()
	now := p.clock.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if starved(errs) {
		// Every check timing out at once says more about this process
		// (starved of CPU) than about the workers; ejecting them all would
		// turn a slow gateway into a dead one. A worker that is really
		// gone refuses the connection and still fails at once.
		p.log.Warn("router: every health check of the round timed out; verdicts ignored", "pool", p.name, "workers", len(ws))
	} else {
		for i, w := range ws {
			if w.removed || w.health.ejected() {
				continue
			}
			p.applyCheck(w, errs[i], now)
		}
	}
	if !p.closed {
		p.check = p.clock.AfterFunc(p.health.Interval, p.checkRound)
	}
}

// starved reports whether a round had checks and every one of them timed
// out.
func starved(errs []error) bool {
	for _, err := range errs {
		if !errors.Is(err, context.DeadlineExceeded) {
			return false
		}
	}
	return len(errs) > 0
}

// applyCheck records an active check's verdict on w. pre: p.mu held.
func (p *Pool) applyCheck(w *worker, err error, now time.Time) {
	was := w.health.down
	w.health = w.health.probed(now, err == nil, p.health)
	switch {
	case !was && w.health.down:
		p.log.Warn("router: worker failed its health check", "worker", w.endpoint.ID, "error", err)
	case was && !w.health.down:
		p.log.Info("router: worker passed its health check", "worker", w.endpoint.ID)
	}
	p.reconcile(w)
}

// checkable returns the workers an active round probes.
func (p *Pool) checkable() []*worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	ws := make([]*worker, 0, len(p.workers))
	for _, w := range p.workers {
		if !w.health.ejected() {
			ws = append(ws, w)
		}
	}
	return ws
}

// probe asks whether w is ready: through the configured Prober, else its
// HTTP ready endpoint, else gRPC ServerReady; bounded by the check
// timeout.
func (p *Pool) probe(w *worker) error {
	ctx, cancel := context.WithTimeout(context.Background(), p.health.Timeout)
	defer cancel()
	switch {
	case p.prober != nil:
		return p.prober.Probe(ctx, w.endpoint)
	case w.endpoint.HTTP != "":
		return w.web.Probe(ctx, w.endpoint)
	}
	return w.link.ready(ctx)
}
