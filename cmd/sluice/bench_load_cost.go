package main

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// costSampleInterval is how often the load benchmark reads the fleet's
// replicas from the admin API.
const costSampleInterval = time.Second

// adminPool is one pool in GET /admin/pools, as far as its cost goes.
type adminPool struct {
	Name     string `json:"name"`
	Ready    int    `json:"ready"`
	Starting int    `json:"starting"`
	// PricePerHour is one replica's price in USD per hour when the admin
	// API gives it; nil otherwise.
	PricePerHour *float64 `json:"price_per_hour"`
}

// costMeter integrates a fleet's price over time from samples of its
// pools: between two samples the fleet costs what the first said. Its
// zero value has no sample and no prices; it is not safe for concurrent
// use.
type costMeter struct {
	// prices are the pools' USD per replica-hour when the samples lack
	// them; nil for none.
	prices map[string]float64

	last    time.Time
	perHour float64 // the fleet's price at the last sample, USD per hour
	usd     float64
	sampled bool
	// unknown is set once a pool with replicas had no price.
	unknown bool
}

// observe bills the time since the last sample at that sample's price,
// and takes the fleet's price from pools from now on. A pool with
// replicas but no price makes the cost unknown.
func (m *costMeter) observe(now time.Time, pools []adminPool) {
	m.advance(now)
	m.perHour = 0
	for _, p := range pools {
		n := p.Ready + p.Starting
		if n == 0 {
			continue
		}
		price, ok := m.price(p)
		if !ok {
			m.unknown = true
			continue
		}
		m.perHour += float64(n) * price
	}
}

// advance bills the time since the last sample at its price; the fleet is
// assumed unchanged until now.
func (m *costMeter) advance(now time.Time) {
	if m.sampled && now.After(m.last) {
		m.usd += m.perHour * now.Sub(m.last).Hours()
	}
	if !m.sampled || now.After(m.last) {
		m.last = now
	}
	m.sampled = true
}

// price returns the pool's price per replica-hour.
func (m *costMeter) price(p adminPool) (float64, bool) {
	if p.PricePerHour != nil {
		return *p.PricePerHour, true
	}
	price, ok := m.prices[p.Name]
	return price, ok
}

// cost returns the bill so far in USD, and whether it is known: at least
// one sample, and every pool with replicas priced.
func (m *costMeter) cost() (float64, bool) { return m.usd, m.sampled && !m.unknown }

// costPoller samples GET /admin/pools into a costMeter every
// costSampleInterval until stopped. A nil *costPoller measures nothing.
type costPoller struct {
	pools  poolReader
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}

	mu    sync.Mutex
	meter costMeter
}

// startCostMeter starts sampling the fleet of f.admin, priced by f.config
// where the admin API gives no price; nil without --admin.
func startCostMeter(f loadFlags, log *slog.Logger) (*costPoller, error) {
	if f.admin == "" {
		return nil, nil
	}
	prices, err := loadPrices(f.config)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &costPoller{
		pools: newPoolReader(f.admin, costSampleInterval),
		log:   log, cancel: cancel, done: make(chan struct{}),
		meter: costMeter{prices: prices},
	}
	p.sample(ctx)
	go p.loop(ctx)
	return p, nil
}

// loop samples every costSampleInterval until ctx is done.
func (p *costPoller) loop(ctx context.Context) {
	defer close(p.done)
	tick := time.NewTicker(costSampleInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			p.sample(ctx)
		}
	}
}

// sample reads the pools once; a failed read leaves the fleet's price as
// it was, and is logged.
func (p *costPoller) sample(ctx context.Context) {
	pools, err := p.pools.read(ctx)
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.log.Warn("reading the fleet for its cost", "error", err)
		if p.meter.sampled {
			p.meter.advance(now)
		}
		return
	}
	p.meter.observe(now, pools)
}

// stop takes a last sample, stops sampling and returns the bill in USD
// and whether it is known.
func (p *costPoller) stop() (float64, bool) {
	if p == nil {
		return 0, false
	}
	p.cancel()
	<-p.done
	p.sample(context.Background())
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.meter.cost()
}
