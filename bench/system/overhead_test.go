package system

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestOverheadReport(t *testing.T) {
	run := func(path string, rate, p50, p99 float64, ok bool) OverheadRun {
		return OverheadRun{Path: path, RateRPS: rate, P50MS: p50, P99MS: p99, Sustains: ok}
	}
	tests := []struct {
		name      string
		runs      []OverheadRun
		sustained map[string]OverheadSustained
		ratio     *float64
		added     *float64 // sluice's added p99 at the target rate
		targets   []bool
	}{
		{
			name: "sluice breaks first",
			runs: []OverheadRun{
				run("direct", 500, 1, 2, true), run("proxy", 500, 1.1, 2.5, true), run("sluice", 500, 1.2, 2.6, true),
				run("direct", 1000, 1, 2, true), run("proxy", 1000, 1.1, 2.5, true), run("sluice", 1000, 1.2, 2.8, true),
				run("direct", 2000, 1, 2, true), run("proxy", 2000, 1.1, 2.5, true), run("sluice", 2000, 30, 90, false),
				run("direct", 4000, 1, 2, true), run("proxy", 4000, 1.1, 60, false), run("sluice", 4000, 1.2, 80, false),
			},
			sustained: map[string]OverheadSustained{
				"direct": {RPS: 4000, AtLeast: true}, "proxy": {RPS: 2000}, "sluice": {RPS: 1000},
			},
			ratio: floatPtr(0.5), added: floatPtr(0.8), targets: []bool{true, false},
		},
		{
			name: "a noisy lower rate does not count against a higher one",
			runs: []OverheadRun{
				run("direct", 500, 1, 2, true), run("proxy", 500, 1.1, 2.5, true), run("sluice", 500, 1.2, 70, false),
				run("direct", 1000, 1, 2, true), run("proxy", 1000, 1.1, 2.5, true), run("sluice", 1000, 1.2, 2.9, true),
			},
			sustained: map[string]OverheadSustained{
				"direct": {RPS: 1000, AtLeast: true}, "proxy": {RPS: 1000, AtLeast: true}, "sluice": {RPS: 1000, AtLeast: true},
			},
			ratio: floatPtr(1), added: floatPtr(0.9), targets: []bool{true, true},
		},
		{
			name: "nothing sustained",
			runs: []OverheadRun{
				run("direct", 1000, 1, 2, true), run("proxy", 1000, 1, 99, false), run("sluice", 1000, 1, 99, false),
			},
			sustained: map[string]OverheadSustained{"direct": {RPS: 1000, AtLeast: true}, "proxy": {}, "sluice": {}},
			added:     floatPtr(97), targets: []bool{false, false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newOverheadReport(OverheadOptions{Paths: OverheadPaths()})
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
	f := OverheadOptions{MinServed: 0.99, P99Bound: 50 * time.Millisecond}
	run := func(served, p50, p99 float64, failures map[string]int) OverheadRun {
		n := 0
		for _, c := range failures {
			n += c
		}
		return OverheadRun{Path: "sluice", RateRPS: 1000, Served: served, P50MS: p50, P99MS: p99, Errors: n, Failures: failures, Sustains: p99 <= 50}
	}
	tests := []struct {
		name string
		runs []OverheadRun
		want OverheadRun
	}{
		{
			name: "one run is itself",
			runs: []OverheadRun{run(1, 1, 2, nil)},
			want: run(1, 1, 2, nil),
		},
		{
			name: "one stall out of three does not decide",
			runs: []OverheadRun{run(1, 1, 3, nil), run(0.5, 900, 4000, map[string]int{"timeout": 9}), run(1, 2, 4, nil)},
			want: OverheadRun{Path: "sluice", RateRPS: 1000, Served: 1, P50MS: 2, P99MS: 4, Errors: 9, Failures: map[string]int{"timeout": 9}, Sustains: true},
		},
		{
			name: "two stalls out of three do",
			runs: []OverheadRun{run(1, 1, 3, nil), run(0.5, 900, 4000, map[string]int{"timeout": 9}), run(0.9, 800, 3000, map[string]int{"503": 1})},
			want: OverheadRun{Path: "sluice", RateRPS: 1000, Served: 0.9, P50MS: 800, P99MS: 3000, Errors: 10, Failures: map[string]int{"timeout": 9, "503": 1}},
		},
		{
			name: "an even count takes the middle two",
			runs: []OverheadRun{run(1, 1, 2, nil), run(1, 3, 6, nil)},
			want: OverheadRun{Path: "sluice", RateRPS: 1000, Served: 1, P50MS: 2, P99MS: 4, Sustains: true},
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

func TestOverheadOwnCPU(t *testing.T) {
	run := func(path string, rate, cpu float64) OverheadRun {
		return OverheadRun{Path: path, RateRPS: rate, P50MS: 1, P99MS: 2, CPUPerRequestUS: cpu, Sustains: true}
	}
	r := newOverheadReport(OverheadOptions{Paths: OverheadPaths()})
	for _, run := range []OverheadRun{
		run("direct", 1000, 300), run("proxy", 1000, 400), run("sluice", 1000, 380),
		run("direct", 4000, 250), run("proxy", 4000, 350), run("sluice", 4000, 0),
		run("direct", 8000, 0), run("proxy", 8000, 350), run("sluice", 8000, 400),
	} {
		r.add(run)
	}
	r.conclude()
	type own struct {
		Path         string
		Rate         float64
		Own, ToProxy *float64
	}
	var got []own
	for _, run := range r.Runs {
		got = append(got, own{run.Path, run.RateRPS, run.OwnCPUPerRequestUS, run.OwnCPUToProxy})
	}
	want := []own{
		{"direct", 1000, nil, nil}, {"proxy", 1000, floatPtr(100), nil}, {"sluice", 1000, floatPtr(80), floatPtr(0.8)},
		// unknown CPU times give no figure
		{"direct", 4000, nil, nil}, {"proxy", 4000, floatPtr(100), nil}, {"sluice", 4000, nil, nil},
		{"direct", 8000, nil, nil}, {"proxy", 8000, nil, nil}, {"sluice", 8000, nil, nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("own CPU (-want +got):\n%s", diff)
	}
	cpu := r.Targets[2]
	if cpu.Got == nil || *cpu.Got != 0.8 || !cpu.Met {
		t.Errorf("CPU target %+v, want 0.8 and met", cpu)
	}
}
