package app

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler/local"
)

// errReload is returned for a configuration file that is valid but that
// the running gateway cannot take without a restart.
var errReload = errors.New("sluice: reload refused")

// servingParts are the running parts of serve that a reload changes.
// The metrics, the admin API, the status board and the xDS control plane
// read what is in force at each use, so a reload reaches them without a
// part here.
type servingParts struct {
	router    *router.Router
	gateway   *gateway.Gateway
	admission *gateway.Admission
	scaling   *autoscaler
	driver    poolDriver
	metrics   *serveMetrics
	secrets   configs.Secrets
	// routerConfig builds the router's configuration as Start does.
	routerConfig func(*inForce) router.Config
	tenancy      *tenancy
}

// reloadPlan is what a reload changes, built and checked before any part
// changes.
type reloadPlan struct {
	// next is the configuration to put in force and its pools.
	next      *inForce
	router    router.Config
	keys      *gateway.Keyring
	limits    *gateway.RateLimits
	tenants   tenantLimits
	fallbacks map[string]string
	// added and reargs are the pools the file adds and those whose
	// workers' flags it changes; removed the names of those it drops.
	added, reargs []costmodel.Pool
	removed       []string
	restart       []string
}

// planReload checks that the running gateway can go from old to next
// and builds what that takes, next's pools described once. It changes no
// running part; it sets next's restart-only settings to old's (see
// keepRestartOnly).
func planReload(old *inForce, next *configs.Config, parts servingParts) (*reloadPlan, error) {
	p := &reloadPlan{restart: keepRestartOnly(old.cfg, next), fallbacks: fallbacksOf(next)}
	p.next = newInForce(next)
	p.added, p.reargs, p.removed = poolChanges(old.fleet, p.next.fleet)
	if err := checkReload(old.cfg, next, p); err != nil {
		return nil, err
	}
	opts, err := gatewayAuth(next, parts.secrets)
	if err != nil {
		return nil, err
	}
	p.keys, p.limits = opts.Keys, parts.tenancy.share(opts.Limits)
	if p.tenants, err = tenantLimitsOf(next, parts.secrets); err != nil {
		return nil, err
	}
	p.router = parts.routerConfig(p.next)
	return p, nil
}

// checkReload refuses what a running gateway cannot take: turning
// authentication off on listeners other machines can reach, and adding
// or removing pools the kubernetes driver runs (its Deployments and
// endpoint feeds are set up at start).
func checkReload(old, next *configs.Config, p *reloadPlan) error {
	if old.Auth.Mode != configs.AuthNone && next.Auth.Mode == configs.AuthNone {
		if err := CheckExposure(next, false); err != nil {
			return fmt.Errorf("%w: %w", errReload, err)
		}
	}
	if next.Scaler.Driver == configs.DriverKubernetes && len(p.added)+len(p.removed) > 0 {
		return fmt.Errorf("%w: with scaler.driver %s, adding or removing pools takes a restart", errReload, configs.DriverKubernetes)
	}
	return nil
}

// apply puts the plan in force, part by part, each part's swap atomic:
// the scaler first, as the one part that may refuse a valid file (a tier
// whose pools cannot meet an SLO, a pin the new bounds contradict), in
// which case nothing has changed; then the router, the gateway's keys,
// limits and fallbacks, and the pools' workers. The reloader puts p.next
// in force once apply returns, for the parts that read it at each use.
func (p *reloadPlan) apply(parts servingParts, log *slog.Logger) error {
	if err := parts.scaling.reload(p.next); err != nil {
		return err
	}
	drained, err := parts.router.Reload(p.router)
	if err != nil {
		return fmt.Errorf("sluice: reload: %w", err) // only once serve is stopping
	}
	parts.gateway.SetAccess(p.keys, p.limits)
	parts.tenancy.apply(p.tenants, parts.gateway)
	if err := parts.admission.SetFallbacks(p.fallbacks); err != nil {
		log.Error("reload: fallbacks", slog.Any("error", err)) // gatewayAuth checked them
	}
	if d, ok := parts.driver.(localDriver); ok {
		p.resizePools(d.sup, drained, log)
	}
	return nil
}

// resizePools starts the workers of the added pools and gives the
// changed ones their new flags at once; it stops the workers of the
// removed pools once the router's retired pools have drained, so that
// every request they hold is answered first.
func (p *reloadPlan) resizePools(sup *local.Supervisor, drained <-chan struct{}, log *slog.Logger) {
	for _, pool := range p.added {
		initial := p.next.fleet.Bounds[pool.Name].Initial
		if err := sup.AddPool(local.PoolSpec{Name: pool.Name, Args: workerArgs(pool), Replicas: initial}); err != nil {
			log.Error("reload: starting a pool's workers", slog.String("pool", pool.Name), slog.Any("error", err))
		}
	}
	for _, pool := range p.reargs {
		if err := sup.SetArgs(pool.Name, workerArgs(pool)); err != nil {
			log.Error("reload: worker flags", slog.String("pool", pool.Name), slog.Any("error", err))
		}
	}
	if len(p.removed) == 0 {
		return
	}
	go func() {
		<-drained
		for _, name := range p.removed {
			if err := sup.RemovePool(name); err != nil && !errors.Is(err, local.ErrClosed) {
				log.Error("reload: stopping a removed pool's workers", slog.String("pool", name), slog.Any("error", err))
			}
		}
	}()
}

// report describes the reload for the admin API.
func (p *reloadPlan) report() reloadReport {
	r := reloadReport{File: p.next.cfg.File, PoolsRemoved: p.removed, RestartRequired: p.restart}
	for _, pool := range p.added {
		r.PoolsAdded = append(r.PoolsAdded, pool.Name)
	}
	return r
}

// fallbacksOf maps each model of cfg with a fallback to it.
func fallbacksOf(cfg *configs.Config) map[string]string {
	out := map[string]string{}
	for _, m := range cfg.Models {
		if m.Fallback != "" {
			out[m.Name] = m.Fallback
		}
	}
	return out
}

// poolChanges returns the pools of next that old lacks, those whose
// workers' flags differ, and the names of old's pools next lacks.
func poolChanges(old, next costmodel.Fleet) (added, reargs []costmodel.Pool, removed []string) {
	before := map[string]costmodel.Pool{}
	for _, p := range old.Pools {
		before[p.Name] = p
	}
	for _, p := range next.Pools {
		prev, ok := before[p.Name]
		switch {
		case !ok:
			added = append(added, p)
		case !slices.Equal(workerArgs(prev), workerArgs(p)):
			reargs = append(reargs, p)
		}
		delete(before, p.Name)
	}
	for name := range before {
		removed = append(removed, name)
	}
	slices.Sort(removed)
	return added, reargs, removed
}
