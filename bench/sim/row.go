package sim

import "time"

// DefaultRow is the simulated time a trace row lasts when Options.Row is
// 0: one second, as trace files define.
const DefaultRow = time.Second

// row returns the simulated time one trace row of o lasts.
//
// With a row shorter than a second, Trace.Seconds[i] is simulated over
// [i·Row, (i+1)·Row) at its own rate (requests per second of simulated
// time), so the row holds Row/1s of its requests, and the scripted
// events of second i, the random spot interruptions of a second and the
// timeline's sample i all belong to that interval: the scenario runs
// compressed in time while every batch takes as long as its curve says.
// The fleet's time constants (cold starts, Fleet.Interval, the scaler's
// windows) are the caller's to compress alike. The oracle plans by whole
// seconds of simulated time and the baselines keep their own periods
// (hpa's sync, kpa's windows, KEDA's polling), so only costaware follows
// a compressed scenario faithfully. Report.DurationS still counts rows.
func (o Options) row() time.Duration {
	if o.Row <= 0 {
		return DefaultRow
	}
	return o.Row
}
