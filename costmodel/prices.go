package costmodel

import (
	"fmt"
	"math"
	"sync"
)

// Prices holds the current hourly price of each pool, for prices that
// change while Sluice runs (spot markets, a new contract). The zero value
// is an empty table ready to use; a Prices is safe for concurrent use and
// must not be copied after first use.
type Prices struct {
	mu sync.RWMutex
	m  map[string]float64
}

// NewPrices returns a table holding each pool's configured PricePerHour.
func NewPrices(pools []Pool) *Prices {
	ps := &Prices{m: make(map[string]float64, len(pools))}
	for _, p := range pools {
		ps.m[p.Name] = p.PricePerHour
	}
	return ps
}

// Set makes perHour (USD per hour of one replica) the price of the named
// pool. It returns an error wrapping ErrPrice, and changes nothing, when
// perHour is negative, NaN or infinite.
func (ps *Prices) Set(pool string, perHour float64) error {
	if !(perHour >= 0) || math.IsInf(perHour, 1) {
		return fmt.Errorf("pool %q: price %v per hour: %w", pool, perHour, ErrPrice)
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.m == nil {
		ps.m = map[string]float64{}
	}
	ps.m[pool] = perHour
	return nil
}

// Get returns the named pool's price in USD per hour and whether the table
// has one.
func (ps *Prices) Get(pool string) (perHour float64, ok bool) {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	perHour, ok = ps.m[pool]
	return perHour, ok
}

// Apply returns p with its PricePerHour replaced by the table's current
// price for p.Name, or p unchanged when the table has none.
func (ps *Prices) Apply(p Pool) Pool {
	if perHour, ok := ps.Get(p.Name); ok {
		p.PricePerHour = perHour
	}
	return p
}
