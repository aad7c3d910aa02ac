package main

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/bench/system"
)

func TestParseSoakFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    soakFlags
		wantErr bool
	}{
		{name: "defaults", want: soakFlags{SoakOptions: system.SoakOptions{Duration: 10 * time.Minute, Warmup: 30 * time.Second, Interval: 10 * time.Second, Timeout: 5 * time.Second, Rate: 200, Tolerance: 0.25, P99Tolerance: 1, Seed: 1}}},
		{name: "short", args: []string{"--duration", "20s", "--warmup", "0s", "--interval", "5s", "--rate", "50", "--json"},
			want: soakFlags{SoakOptions: system.SoakOptions{Duration: 20 * time.Second, Interval: 5 * time.Second, Timeout: 5 * time.Second, Rate: 50, Tolerance: 0.25, P99Tolerance: 1, Seed: 1, JSON: true}}},
		{name: "negative warm-up", args: []string{"--warmup", "-1s"}, wantErr: true},
		{name: "one sample only", args: []string{"--duration", "15s"}, wantErr: true},
		{name: "zero rate", args: []string{"--rate", "0"}, wantErr: true},
		{name: "negative tolerance", args: []string{"--tolerance", "-1"}, wantErr: true},
		{name: "stray argument", args: []string{"now"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSoakFlags(tt.args, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(soakFlags{})); diff != "" {
				t.Errorf("flags (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBenchSoakShortRun soaks the built-in system for 5 s of warm-up and
// 20 s (its workers are this test binary, run as the CLI) and checks the
// report: a sample every 5 s, every request served, memory and
// goroutines flat.
func TestBenchSoakShortRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes and runs for 20 s; skipped in -short mode")
	}
	t.Setenv(cliEnv, "1")
	var out, errs strings.Builder
	// p99 on a busy machine, under the race detector, is noise: the
	// verdict on it is loosened here, not those on memory and goroutines.
	args := []string{"--duration", "20s", "--warmup", "5s", "--interval", "5s", "--rate", "50", "--p99-tolerance", "20", "--json"}
	code := benchSoakMain(args, &out, &errs)
	t.Logf("stderr:\n%s", errs.String())
	if code != 0 {
		t.Fatalf("exit code %d, want 0; stdout:\n%s", code, out.String())
	}
	var rep system.SoakReport
	if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
		t.Fatalf("report %q: %v", out.String(), err)
	}
	if n := len(rep.Samples); n < 4 || n > 5 {
		t.Errorf("%d samples, want 4 (or 5 with a short last window)", n)
	}
	served := 0
	for _, s := range rep.Samples {
		served += s.Served
		if s.Failed > 0 || s.Goroutines <= 0 || s.HeapInuseBytes <= 0 {
			t.Errorf("sample %+v: want no failure, goroutines and heap counted", s)
		}
	}
	if served < 700 {
		t.Errorf("served %d requests, want about 1000 (50/s for 20 s)", served)
	}
	if !rep.Verdict.Flat || rep.Model != "sum" {
		t.Errorf("verdict %+v on model %q, want flat on sum", rep.Verdict, rep.Model)
	}
	for _, s := range rep.Samples {
		t.Logf("%5.0fs rss %d B heap %d B goroutines %d p99 %.1f ms", s.AtS, s.RSSBytes, s.HeapInuseBytes, s.Goroutines, s.P99MS)
	}
}
