package status

import (
	"sync"
	"time"
)

// sample is the fleet at one time, for the status page's trends.
type sample struct {
	At time.Time
	// Pools holds each pool whose replicas were known then, by name.
	Pools map[string]poolSample
}

// poolSample is one pool in a sample.
type poolSample struct {
	// Rate is requests per second over the router's window.
	Rate float64
	// Replicas counts ready and starting replicas; USDPerHour is their
	// price.
	Replicas   int
	USDPerHour float64
}

// sampleOf is the sample of live at now, for the pools of layout.
func sampleOf(now time.Time, layout Layout, live map[string]Live) sample {
	s := sample{At: now, Pools: make(map[string]poolSample, len(layout.Fleet.Pools))}
	for _, p := range layout.Fleet.Pools {
		l, ok := live[p.Name]
		if !ok || l.Err != nil {
			continue
		}
		n := l.Ready + l.Starting
		s.Pools[p.Name] = poolSample{Rate: l.Rate, Replicas: n, USDPerHour: p.CostPerHour(n)}
	}
	return s
}

// total sums the sample's pools; ok is false when it holds none.
func (s sample) total() (sum poolSample, ok bool) {
	for _, ps := range s.Pools {
		sum.Rate += ps.Rate
		sum.Replicas += ps.Replicas
		sum.USDPerHour += ps.USDPerHour
	}
	return sum, len(s.Pools) > 0
}

// sampler keeps the latest samples of a window in a ring of fixed size:
// enough for the window at one sample per step. Its clock stamps the
// samples and ends the window. The zero value keeps nothing; use
// newSampler. It is safe for concurrent use.
type sampler struct {
	now    func() time.Time
	window time.Duration

	mu   sync.Mutex
	ring []sample
	next int // the slot the next sample takes
	n    int // samples held, <= len(ring)
}

// newSampler returns a sampler on the clock now holding window/step
// samples (at least one): a window's worth at one sample per step, since
// the window's start is out of it. pre: window >= 0, step > 0.
func newSampler(now func() time.Time, window, step time.Duration) *sampler {
	return &sampler{now: now, window: window, ring: make([]sample, max(int(window/step), 1))}
}

// record keeps the sample collect makes at the clock's time, dropping the
// oldest sample when the ring is full. The sampler owns the sample's map
// from then on. collect runs without the sampler's lock held.
func (r *sampler) record(collect func(now time.Time) sample) {
	s := collect(r.now())
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.ring) == 0 {
		return
	}
	r.ring[r.next] = s
	r.next = (r.next + 1) % len(r.ring)
	r.n = min(r.n+1, len(r.ring))
}

// recent returns the samples of the window ending at the clock's time
// (its end in, its start out), oldest first (in the order they were
// recorded). The slice is the caller's; the samples' maps are shared and
// must not be modified.
func (r *sampler) recent() []sample {
	now := r.now()
	from := now.Add(-r.window)
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]sample, 0, r.n)
	for i := range r.n {
		s := r.ring[(r.next-r.n+i+len(r.ring))%len(r.ring)]
		if s.At.After(from) && !s.At.After(now) {
			out = append(out, s)
		}
	}
	return out
}

// decisionLog keeps the latest scaler decisions that have a reason to be
// read: they changed a size, noticed an event or failed. It outlives the
// scaler's own history, which keeps every tick, idle ones included. The
// zero value keeps nothing; use newDecisionLog. It is safe for
// concurrent use.
type decisionLog struct {
	mu   sync.Mutex
	size int
	kept []DecisionView // oldest first
	last time.Time      // the latest decision seen
}

// newDecisionLog returns a log keeping up to size decisions. pre: size >= 0.
func newDecisionLog(size int) *decisionLog { return &decisionLog{size: size} }

// add keeps the decisions of ds, oldest first, that are later than every
// decision seen before and have a reason to be read; the others are
// ignored, so the scaler's whole history can be handed over every time.
func (l *decisionLog) add(ds []DecisionView) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range ds {
		if !d.At.After(l.last) {
			continue
		}
		l.last = d.At
		if worthReading(d) && l.size > 0 {
			if len(l.kept) == l.size {
				l.kept = append(l.kept[:0], l.kept[1:]...)
			}
			l.kept = append(l.kept, d)
		}
	}
}

// recent returns the kept decisions, oldest first. The slice is the
// caller's; the decisions in it are shared and must not be modified.
func (l *decisionLog) recent() []DecisionView {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]DecisionView(nil), l.kept...)
}

// worthReading reports whether d changed a size, noticed an event or
// failed.
func worthReading(d DecisionView) bool {
	return len(d.Changes) > 0 || len(d.Events) > 0 || d.Error != ""
}
