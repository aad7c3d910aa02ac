package router

import "context"

// survey asks w's repository index, within the health check timeout
// when one is set, for the models it has ready, and logs and keeps on w
// those that no config names: a worker may serve more than Sluice routes
// to it, which is worth knowing and harms nothing. A worker without the
// index, or that does not answer, leaves nothing on w.
func (p *Pool) survey(ctx context.Context, w *worker) {
	if p.configured == nil {
		return
	}
	if p.health.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.health.Timeout)
		defer cancel()
	}
	names, err := w.link.index(ctx)
	if err != nil {
		p.log.Debug("router: worker did not list its repository index", "worker", w.endpoint.ID, "error", err)
		return
	}
	var extra []string
	for _, name := range names {
		if !p.configured(name) {
			extra = append(extra, name)
		}
	}
	p.mu.Lock()
	w.unconfigured = extra
	p.mu.Unlock()
	if len(extra) > 0 {
		p.log.Info("router: a worker serves models no config names", "worker", w.endpoint.ID, "models", extra)
	}
}

// Unconfigured returns, sorted and each once, the models that the
// repository index of an attached worker of the pool has ready and that
// the config did not name when the worker attached: informational, since
// nothing routes to them. Workers without an index add none.
func (p *Pool) Unconfigured() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, w := range p.workers {
		if w.attached {
			out = append(out, w.unconfigured...)
		}
	}
	return sortedNames(out)
}
