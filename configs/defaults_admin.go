package configs

import "net"

// DefaultAdminHost is the host the admin listener binds when its address
// names none (":9090"): loopback, so that only this machine reaches the
// operator's API unless the configuration says otherwise.
const DefaultAdminHost = "127.0.0.1"

// applyAdminDefaults binds a host-less admin address to DefaultAdminHost.
// A malformed address is left for validation to report.
func (c *Config) applyAdminDefaults() {
	host, port, err := net.SplitHostPort(c.Listen.Admin)
	if err == nil && host == "" {
		c.Listen.Admin = net.JoinHostPort(DefaultAdminHost, port)
	}
}
