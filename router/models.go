package router

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// serving returns the first pool of tier with a ready worker that serves
// model (or may: its attached workers have not all said they do not),
// else the first that starts workers on demand and has no attached
// worker saying it does not. With neither, missing names each pool whose
// attached workers all said they do not serve model, and their answers;
// it is empty when no pool has a ready worker.
func serving(tier []*Pool, model string) (p *Pool, missing []string) {
	for _, p := range tier {
		if p.Ready() == 0 {
			continue
		}
		if why := p.missing(model); why != "" {
			missing = append(missing, fmt.Sprintf("pool %q: %s", p.name, why))
			continue
		}
		return p, nil
	}
	for _, p := range tier {
		if p.activate && p.missing(model) == "" {
			return p, nil
		}
	}
	return nil, missing
}

// unserved returns err, the picker's refusal of a request of model,
// wrapped with ErrModelUnavailable when that is because no pool of tier
// serves the model (see Pick).
func unserved(tier []*Pool, model string, err error) error {
	if p, missing := serving(tier, model); p == nil && len(missing) > 0 {
		return fmt.Errorf("%w: %w", ErrModelUnavailable, err)
	}
	return err
}

// Metadata returns the model's metadata, the last a worker of its tier
// gave (the pool Pick returns first); before any did, it asks a ready
// worker, or waits for one to attach and answer, until ctx ends. It
// returns ErrUnknownModel, ErrModelUnavailable as Pick does, the
// worker's error, or ctx's error wrapped with ErrNoCapacity. The result
// is the caller's; its slices must not be modified.
func (r *Router) Metadata(ctx context.Context, model string) (*oip.ModelMetadata, error) {
	for {
		changed := r.catalog.changes()
		md, err := r.metadataNow(ctx, model)
		if md != nil || err != nil {
			return md, err
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("%w for model %q: no worker described it before the call ended: %w", ErrNoCapacity, model, ctx.Err())
		}
	}
}

// metadataNow returns the model's metadata from the catalog, else from a
// ready worker; nil and no error when it has to wait for a worker.
func (r *Router) metadataNow(ctx context.Context, model string) (*oip.ModelMetadata, error) {
	p, err := r.Pick(model)
	if errors.Is(err, ErrUnknownModel) || errors.Is(err, ErrModelUnavailable) {
		return nil, err
	}
	m, _ := r.Model(model)
	pools := r.tables().tiers[m.Tier]
	if p != nil {
		pools = append([]*Pool{p}, pools...)
	}
	if md, ok := r.catalog.metadata(model, pools...); ok {
		out := *md
		return &out, nil
	}
	if p == nil {
		return nil, nil
	}
	w := p.serving(model)
	if w == nil {
		return nil, nil
	}
	md, err := p.describe(ctx, w, model)
	if errors.Is(err, ErrUnknownModel) {
		return nil, nil // recorded: look again, as Pick now sees it
	}
	return md, err
}

// MaxBatch returns the most rows one batch of the model holds: 0 when
// the model does not batch or is unknown; else as on its tier's first
// pool (Pool.largestBatch: the model's own MaxBatch, capped by the
// pool's).
func (r *Router) MaxBatch(model string) int {
	t := r.tables()
	m, ok := t.models[model]
	if !ok || !m.Batching {
		return 0
	}
	return t.tiers[m.Tier][0].largestBatch(m) // a model's tier has a pool: New and Reload check
}

// WorkerConfig asks a ready worker of the model's tier for its own
// configuration of the model (Triton's model configuration extension),
// over gRPC or HTTP; nil, without error, when no worker is ready or the
// worker serves no configuration.
func (r *Router) WorkerConfig(ctx context.Context, model string) (*inferencepb.ModelConfig, error) {
	p, err := r.Pick(model)
	if err != nil {
		return nil, nil
	}
	w := p.serving(model)
	if w == nil {
		return nil, nil
	}
	return w.link.config(ctx, model)
}
