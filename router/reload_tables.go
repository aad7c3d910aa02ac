package router

import (
	"fmt"
	"path"
	"reflect"
	"sort"
)

// tables are the router's routing tables: models, tiers, pools and
// routes, replaced whole by Reload. Once published a tables is never
// modified; its pools are live objects with their own locks.
type tables struct {
	models map[string]Model
	tiers  map[string][]*Pool
	pools  map[string]*Pool
	// configs holds the config each pool was built from, by name, so
	// that Reload can tell the pools a new config changes.
	configs map[string]PoolConfig
	names   []string // pool names, sorted
	routes  []Route
	// served lists, by pool name, the models a request may reach the
	// pool for: through their tier, or a route whose model condition
	// they meet.
	served map[string][]Model
	// arrivals counts each tier's requests; its keys are those of tiers.
	arrivals map[string]*tierArrivals
}

// tables returns the routing tables in use. A caller that reads more
// than one of them for the same request should load them once.
func (r *Router) tables() *tables { return r.tab.Load() }

// build returns the tables of cfg, with pools made with deps. A pool of
// old whose config cfg repeats is kept as is. Any other pool of cfg is
// new; one that replaces a pool of old of the same name shares that
// pool's statistics, and its learned curve when the configured curve and
// max batch are the same. retired lists the pools of old the new tables
// do not keep. old may be nil (New). On error build closes the pools it
// made and returns an error wrapping ErrConfig; old is never modified.
func build(cfg Config, old *tables, deps poolDeps) (t *tables, retired []*Pool, err error) {
	t = &tables{
		models: map[string]Model{}, tiers: map[string][]*Pool{}, pools: map[string]*Pool{},
		configs: map[string]PoolConfig{}, routes: cfg.Routes,
	}
	var made []*Pool
	for _, pc := range cfg.Pools {
		p, isNew := t.addPool(pc, old, deps)
		if isNew {
			made = append(made, p)
		}
	}
	sort.Strings(t.names)
	if err := t.link(cfg, old); err != nil {
		for _, p := range made {
			p.close()
		}
		return nil, nil, err
	}
	if old != nil {
		for name, p := range old.pools {
			if t.pools[name] != p {
				retired = append(retired, p)
			}
		}
	}
	return t, retired, nil
}

// addPool adds the pool of pc, kept from old when its config is the same,
// and reports whether it is new.
func (t *tables) addPool(pc PoolConfig, old *tables, deps poolDeps) (p *Pool, isNew bool) {
	t.names = append(t.names, pc.Name)
	t.configs[pc.Name] = pc
	var prev *Pool
	if old != nil {
		prev = old.pools[pc.Name]
		if prev != nil && reflect.DeepEqual(old.configs[pc.Name], pc) {
			t.pools[pc.Name] = prev
			return prev, false
		}
	}
	p = newPool(pc, deps)
	if prev != nil {
		p.inherit(prev)
	}
	t.pools[pc.Name] = p
	return p, true
}

// inherit carries over what prev, the pool p replaces, has learned: its
// statistics, and its curve when both were configured with the same
// curve and max batch. pre: p is not yet shared.
func (p *Pool) inherit(prev *Pool) {
	p.stats = prev.stats
	if reflect.DeepEqual(p.cost.Curve, prev.cost.Curve) && p.cost.MaxBatch == prev.cost.MaxBatch {
		p.learned = prev.learned
	}
}

// link resolves the names the tiers, models and routes use. A tier that
// old has too keeps counting its arrivals where old's counts are.
func (t *tables) link(cfg Config, old *tables) error {
	t.arrivals = make(map[string]*tierArrivals, len(cfg.Tiers))
	for tier, names := range cfg.Tiers {
		for _, name := range names {
			p, ok := t.pools[name]
			if !ok {
				return fmt.Errorf("%w: tier %q: unknown pool %q", ErrConfig, tier, name)
			}
			t.tiers[tier] = append(t.tiers[tier], p)
		}
		t.arrivals[tier] = &tierArrivals{}
		if old != nil && old.arrivals[tier] != nil {
			t.arrivals[tier] = old.arrivals[tier]
		}
	}
	for _, m := range cfg.Models {
		if _, ok := t.tiers[m.Tier]; !ok {
			return fmt.Errorf("%w: model %q: unknown tier %q", ErrConfig, m.Name, m.Tier)
		}
		t.models[m.Name] = m
	}
	for _, m := range cfg.Models {
		if _, ok := t.models[m.Fallback]; m.Fallback != "" && (!ok || m.Fallback == m.Name) {
			return fmt.Errorf("%w: model %q: fallback %q is not another model", ErrConfig, m.Name, m.Fallback)
		}
	}
	for i, rt := range cfg.Routes {
		if _, ok := t.tiers[rt.Tier]; !ok {
			return fmt.Errorf("%w: route %d: unknown tier %q", ErrConfig, i, rt.Tier)
		}
	}
	t.served = servedBy(cfg.Models, cfg.Routes, t.tiers)
	return nil
}

// servedBy returns, by pool name, the models of models that a request may
// take to the pool, each once, in models' order.
func servedBy(models []Model, routes []Route, tiers map[string][]*Pool) map[string][]Model {
	out := map[string][]Model{}
	for _, m := range models {
		seen := map[string]bool{}
		add := func(tier string) {
			for _, p := range tiers[tier] {
				if !seen[p.name] {
					seen[p.name] = true
					out[p.name] = append(out[p.name], m)
				}
			}
		}
		add(m.Tier)
		for _, rt := range routes {
			if ok, _ := path.Match(rt.Match.Model, m.Name); rt.Match.Model == "" || ok {
				add(rt.Tier)
			}
		}
	}
	return out
}
