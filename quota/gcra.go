package quota

import (
	"math"
	"time"
)

// Bucket names a token bucket and gives its limits.
type Bucket struct {
	// Key names the bucket where it is stored; buckets of equal keys are
	// one bucket.
	Key string
	// Rate is in calls per second; > 0 and finite.
	Rate float64
	// Burst is the most calls admitted at once; >= 1.
	Burst int
}

// Interval returns the time one call takes of the bucket's rate: 1/Rate
// seconds, at least 1ns.
func (b Bucket) Interval() time.Duration {
	return max(time.Duration(math.Round(float64(time.Second)/b.Rate)), 1)
}

// Decide takes one call from a bucket whose theoretical arrival time is
// tat (zero for a full bucket) at now. It returns the bucket's next tat
// and 0 when the call is admitted; otherwise tat unchanged and how long
// after now the call would be.
//
// The rule: with T = Interval and τ = T × (Burst − 1), a call is admitted
// when max(tat, now) − now <= τ, and then tat becomes max(tat, now) + T.
func Decide(b Bucket, tat, now time.Time) (next time.Time, wait time.Duration) {
	t := b.Interval()
	if tat.Before(now) {
		tat = now
	}
	tolerance := t * time.Duration(max(b.Burst-1, 0))
	if ahead := tat.Sub(now); ahead > tolerance {
		return tat, ahead - tolerance
	}
	return tat.Add(t), 0
}
