package main

import (
	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/router"
)

// routerConfig translates the configuration into the router's terms: each
// pool's queue forms batches per model within the smaller of the model's
// and the pool's max batch.
func routerConfig(cfg *configs.Config) router.Config {
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
	for _, p := range cfg.Pools {
		rc.Pools = append(rc.Pools, router.PoolConfig{Name: p.Name, Queue: queueConfig(cfg, p), Cost: p.CostModel()})
	}
	return rc
}

func queueConfig(cfg *configs.Config, p configs.Pool) batcher.PoolConfig {
	qc := batcher.PoolConfig{
		Name:   p.Name,
		Form:   batcher.FormConfig{MaxBatch: p.MaxBatch, Batching: true, Curve: p.Curve},
		Models: map[string]batcher.FormConfig{},
		Limits: classLimits(cfg.Queue),
	}
	for _, m := range cfg.Models {
		maxBatch := p.MaxBatch
		if m.MaxBatch > 0 {
			maxBatch = min(maxBatch, m.MaxBatch)
		}
		qc.Models[m.Name] = batcher.FormConfig{MaxBatch: maxBatch, Batching: m.BatchingEnabled(), Curve: p.Curve}
	}
	return qc
}

func classLimits(q configs.Queue) map[batcher.Priority]batcher.ClassLimits {
	limit := func(c configs.ClassQueue) batcher.ClassLimits {
		return batcher.ClassLimits{MaxLen: c.MaxLength, MaxQueueTime: c.MaxQueueTime}
	}
	return map[batcher.Priority]batcher.ClassLimits{
		batcher.Critical: limit(q.Critical),
		batcher.High:     limit(q.High),
		batcher.Normal:   limit(q.Normal),
		batcher.Low:      limit(q.Low),
	}
}
