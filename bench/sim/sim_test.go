package sim

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// runTiny runs the tiny test scenario under policy with seed.
func runTiny(t *testing.T, policy string, seed uint64, timeline bool) *Result {
	t.Helper()
	sc := mustLoad(t, "tiny")
	f := refFleet()
	res, err := Run(Options{Fleet: f, Trace: sc.Trace, Events: sc.Events, Policy: policy,
		Scaler: refSpec(t, f), Seed: seed, Timeline: timeline})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRunIsDeterministic(t *testing.T) {
	for _, policy := range MatrixPolicies() {
		t.Run(policy, func(t *testing.T) {
			a, b := runTiny(t, policy, 7, true), runTiny(t, policy, 7, true)
			if diff := cmp.Diff(a.Report, b.Report); diff != "" {
				t.Errorf("same seed, different reports (-first +second):\n%s", diff)
			}
			if diff := cmp.Diff(a.Timeline, b.Timeline, cmp.Comparer(sameFloat)); diff != "" {
				t.Errorf("same seed, different timelines (-first +second):\n%s", diff)
			}
			if c := runTiny(t, policy, 8, false); c.Report.Requests == a.Report.Requests {
				t.Errorf("seeds 7 and 8 both drew %d requests", c.Report.Requests)
			}
		})
	}
}

// sameFloat compares floats, NaN equal to NaN.
func sameFloat(a, b float64) bool { return a == b || (a != a && b != b) }

// TestRunAccounts checks that every request ends exactly once, and the
// scripted events are felt.
func TestRunAccounts(t *testing.T) {
	for _, policy := range MatrixPolicies() {
		t.Run(policy, func(t *testing.T) {
			r := runTiny(t, policy, 1, false).Report
			total := r.Served + r.Lost
			for _, n := range r.Rejected {
				total += n
			}
			if total != r.Requests || r.Requests == 0 {
				t.Errorf("requests %d, but served %d + rejected %v + lost %d = %d", r.Requests, r.Served, r.Rejected, r.Lost, total)
			}
			if r.Lost != 0 {
				t.Errorf("lost %d requests", r.Lost)
			}
			if r.Interruptions == 0 && r.ReplicaSeconds["gpu-spot"] > 10*60 {
				t.Errorf("no interruption although gpu-spot ran %gs and half of it was interrupted", r.ReplicaSeconds["gpu-spot"])
			}
			for pool, s := range r.ReplicaSeconds {
				if s < 0 {
					t.Errorf("pool %s: %g replica seconds", pool, s)
				}
			}
		})
	}
}

func TestRunGolden(t *testing.T) {
	got, err := json.MarshalIndent(runTiny(t, "static-peak", 1, false).Report, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "tiny.static-peak.golden.json")
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)+"\n"); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

func TestRunTimeline(t *testing.T) {
	res := runTiny(t, "static-peak", 1, true)
	tl := res.Timeline
	if len(tl.Offered) != 40 || len(tl.P99) != 4 || len(tl.Replicas) != 4 {
		t.Fatalf("timeline of %d seconds, %d windows, %d pools; want 40, 4, 4", len(tl.Offered), len(tl.P99), len(tl.Replicas))
	}
	offered := 0.0
	for _, n := range tl.Offered {
		offered += n
	}
	if int64(offered) != res.Report.Requests {
		t.Errorf("timeline offers %g requests, the report counts %d", offered, res.Report.Requests)
	}
	large := tl.Replicas[1]
	for sec := 21; sec < 30; sec++ { // cpu-large is down from 20 to 30
		if large[sec] != 0 {
			t.Errorf("cpu-large has %g replicas at second %d, while down", large[sec], sec)
		}
	}
	if tl.CostPerHour[0] <= 0 {
		t.Errorf("the fleet costs %g $/h at second 0", tl.CostPerHour[0])
	}
}

