package app

import (
	"strings"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/internal/app/apptest"
)

// TestReloadPricesReachTheScaler: a price changed by a reload is the one
// the scaler plans with from its next decision on.
func TestReloadPricesReachTheScaler(t *testing.T) {
	rig := newReloadRig(t, followV1)
	sc := rig.rl.parts.scaling
	cost := func(at time.Time) float64 {
		d := sc.loop.Tick(t.Context(), at)
		if d.Err != nil {
			t.Fatal(d.Err)
		}
		return d.Plan.CostPerHour / float64(d.Plan.Replicas["cpu"])
	}
	if got := cost(apptest.Epoch.Add(time.Second)); got != 0.1 {
		t.Errorf("before the reload: %v $/h per cpu replica, want 0.1", got)
	}
	rig.reloadTo(t, strings.Replace(followV1, "price_per_hour: 0.10", "price_per_hour: 0.30", 1))
	if got := cost(apptest.Epoch.Add(2 * time.Second)); got != 0.3 {
		t.Errorf("after the reload: %v $/h per cpu replica, want 0.3", got)
	}
}
