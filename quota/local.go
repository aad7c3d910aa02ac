package quota

import (
	"sync"
	"time"
)

// Local keeps buckets in memory. It is safe for concurrent use; its zero
// value holds only full buckets.
type Local struct {
	mu  sync.Mutex
	tat map[string]time.Time
}

// Take takes one call from each of buckets at now, from all or none: it
// returns 0 when every bucket admits the call, and otherwise how long
// until all of them would, leaving every bucket as it was.
func (l *Local) Take(buckets []Bucket, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tat == nil {
		l.tat = map[string]time.Time{}
	}
	var wait time.Duration
	for _, b := range buckets {
		if _, w := Decide(b, l.tat[b.Key], now); w > wait {
			wait = w
		}
	}
	if wait > 0 {
		return wait
	}
	for _, b := range buckets {
		l.tat[b.Key], _ = Decide(b, l.tat[b.Key], now)
	}
	return 0
}
