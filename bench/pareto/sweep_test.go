package pareto

import (
	"bytes"
	"errors"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/bench/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// tinySweep sweeps the fixed family on a flat 300 rows/s over two
// minutes on one GPU pool of 200 rows/s per replica.
func tinySweep(t *testing.T, seeds int) *Result {
	t.Helper()
	res, err := Sweep(Options{Fleet: gpuFleet(), Scenarios: []sim.Scenario{flat("flat", 120, 300)},
		Families: []sim.Family{fixed, one}, Seeds: seeds, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestSweepKnownAnswer: one replica cannot carry 300 rows/s, two can at
// 75 %, so two is the cheapest at every level and costs 2 $/h for the
// two minutes; the oracle at cap 1 plans the same two.
func TestSweepKnownAnswer(t *testing.T) {
	res := tinySweep(t, 1)
	for _, level := range res.Levels {
		got, ok := Cheapest(res.Of("flat", "fixed"), level)
		if !ok || got.Config["n"] != 2 {
			t.Fatalf("level %v: cheapest %v (%v), want n=2", level, got.Config, ok)
		}
		if want := 2 * 120 / 3600.0; got.CostUSD < want || got.CostUSD > want*1.01 {
			t.Errorf("level %v: n=2 costs %.6f $, want %.6f (and the drain)", level, got.CostUSD, want)
		}
		b, _ := res.Bounds("flat")
		cost, capacity := b.OracleUSD[levelKey(level)], b.OracleCap[levelKey(level)]
		if cost == nil || *capacity != 1 || *cost != got.CostUSD {
			t.Errorf("level %v: oracle %v $ at cap %v, want n=2's %.6f at cap 1", level, cost, capacity, got.CostUSD)
		}
		if lb := *b.LowerUSD; lb > *cost {
			t.Errorf("lower bound %.6f above the oracle's %.6f", lb, *cost)
		}
	}
	if one := res.Of("flat", "fixed")[0]; one.Config["n"] != 1 || one.Reaches(0.9) {
		t.Errorf("n=1 reaches 0.9 at %v", one.SLOAll)
	}
}

// TestOracleMeetsAlpha reruns oracle@α, for every level it reached, on
// its own: over the same seeds it reaches the level.
func TestOracleMeetsAlpha(t *testing.T) {
	f := gpuFleet()
	f.Pools = append(f.Pools, f.Pools[0])
	f.Pools[1].Name, f.Pools[1].PricePerHour = "gpu-dear", 2.5
	f.Kinds[0].Pools, f.Kinds[1].Pools = []string{"gpu", "gpu-dear"}, []string{"gpu", "gpu-dear"}
	sc := flat("spike", 150, 200)
	for i := 40; i < 70; i++ {
		sc.Trace.Seconds[i].RPS = 700
	}
	sc.Events = []sim.Event{{Second: 90, Kind: sim.PoolDown, Pool: "gpu"}, {Second: 120, Kind: sim.PoolUp, Pool: "gpu"}}
	res, err := Sweep(Options{Fleet: f, Scenarios: []sim.Scenario{sc}, Families: []sim.Family{fixed}, Seeds: 2,
		Levels: []float64{0.9, 0.99}, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := res.Bounds("spike")
	reached := 0
	for _, level := range res.Levels {
		capacity := b.OracleCap[levelKey(level)]
		if capacity == nil {
			continue
		}
		reached++
		var reps []sim.Report
		for _, seed := range res.Seeds {
			r, err := sim.Run(sim.Options{Fleet: f, Trace: sc.Trace, Events: sc.Events, NewPolicy: sim.OracleAt(*capacity),
				Seed: seed, EnforceBudget: true})
			if err != nil {
				t.Fatal(err)
			}
			reps = append(reps, r.Report)
		}
		if again := aggregate(Run{}, reps, make([]error, len(reps))); !again.Reaches(level) || again.CostUSD != *b.OracleUSD[levelKey(level)] {
			t.Errorf("oracle@%v at cap %v: %.4f at %.4f $ on its own, want it to reach the level at %.4f $",
				level, *capacity, again.SLOAll, again.CostUSD, *b.OracleUSD[levelKey(level)])
		}
	}
	if reached == 0 {
		t.Fatal("the oracle reached no level")
	}
}

// TestSeedsSpread: each seed draws other arrivals, and the report gives
// the spread over the seeds.
func TestSeedsSpread(t *testing.T) {
	sc := flat("flat", 60, 300)
	requests := map[int64]bool{}
	for seed := range uint64(3) {
		r, err := sim.Run(sim.Options{Fleet: gpuFleet(), Trace: sc.Trace, NewPolicy: fixed.Build(sim.Point{"n": 2}), Seed: seed + 1})
		if err != nil {
			t.Fatal(err)
		}
		requests[r.Report.Requests] = true
	}
	if len(requests) != 3 {
		t.Errorf("3 seeds drew %d different request counts, want 3", len(requests))
	}
	res := tinySweep(t, 3)
	one := res.Of("flat", "fixed")[0] // overloaded: how much it misses depends on the draws
	if lo, hi := one.Spread.SLOAll[0], one.Spread.SLOAll[1]; !(lo < hi) || one.SLOAll < lo || one.SLOAll > hi {
		t.Errorf("n=1: attainment %v over the spread [%v, %v], want a spread around it", one.SLOAll, lo, hi)
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, res, ""); err != nil {
		t.Fatal(err)
	}
	if want := "seeds 1, 2, 3"; !strings.Contains(md.String(), want) {
		t.Errorf("pareto.md lacks %q", want)
	}
}

// TestWrite checks the three outputs of a tiny sweep; pareto.md against
// its golden file (go test -update rewrites it).
func TestWrite(t *testing.T) {
	res := tinySweep(t, 2)
	dir := t.TempDir()
	if err := Write(dir, res, "A tiny sweep."); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "pareto.md"))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "tiny.pareto.md")
	if *update {
		if err := os.WriteFile(golden, md, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(md)); diff != "" {
		t.Errorf("pareto.md (-want +got):\n%s", diff)
	}
	checkJSON(t, filepath.Join(dir, "pareto.json"))
	img, err := os.Open(filepath.Join(dir, "flat.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if _, err := png.Decode(img); err != nil {
		t.Errorf("flat.png: %v", err)
	}
}

// checkJSON reads pareto.json back and checks its shape.
func checkJSON(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"scenario": "flat"`, `"family": "fixed"`, `"config": {`, `"default": true`, `"seeds": [`,
		`"cost_usd":`, `"slo_all":`, `"slo_high":`, `"lost": 0`, `"max_usd_per_hour":`, `"budget_usd_per_hour": 30`,
		`"bounds": {`, `"lower_usd":`, `"oracle_usd": {`, `"0.99":`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("pareto.json lacks %s", key)
		}
	}
}

func TestSweepOptions(t *testing.T) {
	one := []sim.Scenario{flat("f", 10, 10)}
	tests := []struct {
		name string
		o    Options
	}{
		{name: "no scenario", o: Options{Fleet: gpuFleet(), Families: []sim.Family{fixed}}},
		{name: "level of 1", o: Options{Fleet: gpuFleet(), Scenarios: one, Families: []sim.Family{fixed}, Levels: []float64{1}}},
		{name: "cap over 1", o: Options{Fleet: gpuFleet(), Scenarios: one, Families: []sim.Family{fixed}, OracleCaps: []float64{1.2}}},
		{name: "negative seeds", o: Options{Fleet: gpuFleet(), Scenarios: one, Families: []sim.Family{fixed}, Seeds: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Sweep(tt.o); !errors.Is(err, ErrOptions) {
				t.Errorf("error %v, want ErrOptions", err)
			}
		})
	}
	bad := fixed
	bad.Name, bad.Build = "unbuildable", nil
	res, err := Sweep(Options{Fleet: gpuFleet(), Scenarios: one, Families: []sim.Family{bad}, Seeds: 1, OracleCaps: []float64{1}})
	if !errors.Is(err, ErrRuns) || res == nil || res.Of("f", "unbuildable")[0].Error == "" {
		t.Errorf("a family that builds nothing: error %v, want ErrRuns with the runs kept", err)
	}
}
