package app

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
)

// errExposed is returned when serve would admit anyone on a listener other
// machines can reach.
var errExposed = errors.New("sluice: refusing to serve without authentication")

// CheckExposure refuses auth mode "none" when a client listener (HTTP
// or gRPC) is not on a loopback address, unless insecure is set: `sluice
// serve --insecure`. The error, wrapping errExposed, names each such
// listener and how to fix it.
func CheckExposure(cfg *configs.Config, insecure bool) error {
	if cfg.Auth.Mode != configs.AuthNone || insecure {
		return nil
	}
	var exposed []string
	for _, l := range []struct{ field, addr string }{
		{"listen.http", cfg.Listen.HTTP}, {"listen.grpc", cfg.Listen.GRPC},
	} {
		if l.addr != "" && !isLoopback(l.addr) {
			exposed = append(exposed, fmt.Sprintf("%s %q", l.field, l.addr))
		}
	}
	if len(exposed) == 0 {
		return nil
	}
	return fmt.Errorf("%w: auth.mode is %q but %s %s reachable from other machines; "+
		"set auth.mode: keys (see configs/examples/auth.yaml), listen on 127.0.0.1, "+
		"or pass --insecure to serve anyone who can connect",
		errExposed, configs.AuthNone, strings.Join(exposed, " and "), isOrAre(len(exposed)))
}

func isOrAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// isLoopback reports whether a host:port address binds only a loopback
// interface: localhost, 127.0.0.0/8 or ::1. An empty host binds every
// interface; other names are not resolved and count as reachable.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

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
