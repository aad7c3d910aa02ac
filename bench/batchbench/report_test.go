package batchbench

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var sample = Level{
	Fraction: 1.2, OfferedRPS: 240.4, ServedRPS: 197.3, LimitRPS: 200, ServedPct: 98.65,
	P50ms: 2100.5, P95ms: 3900, P99ms: 4100.3, IdealP50ms: 1900.1, IdealP99ms: 3800, SendLagP50ms: 0.5, SendLagP99ms: 1.1, MeanBatch: 31.9, Requests: 4808, Succeeded: 4806, Errors: 2,
	ErrorsBy: map[string]int{"504": 2},
}

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	if err := WriteTableHeader(&b); err != nil {
		t.Fatal(err)
	}
	if err := WriteTableRow(&b, sample); err != nil {
		t.Fatal(err)
	}
	want := "" +
		" level  offered/s   served/s of limit   p50 ms   p99 ms  ideal p50  ideal p99  batch requests  errors\n" +
		"  120%      240.4      197.3    98.7%   2100.5   4100.3     1900.1     3800.0   31.9     4808       2\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}

func TestWriteJSON(t *testing.T) {
	var b strings.Builder
	if err := WriteJSON(&b, sample); err != nil {
		t.Fatal(err)
	}
	if strings.Count(b.String(), "\n") != 1 || !strings.HasSuffix(b.String(), "\n") {
		t.Fatalf("WriteJSON wrote %q, want one line", b.String())
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"level": 1.2, "offered_rps": 240.4, "served_rps": 197.3, "limit_rps": 200.0, "served_pct": 98.65,
		"p50_ms": 2100.5, "p95_ms": 3900.0, "p99_ms": 4100.3, "ideal_p50_ms": 1900.1, "ideal_p99_ms": 3800.0, "send_lag_p50_ms": 0.5, "send_lag_p99_ms": 1.1, "mean_batch": 31.9,
		"requests": 4808.0, "succeeded": 4806.0, "errors": 2.0, "errors_by": map[string]any{"504": 2.0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
}
