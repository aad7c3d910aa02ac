package main

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/bench/load"
)

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name   string
		status string
		want   int64
	}{
		{"linux", "Name:\tsluice\nVmPeak:\t  9000 kB\nVmRSS:\t   1234 kB\nThreads:\t7\n", 1234 << 10},
		{"missing", "Name:\tsluice\n", -1},
		{"other unit", "VmRSS:\t 12 MB\n", -1},
		{"not a number", "VmRSS:\t lots kB\n", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseVmRSS([]byte(tt.status)); got != tt.want {
				t.Errorf("parseVmRSS = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestSoakMeterCutsWindows(t *testing.T) {
	m := newSoakMeter()
	for i := range 100 {
		m.record(load.Outcome{Latency: time.Duration(i+1) * time.Millisecond})
	}
	m.record(load.Outcome{Err: errors.New("refused")})
	first := m.cut(10*time.Second, soakMemory{rss: 3 << 20, heapInuse: 2 << 20}, 42)
	second := m.cut(20*time.Second, soakMemory{rss: -1, heapInuse: 1}, 40)
	want := []soakSample{
		{At: 10 * time.Second, AtS: 10, RSSBytes: 3 << 20, HeapInuseBytes: 2 << 20, Goroutines: 42, Served: 100, Failed: 1, P99: first.P99, P99MS: first.P99MS},
		{At: 20 * time.Second, AtS: 20, RSSBytes: -1, HeapInuseBytes: 1, Goroutines: 40},
	}
	if diff := cmp.Diff(want, []soakSample{first, second}); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
	if first.P99 < 98*time.Millisecond || first.P99 > 100*time.Millisecond {
		t.Errorf("p99 of 1..100 ms = %v, want about 99 ms", first.P99)
	}
}

func TestJudgeSoak(t *testing.T) {
	const mb = 1 << 20
	sample := func(rss, heap int64, goroutines int, p99 time.Duration) soakSample {
		return soakSample{RSSBytes: rss * mb, HeapInuseBytes: heap * mb, Goroutines: goroutines, Served: 100, P99: p99}
	}
	start := sample(100, 40, 200, 5*time.Millisecond)
	tol := soakTolerance{Growth: 0.25, P99Growth: 1, MemoryFloor: 16 * mb, GoroutineFloor: 25, P99Floor: 10 * time.Millisecond}
	tests := []struct {
		name    string
		samples []soakSample
		want    []string // problems, by their leading words
	}{
		{"unchanged", []soakSample{start, start}, nil},
		{"within growth and floors", []soakSample{start, sample(141, 66, 275, 20*time.Millisecond)}, nil},
		{"smaller", []soakSample{start, sample(50, 10, 100, time.Millisecond)}, nil},
		{"rss leak", []soakSample{start, start, sample(142, 40, 200, 5*time.Millisecond)}, []string{"RSS grew"}},
		{"heap leak", []soakSample{start, sample(100, 67, 200, 5*time.Millisecond)}, []string{"heap in use grew"}},
		{"goroutine leak", []soakSample{start, sample(100, 40, 276, 5*time.Millisecond)}, []string{"goroutines grew"}},
		{"p99 tripled", []soakSample{start, sample(100, 40, 200, 21*time.Millisecond)}, []string{"p99 grew"}},
		{"rss unknown", []soakSample{sample(-1, 40, 200, 0), sample(-1, 40, 200, 0)}, nil},
		{"one sample", []soakSample{start}, []string{"1 samples"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := judgeSoak(tt.samples, tol)
			var got []string
			for _, p := range v.Problems {
				for _, w := range tt.want {
					if strings.HasPrefix(p, w) {
						got = append(got, w)
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || len(v.Problems) != len(tt.want) {
				t.Errorf("problems %q (-want +got):\n%s", v.Problems, diff)
			}
			if v.Flat != (len(tt.want) == 0) {
				t.Errorf("flat = %v with problems %q", v.Flat, v.Problems)
			}
		})
	}
}

func TestParseSoakFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    soakFlags
		wantErr bool
	}{
		{name: "defaults", want: soakFlags{duration: 10 * time.Minute, warmup: 30 * time.Second, interval: 10 * time.Second, timeout: 5 * time.Second, rate: 200, tolerance: 0.25, p99Tolerance: 1, seed: 1}},
		{name: "short", args: []string{"--duration", "20s", "--warmup", "0s", "--interval", "5s", "--rate", "50", "--json"},
			want: soakFlags{duration: 20 * time.Second, interval: 5 * time.Second, timeout: 5 * time.Second, rate: 50, tolerance: 0.25, p99Tolerance: 1, seed: 1, json: true}},
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
	var rep soakReport
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
		t.Logf("%5.0fs rss %s MiB heap %.1f MiB goroutines %d p99 %.1f ms", s.AtS, rssMiB(s.RSSBytes), mib(s.HeapInuseBytes), s.Goroutines, s.P99MS)
	}
}
