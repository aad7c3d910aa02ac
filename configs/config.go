package configs

import (
	"sort"
	"time"
)

// Config is the whole of a Sluice configuration file. Load and Parse fill
// its defaults and validate it; a Config they return is ready to use and
// satisfies every rule documented on its fields. A Config is a plain value:
// it is not safe to modify while other goroutines read it.
//
// Durations are written as Go duration strings ("200ms", "1m"); a zero
// duration or number means "unset" and takes the field's default, if any.
//
// Each section lives in the file named for it (listen.go, models.go,
// pools.go, …), which holds its types, its Default constants, the filling
// of those defaults and the section's validation.
type Config struct {
	Listen Listen `yaml:"listen"`
	Auth   Auth   `yaml:"auth"`
	// Models are the models the gateway serves; at least one.
	Models []Model `yaml:"models"`
	// Tiers group pools for models.
	Tiers []Tier `yaml:"tiers"`
	// Pools are the groups of workers; at least one.
	Pools []Pool `yaml:"pools"`
	// Queue bounds the priority classes of every pool's queue.
	Queue Queue `yaml:"queue"`
	// Routes pick a request's tier by more than its model; the first
	// matching route wins, and a request no route matches goes to its
	// model's tier.
	Routes []Route `yaml:"routes"`
	// Health configures worker health checks and outlier ejection.
	Health Health `yaml:"health"`
	// Retry bounds retries of failed batches.
	Retry Retry `yaml:"retry"`
	// Cache bounds the response cache shared by the models that opt in.
	Cache Cache `yaml:"cache"`
	// Calibration bounds the probes that measure pools' latency.
	Calibration Calibration `yaml:"calibration"`
	Scaler      Scaler      `yaml:"scaler"`
	Budget      Budget      `yaml:"budget"`
	// Tenants give tenants budgets, downgrade ratios and weights in fair
	// queueing; a tenant not listed has no budget and weight 1.
	Tenants []Tenant `yaml:"tenants"`
	// State is where gateway replicas share rate limits and spend.
	State State `yaml:"state"`
	// Shutdown shapes how serve drains when it stops.
	Shutdown Shutdown `yaml:"shutdown"`
	// Limits bound what one connection or request may ask.
	Limits Limits `yaml:"limits"`
	// Protocol reads Triton's priority and sequence parameters.
	Protocol Protocol `yaml:"protocol"`
	// Admin secures the admin listener.
	Admin Admin `yaml:"admin"`
	// TLS serves the client listeners over TLS; nil means plaintext.
	TLS *TLS `yaml:"tls"`
	// WorkersTLS reaches the workers over TLS; nil means plaintext.
	WorkersTLS *WorkersTLS `yaml:"workers_tls"`

	// File is the path the config was loaded from; empty if not from a file.
	File string `yaml:"-"`
}

// ApplyDefaults fills every field the configuration left at its zero value
// and that has a default, as documented on the field. It is idempotent and
// never fails; Parse and Load call it before validating. A zero value
// cannot be told apart from an absent key, so a zero that is itself valid
// (a model's timeout of 0s, a pool's initial size of 0) is replaced too.
func (c *Config) ApplyDefaults() {
	c.Listen.applyDefaults()
	c.Auth.applyDefaults()
	for i := range c.Models {
		c.Models[i].applyDefaults()
	}
	c.Scaler.applyDefaults()
	for i := range c.Pools {
		c.Pools[i].applyDefaults(c.Scaler.Driver)
	}
	c.Health.applyDefaults()
	c.Retry.applyDefaults()
	c.Cache.applyDefaults()
	c.Calibration.applyDefaults()
	c.Queue.applyDefaults()
	for i := range c.Tenants {
		c.Tenants[i].applyDefaults()
	}
	c.State.applyDefaults()
	c.Shutdown.applyDefaults()
	c.Limits.applyDefaults()
	c.Protocol.applyDefaults()
}

// Validate checks a Config built in Go against the rules documented on its
// fields, after ApplyDefaults. It returns nil or Errors holding every
// problem; their lines are 0, since a Config does not remember where its
// values came from (Parse reports lines).
func (c *Config) Validate() error {
	return validate(c, func(string) int { return 0 }).err()
}

// validate checks cfg section by section, placing each problem at
// line(field); it returns nil or every problem, sorted by line.
func validate(cfg *Config, line func(field string) int) Errors {
	c := &checker{file: cfg.File, line: line}
	c.listen(cfg.Listen)
	c.auth(cfg.Auth)
	pools := c.pools(cfg.Pools, cfg.Scaler.Driver)
	tiers := c.tiers(cfg.Tiers, pools)
	c.models(cfg.Models, tiers)
	c.routes(cfg.Routes, tiers, cfg.Models)
	c.health(cfg.Health)
	c.retry(cfg.Retry)
	c.cache(cfg.Cache)
	c.calibration(cfg.Calibration)
	c.queue(cfg.Queue)
	c.scaler(cfg.Scaler, cfg.Pools)
	c.budget(cfg.Budget)
	c.tenants(cfg.Tenants, cfg.Auth.Keys)
	c.state(cfg.State)
	c.shutdown(cfg.Shutdown)
	c.limits(cfg.Limits, cfg.Models)
	c.protocol(cfg.Protocol)
	c.admin(cfg.Admin, cfg.Listen.Admin)
	c.tls(cfg.TLS, cfg.WorkersTLS, cfg.Scaler.Driver, cfg.Pools)
	sort.SliceStable(c.errs, func(i, j int) bool { return c.errs[i].Line < c.errs[j].Line })
	return c.errs
}

// PoolSLOs returns each pool's SLO: the smallest SLO among the models
// whose own tier lists the pool, or DefaultSLO for a pool in no such
// tier. The map is the caller's.
func (c *Config) PoolSLOs() map[string]time.Duration {
	tierPools := map[string][]string{}
	for _, t := range c.Tiers {
		tierPools[t.Name] = t.Pools
	}
	slos := map[string]time.Duration{}
	for _, m := range c.Models {
		for _, pool := range tierPools[m.Tier] {
			if s, ok := slos[pool]; !ok || m.SLO < s {
				slos[pool] = m.SLO
			}
		}
	}
	for _, p := range c.Pools {
		if _, ok := slos[p.Name]; !ok {
			slos[p.Name] = DefaultSLO
		}
	}
	return slos
}
