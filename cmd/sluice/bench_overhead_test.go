package main

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestOverheadReport(t *testing.T) {
	run := func(path string, rate, p50, p99 float64, ok bool) overheadRun {
		return overheadRun{Path: path, RateRPS: rate, P50MS: p50, P99MS: p99, Sustains: ok}
	}
	tests := []struct {
		name      string
		runs      []overheadRun
		sustained map[string]overheadSustained
		ratio     *float64
		added     *float64 // sluice's added p99 at the target rate
		targets   []bool
	}{
		{
			name: "sluice breaks first",
			runs: []overheadRun{
				run("direct", 500, 1, 2, true), run("proxy", 500, 1.1, 2.5, true), run("sluice", 500, 1.2, 2.6, true),
				run("direct", 1000, 1, 2, true), run("proxy", 1000, 1.1, 2.5, true), run("sluice", 1000, 1.2, 2.8, true),
				run("direct", 2000, 1, 2, true), run("proxy", 2000, 1.1, 2.5, true), run("sluice", 2000, 30, 90, false),
				run("direct", 4000, 1, 2, true), run("proxy", 4000, 1.1, 60, false), run("sluice", 4000, 1.2, 80, false),
			},
			sustained: map[string]overheadSustained{
				"direct": {RPS: 4000, AtLeast: true}, "proxy": {RPS: 2000}, "sluice": {RPS: 1000},
			},
			ratio: floatPtr(0.5), added: floatPtr(0.8), targets: []bool{true, false},
		},
		{
			name: "a noisy lower rate does not count against a higher one",
			runs: []overheadRun{
				run("direct", 500, 1, 2, true), run("proxy", 500, 1.1, 2.5, true), run("sluice", 500, 1.2, 70, false),
				run("direct", 1000, 1, 2, true), run("proxy", 1000, 1.1, 2.5, true), run("sluice", 1000, 1.2, 2.9, true),
			},
			sustained: map[string]overheadSustained{
				"direct": {RPS: 1000, AtLeast: true}, "proxy": {RPS: 1000, AtLeast: true}, "sluice": {RPS: 1000, AtLeast: true},
			},
			ratio: floatPtr(1), added: floatPtr(0.9), targets: []bool{true, true},
		},
		{
			name: "nothing sustained",
			runs: []overheadRun{
				run("direct", 1000, 1, 2, true), run("proxy", 1000, 1, 99, false), run("sluice", 1000, 1, 99, false),
			},
			sustained: map[string]overheadSustained{"direct": {RPS: 1000, AtLeast: true}, "proxy": {}, "sluice": {}},
			added:     floatPtr(97), targets: []bool{false, false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newOverheadReport(overheadFlags{paths: overheadPaths})
			for _, run := range tt.runs {
				r.add(run)
			}
			r.conclude()
			approx := cmpopts.EquateApprox(0, 1e-9)
			if diff := cmp.Diff(tt.sustained, r.Sustained); diff != "" {
				t.Errorf("sustained (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.ratio, r.SluiceToProxy, approx); diff != "" {
				t.Errorf("sluice/proxy (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.added, r.Targets[0].Got, approx); diff != "" {
				t.Errorf("added p99 at the target rate (-want +got):\n%s", diff)
			}
			met := []bool{r.Targets[0].Met, r.Targets[1].Met}
			if diff := cmp.Diff(tt.targets, met); diff != "" {
				t.Errorf("targets met (-want +got):\n%s", diff)
			}
			for _, run := range r.Runs {
				if (run.AddedP99MS == nil) != (run.Path == pathDirect) {
					t.Errorf("%s at %g/s: added p99 %v, want one for every path but direct", run.Path, run.RateRPS, run.AddedP99MS)
				}
			}
		})
	}
}

func TestMedianRun(t *testing.T) {
	f := overheadFlags{minServed: 0.99, p99Bound: 50 * time.Millisecond}
	run := func(served, p50, p99 float64, failures map[string]int) overheadRun {
		n := 0
		for _, c := range failures {
			n += c
		}
		return overheadRun{Path: "sluice", RateRPS: 1000, Served: served, P50MS: p50, P99MS: p99, Errors: n, Failures: failures, Sustains: p99 <= 50}
	}
	tests := []struct {
		name string
		runs []overheadRun
		want overheadRun
	}{
		{
			name: "one run is itself",
			runs: []overheadRun{run(1, 1, 2, nil)},
			want: run(1, 1, 2, nil),
		},
		{
			name: "one stall out of three does not decide",
			runs: []overheadRun{run(1, 1, 3, nil), run(0.5, 900, 4000, map[string]int{"timeout": 9}), run(1, 2, 4, nil)},
			want: overheadRun{Path: "sluice", RateRPS: 1000, Served: 1, P50MS: 2, P99MS: 4, Errors: 9, Failures: map[string]int{"timeout": 9}, Sustains: true},
		},
		{
			name: "two stalls out of three do",
			runs: []overheadRun{run(1, 1, 3, nil), run(0.5, 900, 4000, map[string]int{"timeout": 9}), run(0.9, 800, 3000, map[string]int{"503": 1})},
			want: overheadRun{Path: "sluice", RateRPS: 1000, Served: 0.9, P50MS: 800, P99MS: 3000, Errors: 10, Failures: map[string]int{"timeout": 9, "503": 1}},
		},
		{
			name: "an even count takes the middle two",
			runs: []overheadRun{run(1, 1, 2, nil), run(1, 3, 6, nil)},
			want: overheadRun{Path: "sluice", RateRPS: 1000, Served: 1, P50MS: 2, P99MS: 4, Sustains: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, medianRun(tt.runs, f)); diff != "" {
				t.Errorf("median (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBenchOverheadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{name: "help", args: []string{"--help"}, want: 0},
		{name: "bad rate", args: []string{"--rates", "100,-1"}, want: 2},
		{name: "bad schedule", args: []string{"--schedule", "bursty"}, want: 2},
		{name: "no workers", args: []string{"--workers", "0"}, want: 2},
		{name: "bad share", args: []string{"--min-served", "1.5"}, want: 2},
		{name: "zero duration", args: []string{"--duration", "0s"}, want: 2},
		{name: "extra argument", args: []string{"now"}, want: 2},
		{name: "unknown path", args: []string{"--paths", "direct,envoy"}, want: 2},
		{name: "no repeat", args: []string{"--repeat", "0"}, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := benchOverheadMain(tt.args, io.Discard, io.Discard); got != tt.want {
				t.Errorf("exit code %d, want %d", got, tt.want)
			}
		})
	}
}

func TestBenchOverheadShortRun(t *testing.T) {
	// Two low rates, then the search doubles once more up to --max-rate;
	// a generous p99 bound lets every path sustain every rate even on a
	// busy test machine.
	var stdout, stderr strings.Builder
	args := []string{"--rates", "40,20", "--duration", "250ms", "--warmup", "50ms", "--max-rate", "80",
		"--workers", "2", "--p99-bound", "10s", "--repeat", "2", "--json"}
	if code := benchOverheadMain(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	var rep overheadReport
	if err := json.Unmarshal([]byte(stdout.String()), &rep); err != nil {
		t.Fatalf("report %q: %v", stdout.String(), err)
	}
	type key struct {
		Path string
		Rate float64
	}
	var got []key
	for _, r := range rep.Runs {
		got = append(got, key{r.Path, r.RateRPS})
		if r.Errors != 0 || r.Served != 1 || !r.Sustains {
			t.Errorf("%s at %g/s: %d errors, served %g, sustains %v; want every request served", r.Path, r.RateRPS, r.Errors, r.Served, r.Sustains)
		}
	}
	var want []key
	for _, rate := range []float64{20, 40, 80} {
		for _, p := range overheadPaths {
			want = append(want, key{p, rate})
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
	all := overheadSustained{RPS: 80, AtLeast: true}
	if diff := cmp.Diff(map[string]overheadSustained{"direct": all, "proxy": all, "sluice": all}, rep.Sustained); diff != "" {
		t.Errorf("sustained (-want +got):\n%s", diff)
	}
	if rep.SluiceToProxy == nil || *rep.SluiceToProxy != 1 || len(rep.Targets) != 2 {
		t.Errorf("sluice/proxy %v, %d targets; want 1 and 2", rep.SluiceToProxy, len(rep.Targets))
	}
}

func TestBenchOverheadPrintsATable(t *testing.T) {
	var stdout, stderr strings.Builder
	args := []string{"--rates", "20", "--duration", "200ms", "--warmup", "0s", "--max-rate", "20", "--workers", "1",
		"--schedule", "constant", "--p99-bound", "10s", "--repeat", "1"}
	start := time.Now()
	if code := benchOverheadMain(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"rate/s", "+p99 ms", "direct", "proxy", "sluice", "sustained: direct >=20/s", "target: sluice p99 added at 1000/s", "not measured"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("a 20/s run of 200 ms per path took %v", took)
	}
}

func TestBenchOverheadOnePath(t *testing.T) {
	var stdout, stderr strings.Builder
	args := []string{"--paths", "sluice", "--rates", "20", "--duration", "200ms", "--warmup", "0s", "--max-rate", "20",
		"--workers", "1", "--slots", "1", "--repeat", "1", "--p99-bound", "10s", "--json"}
	if code := benchOverheadMain(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	var rep overheadReport
	if err := json.Unmarshal([]byte(stdout.String()), &rep); err != nil {
		t.Fatalf("report %q: %v", stdout.String(), err)
	}
	if len(rep.Runs) != 1 || rep.Runs[0].Path != pathSluice || rep.Runs[0].AddedP99MS != nil {
		t.Errorf("runs %+v, want one of sluice, with nothing added over a direct path that did not run", rep.Runs)
	}
	if rep.SluiceToProxy != nil || rep.Targets[1].Met {
		t.Errorf("sluice/proxy %v, met %v; want none without the proxy", rep.SluiceToProxy, rep.Targets[1].Met)
	}
}

func TestPathsFlag(t *testing.T) {
	var p pathsFlag
	if err := p.Set("sluice, direct,sluice"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(pathsFlag{"direct", "sluice"}, p); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
}
