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
		"--workers", "2", "--p99-bound", "10s", "--json"}
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
		"--schedule", "constant", "--p99-bound", "10s"}
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
