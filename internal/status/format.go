package status

import (
	"fmt"
	"strings"
	"time"
)

// The formats the status page and `sluice status` share, so the two read
// alike.

// fmtUSD formats a price in USD with cents: "1.20".
func fmtUSD(v float64) string { return fmt.Sprintf("%.2f", v) }

// fmtRate formats a rate per second with one decimal: "12.5".
func fmtRate(v float64) string { return fmt.Sprintf("%.1f", v) }

// fmtShare formats a share as a whole percentage: "25 %".
func fmtShare(v float64) string { return fmt.Sprintf("%.0f %%", 100*v) }

// fmtLatency formats a latency to the millisecond, to the tenth below
// 10 ms, and in seconds from 10 s; "-" for 0 (unknown).
func fmtLatency(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%dms", d.Round(time.Millisecond).Milliseconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// fmtClock formats a time of day in UTC: "10:04:05".
func fmtClock(t time.Time) string { return t.UTC().Format("15:04:05") }

// fmtStamp formats a time in UTC to the second: "2026-03-02 10:04:05 UTC".
func fmtStamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") }

// fmtKind names a pool's capacity: "spot" or "on-demand".
func fmtKind(spot bool) string {
	if spot {
		return "spot"
	}
	return "on-demand"
}

// fmtCount formats a replica count; "?" when err says it is unknown.
func fmtCount(n int, err string) string {
	if err != "" {
		return "?"
	}
	return fmt.Sprint(n)
}

// fmtDesired formats a desired size; "-" before the first plan.
func fmtDesired(n int, planned bool) string {
	if !planned {
		return "-"
	}
	return fmt.Sprint(n)
}

// fmtBudget says how the spend rate compares with the hourly budget:
// "4.80 $/h of 30.00 $/h (16 %)", or "no hourly cap".
func fmtBudget(f FleetView, b BudgetView) string {
	if b.State == BudgetUncapped {
		return "no hourly cap"
	}
	s := fmt.Sprintf("%s $/h of %s $/h (%s)", fmtUSD(f.USDPerHour), fmtUSD(b.PerHour), fmtShare(b.Used))
	if b.State != BudgetOK {
		s += ": " + string(b.State)
	}
	return s
}

// fmtMix says how the running replicas split between spot and on-demand:
// "1 spot, 3 on-demand (25 % spot)".
func fmtMix(f FleetView) string {
	return fmt.Sprintf("%d spot, %d on-demand (%s spot)", f.SpotReplicas, f.OnDemandReplicas, fmtShare(f.SpotShare))
}

// fmtMode says what the scaler does: "acting", "dry run" or "no plan
// yet".
func fmtMode(v View) string {
	switch {
	case !v.Planned:
		return "no plan yet"
	case v.DryRun:
		return "dry run"
	}
	return "acting"
}

// decisionLines are a decision's lines of text: its changes (with their
// reasons), its events and its error, each on its own line.
func decisionLines(d DecisionView) []string {
	var out []string
	for _, c := range d.Changes {
		out = append(out, c.Text)
	}
	out = append(out, d.Events...)
	if d.Error != "" {
		out = append(out, "error: "+d.Error)
	}
	if len(out) == 0 {
		out = append(out, "no change")
	}
	return out
}

// oneLine replaces the line breaks of s with spaces.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
