package sim

import (
	"slices"
	"testing"
)

// greedy is a policy that wants every pool at its max.
type greedy struct{ fleet *Fleet }

func (p greedy) Start(*Observation) []int {
	out := make([]int, len(p.fleet.Pools))
	for i, pool := range p.fleet.Pools {
		out[i] = pool.Max
	}
	return out
}

func (p greedy) Decide(obs *Observation) Decision { return Decision{Replicas: p.Start(obs)} }

// TestEnforceBudget: under the cap the simulator refuses the starts over
// the budget, buying the cheapest capacity per row first: spot GPUs
// (16 × 1.2 $/h), then cpu-large (21 × 0.5), then what is left.
func TestEnforceBudget(t *testing.T) {
	f := refFleet()
	opts := Options{Fleet: f, Trace: flatTrace("t", 60, 100, 0.2), Policy: "greedy", Seed: 1, EnforceBudget: true,
		NewPolicy: func(s Setup) (Policy, error) { return greedy{s.Fleet}, nil }}
	got, err := Initial(opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{3, 21, 16, 0}; !slices.Equal(got, want) {
		t.Errorf("start fleet %v, want %v", got, want)
	}
	res, err := Run(opts)
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Report; r.MaxCostPerHourUSD > f.BudgetPerHour || r.RefusedStarts == 0 {
		t.Errorf("capped: at most %.2f $/h with %d starts refused; want at most %.0f and some refused",
			r.MaxCostPerHourUSD, r.RefusedStarts, f.BudgetPerHour)
	}
	opts.EnforceBudget = false
	if res, err = Run(opts); err != nil {
		t.Fatal(err)
	}
	if r := res.Report; r.MaxCostPerHourUSD != 88.2 || r.RefusedStarts != 0 {
		t.Errorf("uncapped: at most %.2f $/h with %d starts refused; want 88.2 and none", r.MaxCostPerHourUSD, r.RefusedStarts)
	}
}
