package system

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/internal/app"
	"github.com/sluice-gateway/sluice/router"
)

// The paths the overhead benchmark compares, in the order it runs them.
const (
	pathDirect = "direct"
	pathProxy  = "proxy"
	pathSluice = "sluice"
)

// OverheadPaths returns the paths Overhead compares, in the order it
// runs them: direct to the workers, through a bare reverse proxy, and
// through Sluice.
func OverheadPaths() []string { return []string{pathDirect, pathProxy, pathSluice} }

// overheadTenant is the one tenant of the gateway under test.
const overheadTenant = "bench"

// overheadMaxConns bounds the connections to each host of the load
// generator and of the proxy, so that a path pushed past its capacity
// queues requests (timed from their due time) instead of exhausting the
// process's file descriptors and failing the next measurements.
const overheadMaxConns = 1024

// minBenchCurve is the per-item latency the gateway's configuration is
// given for workers whose batches take no time.
const minBenchCurve = time.Microsecond

// overheadSystem is the three paths to one pool of emulated workers, all
// in this process on loopback ports: the workers' own HTTP listeners, a
// bare reverse proxy in front of them, and Sluice with authentication,
// a tenant rate limit and queueing, batching off. Close it when done.
type overheadSystem struct {
	*benchApp
	// workers are the base URLs of the workers' HTTP listeners.
	workers []string
	// proxyURL is the base URL of the bare proxy.
	proxyURL string
	proxy    *http.Server
	proxyErr chan error // the proxy's Serve result
	// key is the API key the gateway admits.
	key string
}

// overheadPool is the pool of an overhead benchmark: n workers of p, each
// given slots batches at a time by the router.
type overheadPool struct {
	benchPool
	n, slots int
}

// startOverheadSystem starts Sluice with the pool's workers and the proxy
// in front of the same workers; the gateway's tenant may send up to
// tenantRate requests per second.
func startOverheadSystem(ctx context.Context, p overheadPool, tenantRate float64, log *slog.Logger) (_ *overheadSystem, err error) {
	key, hash, err := newBenchKey()
	if err != nil {
		return nil, err
	}
	cfg, err := overheadConfig(p, hash, tenantRate)
	if err != nil {
		return nil, err
	}
	sys := &overheadSystem{key: key}
	var mu sync.Mutex
	var urls []string
	workers := worker.InProcess{
		// The workers take the flags' curve, which may take no time; the
		// configuration's only needs to take some.
		Configure: func(o *worker.Options) { o.Base, o.PerItem = p.curve.Base, p.curve.PerItem },
		Started: func(_ *worker.Server, a worker.Announcement) {
			mu.Lock()
			defer mu.Unlock()
			urls = append(urls, "http://"+a.HTTP)
		},
	}
	if sys.benchApp, err = startBenchPool(ctx, cfg, app.Options{Logger: log, Workers: workers.Start, Router: overheadRouter(p)}); err != nil {
		return nil, err
	}
	mu.Lock()
	sys.workers = urls
	mu.Unlock()
	if err := sys.serveProxy(); err != nil {
		return nil, errors.Join(err, sys.Close())
	}
	return sys, nil
}

// overheadRouter amends serve's router: the router gives each worker
// p.slots batches at a time and checks no worker's health, as on the
// other paths: in a process this busy a probe may wait past its timeout,
// and ejecting every worker would measure the checks, not the request
// path.
func overheadRouter(p overheadPool) func(*router.Config) {
	return func(rc *router.Config) {
		for i := range rc.Pools {
			rc.Pools[i].Slots = p.slots
		}
		rc.Health = router.HealthConfig{}
	}
}

