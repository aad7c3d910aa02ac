package configs

import (
	"fmt"
	"math"
)

// AnonymousTenant is the tenant of every call when auth.mode is none.
const AnonymousTenant = "anonymous"

// Defaults of a tenant.
const (
	// DefaultSoftRatio is the share of a budget past which a tenant's
	// calls are routed to the cheapest pool that can meet their model's
	// SLO.
	DefaultSoftRatio = 0.8
	// DefaultFallbackRatio is the share of a budget past which a
	// tenant's calls go to their model's fallback.
	DefaultFallbackRatio = 0.9
	// DefaultTenantWeight is a tenant's share of a pool's queue within
	// its priority class, relative to the other tenants'.
	DefaultTenantWeight = 1.0
)

// Tenant is what the configuration says of one tenant beyond its keys:
// its budgets, where its calls are downgraded, and its weight in fair
// queueing.
type Tenant struct {
	// Name is the tenant, as auth.keys name it (or AnonymousTenant, the
	// tenant of every call with auth mode none); unique.
	Name string `yaml:"name"`
	// Budget caps what the tenant's calls may cost; the zero value caps
	// nothing.
	Budget TenantBudget `yaml:"budget"`
	// SoftRatio is the share of a budget past which the tenant's calls
	// go to the cheapest pool that can meet their model's SLO; in (0, 1],
	// default 0.8 (DefaultSoftRatio).
	SoftRatio float64 `yaml:"soft_ratio"`
	// FallbackRatio is the share of a budget past which the tenant's
	// calls go to their model's fallback, when it has one; in
	// [SoftRatio, 1], default 0.9 (DefaultFallbackRatio).
	FallbackRatio float64 `yaml:"fallback_ratio"`
	// Weight is the tenant's share of each pool's queue within its
	// priority class, against the other tenants' weights; > 0, default 1
	// (DefaultTenantWeight).
	Weight float64 `yaml:"weight"`
}

// TenantBudget caps spending in USD per window. Windows are aligned to
// UTC: an hour from the full hour, a day from midnight UTC, a month from
// its first day at 00:00 UTC; each starts again from 0. A call's spend is
// its rows times the cost per inference of the pool that answered it,
// counted when the answer is sent. 0 (the default) leaves a window
// uncapped; every amount is >= 0.
type TenantBudget struct {
	PerHour  float64 `yaml:"per_hour"`
	PerDay   float64 `yaml:"per_day"`
	PerMonth float64 `yaml:"per_month"`
}

// Capped reports whether some window has a budget.
func (b TenantBudget) Capped() bool { return b != TenantBudget{} }

func (t *Tenant) applyDefaults() {
	fillIfZero(&t.SoftRatio, DefaultSoftRatio)
	fillIfZero(&t.FallbackRatio, DefaultFallbackRatio)
	fillIfZero(&t.Weight, DefaultTenantWeight)
}

// TenantOf returns the tenants entry of name, or, for a tenant the
// section does not list, one with no budget and the defaults.
func (c *Config) TenantOf(name string) Tenant {
	for _, t := range c.Tenants {
		if t.Name == name {
			return t
		}
	}
	t := Tenant{Name: name}
	t.applyDefaults()
	return t
}

// tenants checks the tenants section against the keys' tenants.
func (c *checker) tenants(ts []Tenant, keys []APIKey) {
	known := map[string]bool{AnonymousTenant: true}
	for _, k := range keys {
		known[k.Tenant] = true
	}
	used := map[string]string{}
	for i, t := range ts {
		f := fmt.Sprintf("tenants[%d]", i)
		if c.name(f+".name", t.Name, used) && !known[t.Name] {
			c.addf(f+".name", "tenant %q has no key under auth.keys (and is not %q, the tenant of every call with auth mode none)", t.Name, AnonymousTenant)
		}
		c.tenantBudget(f+".budget", t.Budget)
		c.tenantRatios(f, t)
		if !(t.Weight > 0) || math.IsInf(t.Weight, 1) {
			c.addf(f+".weight", "%v must be > 0 and finite", t.Weight)
		}
	}
}

// tenantBudget checks the amounts of a budget at f.
func (c *checker) tenantBudget(f string, b TenantBudget) {
	c.nonNegativeNumber(f+".per_hour", b.PerHour)
	c.nonNegativeNumber(f+".per_day", b.PerDay)
	c.nonNegativeNumber(f+".per_month", b.PerMonth)
}

// tenantRatios checks 0 < soft_ratio <= fallback_ratio <= 1.
func (c *checker) tenantRatios(f string, t Tenant) {
	switch {
	case !(t.SoftRatio > 0) || t.SoftRatio > 1:
		c.addf(f+".soft_ratio", "%v must be in (0, 1]", t.SoftRatio)
	case !(t.FallbackRatio >= t.SoftRatio) || t.FallbackRatio > 1:
		c.addf(f+".fallback_ratio", "%v must be in [soft_ratio, 1] = [%v, 1]", t.FallbackRatio, t.SoftRatio)
	}
}
