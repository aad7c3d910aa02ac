package router

import (
	"maps"
	"sync"
	"sync/atomic"

	"github.com/sluice-gateway/sluice/batcher"
)

// shedding holds, per tier, the least urgent class the tier admits. Reads
// are lock-free, for the request path; writes copy the map. The zero value
// admits every class of every tier.
type shedding struct {
	mu    sync.Mutex // serializes writers
	least atomic.Pointer[map[string]batcher.Priority]
}

// admits reports whether tier takes a request of class p.
func (s *shedding) admits(tier string, p batcher.Priority) bool {
	m := s.least.Load()
	if m == nil {
		return true
	}
	least, ok := (*m)[tier]
	return !ok || p >= least
}

// set makes tier admit the classes at least as urgent as least.
func (s *shedding) set(tier string, least batcher.Priority) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := map[string]batcher.Priority{}
	if m := s.least.Load(); m != nil {
		next = maps.Clone(*m)
	}
	if least <= batcher.Low {
		delete(next, tier)
	} else {
		next[tier] = least
	}
	s.least.Store(&next)
}

// all returns a copy of the tiers that shed, with the least urgent class
// each admits.
func (s *shedding) all() map[string]batcher.Priority {
	out := map[string]batcher.Priority{}
	if m := s.least.Load(); m != nil {
		maps.Copy(out, *m)
	}
	return out
}

// SetShed makes the router refuse, with ErrShed, the requests routed to
// tier whose class is less urgent than least; least batcher.Low (or below)
// admits every class again. A refused request still counts in the tier's
// TierStats, so the tier's demand stays visible to whoever sheds it; a
// cached answer is still served. The setting outlives reloads and applies
// to a tier of that name whenever one exists; the request path reads it
// without locking.
func (r *Router) SetShed(tier string, least batcher.Priority) { r.shed.set(tier, least) }

// Shedding returns the tiers that refuse some classes, each with the
// least urgent class it admits. The map is the caller's.
func (r *Router) Shedding() map[string]batcher.Priority { return r.shed.all() }
