package system

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/internal/app"
)

// benchPoll is how often a starting system is asked whether its fleet is
// ready.
const benchPoll = 100 * time.Millisecond

// benchApp is Sluice started through app.Start in this process, its HTTP
// and admin listeners on free loopback ports and its others off. Close it
// when done.
type benchApp struct {
	*app.App
	// url and admin are the base URLs of the HTTP and admin listeners.
	url, admin string
}

// startBenchApp starts Sluice on cfg, whose listeners and drain delay it
// changes, with opts; the workers start in the background. No load
// balancer stands in front of a benchmark's gateway, so it closes its
// listeners as soon as it has drained.
func startBenchApp(ctx context.Context, cfg *configs.Config, opts app.Options) (*benchApp, error) {
	cfg.Listen = configs.Listen{HTTP: "127.0.0.1:0", Admin: "127.0.0.1:0"}
	cfg.Shutdown.DrainDelay = time.Millisecond
	a, err := app.Start(ctx, cfg, opts)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	addrs := a.Addrs()
	return &benchApp{App: a, url: "http://" + addrs.HTTP, admin: "http://" + addrs.Admin}, nil
}

// waitPools polls the admin API until ready says the pools are, and
// fails when Sluice stops, ctx ends or timeout passes first; what names
// the wait in the error.
func (b *benchApp) waitPools(ctx context.Context, timeout time.Duration, what string, ready func([]adminPool) bool) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	reader := newPoolReader(b.admin, time.Second)
	tick := time.NewTicker(benchPoll)
	defer tick.Stop()
	var last []adminPool
	for {
		pools, err := reader.read(ctx)
		if err == nil && ready(pools) {
			return nil
		}
		if err == nil {
			last = pools
		}
		select {
		case <-b.Done():
			return fmt.Errorf("bench: serve stopped while its fleet started: %w", errors.Join(b.Wait(), errServeStopped))
		case <-ctx.Done():
			return fmt.Errorf("bench: %s within %v: have %s", what, timeout, fleetText(last))
		case <-tick.C:
		}
	}
}

// waitWarm waits until every pool of want has exactly want[pool]
// replicas ready and none starting.
func (b *benchApp) waitWarm(ctx context.Context, want map[string]int, timeout time.Duration) error {
	return b.waitPools(ctx, timeout, fmt.Sprintf("the fleet was not ready: want %v", want), func(pools []adminPool) bool {
		return warm(pools, want)
	})
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

// atLeast reports whether every pool of want has at least want[pool]
// replicas ready.
func atLeast(pools []adminPool, want map[string]int) bool {
	seen := 0
	for _, p := range pools {
		if n, ok := want[p.Name]; ok && p.Ready >= n {
			seen++
		}
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

// benchReadyTimeout bounds the wait for a benchmark system's workers.
const benchReadyTimeout = time.Minute

// startBenchPool starts Sluice on cfg as startBenchApp does and waits
// until every pool has its initial workers ready.
func startBenchPool(ctx context.Context, cfg *configs.Config, opts app.Options) (*benchApp, error) {
	sys, err := startBenchApp(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	want := map[string]int{}
	for _, p := range cfg.Pools {
		want[p.Name] = p.Replicas.Initial
	}
	err = sys.waitPools(ctx, benchReadyTimeout, "the workers were not ready", func(pools []adminPool) bool { return atLeast(pools, want) })
	if err != nil {
		return nil, errors.Join(err, sys.Close())
	}
	return sys, nil
}

// dispatched returns the batches and items pool's queue has dispatched;
// zero when the admin API cannot tell.
func (b *benchApp) dispatched(ctx context.Context, pool string) (batches, items uint64) {
	pools, err := newPoolReader(b.admin, time.Second).read(ctx)
	if err != nil {
		return 0, 0
	}
	for _, p := range pools {
		if p.Name == pool {
			return p.Queue.Batches, p.Queue.Items
		}
	}
	return 0, 0
}

// benchPool describes the one pool of a benchmark system.
type benchPool struct {
	// curve is the worker's batch latency; maxBatch its largest batch.
	curve    costmodel.Curve
	maxBatch int
	// slo is the model's latency target, which bounds the batcher's waits.
	slo time.Duration
}

// The name a benchmark system gives its one pool and tier, and the model
// it serves, one of the emulated worker's.
const (
	benchPoolName = "gpu"
	benchModel    = "sum"
)

// config is the configuration `sluice serve` would run the pool with: one
// worker, one tier, one model with batching on, default timeouts and
// queue limits.
func (p benchPool) config() (*configs.Config, error) {
	on := true
	cfg := &configs.Config{
		Models: []configs.Model{{Name: benchModel, Tier: benchPoolName, Batching: &on, SLO: p.slo}},
		Tiers:  []configs.Tier{{Name: benchPoolName, Pools: []string{benchPoolName}}},
		Pools: []configs.Pool{{
			Name: benchPoolName, Curve: p.curve, MaxBatch: p.maxBatch,
			Replicas: configs.Replicas{Min: 1, Initial: 1, Max: 1},
		}},
	}
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return cfg, nil
}
