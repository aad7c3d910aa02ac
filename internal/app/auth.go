package app

import (
	"fmt"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
)

// gatewayAuth builds the gateway's keyring (nil with auth mode none),
// rate limits and admission from cfg, reading the keys' hashes through
// secrets. The caller sets the options' Router and Logger.
func gatewayAuth(cfg *configs.Config, secrets configs.Secrets) (gateway.Options, error) {
	var opts gateway.Options
	var err error
	if cfg.Auth.Mode == configs.AuthKeys {
		if opts.Keys, err = authKeyring(cfg, secrets); err != nil {
			return opts, err
		}
	}
	if opts.Limits, err = authRateLimits(cfg); err != nil {
		return opts, err
	}
	fallbacks := map[string]string{}
	for _, m := range cfg.Models {
		if m.Fallback != "" {
			fallbacks[m.Name] = m.Fallback
		}
	}
	opts.Admission, err = gateway.NewAdmission(fallbacks)
	opts.Tenants = &gateway.TenantCounters{}
	return opts, err
}

// authKeyring returns the gateway's keys. pre: cfg passed validation.
func authKeyring(cfg *configs.Config, secrets configs.Secrets) (*gateway.Keyring, error) {
	hashes, err := cfg.KeyHashes(secrets)
	if err != nil {
		return nil, err
	}
	keys := make([]gateway.Key, len(cfg.Auth.Keys))
	for i, k := range cfg.Auth.Keys {
		p, err := batcher.ParsePriority(k.Priority)
		if err != nil {
			return nil, fmt.Errorf("auth.keys[%d].priority: %w", i, err)
		}
		keys[i] = gateway.Key{SHA256: hashes[i], Tenant: k.Tenant, Priority: p, Models: k.Models, Trusted: k.Trusted}
		if k.Budget.Capped() {
			keys[i].Name = gateway.KeyName(k.Tenant, hashes[i]) // as tenantLimitsOf names it
		}
	}
	return gateway.NewKeyring(keys)
}

// authRateLimits returns the tenants' limits (with auth mode keys) and the
// models'. pre: cfg passed validation, so a tenant's keys agree on its
// limit.
func authRateLimits(cfg *configs.Config) (*gateway.RateLimits, error) {
	tenants, models := map[string]gateway.Limit{}, map[string]gateway.Limit{}
	if cfg.Auth.Mode == configs.AuthKeys {
		for _, k := range cfg.Auth.Keys {
			tenants[k.Tenant] = gateway.Limit{Rate: k.Rate, Burst: k.Burst}
		}
	}
	for _, m := range cfg.Models {
		if l := m.RateLimit; l != nil {
			models[m.Name] = gateway.Limit{Rate: l.Rate, Burst: l.Burst}
		}
	}
	return gateway.NewRateLimits(tenants, models)
}
