package system

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/router"
)

// policyMeasured is the policy a load report names: whatever the gateway
// under test does.
const policyMeasured = "measured"

// Reasons a measured request failed, besides the gateway's own.
const (
	reasonRateLimit  = "rate_limit"
	reasonTimeout    = "timeout"
	reasonConnection = "connection"
)

// LoadReport is the report Load writes, `sluice bench load --json`'s
// object, with the simulator's fields (sim.Report) where the two measure
// the same thing. Costs are in USD, latencies in milliseconds.
type LoadReport struct {
	Scenario string `json:"scenario"`
	// Policy is always "measured".
	Policy string `json:"policy"`
	Seed   uint64 `json:"seed"`
	// DurationS is the trace time replayed, in trace seconds; Speedup
	// how much faster than the trace it was sent.
	DurationS float64 `json:"duration_s"`
	Speedup   float64 `json:"speedup"`
	// Requests is every request sent: served, rejected or lost.
	Requests int64 `json:"requests"`
	// Served is the requests answered 200.
	Served int64 `json:"served"`
	// Lost is the requests sent and never answered by the end of the
	// trace plus the grace (or the run's interruption).
	Lost int64 `json:"lost"`
	// Rejected counts the other requests by reason.
	Rejected map[string]int64 `json:"rejected"`
	// CostUSD is the fleet's price over the run, CostPerMillionUSD per
	// million served; nil (null) when unknown.
	CostUSD           *float64 `json:"cost_usd"`
	CostPerMillionUSD *float64 `json:"cost_per_million_usd"`
	// SLOAttainment is the share of requests answered 200 within their
	// kind's SLO, per kind and class.
	SLOAttainment sim.Attainment `json:"slo_attainment"`
	// LatencyMS is the latency of the served requests, from their
	// scheduled send time.
	LatencyMS sim.Latency `json:"latency_ms"`
	// SendLagP99MS is the 99th percentile of how late the generator sent
	// requests: a large value means this machine, not the target, added
	// latency.
	SendLagP99MS float64 `json:"send_lag_p99_ms"`
}

// loadTally gathers the outcomes of a traced run. It is safe for
// concurrent use.
type loadTally struct {
	tr   load.Traced
	slos [2]time.Duration

	mu       sync.Mutex
	requests [2][load.NumClasses]int64
	good     [2][load.NumClasses]int64 // answered 200 within the SLO
	served   int64
	lost     int64
	rejected map[string]int64
	latency  *load.Latencies
	lag      *load.Latencies
}

// newLoadTally returns an empty tally of tr's requests, whose light and
// heavy SLOs are slos[sim.Light] and slos[sim.Heavy].
func newLoadTally(tr load.Traced, slos [2]time.Duration) *loadTally {
	return &loadTally{tr: tr, slos: slos, rejected: map[string]int64{},
		latency: load.NewLatencies(), lag: load.NewLatencies()}
}

