package configs

import "time"

// Defaults filled by ApplyDefaults for fields left at their zero value.
const (
	// DefaultHTTPAddr is where the OIP v2 HTTP listener binds.
	DefaultHTTPAddr = "127.0.0.1:8080"
	// DefaultAuthMode admits every client.
	DefaultAuthMode = AuthNone
	// DefaultTimeout is a model's request deadline.
	DefaultTimeout = 30 * time.Second
	// DefaultSLO is a model's end-to-end latency target.
	DefaultSLO = 500 * time.Millisecond
	// DefaultPoolMaxBatch is a pool's largest batch: no batching.
	DefaultPoolMaxBatch = 1
	// DefaultScalerInterval is the time between two scaler decisions.
	DefaultScalerInterval = 2 * time.Second
)

// AuthNone is the auth mode that admits every request.
const AuthNone = "none"

// ApplyDefaults fills every field the configuration left at its zero value
// and that has a default, as documented on the field. It is idempotent and
// never fails; Parse and Load call it before validating. A zero value
// cannot be told apart from an absent key, so a zero that is itself valid
// (a model's timeout of 0s, a pool's initial size of 0) is replaced too.
func (c *Config) ApplyDefaults() {
	if c.Listen.HTTP == "" {
		c.Listen.HTTP = DefaultHTTPAddr
	}
	if c.Auth.Mode == "" {
		c.Auth.Mode = DefaultAuthMode
	}
	c.applyAuthDefaults()
	c.applyRoutingDefaults()
	for i := range c.Models {
		c.Models[i].applyDefaults()
	}
	for i := range c.Pools {
		c.Pools[i].applyDefaults()
	}
	if c.Scaler.Interval == 0 {
		c.Scaler.Interval = DefaultScalerInterval
	}
	c.Scaler.applyDefaults()
	c.Shutdown.applyDefaults()
	c.Limits.applyDefaults()
	c.Protocol.applyDefaults()
	c.applyAdminDefaults()
}

func (m *Model) applyDefaults() {
	if m.Batching == nil {
		on := true
		m.Batching = &on
	}
	if m.Timeout == 0 {
		m.Timeout = DefaultTimeout
	}
	if m.SLO == 0 {
		m.SLO = DefaultSLO
	}
}

func (p *Pool) applyDefaults() {
	if p.MaxBatch == 0 {
		p.MaxBatch = DefaultPoolMaxBatch
	}
	p.Replicas.applyDefaults()
}

func (r *Replicas) applyDefaults() {
	if r.Initial == 0 {
		r.Initial = max(r.Min, 1)
	}
	if r.Max == 0 {
		r.Max = max(r.Initial, 1)
	}
}
