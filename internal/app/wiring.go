package app

import (
	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/router"
)

// RouterConfig translates the configuration into the router's terms, as
// serve does before it adds its observers and clients: each pool's queue
// forms batches per model within the smaller of the model's and the
// pool's max batch. pre: cfg is validated.
func RouterConfig(cfg *configs.Config) router.Config {
	return routerConfig(newInForce(cfg))
}

// routerConfig is RouterConfig of what is in force, its pools from the
// fleet.
func routerConfig(in *inForce) router.Config {
	cfg := in.cfg
	rc := routingConfig(cfg)
	rc.Tiers = map[string][]string{}
	for _, t := range cfg.Tiers {
		rc.Tiers[t.Name] = t.Pools
	}
	for _, m := range cfg.Models {
		rc.Models = append(rc.Models, router.Model{
			Name: m.Name, Tier: m.Tier, Timeout: m.Timeout, SLO: m.SLO,
			Batching: m.BatchingEnabled(), MaxBatch: m.MaxBatch,
			Fallback: m.Fallback, Cache: modelCache(m.Cache),
		})
	}
	for _, p := range in.fleet.Pools {
		rc.Pools = append(rc.Pools, router.PoolConfig{Name: p.Name, Queue: queueConfig(cfg, p), Cost: p})
	}
	return rc
}

// queueConfig is the batcher's configuration of pool p: batches within
// the pool's rows and bytes, each model's within its own rows too.
func queueConfig(cfg *configs.Config, p costmodel.Pool) batcher.PoolConfig {
	maxBytes := maxBatchBytes(cfg, p.Name)
	qc := batcher.PoolConfig{
		Name:   p.Name,
		Form:   batcher.FormConfig{MaxBatch: p.MaxBatch, MaxBytes: maxBytes, Batching: true, Curve: p.Curve},
		Models: map[string]batcher.FormConfig{},
		Limits: ClassLimits(cfg.Queue),
	}
	for _, m := range cfg.Models {
		maxBatch := p.MaxBatch
		if m.MaxBatch > 0 {
			maxBatch = min(maxBatch, m.MaxBatch)
		}
		qc.Models[m.Name] = batcher.FormConfig{MaxBatch: maxBatch, MaxBytes: maxBytes, Batching: m.BatchingEnabled(), Curve: p.Curve}
	}
	return qc
}

// maxBatchBytes returns the largest batch in bytes of the named pool.
func maxBatchBytes(cfg *configs.Config, pool string) int64 {
	for _, p := range cfg.Pools {
		if p.Name == pool {
			return p.MaxBatchBytes
		}
	}
	return 0
}

// ClassLimits translates the queue section into the batcher's limits per
// priority class, as every pool's queue has them: an unbounded length
// (configs.Unbounded) is the batcher's 0.
func ClassLimits(q configs.Queue) map[batcher.Priority]batcher.ClassLimits {
	limit := func(c configs.ClassQueue) batcher.ClassLimits {
		return batcher.ClassLimits{MaxLen: max(c.MaxLength, 0), MaxQueueTime: c.MaxQueueTime}
	}
	return map[batcher.Priority]batcher.ClassLimits{
		batcher.Critical: limit(q.Critical),
		batcher.High:     limit(q.High),
		batcher.Normal:   limit(q.Normal),
		batcher.Low:      limit(q.Low),
	}
}

// routerBuilder returns how Start builds the router's configuration from
// what is in force, at start and at every reload: translated
// (routerConfig), each pool started on demand unless in dry run
// (activate), observed by m, then amended by amend unless it is nil.
func routerBuilder(m *serveMetrics, amend func(*router.Config)) func(*inForce) router.Config {
	return func(in *inForce) router.Config {
		rc := routerConfig(in)
		activate(&rc, in.cfg)
		m.instrument(&rc)
		if amend != nil {
			amend(&rc)
		}
		return rc
	}
}
