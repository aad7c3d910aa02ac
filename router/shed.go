package router

import (
	"maps"
	"sync"
	"sync/atomic"

	"github.com/sluice-gateway/sluice/batcher"
)

// shedding holds, per tier, the level the tier sheds at. Reads are
// lock-free, for the request path; writes copy the map. The zero value
// sheds nothing anywhere.
type shedding struct {
	mu    sync.Mutex // serializes writers
	level atomic.Pointer[map[string]batcher.ShedLevel]
}

// admits reports whether tier takes a request of class p.
func (s *shedding) admits(tier string, p batcher.Priority) bool {
	m := s.level.Load()
	return m == nil || !(*m)[tier].Sheds(p)
}

// set makes tier shed at level l.
func (s *shedding) set(tier string, l batcher.ShedLevel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := map[string]batcher.ShedLevel{}
	if m := s.level.Load(); m != nil {
		next = maps.Clone(*m)
	}
	if l == batcher.ShedNone {
		delete(next, tier)
	} else {
		next[tier] = l
	}
	s.level.Store(&next)
}

// all returns a copy of the tiers that shed, with their levels.
func (s *shedding) all() map[string]batcher.ShedLevel {
	out := map[string]batcher.ShedLevel{}
	if m := s.level.Load(); m != nil {
		maps.Copy(out, *m)
	}
	return out
}

// SetShed makes the router refuse, with ErrShed, the requests routed to
// tier whose class level sheds (batcher.ShedLevel.Sheds); ShedNone admits
// every class again. A refused request still counts in the tier's
// TierStats, so the tier's demand stays visible to whoever sheds it; a
// model that caches always (CacheAlways) still answers from the cache.
// The setting outlives reloads and applies to a tier of that name
// whenever one exists; the request path reads it without locking.
func (r *Router) SetShed(tier string, l batcher.ShedLevel) { r.shed.set(tier, l) }

// Shedding returns the tiers that shed, each with its level. The map is
// the caller's.
func (r *Router) Shedding() map[string]batcher.ShedLevel { return r.shed.all() }
