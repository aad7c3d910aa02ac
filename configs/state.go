package configs

import (
	"net"
	"time"
)

// Defaults of the state section.
const (
	// DefaultStateFile is where a gateway without Redis keeps its
	// tenants' spend and the operator's budgets, relative to the
	// configuration file's directory.
	DefaultStateFile = "sluice-state.json"
	// DefaultFlushInterval is how often spend is written to the state
	// file, or exchanged with Redis.
	DefaultFlushInterval = 2 * time.Second
	// DefaultRedisTimeout bounds each exchange with Redis.
	DefaultRedisTimeout = 250 * time.Millisecond
)

// State is where the state gateway replicas share lives: the tenants'
// and models' rate limits, the tenants' and keys' spend, and the
// operator's budgets. Without Redis, one gateway keeps spend and budgets
// in File and its rate limits in memory.
type State struct {
	// File is the state file of a gateway without Redis: spend and the
	// operator's budgets, written atomically every FlushInterval and at
	// shutdown, read at start; a relative path is read from the directory
	// of the configuration file. Default "sluice-state.json"
	// (DefaultStateFile). It is written only when some tenant or key has
	// a budget.
	File string `yaml:"file"`
	// FlushInterval is how often spend is written to File or exchanged
	// with Redis; > 0, default 2s (DefaultFlushInterval). Replicas see
	// each other's spend at most this late.
	FlushInterval time.Duration `yaml:"flush_interval"`
	// Redis shares the state between every gateway replica; nil keeps
	// it in this process and File.
	Redis *Redis `yaml:"redis"`
}

// Redis is a Redis server that holds the shared state.
type Redis struct {
	// Address is the server's host:port; required.
	Address string `yaml:"address"`
	// TLS reaches the server over TLS, trusting the system's
	// authorities; default false.
	TLS bool `yaml:"tls"`
	// PasswordEnv names an environment variable holding the server's
	// password; empty means none.
	PasswordEnv string `yaml:"password_env"`
	// Timeout bounds each exchange with the server, connecting included;
	// > 0, default 250ms (DefaultRedisTimeout). Past it the gateway
	// decides locally until the server answers again.
	Timeout time.Duration `yaml:"timeout"`
}

func (s *State) applyDefaults() {
	fillIfZero(&s.File, DefaultStateFile)
	fillIfZero(&s.FlushInterval, DefaultFlushInterval)
	if s.Redis != nil {
		fillIfZero(&s.Redis.Timeout, DefaultRedisTimeout)
	}
}

// state checks the state section.
func (c *checker) state(s State) {
	c.positive("state.flush_interval", s.FlushInterval)
	if s.Redis == nil {
		return
	}
	c.positive("state.redis.timeout", s.Redis.Timeout)
	if _, _, err := net.SplitHostPort(s.Redis.Address); err != nil || s.Redis.Address == "" {
		c.addf("state.redis.address", "%q is not a host:port address", s.Redis.Address)
	}
}
