package configs

import "testing"

// healthBad lists the health section's bad files and their problems, in order.
var healthBad = []badCase{
	{"health", []string{
		"health.bad.yaml:6: health.timeout: 2s must be <= interval 1s",
		"health.bad.yaml:7: health.eject_after: -1 must be >= 1",
		"health.bad.yaml:8: health.eject_for: -5s must be > 0",
	}},
	{"health-slow", []string{"health-slow.bad.yaml:5: health.slow_factor: 1 must be in (1, 1e6], or 0 for off"}},
}

func TestHealthBad(t *testing.T) { loadBad(t, healthBad) }