func TestRunErrors(t *testing.T) {
	f := refFleet()
	tr := flatTrace("t", 5, 10, 0)
	bad := refFleet()
	bad.Kinds[Heavy].Pools = []string{"tpu"}
	tests := []struct {
		name string
		opts Options
		want error
	}{
		{name: "unknown policy", opts: Options{Fleet: f, Trace: tr, Policy: "magic"}, want: ErrPolicy},
		{name: "costaware without a spec", opts: Options{Fleet: f, Trace: tr, Policy: "costaware"}, want: ErrPolicy},
		{name: "event on an unknown pool", opts: Options{Fleet: f, Trace: tr, Policy: "oracle",
			Events: []Event{{Second: 1, Kind: PoolDown, Pool: "tpu"}}}, want: ErrUnknownPool},
		{name: "kind on an unknown pool", opts: Options{Fleet: bad, Trace: tr, Policy: "oracle"}, want: ErrUnknownPool},
		{name: "no pools", opts: Options{Trace: tr, Policy: "oracle"}, want: ErrFleet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Run(tt.opts); !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

// TestOracleIsALowerBound runs small synthetic scenarios: no policy that
// meets the SLO at least as well as the oracle costs less.
func TestOracleIsALowerBound(t *testing.T) {
	step := flatTrace("step", 180, 80, 0.2)
	for i := 90; i < 180; i++ {
		step.Seconds[i].RPS = 250
	}
	spike := flatTrace("spike", 180, 100, 0.3)
	for i := 60; i < 90; i++ {
		spike.Seconds[i].RPS = 400
	}
	scenarios := []Scenario{
		{Name: "flat", Trace: flatTrace("flat", 120, 150, 0.2)},
		{Name: "step", Trace: step},
		{Name: "spike", Trace: spike, Events: []Event{{Second: 45, Kind: PoolDown, Pool: "gpu-spot"}, {Second: 120, Kind: PoolUp, Pool: "gpu-spot"}}},
	}
	f := refFleet()
	cells := RunMatrix(MatrixOptions{Fleet: f, Scaler: refSpec(t, f), Scenarios: scenarios, Seed: 3})
	for _, sc := range scenarios {
		cs := cellsOf(cells, sc.Name)
		oracle := mustReport(t, cs, "oracle")
		for _, c := range cs {
			if c.Err != nil {
				t.Fatalf("%s / %s: %v", c.Scenario, c.Policy, c.Err)
			}
			r := c.Result.Report
			if r.SLOAttainment.All >= oracle.SLOAttainment.All && r.CostUSD < oracle.CostUSD-1e-9 {
				t.Errorf("%s: %s costs %.4f $ at SLO %.4f, below the oracle's %.4f $ at %.4f",
					sc.Name, c.Policy, r.CostUSD, r.SLOAttainment.All, oracle.CostUSD, oracle.SLOAttainment.All)
			}
		}
		// Without outages, a fleet for the peak costs at least the
		// cheapest fleet for each second.
		if static := mustReport(t, cs, "static-peak"); sc.Events == nil && static.CostUSD < oracle.CostUSD {
			t.Errorf("%s: static-peak costs %.4f $, below the oracle's %.4f $", sc.Name, static.CostUSD, oracle.CostUSD)
		}
	}
}

// mustReport returns policy's report among cs.
func mustReport(t *testing.T, cs []Cell, policy string) Report {
	t.Helper()
	r, ok := reportOf(cs, policy)
	if !ok {
		t.Fatalf("no result for %s", policy)
	}
	return r
}

// TestShippedScenarios runs the first two minutes of every scenario of
// bench/scenarios under the costaware policy.
func TestShippedScenarios(t *testing.T) {
	scenarios, err := LoadScenarios(scenarioDir)
	if err != nil {
		t.Fatal(err)
	}
	f := refFleet()
	spec := refSpec(t, f)
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			tr := sc.Trace
			tr.Seconds = tr.Seconds[:min(len(tr.Seconds), 120)]
			res, err := Run(Options{Fleet: f, Trace: tr, Events: sc.Events, Policy: "costaware", Scaler: spec, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if r := res.Report; r.Requests == 0 || r.Lost != 0 {
				t.Errorf("%d requests, %d lost", r.Requests, r.Lost)
			}
		})
	}
}

// BenchmarkAzureConv times the longest shipped scenario; the simulator
// should run it within 10 s on one core.
func BenchmarkAzureConv(b *testing.B) {
	sc, err := loadScenario(filepath.Join(scenarioDir, "azure-conv.trace.csv"))
	if err != nil {
		b.Fatal(err)
	}
	f := refFleet()
	spec := refSpec(b, f)
	for b.Loop() {
		start := time.Now()
		res, err := Run(Options{Fleet: f, Trace: sc.Trace, Policy: "costaware", Scaler: spec, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Report.Requests)/time.Since(start).Seconds(), "requests/s")
	}
}
