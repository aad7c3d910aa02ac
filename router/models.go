package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// catalog holds what the workers said of each model: its metadata, and
// whether they serve it at all. It learns both when a worker attaches,
// so that metadata answers as soon as readiness does, and a model the
// workers do not serve turns not ready instead of failing every batch.
// Safe for concurrent use.
type catalog struct {
	log *slog.Logger

	mu       sync.Mutex
	meta     map[string]*oip.ModelMetadata
	unserved map[string]string // model → why it is not served
	// attached is closed, and replaced, whenever a worker attaches.
	attached chan struct{}
}

func newCatalog(log *slog.Logger) *catalog {
	return &catalog{log: log, meta: map[string]*oip.ModelMetadata{}, unserved: map[string]string{}, attached: make(chan struct{})}
}

// check returns an error wrapping ErrModelUnavailable, with the reason,
// for a model the workers said they do not serve; nil otherwise.
func (c *catalog) check(model string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if why, ok := c.unserved[model]; ok {
		return fmt.Errorf("%w: %s", ErrModelUnavailable, why)
	}
	return nil
}

// Unavailable returns why the workers do not serve the model, and true,
// once a worker said so; a worker that serves it clears this.
func (r *Router) Unavailable(model string) (reason string, ok bool) {
	r.catalog.mu.Lock()
	defer r.catalog.mu.Unlock()
	reason, ok = r.catalog.unserved[model]
	return reason, ok
}

// learned records a worker's metadata answer for model: the metadata,
// or that it does not serve the model (logged once per change).
func (c *catalog) learned(model, worker string, md *oip.ModelMetadata, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case err == nil:
		c.meta[model] = md
		if _, was := c.unserved[model]; was {
			delete(c.unserved, model)
			c.log.Info("router: a worker serves the model again", "model", model, "worker", worker)
		}
	case errors.Is(err, ErrUnknownModel):
		if _, was := c.unserved[model]; !was {
			c.unserved[model] = fmt.Sprintf("model %q is not served by its workers: worker %q does not know it", model, worker)
			c.log.Warn("router: the workers do not serve a configured model; it is not ready", "model", model, "worker", worker, "error", err)
		}
	}
}

// cached returns the last metadata a worker gave for model.
func (c *catalog) cached(model string) (*oip.ModelMetadata, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	md, ok := c.meta[model]
	return md, ok
}

// wake tells the metadata calls waiting for a worker that one attached.
func (c *catalog) wake() {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.attached)
	c.attached = make(chan struct{})
}

// waitAttach returns a channel closed when the next worker attaches.
func (c *catalog) waitAttach() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attached
}

// learn asks a worker that just attached to p for the metadata of every
// model whose tier has p, within the health check timeout, and records
// the answers.
func (r *Router) learn(p *Pool, w *worker) {
	defer r.catalog.wake()
	t := r.tables()
	for name, m := range t.models {
		if !tierHas(t.tiers[m.Tier], p) {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), p.health.Timeout)
		md, err := w.metadata(ctx, name)
		cancel()
		r.catalog.learned(name, w.endpoint.ID, md, err)
	}
}

func tierHas(tier []*Pool, p *Pool) bool {
	for _, q := range tier {
		if q == p {
			return true
		}
	}
	return false
}

// Metadata returns the model's metadata: a ready worker's answer, else
// the last answer a worker gave; with neither, it waits for a worker of
// the model's tier to attach, until ctx ends. It returns ErrUnknownModel,
// ErrModelUnavailable for a model the workers do not serve, or ctx's
// error wrapped with ErrNoCapacity.
func (r *Router) Metadata(ctx context.Context, model string) (*oip.ModelMetadata, error) {
	if _, ok := r.tables().models[model]; !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownModel, model)
	}
	for {
		if err := r.catalog.check(model); err != nil {
			return nil, err
		}
		woken := r.catalog.waitAttach()
		if md, ok, err := r.askWorker(ctx, model); ok || err != nil {
			return md, err
		}
		if md, ok := r.catalog.cached(model); ok {
			return md, nil
		}
		select {
		case <-woken:
		case <-ctx.Done():
			return nil, fmt.Errorf("%w for model %q: no worker attached before the call ended: %w", ErrNoCapacity, model, ctx.Err())
		}
	}
}

// askWorker asks a ready worker of the model's tier for its metadata; ok
// is false when none is ready.
func (r *Router) askWorker(ctx context.Context, model string) (_ *oip.ModelMetadata, ok bool, _ error) {
	p, err := r.Pick(model)
	if err != nil {
		return nil, false, nil
	}
	w := p.anyWorker()
	if w == nil {
		return nil, false, nil
	}
	md, err := w.metadata(ctx, model)
	r.catalog.learned(model, w.endpoint.ID, md, err)
	if err != nil {
		if md, ok := r.catalog.cached(model); ok && !errors.Is(err, ErrUnknownModel) {
			return md, true, nil
		}
		return nil, true, err
	}
	return md, true, nil
}

// MaxBatch returns the most rows one batch of the model holds: 0 when
// the model does not batch; else its own MaxBatch, capped by that of its
// tier's first pool (the pool's alone when the model sets none). It
// returns 0 for an unknown model.
func (r *Router) MaxBatch(model string) int {
	t := r.tables()
	m, ok := t.models[model]
	if !ok || !m.Batching {
		return 0
	}
	limit := m.MaxBatch
	if tier := t.tiers[m.Tier]; len(tier) > 0 {
		if pb := tier[0].cost.MaxBatch; pb > 0 && (limit <= 0 || pb < limit) {
			limit = pb
		}
	}
	return max(limit, 0)
}

// WorkerConfig asks a ready worker of the model's tier for its own
// configuration of the model (Triton's model configuration extension);
// nil, without error, when no worker is ready or the worker serves no
// configuration.
func (r *Router) WorkerConfig(ctx context.Context, model string) (*inferencepb.ModelConfig, error) {
	p, err := r.Pick(model)
	if err != nil {
		return nil, nil
	}
	w := p.anyWorker()
	if w == nil {
		return nil, nil
	}
	resp, err := w.client.ModelConfig(ctx, &inferencepb.ModelConfigRequest{Name: model})
	if status.Code(err) == codes.Unimplemented {
		return nil, nil
	}
	if err != nil {
		return nil, w.classify(err)
	}
	return resp.GetConfig(), nil
}
