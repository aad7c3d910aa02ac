package app

import (
	"testing"

	"github.com/sluice-gateway/sluice/configs"
)

// currentOf returns a holder of cfg in force.
func currentOf(cfg *configs.Config) *current { return newCurrent(newInForce(cfg)) }

// TestCurrentReplacesAtOnce stores a configuration whose price differs:
// the holder's fleet is the new one at once, and a fleet read before is
// left as it was.
func TestCurrentReplacesAtOnce(t *testing.T) {
	cur := currentOf(parseConfig(t, reloadBase))
	before := cur.fleet()
	cur.store(newInForce(parseConfig(t, replace(reloadBase, "price_per_hour: 1.2", "price_per_hour: 2.4"))))
	if p, ok := cur.fleet().Pool("gpu"); !ok || p.PricePerHour != 2.4 {
		t.Errorf("gpu after the store = %+v, want 2.4 $/h", p)
	}
	if p, _ := before.Pool("gpu"); p.PricePerHour != 1.2 {
		t.Errorf("the fleet read before the store changed: gpu %v $/h, want 1.2", p.PricePerHour)
	}
	if _, ok := cur.fleet().Pool("tpu"); ok {
		t.Error("the fleet has a pool the configuration lacks")
	}
}
