package local

import (
	"context"
	"time"
)

// run keeps worker w's process running, restarting it with back-off when
// it exits or fails to start, until w is asked to stop; then it stops the
// process and returns. Each start takes the pool's current flags (see
// SetArgs); args are the first start's.
func (s *Supervisor) run(w *worker, args []string) {
	defer s.wg.Done()
	log := s.log.With("worker", w.id)
	failures := 0
	for sleep(w.ctx, s.opts.RestartBackoff.Delay(failures)) {
		args = s.args(w, args)
		p, err := s.launch(w.ctx, w.id, args)
		if err != nil {
			if w.ctx.Err() == nil {
				failures = s.opts.RestartBackoff.Failures(failures, 0, false)
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
		log.Warn("worker exited", "pid", p.pid(), "err", p.err, "failures", failures)
		s.exited(w)
	}
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
		h = h.observe(s.prober.probe(w.ctx, p.addrs.HTTP), s.opts.FailureThreshold)
		served = served || h.ready
		s.setReady(w, h.ready)
		timer.Reset(s.opts.ProbeInterval)
	}
}

// shutdown stops p for good: w leaves routing first; if it was in routing
// and a scale-down stopped it, requests already routed to it get
// Options.DrainDelay to arrive (cut short by Close); then p gets SIGTERM,
// and SIGKILL after Options.StopGrace.
func (s *Supervisor) shutdown(w *worker, p *process) {
	s.notify(w.pool)
	s.mu.Lock()
	drain := w.drain
	s.mu.Unlock()
	if drain {
		sleep(s.ctx, s.opts.DrainDelay)
	}
	p.terminate(s.opts.StopGrace)
	s.log.Info("worker stopped", "worker", w.id, "pid", p.pid(), "err", p.err)
}

// started records p's addresses in w; w joins routing only once a probe
// passes.
func (s *Supervisor) started(w *worker, p *process) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.addrs, w.pid = p.addrs, p.pid()
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
	s.log.Info("worker readiness changed", "worker", w.id, "ready", ready)
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
