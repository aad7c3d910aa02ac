package configs

// ServeOptions are the choices of serve's command line that change what
// it refuses.
type ServeOptions struct {
	// Insecure lets auth mode none serve client listeners that other
	// machines can reach (`sluice serve --insecure`).
	Insecure bool
}

// LoadServe loads the file at path as Load does, then applies the rules
// serve adds (see CheckServe), each problem at its line: the one way
// `sluice serve` and `sluice validate` read a file, so that both refuse
// the same files in the same words.
func LoadServe(path string, o ServeOptions) (*Config, error) {
	cfg, pos, err := load(path)
	if err != nil {
		return nil, err
	}
	c := &checker{file: cfg.File, line: pos.line}
	c.exposure(cfg, o)
	if err := c.errs.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// CheckServe returns, as Errors without lines, the problems for which
// serve refuses c beyond those Parse reports: auth mode "none" while the
// HTTP or gRPC listener is not on a loopback address, unless o.Insecure.
// pre: c passed validation.
func (c *Config) CheckServe(o ServeOptions) error {
	ch := &checker{file: c.File, line: func(string) int { return 0 }}
	ch.exposure(c, o)
	return ch.errs.err()
}

// exposure reports each client listener that auth mode none would open
// to other machines, unless o.Insecure.
func (c *checker) exposure(cfg *Config, o ServeOptions) {
	if cfg.Auth.Mode != AuthNone || o.Insecure {
		return
	}
	for _, l := range []struct{ field, addr string }{{"listen.http", cfg.Listen.HTTP}, {"listen.grpc", cfg.Listen.GRPC}} {
		if l.addr != "" && !isLoopback(l.addr) {
			c.addf(l.field, "%q is reachable from other machines but auth.mode is %q, which admits anyone; "+
				"set auth.mode: keys (see configs/examples/auth.yaml), listen on 127.0.0.1, "+
				"or pass --insecure to serve anyone who can connect", l.addr, AuthNone)
		}
	}
}
