package xds

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// check returns every rule of the View's documentation that v breaks,
// joined, each wrapping ErrInvalidView; nil when v is valid.
func (v View) check() error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidView}, args...)...))
	}
	checkAddress(add, "ingress", v.Ingress)
	for _, ep := range v.Gateways {
		checkEndpoint(add, "gateway", ep)
	}
	pools := map[string]bool{}
	for _, p := range v.Pools {
		checkPool(add, p, pools)
	}
	tiers := map[string]bool{}
	for _, t := range v.Tiers {
		checkTier(add, t, tiers, pools)
	}
	models := map[string]bool{}
	for _, m := range v.Models {
		checkModel(add, m, models, tiers, pools)
	}
	checkPolicy(add, v.Policy)
	return errors.Join(errs...)
}

type adder func(format string, args ...any)

func checkAddress(add adder, what string, a Address) {
	if a.Port > math.MaxUint16 {
		add("%s port %d is above 65535", what, a.Port)
	}
	if a.Port != 0 && a.Host == "" {
		add("%s port %d has no host", what, a.Port)
	}
}

func checkEndpoint(add adder, owner string, ep Endpoint) {
	checkAddress(add, fmt.Sprintf("%s endpoint %q http", owner, ep.ID), ep.HTTP)
	checkAddress(add, fmt.Sprintf("%s endpoint %q grpc", owner, ep.ID), ep.GRPC)
}

func checkPool(add adder, p Pool, seen map[string]bool) {
	if p.Name == "" {
		add("pool with an empty name")
	} else if seen[p.Name] {
		add("pool %q listed twice", p.Name)
	}
	seen[p.Name] = true
	ids := map[string]bool{}
	for _, ep := range p.Endpoints {
		if ids[ep.ID] {
			add("pool %q: endpoint %q listed twice", p.Name, ep.ID)
		}
		ids[ep.ID] = true
		checkEndpoint(add, "pool "+p.Name, ep)
	}
}

func checkTier(add adder, t Tier, seen, pools map[string]bool) {
	if t.Name == "" {
		add("tier with an empty name")
	} else if seen[t.Name] {
		add("tier %q listed twice", t.Name)
	}
	seen[t.Name] = true
	if len(t.Pools) == 0 {
		add("tier %q has no pools", t.Name)
	}
	for _, p := range t.Pools {
		if !pools[p] {
			add("tier %q: unknown pool %q", t.Name, p)
		}
	}
}

func checkModel(add adder, m Model, seen, tiers, pools map[string]bool) {
	if m.Name == "" {
		add("model with an empty name")
	} else if seen[m.Name] {
		add("model %q listed twice", m.Name)
	}
	seen[m.Name] = true
	if !tiers[m.Tier] {
		add("model %q: unknown tier %q", m.Name, m.Tier)
	}
	if m.SLO < 0 {
		add("model %q: slo %v must not be negative", m.Name, m.SLO)
	}
	if m.Timeout <= 0 {
		add("model %q: timeout %v must be > 0", m.Name, m.Timeout)
	}
	for p := range m.Weights {
		if !pools[p] {
			add("model %q: weight for unknown pool %q", m.Name, p)
		}
	}
}

func checkPolicy(add adder, p Policy) {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"health interval", p.HealthInterval}, {"health timeout", p.HealthTimeout}, {"eject for", p.EjectFor}} {
		if d.v <= 0 {
			add("policy %s %v must be > 0", d.name, d.v)
		}
	}
	if p.EjectAfter < 1 {
		add("policy eject after %d must be >= 1", p.EjectAfter)
	}
	if !(p.RetryBudget >= 0 && p.RetryBudget <= 1) {
		add("policy retry budget %v is outside [0, 1]", p.RetryBudget)
	}
}
