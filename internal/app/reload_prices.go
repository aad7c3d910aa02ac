package app

import (
	"sync/atomic"

	"github.com/sluice-gateway/sluice/configs"
)

// poolPrices is each pool's price, USD per replica-hour, as the admin
// API and the metrics show it. A reload replaces the whole table at once.
// It is safe for concurrent use.
type poolPrices struct {
	byPool atomic.Pointer[map[string]float64]
}

// newPoolPrices returns the prices of cfg's pools.
func newPoolPrices(cfg *configs.Config) *poolPrices {
	p := &poolPrices{}
	p.set(cfg)
	return p
}

// set makes cfg's pools and prices the table.
func (p *poolPrices) set(cfg *configs.Config) {
	m := make(map[string]float64, len(cfg.Pools))
	for _, pool := range cfg.Pools {
		m[pool.Name] = pool.PricePerHour
	}
	p.byPool.Store(&m)
}

// of returns pool's price; 0 for a pool the table lacks.
func (p *poolPrices) of(pool string) float64 { return (*p.byPool.Load())[pool] }

// all returns every pool's price. The map must not be modified.
func (p *poolPrices) all() map[string]float64 { return *p.byPool.Load() }
