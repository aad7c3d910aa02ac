package main

import (
	"encoding/json"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/bench/system"
	"github.com/sluice-gateway/sluice/costmodel"
)

func TestParseBatchFlags(t *testing.T) {
	ms := time.Millisecond
	defaults := batchFlags{BatchOptions: system.BatchOptions{
		Curve: costmodel.Curve{Base: 32 * ms, PerItem: 4 * ms}, MaxBatch: 32, SLO: 500 * ms,
		Levels: []float64{0.1, 0.5, 0.9, 1.2}, Duration: 20 * time.Second, Seed: 1, Timeout: 10 * time.Second,
	}}
	tests := []struct {
		name    string
		args    []string
		want    batchFlags
		wantErr bool
	}{
		{name: "defaults", want: defaults},
		{
			name: "every flag",
			args: []string{
				"--base", "8ms", "--per-item", "1ms", "--max-batch", "16", "--slo", "1s", "--levels", "0.2, 1.5",
				"--duration", "2s", "--seed", "9", "--timeout", "3s", "--json", "-v",
			},
			want: batchFlags{BatchOptions: system.BatchOptions{
				Curve: costmodel.Curve{Base: 8 * ms, PerItem: ms}, MaxBatch: 16, SLO: time.Second,
				Levels: []float64{0.2, 1.5}, Duration: 2 * time.Second, Seed: 9, Timeout: 3 * time.Second, JSON: true,
			}, verbose: true},
		},
		{name: "level not a number", args: []string{"--levels", "0.1,half"}, wantErr: true},
		{name: "level zero", args: []string{"--levels", "0"}, wantErr: true},
		{name: "empty level", args: []string{"--levels", "0.1,,0.5"}, wantErr: true},
		{name: "unknown flag", args: []string{"--gpus", "2"}, wantErr: true},
		{name: "stray argument", args: []string{"now"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseBatchFlags(tt.args, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(batchFlags{})); diff != "" {
				t.Errorf("flags (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLevelsFlagString(t *testing.T) {
	l := levelsFlag{0.1, 0.5, 1.2}
	if got, want := l.String(), "0.1,0.5,1.2"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// fastCurve makes the short runs below quick: 8ms + 1ms per item, max
// batch 16, a limit of 16/24ms ≈ 666.7/s.
var fastCurve = []string{"--base", "8ms", "--per-item", "1ms", "--max-batch", "16"}

func TestBenchBatchJSON(t *testing.T) {
	var out, errs strings.Builder
	args := append([]string{"--levels", "0.1,0.3", "--duration", "1500ms", "--json"}, fastCurve...)
	if code := benchBatchMain(args, &out, &errs); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, errs.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per level:\n%s", len(lines), out.String())
	}
	for i, line := range lines {
		lv := numbers(t, line)
		for _, key := range []string{"offered_rps", "served_rps", "limit_rps", "p50_ms", "p99_ms", "mean_batch", "errors"} {
			if _, ok := lv[key]; !ok {
				t.Errorf("line %d has no %q: %s", i, key, line)
			}
		}
		if math.Abs(lv["limit_rps"]-16/0.024) > 0.01 {
			t.Errorf("line %d: limit %.2f/s, want %.2f/s", i, lv["limit_rps"], 16/0.024)
		}
		if lv["errors"] != 0 || lv["served_rps"] < 0.9*lv["offered_rps"] {
			t.Errorf("line %d: served %.1f/s of %.1f/s with %v errors, want all served at low load", i, lv["served_rps"], lv["offered_rps"], lv["errors"])
		}
		if lv["mean_batch"] < 1 || lv["p50_ms"] < 9 {
			t.Errorf("line %d: mean batch %.2f, p50 %.1f ms; want at least one item per batch and t(1) = 9ms", i, lv["mean_batch"], lv["p50_ms"])
		}
	}
}

// numbers decodes a JSON object and keeps its numeric members.
func numbers(t *testing.T, line string) map[string]float64 {
	t.Helper()
	var raw map[string]any
	if err := json.Unmarshal([]byte(line), &raw); err != nil {
		t.Fatalf("%v\n%s", err, line)
	}
	out := map[string]float64{}
	for k, v := range raw {
		if f, ok := v.(float64); ok {
			out[k] = f
		}
	}
	return out
}

func TestBenchBatchTable(t *testing.T) {
	var out, errs strings.Builder
	args := append([]string{"--levels", "0.2", "--duration", "500ms"}, fastCurve...)
	if code := benchBatchMain(args, &out, &errs); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, errs.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "limit 666.7/s") || !strings.HasPrefix(lines[2], " level") || !strings.HasPrefix(lines[3], "   20%") {
		t.Errorf("want a title naming the limit, a blank line, the header and one row for 20%%, got:\n%s", out.String())
	}
}

func TestBenchBatchBadPool(t *testing.T) {
	var errs strings.Builder
	if code := benchBatchMain([]string{"--max-batch", "-1", "--duration", "1ms"}, io.Discard, &errs); code != 1 {
		t.Errorf("exit code %d, want 1; stderr:\n%s", code, errs.String())
	}
	if !strings.Contains(errs.String(), "max_batch") {
		t.Errorf("stderr does not name the bad key max_batch:\n%s", errs.String())
	}
}
