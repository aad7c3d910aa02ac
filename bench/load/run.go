package load

import (
	"context"
	"errors"
	"sync"
	"time"
)

// DefaultTimeout is the client timeout Run uses when Options leaves it 0.
const DefaultTimeout = 10 * time.Second

// Options tunes Run. The zero value is usable.
type Options struct {
	// Timeout bounds each request, counted from its scheduled send time;
	// 0 means DefaultTimeout. A request still unanswered then is abandoned
	// (its context is done) and counted in Result.Timeouts.
	Timeout time.Duration
	// Grace, when > 0, replaces Timeout with one deadline for every
	// request: the end of the schedule's window plus Grace, counted from
	// the start of the run. A request still unanswered then is abandoned
	// as at a timeout. This suits replays whose server enforces its own
	// deadlines: the client never gives up first, and what it abandons
	// was lost.
	Grace time.Duration
}

// Result is what a run measured. Its maps and histogram belong to the
// caller once Run returns.
type Result struct {
	// Scheduled is the number of requests in the schedule; Sent those
	// actually sent (fewer only when the run's context ended early).
	Scheduled, Sent int
	// Succeeded counts the requests whose Target returned nil.
	Succeeded int
	// Statuses counts failed answers by HTTP status code (*StatusError).
	Statuses map[int]int
	// Timeouts counts requests abandoned at the client timeout.
	Timeouts int
	// Other counts the remaining failures: no answer for another reason,
	// such as a refused connection or the run's context ending.
	Other int
	// Window is the time requests were offered over: the schedule's
	// Duration, or less when the run's context ended it early.
	Window time.Duration
	// Elapsed runs from the start of the run to the end of its last
	// request, answered or abandoned.
	Elapsed time.Duration
	// Latency holds the latencies of the successful requests, each from
	// its scheduled send time to the end of its answer.
	Latency *Latencies
	// SendLag holds, for every request sent, how late the generator
	// started it: the part of its latency that the machine running the
	// generator added (timer granularity, scheduling), not the server.
	SendLag *Latencies
}

// Errors returns the number of failed requests, all reasons together.
func (r Result) Errors() int {
	n := r.Timeouts + r.Other
	for _, c := range r.Statuses {
		n += c
	}
	return n
}

// OfferedRate returns the requests sent per second of Window; 0 for an
// empty window.
func (r Result) OfferedRate() float64 { return perSecond(r.Sent, r.Window) }

// ServedRate returns the successful requests per second of the whole run,
// max(Window, Elapsed): a backlog still draining after the window lowers
// it, so a server pushed past its capacity shows its capacity.
func (r Result) ServedRate() float64 { return perSecond(r.Succeeded, max(r.Window, r.Elapsed)) }

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Run sends one request through t at each offset of s, counted from when
// Run is called, on the real clock. Each request runs on its own goroutine
// and never waits for earlier ones; one sent late (a busy machine) is
// still timed from when it was due. Run then waits for every request to
// be answered or to reach its deadline (see Options), so it returns at
// most s.Duration plus the timeout after it was called. When ctx ends,
// Run sends no more requests, the requests in flight are abandoned, and
// the Result covers what was sent.
func Run(ctx context.Context, s Schedule, t Target, opts Options) Result {
	rec := newRecorder()
	span := RunEach(ctx, s, SenderFunc(func(ctx context.Context, _ int) error { return t.Do(ctx) }), opts, rec.add)
	return rec.result(span)
}

// recorder gathers outcomes from concurrent requests.
type recorder struct {
	latency, lag *Latencies

	mu       sync.Mutex
	ok       int
	statuses map[int]int
	timeouts int
	other    int
}

func newRecorder() *recorder {
	return &recorder{latency: NewLatencies(), lag: NewLatencies(), statuses: map[int]int{}}
}

// add counts one outcome.
func (r *recorder) add(o Outcome) {
	r.lag.Record(o.Lag)
	if o.Err == nil {
		r.latency.Record(o.Latency)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var status *StatusError
	switch {
	case o.Err == nil:
		r.ok++
	case errors.As(o.Err, &status):
		r.statuses[status.Code]++
	case o.TimedOut:
		r.timeouts++
	default:
		r.other++
	}
}

func (r *recorder) result(s Span) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Result{
		Scheduled: s.Scheduled, Sent: s.Sent, Succeeded: r.ok,
		Statuses: r.statuses, Timeouts: r.timeouts, Other: r.other,
		Window: s.Window, Elapsed: s.Elapsed, Latency: r.latency, SendLag: r.lag,
	}
}
