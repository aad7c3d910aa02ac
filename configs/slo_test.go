package configs

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPoolSLOs(t *testing.T) {
	cfg := &Config{
		Models: []Model{
			{Name: "light", Tier: "any", SLO: 500 * time.Millisecond},
			{Name: "heavy", Tier: "gpu", SLO: time.Second},
			{Name: "strict", Tier: "any", SLO: 300 * time.Millisecond},
		},
		Tiers: []Tier{
			{Name: "any", Pools: []string{"cpu", "gpu-spot"}},
			{Name: "gpu", Pools: []string{"gpu-spot", "gpu-ondemand"}},
		},
		Pools: []Pool{{Name: "cpu"}, {Name: "gpu-spot"}, {Name: "gpu-ondemand"}, {Name: "idle"}},
	}
	want := map[string]time.Duration{
		"cpu":          300 * time.Millisecond, // the smallest of its tier's models
		"gpu-spot":     300 * time.Millisecond, // the smallest across both tiers
		"gpu-ondemand": time.Second,
		"idle":         DefaultSLO, // in no tier
	}
	if diff := cmp.Diff(want, cfg.PoolSLOs()); diff != "" {
		t.Errorf("PoolSLOs (-want +got):\n%s", diff)
	}
}
