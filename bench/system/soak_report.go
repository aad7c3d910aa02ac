package system

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// SoakReport is a soak run as Soak writes it in JSON.
type SoakReport struct {
	Model     string       `json:"model"`
	Rate      float64      `json:"rate"`
	WarmupS   float64      `json:"warmup_s"`
	DurationS float64      `json:"duration_s"`
	IntervalS float64      `json:"interval_s"`
	Samples   []SoakSample `json:"samples"`
	Verdict   SoakVerdict  `json:"verdict"`
}

// printSoakHeader writes what the run offers and the table's header.
func printSoakHeader(w io.Writer, r SoakReport) {
	fmt.Fprintf(w, "soak: %g requests/s to %s for %gs after %gs of warm-up, a sample every %gs\n\n", r.Rate, r.Model, r.DurationS, r.WarmupS, r.IntervalS)
	fmt.Fprintf(w, "%8s  %9s  %9s  %10s  %8s  %7s  %8s\n", "time s", "rss MiB", "heap MiB", "goroutines", "served", "failed", "p99 ms")
}

// printSoakRow writes one sample as a row of the table.
func printSoakRow(w io.Writer, s SoakSample) {
	fmt.Fprintf(w, "%8.0f  %9s  %9.1f  %10d  %8d  %7d  %8.1f\n",
		s.AtS, rssMiB(s.RSSBytes), mib(s.HeapInuseBytes), s.Goroutines, s.Served, s.Failed, s.P99MS)
}

// writeSoakVerdict writes the verdict after the table, or the whole
// report as JSON.
func writeSoakVerdict(w io.Writer, r SoakReport, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(r)
	}
	first, last := r.Samples[0], r.Samples[len(r.Samples)-1]
	fmt.Fprintf(w, "\nstart → end: RSS %s → %s MiB, heap %.1f → %.1f MiB, goroutines %d → %d, p99 %.1f → %.1f ms\n",
		rssMiB(first.RSSBytes), rssMiB(last.RSSBytes), mib(first.HeapInuseBytes), mib(last.HeapInuseBytes),
		first.Goroutines, last.Goroutines, first.P99MS, last.P99MS)
	if r.Verdict.Flat {
		_, err := fmt.Fprintln(w, "verdict: flat")
		return err
	}
	_, err := fmt.Fprintf(w, "verdict: NOT flat: %s\n", strings.Join(r.Verdict.Problems, "; "))
	return err
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// rssMiB formats an RSS in MiB, "n/a" when unknown.
func rssMiB(b int64) string {
	if b < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", mib(b))
}
