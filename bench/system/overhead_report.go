package system

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
)

// OverheadRun is one measurement, or the median of repeated ones: one
// rate on one path. Latencies are in milliseconds, counted from each
// request's scheduled send time.
type OverheadRun struct {
	Path    string  `json:"path"`
	RateRPS float64 `json:"rate_rps"`
	// OfferedRPS is the rate actually sent.
	OfferedRPS float64 `json:"offered_rps"`
	// Served is the share of the requests sent answered 2xx; Errors
	// counts the others, and Failures counts them by HTTP status,
	// "timeout" (the client's) and "other" (no answer).
	Served   float64        `json:"served"`
	Errors   int            `json:"errors"`
	Failures map[string]int `json:"failures,omitempty"`
	// P50MS and P99MS are quantiles of the served requests' latency.
	P50MS float64 `json:"p50_ms"`
	P99MS float64 `json:"p99_ms"`
	// AddedP50MS and AddedP99MS are P50MS and P99MS less the direct
	// path's at the same rate; null for the direct path, or when it did
	// not run at this rate.
	AddedP50MS *float64 `json:"added_p50_ms"`
	AddedP99MS *float64 `json:"added_p99_ms"`
	// SendLagP99MS is how late the generator sent its requests, p99: the
	// part of the latency this machine's load added.
	SendLagP99MS float64 `json:"send_lag_p99_ms"`
	// CPUPerRequestUS is the CPU time this whole process (load generator,
	// path and workers) spent per request sent, in microseconds: less
	// sensitive to a busy machine than latency, and the same for the
	// generator and the workers on every path, so that its excess over
	// the direct path is what the path costs; 0 when unknown.
	CPUPerRequestUS float64 `json:"cpu_per_request_us"`
	// OwnCPUPerRequestUS is CPUPerRequestUS less the direct path's at the
	// same rate, whose CPU is the load generator's and the workers': what
	// the path itself costs per request. Null for the direct path, or
	// when either CPU time is unknown.
	OwnCPUPerRequestUS *float64 `json:"own_cpu_per_request_us"`
	// OwnCPUToProxy is, on the sluice path, OwnCPUPerRequestUS over the
	// proxy's at the same rate; null on the other paths, or when the
	// proxy's own CPU time is not positive.
	OwnCPUToProxy *float64 `json:"own_cpu_to_proxy"`
	// Sustains reports that the run met both bounds: served share and p99.
	Sustains bool `json:"sustains"`
}

// newOverheadRun sums up one measurement.
func newOverheadRun(path string, rate float64, res load.Result, o OverheadOptions) OverheadRun {
	r := OverheadRun{
		Path: path, RateRPS: rate, OfferedRPS: benchRound(res.OfferedRate(), 1), Errors: res.Errors(),
		P50MS: benchMillis(res.Latency.Quantile(0.50)), P99MS: benchMillis(res.Latency.Quantile(0.99)),
		SendLagP99MS: benchMillis(res.SendLag.Quantile(0.99)),
	}
	if res.Sent > 0 {
		r.Served = benchRound(float64(res.Succeeded)/float64(res.Sent), 6)
	}
	r.Failures = failureCounts(res)
	r.Sustains = res.Sent > 0 && sustains(r, o)
	return r
}

// sustains reports whether a run meets the flags' bounds.
func sustains(r OverheadRun, o OverheadOptions) bool {
	return r.Served >= o.MinServed && r.P99MS <= benchMillis(o.P99Bound)
}

// medianRun sums up repeated runs of one path at one rate: the median of
// each figure, and the errors of all. pre: len(runs) > 0, all of the same
// path and rate.
func medianRun(runs []OverheadRun, o OverheadOptions) OverheadRun {
	if len(runs) == 1 {
		return runs[0]
	}
	med := func(get func(OverheadRun) float64) float64 {
		xs := make([]float64, len(runs))
		for i, r := range runs {
			xs[i] = get(r)
		}
		slices.Sort(xs)
		if n := len(xs); n%2 == 0 {
			return (xs[n/2-1] + xs[n/2]) / 2
		}
		return xs[len(xs)/2]
	}
	m := OverheadRun{
		Path: runs[0].Path, RateRPS: runs[0].RateRPS,
		OfferedRPS:      med(func(r OverheadRun) float64 { return r.OfferedRPS }),
		Served:          med(func(r OverheadRun) float64 { return r.Served }),
		P50MS:           med(func(r OverheadRun) float64 { return r.P50MS }),
		P99MS:           med(func(r OverheadRun) float64 { return r.P99MS }),
		SendLagP99MS:    med(func(r OverheadRun) float64 { return r.SendLagP99MS }),
		CPUPerRequestUS: med(func(r OverheadRun) float64 { return r.CPUPerRequestUS }),
	}
	for _, r := range runs {
		m.Errors += r.Errors
		for reason, n := range r.Failures {
			if m.Failures == nil {
				m.Failures = map[string]int{}
			}
			m.Failures[reason] += n
		}
	}
	m.Sustains = sustains(m, o)
	return m
}