// add counts one request's outcome.
func (t *loadTally) add(o load.Outcome) {
	a := t.tr.Arrivals[o.Index]
	k := kindOf(a)
	t.lag.Record(o.Lag)
	if o.Err == nil {
		t.latency.Record(o.Latency)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.requests[k][a.Class]++
	switch {
	case o.Err == nil:
		t.served++
		if o.Latency <= t.slos[k] {
			t.good[k][a.Class]++
		}
	case o.TimedOut || o.Canceled:
		t.lost++
	default:
		t.rejected[rejectReason(o.Err)]++
	}
}

// reasons maps a status and an error the gateway puts in its answer to
// the reason a report counts; the first match wins.
var reasons = []struct {
	status int
	err    error
	reason string
}{
	{http.StatusTooManyRequests, batcher.ErrQueueFull, gateway.ReasonQueueFull},
	{http.StatusTooManyRequests, nil, reasonRateLimit},
	{http.StatusServiceUnavailable, gateway.ErrShed, gateway.ReasonShed},
	{http.StatusServiceUnavailable, router.ErrShed, gateway.ReasonShed},
	{http.StatusServiceUnavailable, batcher.ErrQueueTimeout, gateway.ReasonQueueTimeout},
	{http.StatusServiceUnavailable, nil, gateway.ReasonNoCapacity},
	{http.StatusGatewayTimeout, nil, reasonTimeout},
}

// rejectReason names why a request failed: by the status of its answer
// and the gateway's error in it, "backend" for another 5xx, "http_NNN"
// for another status, "connection" for no answer.
func rejectReason(err error) string {
	se, ok := errors.AsType[*load.StatusError](err)
	if !ok {
		return reasonConnection
	}
	for _, r := range reasons {
		if r.status == se.Code && (r.err == nil || bytes.Contains(se.Body, []byte(r.err.Error()))) {
			return r.reason
		}
	}
	if se.Code >= 500 {
		return gateway.ReasonBackend
	}
	return fmt.Sprintf("http_%d", se.Code)
}

// report closes the books of a run named scenario.
func (t *loadTally) report(scenario string, seed uint64, speedup float64, span load.Span) LoadReport {
	t.mu.Lock()
	defer t.mu.Unlock()
	rep := LoadReport{
		Scenario: scenario, Policy: policyMeasured, Seed: seed, Speedup: speedup,
		DurationS: benchRound(span.Window.Seconds()*speedup, 3),
		Served:    t.served, Lost: t.lost, Rejected: t.rejected,
		SLOAttainment: t.attainment(),
		LatencyMS:     sim.Latency{P50: benchMillis(t.latency.Quantile(0.50)), P95: benchMillis(t.latency.Quantile(0.95)), P99: benchMillis(t.latency.Quantile(0.99))},
		SendLagP99MS:  benchMillis(t.lag.Quantile(0.99)),
	}
	for k := range t.requests {
		for c := range t.requests[k] {
			rep.Requests += t.requests[k][c]
		}
	}
	return rep
}

// attainment returns the shares of requests answered within their SLO.
func (t *loadTally) attainment() sim.Attainment {
	both := []int{sim.Light, sim.Heavy}
	all := []load.Class{load.High, load.Normal, load.Low}
	share := func(kinds []int, classes []load.Class) float64 {
		var n, good int64
		for _, k := range kinds {
			for _, c := range classes {
				n += t.requests[k][c]
				good += t.good[k][c]
			}
		}
		if n == 0 {
			return 1
		}
		return benchRound(float64(good)/float64(n), 6)
	}
	return sim.Attainment{
		All: share(both, all), Light: share([]int{sim.Light}, all), Heavy: share([]int{sim.Heavy}, all),
		High: share(both, all[:1]), Normal: share(both, all[1:2]), Low: share(both, all[2:]),
	}
}

// setCost fills the report's costs from the fleet's bill, if known.
func (r *LoadReport) setCost(usd float64, ok bool) {
	if !ok {
		return
	}
	r.CostUSD = floatPtr(benchRound(usd, 6))
	if r.Served > 0 {
		r.CostPerMillionUSD = floatPtr(benchRound(usd/float64(r.Served)*1e6, 6))
	}
}

func floatPtr(x float64) *float64 { return &x }

// benchMillis returns d in milliseconds, to the microsecond.
func benchMillis(d time.Duration) float64 { return benchRound(float64(d)/float64(time.Millisecond), 3) }

// benchRound rounds x to digits decimals.
func benchRound(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// printLoadReport writes the report for people.
func printLoadReport(w io.Writer, r LoadReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "scenario\t%s\npolicy\t%s\nseed\t%d\n", r.Scenario, r.Policy, r.Seed)
	fmt.Fprintf(tw, "replayed\t%.1f trace seconds at %gx\n", r.DurationS, r.Speedup)
	fmt.Fprintf(tw, "requests\t%d (served %d, lost %d)\n", r.Requests, r.Served, r.Lost)
	fmt.Fprintf(tw, "rejected\t%v\n", r.Rejected)
	if r.CostUSD != nil {
		fmt.Fprintf(tw, "cost\t$%.4f", *r.CostUSD)
		if r.CostPerMillionUSD != nil {
			fmt.Fprintf(tw, " ($%.3f per million served)", *r.CostPerMillionUSD)
		}
		fmt.Fprintln(tw)
	} else {
		fmt.Fprintln(tw, "cost\tunknown (give --admin, and --config if /admin/pools has no prices)")
	}
	a := r.SLOAttainment
	fmt.Fprintf(tw, "SLO attainment\tall %.4f  light %.4f  heavy %.4f  high %.4f  normal %.4f  low %.4f\n",
		a.All, a.Light, a.Heavy, a.High, a.Normal, a.Low)
	fmt.Fprintf(tw, "latency\tp50 %.1f ms  p95 %.1f ms  p99 %.1f ms\n", r.LatencyMS.P50, r.LatencyMS.P95, r.LatencyMS.P99)
	fmt.Fprintf(tw, "send lag\tp99 %.2f ms\n", r.SendLagP99MS)
	return tw.Flush()
}
