package status

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// trendColumns is how many characters the terminal trend has: one
// per minute of the window.
const trendColumns = 15

// WriteTable writes v to w as `sluice status` prints it: a
// summary, the pools, the tiers and up to decisions of the latest
// decisions (all of v's when decisions < 0).
func WriteTable(w io.Writer, v View, decisions int) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Sluice at %s · scaler %s\n", fmtStamp(v.At), fmtMode(v))
	fmt.Fprintf(tw, "spend\t%s · planned %s\n", fmtBudget(v.Fleet, v.Budget), plannedUSD(v))
	fmt.Fprintf(tw, "mix\t%s\n", fmtMix(v.Fleet))
	fmt.Fprintf(tw, "traffic\t%s req/s · %d queued · %s\n\n", fmtRate(v.Fleet.Rate), v.Fleet.Queued,
		trendBlocks(v.Fleet.Trend.At, v.Fleet.Trend.Rate, v.At, v.Window))
	if err := tw.Flush(); err != nil {
		return err
	}
	writePoolTable(tw, v)
	writeTierTable(tw, v)
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeDecisions(w, v.Decisions, decisions)
}

// plannedUSD is the plan's price, "-" before the first plan.
func plannedUSD(v View) string {
	if !v.Planned {
		return "-"
	}
	s := fmtUSD(v.Fleet.PlannedUSDPerHour) + " $/h"
	if h := v.Fleet.HeadroomUSDPerHour; h > 0 {
		s += " (burst headroom " + fmtUSD(h) + " $/h)"
	}
	return s
}

func writePoolTable(tw io.Writer, v View) {
	fmt.Fprintf(tw, "POOL\tKIND\tDESIRED\tREADY\tSTARTING\tBOUNDS\tQUEUE\tIN FLIGHT\tRATE/S\tP99\tSLO\tLATENCY\t$/H\tRATE, LAST %d MIN\n", int(v.Window/time.Minute))
	var unknown []string
	for _, p := range v.Pools {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d-%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n",
			p.Name, fmtKind(p.Spot), fmtDesired(p.Desired, v.Planned), fmtCount(p.Ready, p.Error), fmtCount(p.Starting, p.Error),
			p.Min, p.Max, p.Queued, p.InFlight, fmtRate(p.Rate), fmtLatency(p.P99), fmtLatency(p.SLO), p.Latency,
			fmtUSD(p.USDPerHour), trendBlocks(p.Trend.At, p.Trend.Rate, v.At, v.Window))
		if p.Error != "" {
			unknown = append(unknown, oneLine(p.Error))
		}
	}
	if len(unknown) > 0 {
		fmt.Fprintln(tw)
	}
	for _, e := range unknown {
		fmt.Fprintf(tw, "replicas unknown: %s\n", e)
	}
}

func writeTierTable(tw io.Writer, v View) {
	if len(v.Tiers) == 0 {
		return
	}
	fmt.Fprint(tw, "\nTIER\tDEMAND/S\tCAPACITY/S\tHEADROOM/S\tPANIC\tSHEDDING\tFALLBACK\n")
	for _, t := range v.Tiers {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, fmtRate(t.Demand), fmtRate(t.Capacity), fmtRate(t.Headroom),
			pick(t.Panic, "yes", "no"), t.Shed, pick(t.Fallback, "on", "off"))
	}
}

// pick returns yes when b holds, else no.
func pick(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// writeDecisions writes up to n of ds (all when n < 0), one line each,
// continuation lines indented.
func writeDecisions(w io.Writer, ds []DecisionView, n int) error {
	if n < 0 || n > len(ds) {
		n = len(ds)
	}
	fmt.Fprintf(w, "\nDECISIONS (%d of %d kept, newest first)\n", n, len(ds))
	if n == 0 {
		_, err := fmt.Fprintln(w, "none has changed anything yet")
		return err
	}
	for _, d := range ds[:n] {
		prefix := fmtClock(d.At) + pick(d.DryRun, " dry run", "")
		for i, line := range decisionLines(d) {
			if i > 0 {
				prefix = strings.Repeat(" ", len(prefix))
			}
			if _, err := fmt.Fprintf(w, "%s  %s\n", prefix, oneLine(line)); err != nil {
				return err
			}
		}
	}
	return nil
}

// trendBlocks draws vals, sampled at at over the window ending at end, as
// trendColumns block characters from ▁ (0) to █ (the peak), one
// per equal part of the window, each the mean of its samples; a part
// without samples is a middle dot.
func trendBlocks(at []time.Time, vals []float64, end time.Time, window time.Duration) string {
	const levels = "▁▂▃▄▅▆▇█"
	sums, counts := make([]float64, trendColumns), make([]int, trendColumns)
	for i, v := range vals {
		col := trendColumn(at[i], end, window)
		sums[col] += nonNegative(v)
		counts[col]++
	}
	peak := 0.0
	for i := range sums {
		if counts[i] > 0 {
			sums[i] /= float64(counts[i])
			peak = max(peak, sums[i])
		}
	}
	blocks := []rune(levels)
	var b strings.Builder
	for i, s := range sums {
		switch {
		case counts[i] == 0:
			b.WriteRune('·')
		case peak > 0:
			b.WriteRune(blocks[int(s/peak*float64(len(blocks)-1)+0.5)])
		default:
			b.WriteRune(blocks[0])
		}
	}
	return b.String()
}

// trendColumn is the part of the window ending at end that t falls in:
// part i of trendColumns spans (start + i·w, start + (i+1)·w], w
// the window over trendColumns. Times outside the window count in
// the nearest part.
func trendColumn(t, end time.Time, window time.Duration) int {
	if window <= 0 {
		return trendColumns - 1
	}
	elapsed := int64(t.Sub(end.Add(-window)))
	n, w := int64(trendColumns), int64(window)
	col := (elapsed*n+w-1)/w - 1 // ceil(elapsed·n/w) − 1, for elapsed > 0
	return int(min(max(col, 0), n-1))
}
