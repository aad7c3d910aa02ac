package configs

import "testing"

// shutdownBad lists the shutdown section's bad files and their problems, in order.
var shutdownBad = []badCase{
	{"shutdown", []string{
		"shutdown.bad.yaml:5: shutdown.drain_timeout: -1s must be > 0",
		"shutdown.bad.yaml:6: shutdown.drain_delay: -2s must be > 0",
	}},
}

func TestShutdownBad(t *testing.T) { loadBad(t, shutdownBad) }
