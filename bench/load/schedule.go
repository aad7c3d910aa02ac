package load

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// MaxRequests bounds the arrivals of one Schedule, so that a mistyped rate
// or duration fails instead of exhausting memory.
const MaxRequests = 10_000_000

// Schedule is when a run sends its requests. It is a plain value built in
// advance; Run only reads it. The zero Schedule sends nothing.
type Schedule struct {
	// Duration is the arrival window: every offset is in [0, Duration).
	Duration time.Duration
	// Offsets are the send times relative to the start of the run, in
	// ascending order.
	Offsets []time.Duration
}

// Rate returns the schedule's arrival rate in requests per second,
// len(Offsets)/Duration; 0 for a zero Duration.
func (s Schedule) Rate() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return float64(len(s.Offsets)) / s.Duration.Seconds()
}

// Poisson returns the arrivals of a Poisson process of rate requests per
// second over d: independent exponential gaps of mean 1/rate, drawn from a
// generator seeded with seed, so the same arguments always give the same
// schedule. The number of arrivals is random, rate·d on average. It fails
// with ErrSchedule when rate or d is not positive and finite, or when the
// schedule would hold more than MaxRequests arrivals.
func Poisson(rate float64, d time.Duration, seed uint64) (Schedule, error) {
	if err := check(rate, d); err != nil {
		return Schedule{}, err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	window := d.Seconds()
	s := Schedule{Duration: d}
	for t := rng.ExpFloat64() / rate; t < window; t += rng.ExpFloat64() / rate {
		if len(s.Offsets) == MaxRequests {
			return Schedule{}, fmt.Errorf("%w: rate %g/s over %v exceeds %d requests", ErrSchedule, rate, d, MaxRequests)
		}
		s.Offsets = append(s.Offsets, time.Duration(t*float64(time.Second)))
	}
	return s, nil
}

// Constant returns evenly spaced arrivals at rate requests per second over
// d, the first at offset 0: ceil(rate·d) of them. It fails as Poisson does.
func Constant(rate float64, d time.Duration) (Schedule, error) {
	if err := check(rate, d); err != nil {
		return Schedule{}, err
	}
	n := math.Ceil(rate * d.Seconds())
	s := Schedule{Duration: d, Offsets: make([]time.Duration, int(n))}
	for i := range s.Offsets {
		s.Offsets[i] = time.Duration(float64(i) / rate * float64(time.Second))
	}
	return s, nil
}

// check validates a schedule's rate and window, and bounds its expected
// number of arrivals.
func check(rate float64, d time.Duration) error {
	if !(rate > 0) || math.IsInf(rate, 1) {
		return fmt.Errorf("%w: rate %g/s, must be positive and finite", ErrSchedule, rate)
	}
	if d <= 0 {
		return fmt.Errorf("%w: duration %v, must be positive", ErrSchedule, d)
	}
	if math.Ceil(rate*d.Seconds()) > MaxRequests {
		return fmt.Errorf("%w: rate %g/s over %v exceeds %d requests", ErrSchedule, rate, d, MaxRequests)
	}
	return nil
}
