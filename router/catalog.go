package router

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/sluice-gateway/sluice/oip"
)

// catalog keeps the metadata the workers of each pool last gave of each
// model, and wakes the Metadata calls waiting for a worker to answer. It
// is keyed by pool name, so that what a pool learned outlives its
// workers and passes to the pool that replaces it on Reload. Whether a
// worker serves a model is the worker's own (worker.models): it holds
// only while the worker is attached. Safe for concurrent use.
type catalog struct {
	mu   sync.Mutex
	meta map[poolModel]*oip.ModelMetadata
	// changed is closed, and replaced, whenever a worker answers.
	changed chan struct{}
}

type poolModel struct{ pool, model string }

func newCatalog() *catalog {
	return &catalog{meta: map[poolModel]*oip.ModelMetadata{}, changed: make(chan struct{})}
}

// learned records that a worker of pool answered for model, with md, the
// model's metadata (nil when it gave none), and wakes the Metadata calls
// waiting for an answer.
func (c *catalog) learned(pool, model string, md *oip.ModelMetadata) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if md != nil {
		c.meta[poolModel{pool, model}] = md
	}
	close(c.changed)
	c.changed = make(chan struct{})
}

// changes returns a channel closed when a worker next answers.
func (c *catalog) changes() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}

// metadata returns the metadata of model that the workers of the first
// of pools that has any gave last. The result must not be modified.
func (c *catalog) metadata(model string, pools ...*Pool) (*oip.ModelMetadata, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range pools {
		if md, ok := c.meta[poolModel{p.name, model}]; ok {
			return md, true
		}
	}
	return nil, false
}

// discover asks w, in the background, for the metadata of the models the
// tables route to its pool: all of them, or, unless all, only those w
// has not answered for (after a Reload). With all (w has just attached)
// it first surveys w's repository index. Once every model is described,
// each that w serves is calibrated on a pool that has no curve, so that
// the calibrations do not hold back what w says of the other models.
// pre: p.mu held, p not closed.
func (p *Pool) discover(w *worker, all bool) {
	if p.routed == nil {
		return // a pool outside a router's tables routes nothing
	}
	p.bg.Add(1)
	go func() {
		defer p.bg.Done()
		type served struct {
			m  Model
			md *oip.ModelMetadata
		}
		var calibrate []served
		if all {
			p.survey(p.bgCtx, w)
		}
		for _, m := range p.routed(p.name) {
			if p.bgCtx.Err() != nil {
				return
			}
			if !all && p.known(w, m.Name) {
				continue
			}
			if md, err := p.describe(p.bgCtx, w, m.Name); err == nil {
				calibrate = append(calibrate, served{m, md})
			}
		}
		for _, s := range calibrate {
			p.calibrate(w, s.m, s.md)
		}
	}()
}

// discoverAll asks every attached worker of the pool for the models the
// tables now route to it that it has not answered for (after a Reload).
func (p *Pool) discoverAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	for _, w := range p.workers {
		if w.attached {
			p.discover(w, false)
		}
	}
}

// known reports whether w has answered for model.
func (p *Pool) known(w *worker, model string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := w.models[model]
	return ok
}

// describe asks w for model's metadata, within the health check timeout
// when one is set, and records its answer: the metadata in the catalog,
// and on w whether it serves the model. An answer neither way
// (unreachable, timed out, broken) records nothing on w: the model is
// then assumed served, as the batches will tell.
func (p *Pool) describe(ctx context.Context, w *worker, model string) (*oip.ModelMetadata, error) {
	if p.health.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.health.Timeout)
		defer cancel()
	}
	md, err := w.link.metadata(ctx, model)
	switch {
	case err == nil:
		p.record(w, model, "")
	case errors.Is(err, ErrUnknownModel):
		p.record(w, model, err.Error())
	default:
		p.log.Debug("router: worker did not describe a model", "worker", w.endpoint.ID, "model", model, "error", err)
	}
	if p.catalog != nil {
		p.catalog.learned(p.name, model, md)
	}
	return md, err
}

// record keeps what w said of model: "" it serves it, else why not. It
// logs when that turns the pool to not serving the model, or back.
func (p *Pool) record(w *worker, model, missing string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	before := p.missingLocked(model)
	if w.models == nil {
		w.models = map[string]string{}
	}
	w.models[model] = missing
	switch after := p.missingLocked(model); {
	case before == "" && after != "":
		p.log.Warn("router: the pool's workers do not serve a model routed to it", "model", model, "reason", after)
	case before != "" && after == "":
		p.log.Info("router: a worker of the pool serves the model again", "model", model, "worker", w.endpoint.ID)
	}
}

// missing returns why the pool does not serve model: every attached
// worker said it does not serve it, and one at least is attached. It
// returns "" when the pool serves the model or may: an attached worker
// has not said it does not.
func (p *Pool) missing(model string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.missingLocked(model)
}

// missingLocked is missing. pre: p.mu held.
func (p *Pool) missingLocked(model string) string {
	var answers []string
	for _, w := range p.workers {
		if !w.attached {
			continue
		}
		why := w.models[model]
		if why == "" {
			return ""
		}
		answers = append(answers, fmt.Sprintf("worker %q: %s", w.endpoint.ID, why))
	}
	if len(answers) == 0 {
		return ""
	}
	sort.Strings(answers)
	return fmt.Sprintf("its workers do not serve model %q (%s)", model, strings.Join(answers, "; "))
}

// serving returns an attached worker that has not said it does not
// serve model, or nil.
func (p *Pool) serving(model string) *worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.workers {
		if w.attached && w.models[model] == "" {
			return w
		}
	}
	return nil
}
