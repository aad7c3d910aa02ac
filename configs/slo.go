package configs

import "time"

// PoolSLOs returns each pool's SLO: the smallest SLO among the models
// whose own tier lists the pool, or DefaultSLO for a pool in no such
// tier. The map is the caller's.
func (c *Config) PoolSLOs() map[string]time.Duration {
	tierPools := map[string][]string{}
	for _, t := range c.Tiers {
		tierPools[t.Name] = t.Pools
	}
	slos := map[string]time.Duration{}
	for _, m := range c.Models {
		for _, pool := range tierPools[m.Tier] {
			if s, ok := slos[pool]; !ok || m.SLO < s {
				slos[pool] = m.SLO
			}
		}
	}
	for _, p := range c.Pools {
		if _, ok := slos[p.Name]; !ok {
			slos[p.Name] = DefaultSLO
		}
	}
	return slos
}
