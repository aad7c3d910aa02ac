package app

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/router"
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
	// workers runs and finds the pools' workers; nil leaves them as
	// they are (a test's rig without workers).
	workers *workers
	metrics *serveMetrics
	secrets configs.Secrets
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
	// changes say what the file does to each pool's workers (added,
	// removed, switched to another kind, given new settings).
	changes []sourceChange
	restart []string
}

// planReload checks that the running gateway can go from old to next
// and builds what that takes, next's pools described once. It changes no
// running part; it sets next's restart-only settings to old's (see
// keepRestartOnly).
func planReload(old *inForce, next *configs.Config, parts servingParts) (*reloadPlan, error) {
	p := &reloadPlan{restart: keepRestartOnly(old.cfg, next), fallbacks: fallbacksOf(next)}
	p.next = newInForce(next)
	p.changes = sourceChanges(old, p.next)
	if err := checkReload(old.cfg, next, p.changes); err != nil {
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
// authentication off on listeners other machines can reach, and adding,
// removing or switching the kind of pools under the kubernetes driver
// (its Deployments' feed is set up at start).
func checkReload(old, next *configs.Config, changes []sourceChange) error {
	if old.Auth.Mode != configs.AuthNone && next.Auth.Mode == configs.AuthNone {
		if err := next.CheckServe(configs.ServeOptions{}); err != nil {
			return fmt.Errorf("%w: %w", errReload, err)
		}
	}
	if next.Scaler.Driver != configs.DriverKubernetes {
		return nil
	}
	for _, c := range changes {
		if c.Op != opUpdate {
			return fmt.Errorf("%w: with scaler.driver %s, adding or removing pools, or changing where a pool's workers come from, takes a restart (pool %q)",
				errReload, configs.DriverKubernetes, c.Pool)
		}
	}
	return nil
}

// apply puts the plan in force, part by part, each part's swap atomic:
// the scaler first, as the one part that may refuse a valid file (a tier
// whose pools cannot meet an SLO, a pin the new bounds contradict), in
// which case nothing has changed; then the router, the gateway's keys,
// limits and fallbacks, and the pools' workers (see workers.apply). The
// reloader puts p.next in force once apply returns, for the parts that
// read it at each use.
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
	if parts.workers != nil {
		parts.workers.apply(p.next, p.changes, drained)
	}
	return nil
}

// report describes the reload for the admin API.
func (p *reloadPlan) report() reloadReport {
	r := reloadReport{File: p.next.cfg.File, RestartRequired: p.restart}
	for _, c := range p.changes {
		switch c.Op {
		case opAdd:
			r.PoolsAdded = append(r.PoolsAdded, c.Pool)
		case opRemove:
			r.PoolsRemoved = append(r.PoolsRemoved, c.Pool)
		}
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