// failureCounts returns a run's failures by reason; nil for none.
func failureCounts(res load.Result) map[string]int {
	if res.Errors() == 0 {
		return nil
	}
	out := map[string]int{}
	for code, n := range res.Statuses {
		out[strconv.Itoa(code)] = n
	}
	if res.Timeouts > 0 {
		out["timeout"] = res.Timeouts
	}
	if res.Other > 0 {
		out["other"] = res.Other
	}
	return out
}

// OverheadSustained is the highest rate a path sustained.
type OverheadSustained struct {
	// RPS is the highest rate the path sustained; 0 when it sustained
	// none.
	RPS float64 `json:"rps"`
	// AtLeast reports that the path sustained the last rate it ran, the
	// highest tried: its limit lies above RPS.
	AtLeast bool `json:"at_least"`
}

// OverheadTarget is one of the targets the report checks.
type OverheadTarget struct {
	Name string `json:"name"`
	Want string `json:"want"`
	// Got is the measured value; null when not measured.
	Got *float64 `json:"got"`
	Met bool     `json:"met"`
}

// OverheadReport is what Overhead reports, `sluice bench overhead
// --json`'s object.
type OverheadReport struct {
	Workers    int     `json:"workers"`
	Slots      int     `json:"slots"`
	Repeat     int     `json:"repeat"`
	PerItemUS  float64 `json:"per_item_us"`
	Schedule   string  `json:"schedule"`
	DurationS  float64 `json:"duration_s"`
	WarmupS    float64 `json:"warmup_s"`
	P99BoundMS float64 `json:"p99_bound_ms"`
	MinServed  float64 `json:"min_served"`
	// Runs are the measurements in the order they ran.
	Runs []OverheadRun `json:"runs"`
	// Sustained is each path's highest sustained rate.
	Sustained map[string]OverheadSustained `json:"sustained"`
	// SluiceToProxy is Sluice's sustained rate over the proxy's; null when
	// the proxy sustained none.
	SluiceToProxy *float64         `json:"sluice_to_proxy"`
	Targets       []OverheadTarget `json:"targets"`

	paths []string
	// lastOK tells, per path, whether it sustained the last rate it ran.
	lastOK map[string]bool
}

func newOverheadReport(o OverheadOptions) OverheadReport {
	return OverheadReport{
		Workers: o.Workers, Slots: o.Slots, Repeat: o.Repeat, PerItemUS: float64(o.PerItem) / float64(time.Microsecond), Schedule: o.Schedule,
		DurationS: o.Duration.Seconds(), WarmupS: o.Warmup.Seconds(),
		P99BoundMS: benchMillis(o.P99Bound), MinServed: o.MinServed,
		Sustained: map[string]OverheadSustained{}, paths: o.Paths, lastOK: map[string]bool{},
	}
}

// add records a run: what it adds over the direct path's run at the same
// rate, and the highest rate its path sustained so far.
func (r *OverheadReport) add(run OverheadRun) {
	if d, ok := r.run(pathDirect, run.RateRPS); ok && run.Path != pathDirect {
		run.AddedP50MS = floatPtr(benchRound(run.P50MS-d.P50MS, 3))
		run.AddedP99MS = floatPtr(benchRound(run.P99MS-d.P99MS, 3))
		if run.CPUPerRequestUS > 0 && d.CPUPerRequestUS > 0 {
			run.OwnCPUPerRequestUS = floatPtr(benchRound(run.CPUPerRequestUS-d.CPUPerRequestUS, 1))
		}
	}
	if p, ok := r.run(pathProxy, run.RateRPS); ok && run.Path == pathSluice && run.OwnCPUPerRequestUS != nil &&
		p.OwnCPUPerRequestUS != nil && *p.OwnCPUPerRequestUS > 0 {
		run.OwnCPUToProxy = floatPtr(benchRound(*run.OwnCPUPerRequestUS / *p.OwnCPUPerRequestUS, 3))
	}
	r.Runs = append(r.Runs, run)
	best := r.Sustained[run.Path]
	if run.Sustains && run.RateRPS > best.RPS {
		best.RPS = run.RateRPS
	}
	r.Sustained[run.Path] = best
	r.lastOK[run.Path] = run.Sustains
}

// run returns the latest run of path at rate.
func (r *OverheadReport) run(path string, rate float64) (OverheadRun, bool) {
	for i := len(r.Runs) - 1; i >= 0; i-- {
		if r.Runs[i].Path == path && r.Runs[i].RateRPS == rate {
			return r.Runs[i], true
		}
	}
	return OverheadRun{}, false
}

// stillSustaining returns the paths that sustained the last rate they
// ran.
func (r *OverheadReport) stillSustaining() []string {
	var out []string
	for _, p := range r.paths {
		if r.lastOK[p] {
			out = append(out, p)
		}
	}
	return out
}

