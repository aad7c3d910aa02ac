package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
)

// The shares of the priority classes in generated traffic.
const (
	shareHigh   = 0.20
	shareNormal = 0.70 // the remaining 10 % are Low
)

// never is a time after every event.
const never = time.Duration(math.MaxInt64)

// Arrival is one request to replay (see Options.Arrivals).
type Arrival struct {
	// At is when it arrives, in simulated time from the start of the
	// trace.
	At time.Duration
	// Kind is Light or Heavy; Priority its class.
	Kind     int
	Priority batcher.Priority
}

// arrivals yields a trace's requests one at a time. Unless it replays
// given ones, it draws them: within each second a Poisson process of that
// second's rate (exponential gaps, restarted at the second's start since
// the process is memoryless), each request heavy with the second's heavy
// fraction and of class High, Normal or Low with probability 20, 70 and
// 10 %. The draws come from their own generator, so every policy sees the
// same requests for a seed.
type arrivals struct {
	// given, when not nil, holds the requests to replay in place of
	// draws, from given[0] on.
	given []Arrival
	rng   *rand.Rand
	trace []Second
	sec   int     // the second (trace row) being drawn
	row   float64 // a row's length, in seconds
	t     float64 // the last arrival, in seconds
	// next is when the next request arrives, never after the last.
	next time.Duration
	kind int
	prio batcher.Priority
}

// newArrivals returns the arrivals of trace for seed, each of its rows
// lasting row, positioned on the first request.
func newArrivals(trace []Second, seed uint64, row time.Duration) *arrivals {
	a := &arrivals{rng: rand.New(rand.NewPCG(seed, 0xa77)), trace: trace, row: row.Seconds()}
	a.advance()
	return a
}

// replayArrivals returns arrivals that replay given, which must be sorted
// by At, positioned on the first; trace is the run's.
func replayArrivals(trace []Second, given []Arrival) *arrivals {
	a := &arrivals{given: given, trace: trace}
	a.advance()
	return a
}

// advance moves to the next request.
func (a *arrivals) advance() {
	if a.given != nil {
		a.replay()
		return
	}
	for a.sec < len(a.trace) {
		s := a.trace[a.sec]
		if s.RPS > 0 {
			a.t += a.rng.ExpFloat64() / s.RPS
			if a.t < float64(a.sec+1)*a.row {
				a.next = time.Duration(a.t * float64(time.Second))
				a.draw(s.HeavyFraction)
				return
			}
		}
		a.sec++
		a.t = float64(a.sec) * a.row
	}
	a.next = never
}

// draw picks the kind and class of the request at a.next.
func (a *arrivals) draw(heavy float64) {
	a.kind = Light
	if a.rng.Float64() < heavy {
		a.kind = Heavy
	}
	switch u := a.rng.Float64(); {
	case u < shareHigh:
		a.prio = batcher.High
	case u < shareHigh+shareNormal:
		a.prio = batcher.Normal
	default:
		a.prio = batcher.Low
	}
}

// replay moves to the next given request, if any.
func (a *arrivals) replay() {
	if len(a.given) == 0 {
		a.next = never
		return
	}
	g := a.given[0]
	a.given = a.given[1:]
	a.next, a.kind, a.prio = g.At, g.Kind, g.Priority
}
