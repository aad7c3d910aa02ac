package router

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
)

// reloadConfig is a router config of pools a and b in tier t, serving m.
func reloadConfig() Config {
	pc := func(name string, price float64) PoolConfig {
		curve := costmodel.Curve{Base: 10 * time.Millisecond, PerItem: time.Millisecond}
		return PoolConfig{
			Name:  name,
			Queue: batcher.PoolConfig{Form: batcher.FormConfig{MaxBatch: 8, Batching: true, Curve: curve}},
			Cost:  costmodel.Pool{PricePerHour: price, Curve: curve, MaxBatch: 8},
		}
	}
	return Config{
		Models: []Model{{Name: "m", Tier: "t", SLO: time.Second, Timeout: time.Second, Batching: true}},
		Tiers:  map[string][]string{"t": {"a", "b"}},
		Pools:  []PoolConfig{pc("a", 0.1), pc("b", 1)},
		Clock:  newFakeClock(t0),
	}
}

// TestBuildKeepsAndReplacesPools checks what a reload does to each pool:
// an unchanged pool is kept, a changed one replaced — keeping its
// statistics, and its learned curve unless the configured curve changed —
// and a dropped one retired.
func TestBuildKeepsAndReplacesPools(t *testing.T) {
	type outcome struct {
		Kept, Replaced, Added, Retired []string
		// SharedCurve lists the replaced pools that keep the learned
		// curve.
		SharedCurve []string
	}
	tests := []struct {
		name   string
		change func(*Config)
		want   outcome
	}{
		{"nothing changed", func(*Config) {}, outcome{Kept: []string{"a", "b"}}},
		{"price changed", func(c *Config) { c.Pools[0].Cost.PricePerHour = 0.2 },
			outcome{Kept: []string{"b"}, Replaced: []string{"a"}, Retired: []string{"a"}, SharedCurve: []string{"a"}}},
		{"curve changed", func(c *Config) { c.Pools[1].Cost.Curve.Base = 20 * time.Millisecond },
			outcome{Kept: []string{"a"}, Replaced: []string{"b"}, Retired: []string{"b"}}},
		{"queue changed", func(c *Config) { c.Pools[1].Queue.Form.MaxBatch = 4 },
			outcome{Kept: []string{"a"}, Replaced: []string{"b"}, Retired: []string{"b"}, SharedCurve: []string{"b"}}},
		{"pool added", func(c *Config) {
			c.Pools = append(c.Pools, PoolConfig{Name: "c", Cost: costmodel.Pool{Curve: costmodel.Curve{Base: time.Millisecond}}})
			c.Tiers["u"] = []string{"c"}
		}, outcome{Kept: []string{"a", "b"}, Added: []string{"c"}}},
		{"pool removed", func(c *Config) { c.Pools = c.Pools[:1]; c.Tiers["t"] = []string{"a"} },
			outcome{Kept: []string{"a"}, Retired: []string{"b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(reloadConfig())
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			old := r.tables()
			cfg := reloadConfig()
			tt.change(&cfg)
			next, retired, err := build(cfg, old, r.reload.deps)
			if err != nil {
				t.Fatal(err)
			}
			var got outcome
			for _, name := range next.names {
				p, prev := next.pools[name], old.pools[name]
				switch {
				case prev == nil:
					got.Added = append(got.Added, name)
				case p == prev:
					got.Kept = append(got.Kept, name)
				default:
					got.Replaced = append(got.Replaced, name)
					if p.stats != prev.stats {
						t.Errorf("pool %s: the replacement does not keep the statistics", name)
					}
					if p.learned == prev.learned {
						got.SharedCurve = append(got.SharedCurve, name)
					}
				}
			}
			for _, p := range retired {
				got.Retired = append(got.Retired, p.name)
			}
			slices.Sort(got.Retired)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("reload (-want +got):\n%s", diff)
			}
			closeNew(next, old)
		})
	}
}

// TestBuildFailsWholly checks that a config naming what does not exist
// changes nothing and leaves no pool behind.
func TestBuildFailsWholly(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
	}{
		{"tier names an unknown pool", func(c *Config) { c.Tiers["t"] = []string{"a", "x"} }},
		{"model names an unknown tier", func(c *Config) { c.Models[0].Tier = "x" }},
		{"route names an unknown tier", func(c *Config) { c.Routes = []Route{{Tier: "x"}} }},
		{"fallback names an unknown model", func(c *Config) { c.Models[0].Fallback = "x" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(reloadConfig())
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			before := r.tables()
			cfg := reloadConfig()
			cfg.Pools[0].Cost.PricePerHour = 5 // would replace pool a
			tt.change(&cfg)
			drained, err := r.Reload(cfg)
			if !errors.Is(err, ErrConfig) || drained != nil {
				t.Errorf("Reload = %v, %v; want ErrConfig", drained, err)
			}
			if r.tables() != before {
				t.Error("a failed Reload changed the tables")
			}
		})
	}
}
