package configs

import "testing"

// tiersBad lists the tiers' bad files and their problems, in order.
var tiersBad = []badCase{
	{"missing-pool", []string{`missing-pool.bad.yaml:6: tiers[0].pools[1]: pool "gpu-x" is not defined`}},
	{"pool-twice", []string{`pool-twice.bad.yaml:2: tiers[0].pools[2]: "a" duplicates tiers[0].pools[0]`}},
	{"empty-tier", []string{"empty-tier.bad.yaml:4: tiers[0].pools: at least one pool is required"}},
}

func TestTiersBad(t *testing.T) { loadBad(t, tiersBad) }
