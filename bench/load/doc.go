// Package load is an open-loop load generator: it sends requests at times
// fixed in advance, whatever the server does, and measures each latency
// from the time the request was due, so a server that stalls shows its
// stall in the numbers instead of hiding it by slowing the client down
// (no coordinated omission).
//
// A run has three parts:
//
//   - A Schedule, built in advance and pure: the send times as offsets from
//     the run's start (Poisson for a seeded Poisson process, Constant for
//     evenly spaced arrivals). The same seed gives the same schedule.
//     TraceSchedule replays a traffic trace (a rate and a heavy share per
//     second, sped up if asked) and says what each request is: light or
//     heavy, and its priority class (20 % high, 70 % normal, 10 % low).
//     Speeding up multiplies the rates; compressing (TraceOptions.Compress)
//     replays each trace second in a fraction of a second at its own rate,
//     for servers whose other time constants (cold starts, control loops)
//     are compressed alike while requests take as long as they really do.
//   - A Target, the one thing a request does: HTTPTarget posts a fixed body
//     through a shared client (NewHTTPClient tunes one for many concurrent
//     loopback connections); TargetFunc adapts a function.
//   - Run, which sends each request from its own goroutine at its time on
//     the real clock, never waiting for earlier answers, bounds each by a
//     client timeout counted from its due time, waits for the last one and
//     returns a Result: offered and served rates, failures by HTTP status,
//     timeouts, and the latencies of the successes in an HDR histogram.
//     RunEach does the same through a Sender, told the index of each
//     request so that requests may differ, and hands every request's
//     Outcome to the caller instead of summing them up.
//
// Because every request ends by its due time plus the timeout (or, with
// Options.Grace, by the end of the window plus the grace), a run ends by
// itself at most one timeout after its schedule's window.
//
// The package does not read trace files; the caller turns one into
// Seconds.
//
// The package knows nothing of what it loads: no gateway, no router.
package load
