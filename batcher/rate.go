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
func (r *arrivalRate) observe(now time.Time) {
	r.perSec = r.estimate(now) + 1/rateTau.Seconds()
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
