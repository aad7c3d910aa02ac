package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/router"
)

// The name a benchmark system gives its one pool and tier, and the model
// it serves, one of the emulated worker's.
const (
	benchPoolName = "gpu"
	benchModel    = "sum"
)

// benchPool describes the one pool of a benchmark system.
type benchPool struct {
	// curve is the worker's batch latency; maxBatch its largest batch.
	curve    costmodel.Curve
	maxBatch int
	// slo is the model's latency target, which bounds the batcher's waits.
	slo time.Duration
}

// config is the configuration `sluice serve` would run the pool with: one
// tier, one model with batching on, default timeouts and queue limits.
func (p benchPool) config() (*configs.Config, error) {
	on := true
	cfg := &configs.Config{
		Listen: configs.Listen{HTTP: "127.0.0.1:0"},
		Models: []configs.Model{{Name: benchModel, Tier: benchPoolName, Batching: &on, SLO: p.slo}},
		Tiers:  []configs.Tier{{Name: benchPoolName, Pools: []string{benchPoolName}}},
		Pools: []configs.Pool{{
			Name: benchPoolName, Curve: p.curve, MaxBatch: p.maxBatch,
		}},
	}
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return cfg, nil
}

// benchSystem is a gateway, its router and one emulated worker, all in
// this process on loopback ports, on the real clock. Close it when done.
type benchSystem struct {
	// url is the base URL of the gateway's HTTP listener.
	url    string
	router *router.Router

	stopWorker context.CancelFunc
	gateway    *http.Server
	wg         sync.WaitGroup
	mu         sync.Mutex
	errs       []error // from the servers' goroutines
}

// startBenchSystem starts p's worker, a router wired as `sluice serve`
// wires it, and the gateway's HTTP API.
func startBenchSystem(p benchPool, log *slog.Logger) (_ *benchSystem, err error) {
	cfg, err := p.config()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	sys := &benchSystem{stopWorker: cancel}
	defer func() {
		if err != nil {
			err = errors.Join(err, sys.close())
		}
	}()
	if sys.router, err = router.New(routerConfig(cfg)); err != nil {
		return nil, err
	}
	ep, err := sys.startWorker(ctx, benchPoolName+"-0", p, log)
	if err != nil {
		return nil, err
	}
	if err := sys.router.SetEndpoints(benchPoolName, []router.Endpoint{ep}); err != nil {
		return nil, err
	}
	if err := sys.serveGateway(log); err != nil {
		return nil, err
	}
	return sys, nil
}

// startWorker runs one emulated worker on loopback until ctx is done.
func (s *benchSystem) startWorker(ctx context.Context, id string, p benchPool, log *slog.Logger) (router.Endpoint, error) {
	w, err := worker.New(worker.Options{Name: id, Base: p.curve.Base, PerItem: p.curve.PerItem, MaxBatch: p.maxBatch, Logger: log})
	if err != nil {
		return router.Endpoint{}, fmt.Errorf("bench: worker %s: %w", id, err)
	}
	lns, err := listenLoopback(2)
	if err != nil {
		return router.Endpoint{}, fmt.Errorf("bench: worker %s: %w", id, err)
	}
	s.goServe(func() error { return w.Serve(ctx, lns[0], lns[1]) })
	return router.Endpoint{ID: id, HTTP: lns[0].Addr().String(), GRPC: lns[1].Addr().String()}, nil
}

// serveGateway serves the gateway's HTTP API on a loopback port.
func (s *benchSystem) serveGateway(log *slog.Logger) error {
	lns, err := listenLoopback(1)
	if err != nil {
		return fmt.Errorf("bench: gateway: %w", err)
	}
	gw := gateway.New(gateway.Options{Router: s.router, Logger: log})
	s.gateway = &http.Server{Handler: gw.HTTPHandler(), ReadHeaderTimeout: configs.DefaultReadHeaderTimeout}
	s.url = "http://" + lns[0].Addr().String()
	s.goServe(func() error { return ignoreClosed(s.gateway.Serve(lns[0])) })
	return nil
}

// goServe runs serve on its own goroutine, keeping its error for close.
func (s *benchSystem) goServe(serve func() error) {
	s.wg.Go(func() {
		if err := serve(); err != nil {
			s.mu.Lock()
			s.errs = append(s.errs, err)
			s.mu.Unlock()
		}
	})
}

// dispatched returns the batches and items the pool's batcher has dispatched.
func (s *benchSystem) dispatched() (batches, items uint64) {
	st := s.router.Pool(benchPoolName).Stats()
	return st.Batches, st.Items
}

// close stops the gateway, the router and the worker, each gracefully
// within shutdownGrace, and returns what went wrong while they ran or
// stopped.
func (s *benchSystem) close() error {
	var errs []error
	if s.gateway != nil {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		errs = append(errs, s.gateway.Shutdown(ctx))
		cancel()
	}
	if s.router != nil {
		s.router.Close()
	}
	s.stopWorker()
	s.wg.Wait()
	return errors.Join(append(errs, s.errs...)...)
}

// listenLoopback opens n listeners on free loopback ports; on failure it
// closes those it opened.
func listenLoopback(n int) ([]net.Listener, error) {
	lns := make([]net.Listener, 0, n)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return nil, fmt.Errorf("listen on loopback: %w", err)
		}
		lns = append(lns, ln)
	}
	return lns, nil
}
