//go:build !race

// The race detector slows the gateways so much that a loaded 2-core
// machine cannot offer this test's load under it: make test runs this
// file in a second pass without -race.

package app

import (
	"testing"
	"time"
)

// TestServeSharesRateThroughRedisUnderLoad runs two gateways sharing one
// real redis-server, and offers acme (50 calls a second, burst 10) 100
// calls a second through each, open loop, for 3 s: together they admit
// 50 a second beyond the burst (± 10 %), not 100.
func TestServeSharesRateThroughRedisUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Redis and two Sluices and drives 3 s of load; skipped in -short mode")
	}
	awayFromHourEnd(30 * time.Second)
	_, gws := startRedisPair(t)
	const d = 3 * time.Second
	admitted, _ := offerAcme(t, gws, 100, d)
	rate := float64(admitted-10) / d.Seconds()
	t.Logf("two gateways admitted %d calls of acme in %v: %.1f/s beyond the burst", admitted, d, rate)
	if rate < 45 || rate > 55 {
		t.Errorf("admitted %.1f calls/s through two gateways, want 50 ± 10 %%", rate)
	}
}
