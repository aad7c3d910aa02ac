package main

import (
	"encoding/json"
	"io"
	"math"

	"github.com/sluice-gateway/sluice/costmodel"
)

// costJSON is one pool in the cost command's JSON output. Costs are null
// when the pool cannot serve a single item within its SLO.
type costJSON struct {
	Pool                 string   `json:"pool"`
	Kind                 string   `json:"kind"`
	PricePerHour         float64  `json:"price_per_hour"`
	SLO                  string   `json:"slo"`
	SLOSeconds           float64  `json:"slo_seconds"`
	Batch                int      `json:"batch"`
	ThroughputPerReplica float64  `json:"throughput_per_replica"`
	CostPerMillionFull   *float64 `json:"cost_per_million_at_100"`
	CostPerMillion70     *float64 `json:"cost_per_million_at_70"`
}

// writeCostJSON writes the rows as an indented JSON array.
func writeCostJSON(w io.Writer, rows []costmodel.Quote) error {
	out := make([]costJSON, 0, len(rows))
	for _, r := range rows {
		out = append(out, costJSON{
			Pool: r.Pool, Kind: kind(r.Spot), PricePerHour: r.PricePerHour,
			SLO: r.SLO.String(), SLOSeconds: r.SLO.Seconds(),
			Batch: r.Batch, ThroughputPerReplica: finite(r.Throughput),
			CostPerMillionFull: finitePtr(r.PerMillionBusy), CostPerMillion70: finitePtr(r.PerMillionTypical),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// finitePtr returns &x, or nil when x is infinite or NaN (JSON has neither).
func finitePtr(x float64) *float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
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
