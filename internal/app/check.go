package app

import (
	"log/slog"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
)

// LoadOptions are what Load needs beyond the file.
type LoadOptions struct {
	// Insecure is serve's --insecure (configs.ServeOptions).
	Insecure bool
	// Secrets reads the secrets the configuration names; its zero value
	// reads the environment and files, as Start does.
	Secrets configs.Secrets
}

// Load reads the configuration file at path as `sluice serve` does and
// refuses, without starting anything, every file serve refuses: the
// problems configs.LoadServe reports (those of configs.Load, and auth
// mode none on listeners other machines reach unless o.Insecure), then
// the API keys' and the admin token's hashes, the certificates and the
// priority levels that Start's own constructors cannot read. `sluice
// serve` and `sluice validate` both call it, so they refuse the same
// files for the same reasons.
func Load(path string, o LoadOptions) (*configs.Config, error) {
	cfg, err := configs.LoadServe(path, configs.ServeOptions{Insecure: o.Insecure})
	if err != nil {
		return nil, err
	}
	if _, err := gatewayAuth(cfg, o.Secrets); err != nil {
		return nil, err
	}
	if _, err := newEdge(cfg, o.Secrets, time.Now, slog.New(slog.DiscardHandler)); err != nil {
		return nil, err
	}
	if _, err := gateway.PriorityLevels(cfg.Protocol.PriorityLevels); err != nil {
		return nil, err
	}
	return cfg, nil
}
