package app

import (
	"runtime/debug"
	"testing"
)

func TestSetMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	tests := []struct {
		name       string
		limit      int64 // limits.memory_limit
		gomemlimit string
		runtime    int64 // the limit in force before
		want       int64
	}{
		{"from the config", 1 << 30, "", 3 << 30, 1 << 30},
		{"GOMEMLIMIT wins", 1 << 30, "2GiB", 2 << 30, 2 << 30},
		{"none configured", 0, "", 3 << 30, 3 << 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetMemoryLimit(tt.runtime)
			getenv := func(k string) string {
				if k == "GOMEMLIMIT" {
					return tt.gomemlimit
				}
				return ""
			}
			if got := setMemoryLimit(tt.limit, getenv); got != tt.want {
				t.Errorf("setMemoryLimit returned %d, want %d", got, tt.want)
			}
			if got := debug.SetMemoryLimit(-1); got != tt.want {
				t.Errorf("runtime's limit %d, want %d", got, tt.want)
			}
		})
	}
}
