package configs

import "github.com/sluice-gateway/sluice/costmodel"

// Fleet returns the pools as the cost model sees them (see
// Pool.CostModel), in the configuration's order, with their replica
// bounds: the one description of the pools the rest of Sluice is handed.
// pre: c has its defaults.
func (c *Config) Fleet() costmodel.Fleet {
	f := costmodel.Fleet{Pools: make([]costmodel.Pool, len(c.Pools)), Bounds: make(map[string]costmodel.Bounds, len(c.Pools))}
	for i, p := range c.Pools {
		f.Pools[i] = p.CostModel()
		f.Bounds[p.Name] = costmodel.Bounds{Min: p.Replicas.Min, Initial: p.Replicas.Initial, Max: p.Replicas.Max, Warm: p.Replicas.Warm}
	}
	return f
}
