package router

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sluice-gateway/sluice/oip"
)

// modelInfo is what one worker said of one model.
type modelInfo struct {
	// meta is the model's metadata; nil when the worker does not serve it.
	meta *oip.ModelMetadata
	// missing is the worker's answer when it does not serve the model;
	// empty when it does.
	missing string
}

// discover asks w, in the background, for the metadata of every model the
// tables route to its pool that it has not answered for yet: a model it
// does not serve keeps the pool from serving it while every other worker
// agrees; a model it serves is calibrated on a pool that has no curve.
// pre: p.mu held, p not closed.
func (p *Pool) discover(w *worker) {
	if p.catalog == nil {
		return // a pool outside a router's tables routes nothing
	}
	p.bg.Add(1)
	go func() {
		defer p.bg.Done()
		for _, m := range p.catalog(p.name) {
			if p.known(w, m.Name) || p.bgCtx.Err() != nil {
				continue
			}
			info, ok := p.ask(w, m.Name)
			if !ok {
				continue
			}
			p.mu.Lock()
			if w.models == nil {
				w.models = map[string]modelInfo{}
			}
			w.models[m.Name] = info
			p.mu.Unlock()
			if info.meta != nil {
				p.calibrate(w, m, info.meta)
			}
		}
	}()
}

// known reports whether w has answered for model.
func (p *Pool) known(w *worker, model string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := w.models[model]
	return ok
}

// ask asks w for model's metadata within the health check timeout. ok is
// false when w gave no answer either way (unreachable, timed out, broken):
// the model is then assumed served, as the batches will tell.
func (p *Pool) ask(w *worker, model string) (info modelInfo, ok bool) {
	ctx, cancel := context.WithTimeout(p.bgCtx, p.health.Timeout)
	defer cancel()
	md, err := w.metadata(ctx, model)
	switch {
	case errors.Is(err, ErrUnknownModel):
		p.log.Warn("router: worker does not serve a model routed to its pool", "worker", w.endpoint.ID, "model", model, "error", err)
		return modelInfo{missing: err.Error()}, true
	case err != nil:
		p.log.Debug("router: worker did not describe a model", "worker", w.endpoint.ID, "model", model, "error", err)
		return modelInfo{}, false
	}
	return modelInfo{meta: md}, true
}

// discoverAll asks every worker of the pool for the models the tables now
// route to it that it has not answered for (after a reload).
func (p *Pool) discoverAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	for _, w := range p.workers {
		p.discover(w)
	}
}

// missing returns why the pool does not serve model: every attached worker
// that answered said it does not serve it, and at least one answered. It
// returns "" when the pool serves the model or may.
func (p *Pool) missing(model string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var answers []string
	for _, w := range p.workers {
		if !w.attached {
			continue
		}
		info, ok := w.models[model]
		if !ok || info.missing == "" {
			return ""
		}
		answers = append(answers, fmt.Sprintf("worker %q: %s", w.endpoint.ID, info.missing))
	}
	if len(answers) == 0 {
		return ""
	}
	sort.Strings(answers)
	return fmt.Sprintf("its workers do not serve model %q (%s)", model, strings.Join(answers, "; "))
}

// metadataOf returns the metadata an attached worker gave of model, nil
// when none has.
func (p *Pool) metadataOf(model string) *oip.ModelMetadata {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.workers {
		if info := w.models[model]; w.attached && info.meta != nil {
			return info.meta
		}
	}
	return nil
}

// Metadata returns the metadata a worker of the pool gave of model when
// it joined, or asks one now; it fails wrapping ErrNoCapacity when the
// pool has no ready worker, or with the worker's error.
func (p *Pool) Metadata(ctx context.Context, model string) (*oip.ModelMetadata, error) {
	if md := p.metadataOf(model); md != nil {
		out := *md
		return &out, nil
	}
	w := p.anyWorker()
	if w == nil {
		return nil, fmt.Errorf("%w for model %q: pool %q has no ready worker", ErrNoCapacity, model, p.name)
	}
	return w.metadata(ctx, model)
}

// ServesFilter drops pools whose workers said they do not serve the
// request's model (PoolView.Missing).
type ServesFilter struct{}

var _ Filter = ServesFilter{}

// Reject implements Filter.
func (ServesFilter) Reject(_ Facts, c Candidate, _ time.Time) string { return c.Missing }
