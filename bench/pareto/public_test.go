package pareto

import (
	"testing"

	"github.com/sluice-gateway/sluice/bench/sim"
)

// cutWidth is the length of each public scenario's cut, in seconds, and
// cutLead how long before its event or steepest rise the cut starts.
const (
	cutWidth = 40
	cutLead  = 10
)

// TestLowerBoundBelowReachingRuns runs every family's default and the
// oracle on a 40-second cut of each public scenario, around its first
// event or its steepest rise: no run that reaches SLO-all 0.99 costs
// less than the lower bound.
func TestLowerBoundBelowReachingRuns(t *testing.T) {
	scenarios, err := sim.LoadScenarios(scenarioDir)
	if err != nil {
		t.Fatal(err)
	}
	for i, sc := range scenarios {
		from := max(turn(sc)-cutLead, 0)
		scenarios[i] = sc.Cut(from, from+cutWidth)
	}
	f := refFleet()
	res, err := Sweep(Options{Fleet: f, Scaler: refSpec(t, f), Scenarios: scenarios, Families: defaultsOnly(sim.Families(refSpec(t, f))),
		Seeds: 1, Levels: []float64{0.99}, OracleCaps: []float64{0.8}, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	reaching := 0
	for _, r := range res.Runs {
		b, _ := res.Bounds(r.Scenario)
		if !r.Reaches(0.99) {
			continue
		}
		reaching++
		if *b.LowerUSD > r.CostUSD {
			t.Errorf("%s: %s (%s) reaches %.4f at %.4f $, below the lower bound %.4f $",
				r.Scenario, r.Family, r.label, r.SLOAll, r.CostUSD, *b.LowerUSD)
		}
	}
	if reaching == 0 {
		t.Error("no run reached 0.99: the check checked nothing")
	}
}

// turn returns the second of sc's first event, or else of its steepest
// rise in rate from one second to the next (0 for a flat trace).
func turn(sc sim.Scenario) int {
	if len(sc.Events) > 0 {
		return sc.Events[0].Second
	}
	best, rise := 0, 0.0
	for i := 1; i < len(sc.Trace.Seconds); i++ {
		if d := sc.Trace.Seconds[i].RPS - sc.Trace.Seconds[i-1].RPS; d > rise {
			best, rise = i, d
		}
	}
	return best
}

// defaultsOnly returns the families with each knob's grid cut to its
// default.
func defaultsOnly(fams []sim.Family) []sim.Family {
	out := make([]sim.Family, len(fams))
	for i, f := range fams {
		out[i] = f
		out[i].Knobs = make([]sim.Knob, len(f.Knobs))
		for k, knob := range f.Knobs {
			knob.Values = []float64{knob.Default}
			out[i].Knobs[k] = knob
		}
	}
	return out
}
