package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/bench/system"
)

const (
	realTinyConfig = "../../bench/system/testdata/real-tiny.yaml"
	realShortTrace = "../../bench/system/testdata/real-short.trace.csv"
)

// TestBenchRealShortRun runs the benchmark for real, briefly: a 60-second
// trace compressed 10 times on a tiny fleet, its workers in-process and
// child processes, and checks that the measured and the predicted reports
// agree loosely.
func TestBenchRealShortRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts workers and replays for about 10 s each way; not in -short")
	}
	t.Setenv(cliEnv, "1") // process workers are this binary run as `sluice worker`
	for _, workers := range []string{system.WorkersInProcess, system.WorkersProcess} {
		t.Run(workers, func(t *testing.T) { testBenchRealShortRun(t, workers) })
	}
}

func testBenchRealShortRun(t *testing.T, workers string) {
	var stdout, stderr bytes.Buffer
	args := []string{"--config", realTinyConfig, "--trace", realShortTrace, "--speedup", "10", "--prelude", "20s", "--grace", "10s", "--workers", workers, "--json"}
	if code := benchRealMain(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, stderr.String())
	}
	var rep system.RealReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("decoding %q: %v", stdout.String(), err)
	}
	m, p := rep.Measured, rep.Predicted
	t.Logf("measured: %d requests, p50 %.1f ms, p99 %.1f ms, $%s, send lag p99 %.1f ms; predicted: %d requests, p50 %.1f ms, p99 %.1f ms, $%.6f",
		m.Requests, m.LatencyMS.P50, m.LatencyMS.P99, fmtOptional(m.CostUSD, "%.6f"), m.SendLagP99MS, p.Requests, p.LatencyMS.P50, p.LatencyMS.P99, p.CostUSD)
	// The trace expects 30·20 + 30·40 = 1800 requests, a tenth of them
	// sent: 180 ± 4·√180.
	if math.Abs(float64(m.Requests)-180) > 4*math.Sqrt(180) {
		t.Errorf("measured requests = %d, want about 180", m.Requests)
	}
	if p.Requests != m.Requests {
		t.Errorf("predicted requests = %d, want the %d the real run sent, replayed", p.Requests, m.Requests)
	}
	if m.Lost != 0 || p.Lost != 0 || m.Served < m.Requests*95/100 || p.Served < p.Requests*95/100 {
		t.Errorf("measured served %d of %d (lost %d), predicted %d of %d (lost %d): want at least 95 %% served and none lost",
			m.Served, m.Requests, m.Lost, p.Served, p.Requests, p.Lost)
	}
	// The cost follows the fleet, which a busy machine barely changes;
	// the latency of a run this short under the race detector on a
	// shared machine can only be bounded loosely: the median not faster
	// than the simulated workers', and the p99, of a couple of hundred
	// requests nearly their slowest, at most a second slower.
	checkRatio(t, "cost", rep.Ratio.Cost, 0.7, 1.3)
	if m.LatencyMS.P50 < 0.5*p.LatencyMS.P50 {
		t.Errorf("measured p50 %.1f ms, under half the predicted %.1f ms", m.LatencyMS.P50, p.LatencyMS.P50)
	}
	if extra := m.LatencyMS.P99 - p.LatencyMS.P99; extra > 1000 {
		t.Errorf("measured p99 %.1f ms, %.0f ms over the predicted %.1f ms: want at most 1000 ms over", m.LatencyMS.P99, extra, p.LatencyMS.P99)
	}
	if diff := cmp.Diff([]string{"cpu", "gpu"}, slices.Sorted(maps.Keys(m.ReplicaSeconds))); diff != "" {
		t.Errorf("measured replica-seconds by pool (-want +got):\n%s", diff)
	}
	// The prelude goes by chunks of preludeChunk, 100 trace seconds here.
	if rep.Speedup != 10 || p.Policy != "costaware" || m.Policy != "measured" || m.Scenario != "real-short" || rep.PreludeS < 100 || m.Workers != workers {
		t.Errorf("speedup %g, policies %q and %q, scenario %q, prelude %gs, workers %s: want 10, costaware, measured, real-short, at least 100s, %s",
			rep.Speedup, p.Policy, m.Policy, m.Scenario, rep.PreludeS, m.Workers, workers)
	}
	if m.DurationS < 59 || m.DurationS > 61 || p.DurationS != 60 {
		t.Errorf("measured %g trace seconds, predicted %d: want the trace's 60 without the prelude", m.DurationS, p.DurationS)
	}
}

// checkRatio fails unless the ratio is known and within [lo, hi].
func checkRatio(t *testing.T, what string, r *float64, lo, hi float64) {
	t.Helper()
	if r == nil || *r < lo || *r > hi {
		t.Errorf("measured/predicted %s = %v, want within [%g, %g]", what, fmtOptional(r, "%.3f"), lo, hi)
	}
}

func TestBenchRealMainRefuses(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{name: "help", args: []string{"--help"}, wantCode: 0, wantErr: "Usage: sluice bench real"},
		{name: "no trace", args: nil, wantCode: 2, wantErr: "--trace is required"},
		{name: "an argument", args: []string{"--trace", realShortTrace, "extra"}, wantCode: 2, wantErr: `unexpected argument "extra"`},
		{name: "events", args: []string{"--trace", realShortTrace, "--events", tinyEvents}, wantCode: 2, wantErr: "--events is not supported by the real run"},
		{name: "no speedup", args: []string{"--trace", realShortTrace, "--speedup", "0"}, wantCode: 2, wantErr: "--speedup 0: must be positive"},
		{name: "rows of unequal length", args: []string{"--trace", realShortTrace, "--heavy-rows", "3"}, wantCode: 2, wantErr: "heavy requests: 4096 elements in 3 rows"},
		{name: "unknown model", args: []string{"--config", realTinyConfig, "--trace", realShortTrace, "--heavy-model", "nope"}, wantCode: 1, wantErr: `no model "nope"`},
		{name: "negative duration", args: []string{"--trace", realShortTrace, "--duration", "-1s"}, wantCode: 2, wantErr: "--duration -1s: must not be negative"},
		{name: "under a trace second", args: []string{"--config", realTinyConfig, "--trace", realShortTrace, "--duration", "500ms"}, wantCode: 1, wantErr: "shorter than one trace second"},
		{name: "unknown workers", args: []string{"--trace", realShortTrace, "--workers", "threads"}, wantCode: 2, wantErr: `--workers "threads": want in-process or process`},
		{name: "negative prelude", args: []string{"--trace", realShortTrace, "--prelude", "-1s"}, wantCode: 2, wantErr: `want a duration of at least 0s, got "-1s"`},
		{name: "a gateway with keys", args: []string{"--config", "../../configs/examples/auth.yaml", "--trace", realShortTrace}, wantCode: 1, wantErr: "needs auth.mode none"},
		{name: "missing trace", args: []string{"--config", realTinyConfig, "--trace", "testdata/none.trace.csv"}, wantCode: 1, wantErr: "none.trace.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := benchRealMain(tt.args, &stdout, &stderr)
			if code != tt.wantCode || !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("exit code %d, stderr:\n%s\nwant code %d and %q", code, stderr.String(), tt.wantCode, tt.wantErr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}

// fmtOptional formats *x, or "unknown" for nil.
func fmtOptional(x *float64, format string) string {
	if x == nil {
		return "unknown"
	}
	return fmt.Sprintf(format, *x)
}
