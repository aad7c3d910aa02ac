package batchbench

import (
	"encoding/json"
	"fmt"
	"io"
)

// tableFormat lays out one row of the table; WriteTableHeader's titles
// follow the same widths.
const (
	tableTitles = "%6s %10s %10s %8s %8s %8s %10s %10s %6s %8s %7s\n"
	tableRow    = "%5.0f%% %10.1f %10.1f %7.1f%% %8.1f %8.1f %10.1f %10.1f %6.1f %8d %7d\n"
)

// WriteTableHeader writes the titles of the columns WriteTableRow fills.
func WriteTableHeader(w io.Writer) error {
	_, err := fmt.Fprintf(w, tableTitles, "level", "offered/s", "served/s", "of limit", "p50 ms", "p99 ms", "ideal p50", "ideal p99", "batch", "requests", "errors")
	return err
}

// WriteTableRow writes one level as a line of a fixed-width table; p95 is
// left to WriteJSON.
func WriteTableRow(w io.Writer, lv Level) error {
	_, err := fmt.Fprintf(w, tableRow, 100*lv.Fraction, lv.OfferedRPS, lv.ServedRPS, lv.ServedPct,
		lv.P50ms, lv.P99ms, lv.IdealP50ms, lv.IdealP99ms, lv.MeanBatch, lv.Requests, lv.Errors)
	return err
}

// WriteJSON writes one level as one line of JSON, with the keys of
// Level's fields: offered_rps, served_rps, limit_rps, p50_ms, p99_ms,
// mean_batch, errors, ideal_p50_ms, ideal_p99_ms and the rest.
func WriteJSON(w io.Writer, lv Level) error {
	line, err := json.Marshal(lv)
	if err != nil {
		return fmt.Errorf("batchbench: level %g: %w", lv.Fraction, err)
	}
	_, err = w.Write(append(line, '\n'))
	return err
}
