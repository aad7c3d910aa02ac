package costreport

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
)

// WriteTable writes rows as an aligned table, one line per row; with
// curves, each line also names its curve and shows it (base and per
// item, or its points' count). A number that is 0 or infinite (nothing
// served, no batch within the SLO, or no curve) shows "-".
func WriteTable(w io.Writer, rows []Row, curves bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "pool\tkind\t$/h\tslo\tbatch\tinf/s per replica\t$/M @100%\t$/M @70%\t"
	if curves {
		head = "pool\tkind\tcurve\tbase\tper item\t$/h\tslo\tbatch\tinf/s per replica\t$/M @100%\t$/M @70%\t"
	}
	fmt.Fprintln(tw, head)
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t", r.Pool, Kind(r.Spot))
		if curves {
			base, perItem := line(r.Line)
			fmt.Fprintf(tw, "%s\t%s\t%s\t", r.Curve, base, perItem)
		}
		fmt.Fprintf(tw, "%.2f\t%v\t%s\t%s\t%s\t%s\t\n", r.PricePerHour, r.SLO,
			number(float64(r.Batch), 0), number(r.Throughput, 1), number(r.PerMillionBusy, 2), number(r.PerMillionTypical, 2))
	}
	return tw.Flush()
}

// line shows a curve as its base and per-item latency, rounded to 0.1 ms,
// or its points' count; "-" twice for none.
func line(c costmodel.Curve) (base, perItem string) {
	switch {
	case c.IsZero():
		return "-", "-"
	case len(c.Points) > 0:
		return fmt.Sprintf("%d points", len(c.Points)), "-"
	}
	r := func(d time.Duration) string { return d.Round(100 * time.Microsecond).String() }
	return r(c.Base), r(c.PerItem)
}

// Kind names a pool's pricing: spot or on-demand.
func Kind(spot bool) string {
	if spot {
		return "spot"
	}
	return "on-demand"
}

// number formats x with prec decimals, or "-" when x is 0 or infinite.
func number(x float64, prec int) string {
	if x == 0 || math.IsInf(x, 0) {
		return "-"
	}
	return strconv.FormatFloat(x, 'f', prec, 64)
}

// JSONRow is one row in the JSON report. Costs are null when the pool
// cannot serve a single item within its SLO with the curve, or has none.
type JSONRow struct {
	Pool                 string   `json:"pool"`
	Kind                 string   `json:"kind"`
	Curve                string   `json:"curve"`
	PricePerHour         float64  `json:"price_per_hour"`
	SLO                  string   `json:"slo"`
	SLOSeconds           float64  `json:"slo_seconds"`
	Batch                int      `json:"batch"`
	ThroughputPerReplica float64  `json:"throughput_per_replica"`
	CostPerMillionFull   *float64 `json:"cost_per_million_at_100"`
	CostPerMillion70     *float64 `json:"cost_per_million_at_70"`
	// Base and PerItem are the curve's, nanoseconds; omitted for none.
	Base    *time.Duration `json:"base,omitempty"`
	PerItem *time.Duration `json:"per_item,omitempty"`
}

// WriteJSON writes rows as an indented JSON array of JSONRow.
func WriteJSON(w io.Writer, rows []Row) error {
	out := make([]JSONRow, 0, len(rows))
	for _, r := range rows {
		j := JSONRow{
			Pool: r.Pool, Kind: Kind(r.Spot), Curve: r.Curve, PricePerHour: r.PricePerHour,
			SLO: r.SLO.String(), SLOSeconds: r.SLO.Seconds(),
			Batch: r.Batch, ThroughputPerReplica: finite(r.Throughput),
			CostPerMillionFull: finitePtr(r.PerMillionBusy), CostPerMillion70: finitePtr(r.PerMillionTypical),
		}
		if !r.Line.IsZero() && len(r.Line.Points) == 0 {
			j.Base, j.PerItem = &r.Line.Base, &r.Line.PerItem
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// finitePtr returns &x, or nil when x is 0 (no quote), infinite or NaN
// (JSON has neither).
func finitePtr(x float64) *float64 {
	if x == 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return nil
	}
	return &x
}

// finite returns x, or 0 when x is infinite or NaN.
func finite(x float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return 0
	}
	return x
}
