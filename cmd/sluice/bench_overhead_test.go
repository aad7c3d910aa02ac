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
	var rep system.OverheadReport
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
		for _, p := range system.OverheadPaths() {
			want = append(want, key{p, rate})
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
	all := system.OverheadSustained{RPS: 80, AtLeast: true}
	if diff := cmp.Diff(map[string]system.OverheadSustained{"direct": all, "proxy": all, "sluice": all}, rep.Sustained); diff != "" {
		t.Errorf("sustained (-want +got):\n%s", diff)
	}
	if rep.SluiceToProxy == nil || *rep.SluiceToProxy != 1 || len(rep.Targets) != 3 {
		t.Errorf("sluice/proxy %v, %d targets; want 1 and 3", rep.SluiceToProxy, len(rep.Targets))
	}
	// The own CPU of a path is on every run but the direct path's; its
	// share of the proxy's only where the proxy's is positive, which at
	// these tiny rates is noise.
	for _, r := range rep.Runs {
		if (r.Path != "direct") != (r.OwnCPUPerRequestUS != nil) || (r.Path != "sluice" && r.OwnCPUToProxy != nil) {
			t.Errorf("%s at %g/s: own CPU %v, over the proxy's %v; want the first on proxy and sluice, the second on sluice only",
				r.Path, r.RateRPS, r.OwnCPUPerRequestUS, r.OwnCPUToProxy)
		}
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
	for _, want := range []string{"rate/s", "+p99 ms", "own µs", "/proxy", "direct", "proxy", "sluice", "sustained: direct >=20/s", "target: sluice p99 added at 1000/s", "not measured"} {
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
	var rep system.OverheadReport
	if err := json.Unmarshal([]byte(stdout.String()), &rep); err != nil {
		t.Fatalf("report %q: %v", stdout.String(), err)
	}
	if len(rep.Runs) != 1 || rep.Runs[0].Path != "sluice" || rep.Runs[0].AddedP99MS != nil {
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
