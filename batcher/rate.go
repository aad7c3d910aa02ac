package batcher

import (
	"math"
	"time"
)

// rateTau is the time constant of the arrival-rate estimate: arrivals
// older than a few rateTau no longer count. Half a second follows a load
// change within about a second yet averages over hundreds of arrivals at
// the rates where waiting pays (≥ 1 per MaxDelay).
const rateTau = 500 * time.Millisecond

// arrivalRate estimates arrivals per second as an exponentially decayed
// count: each arrival adds 1/τ, and the sum decays by e^(−Δt/τ). Under a
// steady rate λ it converges to λ. The zero value estimates 0.
type arrivalRate struct {
	perSec float64
	at     time.Time
}

// observe records one arrival at now.
func (r *arrivalRate) observe(now time.Time) { r.observeN(now, 1) }

// observeN records an arrival weighing n at now.
func (r *arrivalRate) observeN(now time.Time, n float64) {
	r.perSec = r.estimate(now) + n/rateTau.Seconds()
	r.at = now
}

// estimate returns the rate at now, in arrivals per second.
func (r *arrivalRate) estimate(now time.Time) float64 {
	if r.at.IsZero() {
		return 0
	}
	dt := now.Sub(r.at)
	if dt <= 0 {
		return r.perSec
	}
	return r.perSec * math.Exp(-dt.Seconds()/rateTau.Seconds())
}

// expected returns the number of arrivals expected within d after now.
func (r *arrivalRate) expected(now time.Time, d time.Duration) float64 {
	return r.estimate(now) * d.Seconds()
}

// ClassRates holds one rate per priority class, per second.
type ClassRates struct {
	Critical float64 `json:"critical"`
	High     float64 `json:"high"`
	Normal   float64 `json:"normal"`
	Low      float64 `json:"low"`
}

// Above returns the sum of the rates of the classes more urgent than p:
// the work that overtakes an item of class p while it waits.
func (r ClassRates) Above(p Priority) float64 {
	sum := 0.0
	for i, v := range [numClasses]float64{r.Critical, r.High, r.Normal, r.Low} {
		if Critical-Priority(i) > p {
			sum += v
		}
	}
	return sum
}

// Of returns the rate of class p; 0 for a value outside the classes.
func (r ClassRates) Of(p Priority) float64 {
	switch p {
	case Critical:
		return r.Critical
	case High:
		return r.High
	case Normal:
		return r.Normal
	case Low:
		return r.Low
	}
	return 0
}

// RowRates returns the rows per second arriving in each class at now,
// each an exponentially decayed estimate with the time constant of the
// waiting rule's (500 ms).
func (q *Queue) RowRates(now time.Time) ClassRates {
	var v [numClasses]float64
	for c := range q.rowRates {
		v[c] = q.rowRates[c].estimate(now)
	}
	return ClassRates{Critical: v[0], High: v[1], Normal: v[2], Low: v[3]}
}
