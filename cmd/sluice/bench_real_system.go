package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/scaler/local"
)

// realWarmPoll is how often a starting real system is asked whether its
// fleet is ready.
const realWarmPoll = 100 * time.Millisecond

// realWarmSlack is how long, beyond the slowest cold start, a real system
// may take to have its fleet ready.
const realWarmSlack = 30 * time.Second

// realSystem is `sluice serve` run in this process on free loopback
// ports, with local workers. Stop it when done.
type realSystem struct {
	// url and admin are the base URLs of the HTTP and admin listeners.
	url, admin string
	cancel     context.CancelFunc
	done       chan error // serve's result, once
}

// startRealSystem runs serve on cfg with its HTTP and admin listeners
// moved to free loopback ports and the others off, until stop, its local
// workers started by start (nil means child processes). It returns at
// once; the workers start in the background. cfg is changed.
func startRealSystem(ctx context.Context, cfg *configs.Config, start local.Starter, log *slog.Logger) (*realSystem, error) {
	addrs, err := freeLoopbackAddrs(2)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	cfg.Listen = configs.Listen{HTTP: addrs[0], Admin: addrs[1]}
	ctx, cancel := context.WithCancel(ctx)
	s := &realSystem{url: "http://" + addrs[0], admin: "http://" + addrs[1], cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- serveWorkers(ctx, cfg, start, log) }()
	return s, nil
}

// checkRealAuth refuses a configuration whose gateway would not take the
// benchmark's requests, which carry their class in a header and no key.
func checkRealAuth(cfg *configs.Config) error {
	if cfg.Auth.Mode != configs.AuthNone {
		return fmt.Errorf("bench: %s: auth.mode %q: the benchmark sends classes in the %s header and needs auth.mode none", cfg.File, cfg.Auth.Mode, gateway.HeaderPriority)
	}
	return nil
}

// freeLoopbackAddrs returns n loopback addresses whose ports were free a
// moment ago.
func freeLoopbackAddrs(n int) ([]string, error) {
	lns, err := listenLoopback(n)
	if err != nil {
		return nil, err
	}
	addrs := make([]string, n)
	for i, ln := range lns {
		addrs[i] = ln.Addr().String()
		ln.Close()
	}
	return addrs, nil
}

// waitWarm waits until every pool of want has exactly want[pool]
// replicas ready and none starting, polling the admin API. It fails when
// serve stops, ctx ends or timeout passes first.
func (s *realSystem) waitWarm(ctx context.Context, want map[string]int, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	reader := newPoolReader(s.admin, time.Second)
	tick := time.NewTicker(realWarmPoll)
	defer tick.Stop()
	var last []adminPool
	for {
		pools, err := reader.read(ctx)
		if err == nil && warm(pools, want) {
			return nil
		}
		if err == nil {
			last = pools
		}
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("bench: serve stopped while its fleet started: %w", errors.Join(err, errServeStopped))
		case <-ctx.Done():
			return fmt.Errorf("bench: the fleet was not ready within %v: want %v, have %s", timeout, want, fleetText(last))
		case <-tick.C:
		}
	}
}

// warm reports whether pools have the wanted replicas, all ready.
func warm(pools []adminPool, want map[string]int) bool {
	seen := 0
	for _, p := range pools {
		n, ok := want[p.Name]
		if !ok {
			continue
		}
		if p.Ready != n || p.Starting != 0 {
			return false
		}
		seen++
	}
	return seen == len(want)
}

// fleetText writes pools as "name ready+starting, ...".
func fleetText(pools []adminPool) string {
	parts := make([]string, len(pools))
	for i, p := range pools {
		parts[i] = fmt.Sprintf("%s %d+%d", p.Name, p.Ready, p.Starting)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// stop stops serve, its workers with it, and returns what serve
// returned.
func (s *realSystem) stop() error {
	s.cancel()
	err := <-s.done
	s.done <- err
	return err
}
