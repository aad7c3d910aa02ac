package sim

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteReport writes r for people, as `sluice bench sim` prints it.
func WriteReport(w io.Writer, r Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "scenario\t%s\npolicy\t%s\nseed\t%d\n", r.Scenario, r.Policy, r.Seed)
	fmt.Fprintf(tw, "requests\t%d (served %d, lost %d, retried %d)\n", r.Requests, r.Served, r.Lost, r.Retried)
	fmt.Fprintf(tw, "rejected\t%v\n", r.Rejected)
	fmt.Fprintf(tw, "cost\t$%.2f ($%.3f per million served, at most $%.2f/h)\n", r.CostUSD, r.CostPerMillionUSD, r.MaxCostPerHourUSD)
	a := r.SLOAttainment
	fmt.Fprintf(tw, "SLO attainment\tall %.4f  light %.4f  heavy %.4f  high %.4f  normal %.4f  low %.4f\n",
		a.All, a.Light, a.Heavy, a.High, a.Normal, a.Low)
	fmt.Fprintf(tw, "latency\tp50 %.1f ms  p95 %.1f ms  p99 %.1f ms\n", r.LatencyMS.P50, r.LatencyMS.P95, r.LatencyMS.P99)
	fmt.Fprintf(tw, "replica seconds\t%v\n", r.ReplicaSeconds)
	return tw.Flush()
}
