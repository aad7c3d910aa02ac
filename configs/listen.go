package configs

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Listen holds the listener addresses, each host:port with a numeric port
// (an empty host binds every interface; port 0 picks a free port). An empty
// address turns that listener off, except HTTP, which defaults to
// DefaultHTTPAddr (127.0.0.1:8080). No two listeners may share an address.
type Listen struct {
	// HTTP serves the OIP v2 REST API; default 127.0.0.1:8080.
	HTTP string `yaml:"http"`
	// GRPC serves the OIP v2 gRPC API; off when empty.
	GRPC string `yaml:"grpc"`
	// Admin serves metrics and health for operators; off when empty. An
	// address without a host (":9090") binds DefaultAdminHost.
	Admin string `yaml:"admin"`
	// XDS serves the Envoy xDS control plane (ADS); off when empty.
	XDS string `yaml:"xds"`
}

// Defaults of the listen section.
const (
	// DefaultHTTPAddr is where the OIP v2 HTTP listener binds.
	DefaultHTTPAddr = "127.0.0.1:8080"
	// DefaultAdminHost is the host the admin listener binds when its
	// address names none (":9090"): loopback, so that only this machine
	// reaches the operator's API unless the configuration says otherwise.
	DefaultAdminHost = "127.0.0.1"
)

// applyDefaults fills the HTTP address and binds a host-less admin
// address to DefaultAdminHost. A malformed address is left for validation
// to report.
func (l *Listen) applyDefaults() {
	fillIfZero(&l.HTTP, DefaultHTTPAddr)
	host, port, err := net.SplitHostPort(l.Admin)
	if err == nil && host == "" {
		l.Admin = net.JoinHostPort(DefaultAdminHost, port)
	}
}

// listen checks that every address is host:port and that no two
// listeners share one (port 0 picks a free port, so it never clashes).
func (c *checker) listen(l Listen) {
	used := map[string]string{}
	for _, a := range []struct{ field, addr string }{
		{"listen.http", l.HTTP}, {"listen.grpc", l.GRPC}, {"listen.admin", l.Admin}, {"listen.xds", l.XDS},
	} {
		if a.addr == "" {
			continue
		}
		port, err := splitPort(a.addr)
		switch {
		case err != nil:
			c.addf(a.field, "%q is not host:port: %v", a.addr, err)
		case port != 0:
			c.unique(used, a.addr, a.field)
		}
	}
}

// splitPort returns the port of a host:port address; the port must be a
// number from 0 to 65535.
func splitPort(addr string) (uint64, error) {
	_, port, err := net.SplitHostPort(addr)
	var ae *net.AddrError
	if errors.As(err, &ae) {
		return 0, errors.New(ae.Err) // without the address, which the caller names
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return n, nil
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
