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

// Take takes one call from each of buckets at now, from all or none. It
// returns -1 and 0 when every bucket admits the call; otherwise the index
// of the bucket that would admit it last and how long after now that is,
// leaving every bucket as it was.
func (l *Local) Take(buckets []Bucket, now time.Time) (refused int, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tat == nil {
		l.tat = map[string]time.Time{}
	}
	refused = -1
	for i, b := range buckets {
		if _, w := Decide(b, l.tat[b.Key], now); w > wait {
			refused, wait = i, w
		}
	}
	if refused >= 0 {
		return refused, wait
	}
	for _, b := range buckets {
		l.tat[b.Key], _ = Decide(b, l.tat[b.Key], now)
	}
	return -1, 0
}
