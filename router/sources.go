package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
)

// FixedEndpoints returns the workers of a pool that Sluice reaches but does
// not run: one per address, each "host:port", reached over proto (gRPC
// when empty), its ID the address. It fails, wrapping ErrConfig, on an
// address that is not host:port with a port in 1..65535, or one listed
// twice.
func FixedEndpoints(addrs []string, proto Protocol) ([]Endpoint, error) {
	eps := make([]Endpoint, 0, len(addrs))
	for _, a := range addrs {
		if err := checkHostPort(a); err != nil {
			return nil, fmt.Errorf("%w: endpoint %q: %w", ErrConfig, a, err)
		}
		if slices.ContainsFunc(eps, func(ep Endpoint) bool { return ep.ID == a }) {
			return nil, fmt.Errorf("%w: endpoint %q listed twice", ErrConfig, a)
		}
		eps = append(eps, endpointAt(a, proto))
	}
	return eps, nil
}

// endpointAt is the worker at addr over proto: its HTTP address for HTTP
// (where it is also probed), else its gRPC address (probed with gRPC
// ServerReady).
func endpointAt(addr string, proto Protocol) Endpoint {
	if proto == ProtocolHTTP {
		return Endpoint{ID: addr, HTTP: addr, Protocol: ProtocolHTTP}
	}
	return Endpoint{ID: addr, GRPC: addr, Protocol: ProtocolGRPC}
}

// checkHostPort reports whether addr is host:port with a host and a port
// in 1..65535.
func checkHostPort(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "" {
		return errors.New("no host")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q out of 1..65535", port)
	}
	return nil
}

// Resolver looks up the addresses of a host name; *net.Resolver is one.
type Resolver interface {
	LookupHost(ctx context.Context, host string) (addrs []string, err error)
}

// DNSSource keeps a pool's workers those a DNS name resolves to: every
// address is a worker, at Port, reached over Protocol, as in
// FixedEndpoints. It suits a fleet behind a headless service or any name
// with one record per server, which Sluice routes to, checks, prices and
// measures, but does not start.
type DNSSource struct {
	// Host is the name to resolve; Port the workers' port, 1..65535.
	Host string
	Port int
	// Protocol is how the workers are reached; empty means gRPC.
	Protocol Protocol
	// Interval is the time between two lookups, and bounds each; > 0.
	// It has no default of its own: serve passes the pool's dns_interval.
	Interval time.Duration
	// Resolver looks the name up; nil means net.DefaultResolver.
	Resolver Resolver
	// Clock times the lookups; nil means batcher.RealClock.
	Clock batcher.Clock
	// Logger receives failed lookups; nil discards them.
	Logger *slog.Logger
}

// ParseDNS returns the host and port of "name:port".
func ParseDNS(hostport string) (host string, port int, err error) {
	if err := checkHostPort(hostport); err != nil {
		return "", 0, fmt.Errorf("%w: dns %q: %w", ErrConfig, hostport, err)
	}
	host, p, _ := net.SplitHostPort(hostport)
	port, _ = strconv.Atoi(p)
	return host, port, nil
}

// Run looks the name up at once and then every Interval until ctx ends,
// and calls set with the workers after each lookup that changes them
// (sorted by ID; the first lookup always calls it). A lookup that fails
// keeps the last workers, but one that finds the name does not exist
// (or has no address) leaves none. An error from set is logged, and the
// next lookup calls set again. Run returns ctx's error, or at once an
// error wrapping ErrConfig for an Interval that is not positive.
func (s DNSSource) Run(ctx context.Context, set func([]Endpoint) error) error {
	if s.Interval <= 0 {
		return fmt.Errorf("%w: dns %s: interval %v must be > 0", ErrConfig, s.Host, s.Interval)
	}
	s = s.withDefaults()
	tick := make(chan struct{}, 1)
	var last []Endpoint
	first := true
	for {
		eps, err := s.lookup(ctx)
		switch {
		case err != nil:
			s.Logger.Warn("router: DNS lookup of a pool's workers failed; keeping the last", "host", s.Host, "error", err)
		case first || !slices.Equal(eps, last):
			if err := set(eps); err != nil {
				s.Logger.Warn("router: setting the workers a DNS name resolves to failed", "host", s.Host, "error", err)
			} else {
				last, first = eps, false
			}
		}
		t := s.Clock.AfterFunc(s.Interval, func() { tick <- struct{}{} })
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-tick:
		}
	}
}

func (s DNSSource) withDefaults() DNSSource {
	if s.Resolver == nil {
		s.Resolver = net.DefaultResolver
	}
	if s.Clock == nil {
		s.Clock = batcher.RealClock{}
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	return s
}

// lookup resolves the name into workers, sorted by ID, each address once;
// none when the name does not exist.
func (s DNSSource) lookup(ctx context.Context) ([]Endpoint, error) {
	ctx, cancel := context.WithTimeout(ctx, s.Interval)
	defer cancel()
	addrs, err := s.Resolver.LookupHost(ctx, s.Host)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		addrs, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	port := strconv.Itoa(s.Port)
	eps := make([]Endpoint, 0, len(addrs))
	for _, a := range addrs {
		eps = append(eps, endpointAt(net.JoinHostPort(a, port), s.Protocol))
	}
	slices.SortFunc(eps, func(a, b Endpoint) int { return strings.Compare(a.ID, b.ID) })
	return slices.CompactFunc(eps, func(a, b Endpoint) bool { return a.ID == b.ID }), nil
}
