package system

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// realSampleInterval is how often `sluice bench real` reads the fleet
// from the admin API to bill it.
const realSampleInterval = 100 * time.Millisecond

// fleetMeter integrates a fleet's replicas, ready and starting, and their
// price over time, per pool, from samples: between two samples each pool
// is what the first said. A pool's price is the one its sample gives,
// else prices[name], else 0 (and the cost is not known). Its zero value has no sample; it is not safe
// for concurrent use.
type fleetMeter struct {
	// prices are the pools' USD per replica-hour when a sample lacks
	// them; nil for none.
	prices map[string]float64

	last    time.Time
	pools   []adminPool // the last sample
	seconds map[string]float64
	usd     map[string]float64
	// observed is set by the first sample; unpriced once a pool with
	// replicas had no price.
	observed, unpriced bool
}

// fleetUsage is what a fleetMeter measured, per pool: replica-seconds
// and cost in USD.
type fleetUsage struct {
	ReplicaSeconds map[string]float64
	CostByPoolUSD  map[string]float64
	// Known is false without a sample, or once a pool with replicas had
	// no price.
	Known bool `json:"-"`
}

// cost returns the fleet's total cost in USD.
func (u fleetUsage) cost() float64 {
	total := 0.0
	for _, c := range u.CostByPoolUSD {
		total += c
	}
	return total
}

// observe bills the time since the last sample as that sample said, and
// takes pools as the fleet from now on. A sample older than the last is
// ignored.
func (m *fleetMeter) observe(now time.Time, pools []adminPool) {
	if now.Before(m.last) {
		return
	}
	m.advance(now)
	m.pools, m.observed = pools, true
	for _, p := range pools {
		if _, ok := m.price(p); !ok && p.Ready+p.Starting > 0 {
			m.unpriced = true
		}
	}
}

// advance bills the time since the last sample as that sample said.
func (m *fleetMeter) advance(now time.Time) {
	if m.seconds == nil {
		m.seconds, m.usd = map[string]float64{}, map[string]float64{}
	}
	if !m.last.IsZero() && now.After(m.last) {
		dt := now.Sub(m.last).Seconds()
		for _, p := range m.pools {
			n := float64(p.Ready + p.Starting)
			m.seconds[p.Name] += n * dt
			price, _ := m.price(p)
			m.usd[p.Name] += n * dt * price / 3600
		}
	}
	if now.After(m.last) {
		m.last = now
	}
}

// price returns p's price per replica-hour, and whether it has one.
func (m *fleetMeter) price(p adminPool) (float64, bool) {
	if p.PricePerHour != nil {
		return *p.PricePerHour, true
	}
	price, ok := m.prices[p.Name]
	return price, ok
}

// usage returns what was billed so far, rounded as the simulator rounds
// its report, in fresh maps.
func (m *fleetMeter) usage() fleetUsage {
	u := fleetUsage{ReplicaSeconds: map[string]float64{}, CostByPoolUSD: map[string]float64{}, Known: m.observed && !m.unpriced}
	for _, p := range m.pools {
		u.ReplicaSeconds[p.Name], u.CostByPoolUSD[p.Name] = 0, 0
	}
	for name, s := range m.seconds {
		u.ReplicaSeconds[name] = benchRound(s, 3)
		u.CostByPoolUSD[name] = benchRound(m.usd[name], 6)
	}
	return u
}

// poolReader reads GET /admin/pools of one gateway.
type poolReader struct {
	url    string
	client *http.Client
}

// newPoolReader returns the reader of GET /admin/pools behind the admin
// base URL, each read bounded by timeout.
func newPoolReader(admin string, timeout time.Duration) poolReader {
	return poolReader{url: strings.TrimSuffix(admin, "/") + "/admin/pools", client: &http.Client{Timeout: timeout}}
}

// read fetches and decodes the pools.
func (r poolReader) read(ctx context.Context) ([]adminPool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bench: GET %s: %w", r.url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("bench: GET %s: %s", r.url, resp.Status)
	}
	var pools []adminPool
	if err := json.NewDecoder(resp.Body).Decode(&pools); err != nil {
		return nil, fmt.Errorf("bench: GET %s: decoding pools: %w", r.url, err)
	}
	return pools, nil
}

// fleetPoller samples GET /admin/pools into a fleetMeter every interval
// until stopped.
type fleetPoller struct {
	reader poolReader
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}

	// first is the fleet's first sample; nil when it failed.
	first []adminPool

	mu    sync.Mutex
	meter fleetMeter
}

// startFleetPoller takes a first sample of the fleet behind the admin
// base URL at once and then one every interval, pricing pools the admin
// API gives no price for from prices.
func startFleetPoller(admin string, prices map[string]float64, interval time.Duration, log *slog.Logger) *fleetPoller {
	ctx, cancel := context.WithCancel(context.Background())
	p := &fleetPoller{
		reader: newPoolReader(admin, time.Second),
		log:    log, cancel: cancel, done: make(chan struct{}),
		meter: fleetMeter{prices: prices},
	}
	p.sample(ctx)
	p.first = p.meter.pools
	go p.loop(ctx, interval)
	return p
}

// loop samples every interval until ctx is done.
func (p *fleetPoller) loop(ctx context.Context, interval time.Duration) {
	defer close(p.done)
	tick := time.NewTicker(interval)
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

// sample reads the fleet once; a failed read keeps the fleet as it was,
// and is logged.
func (p *fleetPoller) sample(ctx context.Context) {
	pools, err := p.reader.read(ctx)
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.log.Warn("reading the fleet for its cost", "error", err)
		p.meter.advance(now)
		return
	}
	p.meter.observe(now, pools)
}

// stop takes a last sample, stops sampling and returns the usage. A nil
// *fleetPoller measured nothing.
func (p *fleetPoller) stop() fleetUsage {
	if p == nil {
		return fleetUsage{}
	}
	p.cancel()
	<-p.done
	p.sample(context.Background())
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.meter.usage()
}
