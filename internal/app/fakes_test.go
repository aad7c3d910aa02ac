package app

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/router"
)

// fakePlane is a data plane whose statistics the test sets.
type fakePlane struct {
	mu    sync.Mutex
	pools []router.PoolStats
	tiers []router.TierStats
}

func (p *fakePlane) Stats() []router.PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pools
}

func (p *fakePlane) TierStats() []router.TierStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tiers
}

func (p *fakePlane) set(pools []router.PoolStats, tiers []router.TierStats) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pools, p.tiers = pools, tiers
}

// fakeDriver is a poolDriver that records sizes and reports the replicas
// the test sets; err, if set, fails Replicas.
type fakeDriver struct {
	mu       sync.Mutex
	replicas map[string][2]int
	sizes    []string // "pool=n" per SetReplicas call
	err      error
}

func (d *fakeDriver) SetReplicas(_ context.Context, pool string, n int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sizes = append(d.sizes, pool+"="+strconv.Itoa(n))
	return nil
}

func (d *fakeDriver) Replicas(_ context.Context, pool string) (ready, starting int, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := d.replicas[pool]
	return r[0], r[1], d.err
}

func (d *fakeDriver) calls() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.sizes...)
}

// fakeAdmission records what the scaler's admission tells the router
// and the gateway.
type fakeAdmission struct {
	calls     []string
	fallbacks map[string]bool // models with a fallback
}

func (a *fakeAdmission) SetShed(tier string, level batcher.ShedLevel) {
	a.calls = append(a.calls, fmt.Sprintf("shed %s at %v", tier, level))
}

func (a *fakeAdmission) SetFallback(model string, on bool) error {
	if !a.fallbacks[model] {
		return fmt.Errorf("%w for model %q", gateway.ErrNoFallback, model)
	}
	a.calls = append(a.calls, fmt.Sprintf("fallback %s %v", model, on))
	return nil
}