// serveProxy serves a bare httputil.ReverseProxy that sends requests to
// the workers in turn, over a transport that keeps as many connections
// per worker as the load generator's client does per host.
func (s *overheadSystem) serveProxy() error {
	targets := make([]*url.URL, len(s.workers))
	for i, w := range s.workers {
		u, err := url.Parse(w)
		if err != nil {
			return fmt.Errorf("bench: worker URL: %w", err)
		}
		targets[i] = u
	}
	var next atomic.Uint64
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(targets[(next.Add(1)-1)%uint64(len(targets))])
		},
		Transport: load.NewHTTPClient(overheadMaxConns).Transport,
		ErrorLog:  log.New(discardWriter{}, "", 0),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("bench: proxy: %w", err)
	}
	s.proxy = &http.Server{Handler: proxy, ReadHeaderTimeout: configs.DefaultReadHeaderTimeout}
	s.proxyURL = "http://" + ln.Addr().String()
	s.proxyErr = make(chan error, 1)
	go func() { s.proxyErr <- s.proxy.Serve(ln) }()
	return nil
}

// discardWriter swallows the proxy's error log: failures show in the
// load generator's counts.
type discardWriter struct{}

func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// overheadConfig is the configuration of the gateway under test: API keys
// on, one key whose tenant may send tenantRate requests per second with a
// burst as large, one model with batching off on one pool of p.n workers.
func overheadConfig(p overheadPool, keyHash string, tenantRate float64) (*configs.Config, error) {
	off := false
	cfg := &configs.Config{
		Auth: configs.Auth{Mode: configs.AuthKeys, Keys: []configs.APIKey{{
			SHA256: keyHash, Tenant: overheadTenant, Rate: tenantRate, Burst: int(tenantRate), Models: []string{benchModel},
		}}},
		Models: []configs.Model{{Name: benchModel, Tier: benchPoolName, Batching: &off, SLO: p.slo}},
		Tiers:  []configs.Tier{{Name: benchPoolName, Pools: []string{benchPoolName}}},
		Pools: []configs.Pool{{Name: benchPoolName, Curve: p.curve, MaxBatch: p.maxBatch,
			Replicas: configs.Replicas{Min: p.n, Initial: p.n, Max: p.n}}},
	}
	if p.curve.Base+p.curve.PerItem <= 0 {
		// The configuration wants a curve that takes time; the router only
		// starts from it and learns the workers' real one.
		cfg.Pools[0].Curve.PerItem = minBenchCurve
	}
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return cfg, nil
}

// newBenchKey returns a fresh random API key and its SHA-256 in hex.
func newBenchKey() (key, hash string, err error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("bench: API key: %w", err)
	}
	key = "bench-" + hex.EncodeToString(b)
	sum, err := gateway.HashKey(key)
	if err != nil {
		return "", "", fmt.Errorf("bench: API key: %w", err)
	}
	return key, hex.EncodeToString(sum[:]), nil
}

// target returns the load target of a path: requests to the model sum
// with body, sent to the workers in turn for the direct path.
func (s *overheadSystem) target(path string, client *http.Client, body []byte) load.Target {
	infer := "/v2/models/" + benchModel + "/infer"
	switch path {
	case pathDirect:
		rr := &roundRobin{}
		for _, w := range s.workers {
			rr.targets = append(rr.targets, &load.HTTPTarget{Client: client, URL: w + infer, Body: body})
		}
		return rr
	case pathProxy:
		return &load.HTTPTarget{Client: client, URL: s.proxyURL + infer, Body: body}
	default:
		h := http.Header{"Authorization": {"Bearer " + s.key}}
		return &load.HTTPTarget{Client: client, URL: s.url + infer, Body: body, Header: h}
	}
}

// Close stops the proxy, then Sluice and its workers.
func (s *overheadSystem) Close() error {
	var err error
	if s.proxy != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = s.proxy.Shutdown(ctx)
		cancel()
		if serveErr := <-s.proxyErr; !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
	}
	return errors.Join(err, s.benchApp.Close())
}

// roundRobin sends each request to the next of its targets in turn. It is
// safe for concurrent use once built.
type roundRobin struct {
	targets []load.Target
	next    atomic.Uint64
}

var _ load.Target = (*roundRobin)(nil)

// Do sends the request through the next target.
func (r *roundRobin) Do(ctx context.Context) error {
	return r.targets[(r.next.Add(1)-1)%uint64(len(r.targets))].Do(ctx)
}
