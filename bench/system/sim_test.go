package system

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/configs"
)

func TestSimFleet(t *testing.T) {
	cfg, err := configs.Load(benchConfig)
	if err != nil {
		t.Fatal(err)
	}
	f, err := simFleet(cfg, SimKinds{HeavyRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := [2]sim.Kind{
		{Model: "sum", Tier: "light", Pools: []string{"cpu-small", "cpu-large", "gpu-spot", "gpu-ondemand"},
			SLO: 500 * time.Millisecond, Timeout: 30 * time.Second, Rows: 1},
		{Model: "sum-heavy", Tier: "heavy", Pools: []string{"gpu-spot", "gpu-ondemand"},
			SLO: time.Second, Timeout: 30 * time.Second, Rows: 2},
	}
	if diff := cmp.Diff(want, f.Kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	if len(f.Pools) != 4 || f.Pools[2].Name != "gpu-spot" || !f.Pools[2].Spot || f.Pools[2].Max != 16 {
		t.Errorf("pools: %+v", f.Pools)
	}
	if f.BudgetPerHour != 30 || f.Interval != time.Second {
		t.Errorf("budget %v, interval %v; want 30, 1s", f.BudgetPerHour, f.Interval)
	}
	if _, err := simFleet(cfg, SimKinds{Light: "nope"}); err == nil || !strings.Contains(err.Error(), `no model "nope"`) {
		t.Errorf("unknown model: error %v", err)
	}
}