// conclude marks the paths that sustained their last rate, computes the
// ratio and checks the targets.
func (r *OverheadReport) conclude() {
	for p, s := range r.Sustained {
		s.AtLeast = r.lastOK[p]
		r.Sustained[p] = s
	}
	if proxy := r.Sustained[pathProxy].RPS; proxy > 0 {
		r.SluiceToProxy = floatPtr(benchRound(r.Sustained[pathSluice].RPS/proxy, 3))
	}
	added := OverheadTarget{
		Name: fmt.Sprintf("sluice p99 added at %d/s, ms", overheadTargetRate),
		Want: fmt.Sprintf("<= %g", benchMillis(overheadMaxAddedP99)),
	}
	if run, ok := r.run(pathSluice, overheadTargetRate); ok && run.AddedP99MS != nil {
		added.Got, added.Met = run.AddedP99MS, *run.AddedP99MS <= benchMillis(overheadMaxAddedP99)
	}
	ratio := OverheadTarget{Name: "sluice sustained / proxy sustained", Want: fmt.Sprintf(">= %g", overheadMinProxyRatio), Got: r.SluiceToProxy}
	ratio.Met = ratio.Got != nil && *ratio.Got >= overheadMinProxyRatio
	r.Targets = []OverheadTarget{added, ratio, r.cpuTarget()}
}

// cpuTarget checks Sluice's own CPU per request against the proxy's at
// the rate where it compares worst of those both paths ran.
func (r *OverheadReport) cpuTarget() OverheadTarget {
	t := OverheadTarget{Name: "sluice own CPU / proxy own CPU, worst rate", Want: fmt.Sprintf("<= %g", overheadMaxCPUToProxy)}
	for _, run := range r.Runs {
		if run.OwnCPUToProxy != nil && (t.Got == nil || *run.OwnCPUToProxy > *t.Got) {
			t.Got = run.OwnCPUToProxy
		}
	}
	t.Met = t.Got != nil && *t.Got <= overheadMaxCPUToProxy
	return t
}

// printOverheadIntro writes the setup and the table's header.
func printOverheadIntro(w io.Writer, r OverheadReport) {
	fmt.Fprintf(w, "%d workers of %d slots (%gµs per item), %s arrivals; medians of %d measurements of %gs per rate and path, each after %gs of warm-up;\n",
		r.Workers, r.Slots, r.PerItemUS, r.Schedule, r.Repeat, r.DurationS, r.WarmupS)
	fmt.Fprintf(w, "a path sustains a rate when it serves >= %g%% of it with p99 <= %g ms.\n\n", r.MinServed*100, r.P99BoundMS)
	fmt.Fprintf(w, "%8s  %-6s  %9s  %8s  %8s  %8s  %8s  %8s  %7s  %7s  %6s  %-8s  %s\n",
		"rate/s", "path", "offered/s", "served", "p50 ms", "p99 ms", "+p50 ms", "+p99 ms", "cpu µs", "own µs", "/proxy", "sustains", "failures")
}

// printOverheadRow writes one run as a row of the table.
func printOverheadRow(w io.Writer, r OverheadRun) {
	fmt.Fprintf(w, "%8g  %-6s  %9.1f  %7.2f%%  %8.3f  %8.3f  %8s  %8s  %7.1f  %7s  %6s  %-8s  %s\n",
		r.RateRPS, r.Path, r.OfferedRPS, r.Served*100, r.P50MS, r.P99MS,
		optMillis(r.AddedP50MS), optMillis(r.AddedP99MS), r.CPUPerRequestUS, optMicros(r.OwnCPUPerRequestUS), optRatio(r.OwnCPUToProxy),
		yesNo(r.Sustains), failureText(r.Failures))
}

// failureText lists failures as "reason:count" pairs, sorted; "-" for
// none.
func failureText(f map[string]int) string {
	if len(f) == 0 {
		return "-"
	}
	parts := make([]string, 0, len(f))
	for _, reason := range slices.Sorted(maps.Keys(f)) {
		parts = append(parts, fmt.Sprintf("%s:%d", reason, f[reason]))
	}
	return strings.Join(parts, " ")
}

// printOverheadSummary writes the sustained rates and the targets.
func printOverheadSummary(w io.Writer, r OverheadReport) error {
	var parts []string
	for _, p := range r.paths {
		s := r.Sustained[p]
		bound := ""
		if s.AtLeast {
			bound = ">="
		}
		parts = append(parts, fmt.Sprintf("%s %s%g/s", p, bound, s.RPS))
	}
	fmt.Fprintf(w, "\nsustained: %s; sluice/proxy %s\n", strings.Join(parts, ", "), optRatio(r.SluiceToProxy))
	for _, t := range r.Targets {
		got, verdict := "not measured", "missed"
		if t.Got != nil {
			got = fmt.Sprintf("%.3f", *t.Got)
		}
		if t.Met {
			verdict = "met"
		}
		fmt.Fprintf(w, "target: %s %s: %s (%s)\n", t.Name, t.Want, got, verdict)
	}
	_, err := fmt.Fprintln(w)
	return err
}

func optMillis(x *float64) string {
	if x == nil {
		return "-"
	}
	return fmt.Sprintf("%+.3f", *x)
}

func optMicros(x *float64) string {
	if x == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", *x)
}

func optRatio(x *float64) string {
	if x == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f", *x)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
