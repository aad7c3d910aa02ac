package local

import (
	"context"
	"time"
)

// run keeps worker w's process running, restarting it with back-off when
// it exits or fails to start, until w is asked to stop; then it stops the
// process and returns. Each start takes the pool's current spec (see
// SetArgs and SetCommand); spec is the first start's.
func (s *Supervisor) run(w *worker, spec PoolSpec) {
	defer s.wg.Done()
	log := s.log.With("pool", w.pool, "worker", w.id)
	failures := 0
	for sleep(w.ctx, s.opts.RestartBackoff.Delay(failures)) {
		spec = s.spec(w, spec)
		p, err := s.start(w, spec)
		if err != nil {
			if w.ctx.Err() == nil {
				failures = s.opts.RestartBackoff.Failures(failures, 0, false)
				s.restarted(w)
				log.Warn("worker failed to start", "err", err, "failures", failures)
			}
			continue
		}
		s.started(w, p)
		log.Info("worker started", "pid", p.pid(), "http", p.addrs.HTTP, "grpc", p.addrs.GRPC)
		stopping, served := s.watch(w, p)
		if stopping {
			s.shutdown(w, p)
			return
		}
		failures = s.opts.RestartBackoff.Failures(failures, time.Since(p.started), served)
		s.restarted(w)
		log.Warn("worker exited", "pid", p.pid(), "err", p.err, "failures", failures)
		s.exited(w)
	}
}

// start starts worker w of a pool of spec.
func (s *Supervisor) start(w *worker, spec PoolSpec) (*process, error) {
	r, err := s.recipe(w, spec)
	if err != nil {
		return nil, err
	}
	return s.launch(w.ctx, w.id, w.pool, r)
}

// watch probes p's readiness every Options.ProbeInterval, first at once,
// and moves w in and out of routing. It returns stopping true when w is
// asked to stop and false when the process exits, and served true if p
// was ready at some probe.
func (s *Supervisor) watch(w *worker, p *process) (stopping, served bool) {
	var h health
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-w.ctx.Done():
			return true, served
		case <-p.done:
			return false, served
		case <-timer.C:
		}
		h = h.observe(s.prober.probe(w.ctx, p.addrs, p.recipe.readyPath), s.opts.FailureThreshold)
		served = served || h.ready
		s.setReady(w, h.ready)
		timer.Reset(s.opts.ProbeInterval)
	}
}

// shutdown stops p for good: w leaves routing first; if it was in routing
// and a scale-down stopped it, requests already routed to it get
// Options.DrainDelay to arrive (cut short by Close); then p gets its stop
// signal, and SIGKILL after its grace (Command.StopTimeout, else
// Options.StopGrace).
func (s *Supervisor) shutdown(w *worker, p *process) {
	s.notify(w.pool)
	s.mu.Lock()
	drain := w.drain
	s.mu.Unlock()
	if drain {
		sleep(s.ctx, s.opts.DrainDelay)
	}
	p.terminate(p.recipe.grace)
	s.log.Info("worker stopped", "pool", w.pool, "worker", w.id, "pid", p.pid(), "err", p.err)
}

// started records p's addresses in w; w joins routing only once a probe
// passes.
func (s *Supervisor) started(w *worker, p *process) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.addrs, w.protocol, w.pid = p.addrs, p.recipe.protocol, p.pid()
}

// restarted counts a process of w's pool that exited or failed to start
// without being asked to stop.
func (s *Supervisor) restarted(w *worker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pools[w.pool]; ok {
		p.restarts++
	}
}

// exited takes w, whose process has exited, out of routing.
func (s *Supervisor) exited(w *worker) {
	s.mu.Lock()
	w.addrs, w.pid, w.ready = addrs{}, 0, false
	s.mu.Unlock()
	s.notify(w.pool)
}

// setReady records w's readiness and tells OnChange if it changed.
func (s *Supervisor) setReady(w *worker, ready bool) {
	s.mu.Lock()
	changed := w.ready != ready
	w.ready = ready
	s.mu.Unlock()
	if !changed {
		return
	}
	s.log.Info("worker readiness changed", "pool", w.pool, "worker", w.id, "ready", ready)
	s.notify(w.pool)
}

// sleep waits d and reports true, or reports false at once if ctx is done
// first.
func sleep(ctx context.Context, d time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
