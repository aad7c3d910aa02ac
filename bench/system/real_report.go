package system

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/sluice-gateway/sluice/bench/sim"
)

// realNotes say how the measured run and the prediction were made
// comparable; the warm-up's length fills the last.
var realNotes = []string{
	"the prediction replays the requests the real run sent: the same times, kinds and classes",
	"prediction without random spot interruptions: local workers are never interrupted",
	"cost on both sides: ready and starting replica-seconds × price, no minimum billing; measured from samples every 100 ms",
	"the real run replayed the first second for %v of trace time before the trace, unmeasured, until its fleet was steady (%s); the prediction starts the trace from the fleet the real run had then, %v, warm, with a fresh policy",
}

// RealReport is the report of `sluice bench real`: what the run
// measured, what the simulator predicted for it, and their ratios.
type RealReport struct {
	// Speedup is the time compression both ran under.
	Speedup float64 `json:"speedup"`
	// PreludeS is the trace time replayed before the trace, unmeasured,
	// in seconds; Steady whether the fleet was steady at its end;
	// StartFleet the replicas per pool when the trace began.
	PreludeS   float64        `json:"prelude_s"`
	Steady     bool           `json:"steady"`
	StartFleet map[string]int `json:"start_fleet"`
	Measured   realMeasured   `json:"measured"`
	Predicted  sim.Report     `json:"predicted"`
	// Ratio is measured over predicted.
	Ratio realRatios `json:"measured_over_predicted"`
	// Notes say how the two were made comparable.
	Notes []string `json:"notes"`
}

// realRatios are ratios of measured over predicted values; nil (null)
// where either is unknown or the prediction is 0.
type realRatios struct {
	P99  *float64 `json:"p99"`
	Cost *float64 `json:"cost"`
}

// newRealReport puts a measured run and its prediction side by side;
// pre is the real run's prelude, and start the fleet both started the
// trace with, by pool.
func newRealReport(m realMeasured, p sim.Report, speedup float64, pre prelude, start map[string]int) RealReport {
	steady := "it was"
	if !pre.steady {
		steady = "it was not, and the run went on"
	}
	notes := slices.Clone(realNotes)
	notes[len(notes)-1] = fmt.Sprintf(notes[len(notes)-1], pre.length, steady, start)
	r := RealReport{Speedup: speedup, Measured: m, Predicted: p, Notes: notes,
		PreludeS: pre.length.Seconds(), Steady: pre.steady, StartFleet: start}
	r.Ratio.P99 = ratioOf(m.LatencyMS.P99, p.LatencyMS.P99)
	if m.CostUSD != nil {
		r.Ratio.Cost = ratioOf(*m.CostUSD, p.CostUSD)
	}
	return r
}

// ratioOf returns x/of rounded to 4 decimals, nil when of is not
// positive.
func ratioOf(x, of float64) *float64 {
	if !(of > 0) {
		return nil
	}
	return floatPtr(benchRound(x/of, 4))
}

// WriteRealReport writes the report for people: the two runs in columns.
func WriteRealReport(w io.Writer, r RealReport) error {
	m, p := r.Measured, r.Predicted
	fmt.Fprintf(w, "scenario %s, seed %d: %d trace seconds compressed %g× into %.1f s; workers %s\n\n",
		m.Scenario, m.Seed, p.DurationS, r.Speedup, float64(p.DurationS)/r.Speedup, m.Workers)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\tmeasured\tpredicted (%s)\tmeasured/predicted\n", p.Policy)
	fmt.Fprintf(tw, "requests\t%d\t%d\t\n", m.Requests, p.Requests)
	fmt.Fprintf(tw, "served\t%d\t%d\t\n", m.Served, p.Served)
	fmt.Fprintf(tw, "lost\t%d\t%d\t\n", m.Lost, p.Lost)
	fmt.Fprintf(tw, "rejected\t%s\t%s\t\n", rejectedList(m.Rejected), rejectedList(p.Rejected))
	fmt.Fprintf(tw, "cost $\t%s\t%.6f\t%s\n", optional(m.CostUSD, "%.6f"), p.CostUSD, optional(r.Ratio.Cost, "%.3f"))
	fmt.Fprintf(tw, "cost per million served $\t%s\t%.3f\t\n", optional(m.CostPerMillionUSD, "%.3f"), p.CostPerMillionUSD)
	printAttainment(tw, m.SLOAttainment, p.SLOAttainment)
	fmt.Fprintf(tw, "latency p50 ms\t%.1f\t%.1f\t\n", m.LatencyMS.P50, p.LatencyMS.P50)
	fmt.Fprintf(tw, "latency p95 ms\t%.1f\t%.1f\t\n", m.LatencyMS.P95, p.LatencyMS.P95)
	fmt.Fprintf(tw, "latency p99 ms\t%.1f\t%.1f\t%s\n", m.LatencyMS.P99, p.LatencyMS.P99, optional(r.Ratio.P99, "%.3f"))
	for _, pool := range reportPools(m.ReplicaSeconds, p.ReplicaSeconds) {
		fmt.Fprintf(tw, "replica-seconds %s\t%.1f\t%.1f\t\n", pool, m.ReplicaSeconds[pool], p.ReplicaSeconds[pool])
	}
	fmt.Fprintf(tw, "send lag ms p50/p99/max\t%.2f / %.2f / %.2f\t\t\n", m.SendLagP50MS, m.SendLagP99MS, m.SendLagMaxMS)
	fmt.Fprintf(tw, "CPU of this process\t%.2f cores, machine %.0f %% busy\t\t\n", m.CPUCores, 100*m.MachineBusy)
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nnotes:\n  - %s\n", strings.Join(r.Notes, "\n  - "))
	return err
}

// printAttainment writes the SLO attainment rows.
func printAttainment(w io.Writer, m, p sim.Attainment) {
	rows := []struct {
		name string
		m, p float64
	}{
		{"all", m.All, p.All}, {"light", m.Light, p.Light}, {"heavy", m.Heavy, p.Heavy},
		{"high", m.High, p.High}, {"normal", m.Normal, p.Normal}, {"low", m.Low, p.Low},
	}
	for _, r := range rows {
		fmt.Fprintf(w, "SLO attainment %s\t%.4f\t%.4f\t\n", r.name, r.m, r.p)
	}
}

// optional formats *x, or "unknown" for nil.
func optional(x *float64, format string) string {
	if x == nil {
		return "unknown"
	}
	return fmt.Sprintf(format, *x)
}

// rejectedList lists the non-zero counts by reason, "none" when none.
func rejectedList(m map[string]int64) string {
	var parts []string
	for _, reason := range slices.Sorted(maps.Keys(m)) {
		if m[reason] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", reason, m[reason]))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// reportPools returns the pools of either map, sorted.
func reportPools(a, b map[string]float64) []string {
	var names []string
	for _, m := range []map[string]float64{a, b} {
		for name := range m {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return names
}
