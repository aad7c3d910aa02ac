package load

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Second is one second of a traffic trace: requests arrive as a Poisson
// process of rate RPS within it, each heavy with probability
// HeavyFraction.
type Second struct {
	// RPS is the mean arrival rate in requests per second; >= 0 and
	// finite.
	RPS float64
	// HeavyFraction is the share of heavy requests; in [0, 1].
	HeavyFraction float64
}

// Class is the priority class of a request of a traced schedule. The zero
// value is High.
type Class uint8

// The classes, most urgent first.
const (
	High Class = iota
	Normal
	Low
)

// NumClasses is the number of classes; a Class indexes arrays of this
// length.
const NumClasses = 3

// The shares of the classes in traced traffic: 20 % High, 70 % Normal and
// the remaining 10 % Low.
const (
	ShareHigh   = 0.20
	ShareNormal = 0.70
)

var classNames = [NumClasses]string{"high", "normal", "low"}

// String returns "high", "normal" or "low", or "class(N)" for a value
// outside them.
func (c Class) String() string {
	if int(c) < NumClasses {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", c)
}

// Arrival is what one request of a traced schedule is.
type Arrival struct {
	// Heavy marks a heavy request; false is a light one.
	Heavy bool
	// Class is the request's priority class.
	Class Class
}

// Traced is a schedule replaying a trace, with what each request is.
// It is a plain value built in advance; RunEach only reads it.
type Traced struct {
	Schedule
	// Arrivals[i] describes the request sent at Offsets[i].
	Arrivals []Arrival
}

// TraceOptions tunes TraceSchedule. The zero value replays the whole
// trace in real time with seed 0.
type TraceOptions struct {
	// Speedup compresses trace time: second i of the trace is sent from
	// i/Speedup seconds after the start, so rates are Speedup times the
	// trace's. 0 means 1; otherwise > 0 and finite.
	Speedup float64
	// Limit caps the trace time replayed (before Speedup); arrivals at or
	// after it are dropped. 0 means the whole trace; otherwise > 0.
	Limit time.Duration
	// Seed seeds the draws: the same trace, options and seed always give
	// the same schedule.
	Seed uint64
	// Compress shortens trace time without raising rates: second i of
	// the trace is sent during [i/Compress, (i+1)/Compress) seconds after
	// the start (times the Speedup, if both are set) at its own rate, so
	// it sends 1/Compress of its requests. It keeps latencies physical
	// when the server's other time constants are compressed alike. 0
	// means 1; otherwise > 0 and finite. See compress.go.
	Compress float64
}

// TraceSchedule returns the schedule that replays secs: within each trace
// second a Poisson process of that second's rate (exponential gaps
// restarted at the second's start, so the second holds a Poisson number
// of arrivals of mean RPS), each request heavy with the second's heavy
// fraction and High, Normal or Low with probability ShareHigh,
// ShareNormal and the rest. The schedule's Duration is the replayed trace
// time divided by the speedup and the compression. It fails with
// ErrSchedule for a rate that is negative or not finite, a heavy fraction
// outside [0, 1], bad options, or more than MaxRequests arrivals expected
// or drawn.
func TraceSchedule(secs []Second, o TraceOptions) (Traced, error) {
	speedup, err := checkTrace(secs, o)
	if err != nil {
		return Traced{}, err
	}
	k, err := o.compression()
	if err != nil {
		return Traced{}, err
	}
	speedup *= k
	span := time.Duration(len(secs)) * time.Second
	if o.Limit > 0 {
		span = min(span, o.Limit)
	}
	tr := Traced{Schedule: Schedule{Duration: time.Duration(float64(span) / speedup)}}
	d := newDraws(o.Seed)
	limit := span.Seconds()
	for i, s := range secs {
		if float64(i) >= limit {
			break
		}
		if err := d.second(&tr, i, compressSecond(s, k), min(float64(i+1), limit), speedup); err != nil {
			return Traced{}, err
		}
	}
	return tr, nil
}

// checkTrace validates a trace and its options and returns the speedup.
func checkTrace(secs []Second, o TraceOptions) (float64, error) {
	speedup := o.Speedup
	if speedup == 0 {
		speedup = 1
	}
	if !(speedup > 0) || math.IsInf(speedup, 1) {
		return 0, fmt.Errorf("%w: speedup %g, must be positive and finite", ErrSchedule, o.Speedup)
	}
	if o.Limit < 0 {
		return 0, fmt.Errorf("%w: limit %v, must not be negative", ErrSchedule, o.Limit)
	}
	expected := 0.0
	for i, s := range secs {
		if !(s.RPS >= 0) || math.IsInf(s.RPS, 1) {
			return 0, fmt.Errorf("%w: second %d: rate %g/s, must be >= 0 and finite", ErrSchedule, i, s.RPS)
		}
		if !(s.HeavyFraction >= 0 && s.HeavyFraction <= 1) {
			return 0, fmt.Errorf("%w: second %d: heavy fraction %g, must be in [0, 1]", ErrSchedule, i, s.HeavyFraction)
		}
		expected += s.RPS
	}
	if expected > MaxRequests {
		return 0, fmt.Errorf("%w: the trace expects %.0f requests, more than %d", ErrSchedule, expected, MaxRequests)
	}
	return speedup, nil
}

// draws is the random source of a traced schedule.
type draws struct{ rng *rand.Rand }

func newDraws(seed uint64) draws {
	return draws{rng: rand.New(rand.NewPCG(seed, seed^0x7ace5c4ed))}
}

// second appends the arrivals of trace second i, which ends at end (in
// trace seconds; earlier than i+1 when the limit cuts it).
func (d draws) second(tr *Traced, i int, s Second, end, speedup float64) error {
	if s.RPS == 0 {
		return nil
	}
	for t := float64(i) + d.rng.ExpFloat64()/s.RPS; t < end; t += d.rng.ExpFloat64() / s.RPS {
		if len(tr.Offsets) == MaxRequests {
			return fmt.Errorf("%w: the trace draws more than %d requests", ErrSchedule, MaxRequests)
		}
		tr.Offsets = append(tr.Offsets, time.Duration(t/speedup*float64(time.Second)))
		tr.Arrivals = append(tr.Arrivals, d.arrival(s.HeavyFraction))
	}
	return nil
}

// arrival draws the kind and class of one request.
func (d draws) arrival(heavy float64) Arrival {
	a := Arrival{Heavy: d.rng.Float64() < heavy, Class: Low}
	switch u := d.rng.Float64(); {
	case u < ShareHigh:
		a.Class = High
	case u < ShareHigh+ShareNormal:
		a.Class = Normal
	}
	return a
}
