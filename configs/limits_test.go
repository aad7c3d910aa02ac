package configs

import "testing"

// limitsBad lists the limits section's bad files and their problems, in order.
var limitsBad = []badCase{
	{"limits", []string{
		"limits.bad.yaml:1: models[0].timeout: 10m0s must be <= limits.max_deadline 5m0s",
		"limits.bad.yaml:5: limits.max_body_bytes: 2147483648 must be between 1 and 1073741824 (1 GiB)",
		"limits.bad.yaml:6: limits.read_header_timeout: -1s must be > 0",
		"limits.bad.yaml:7: limits.idle_timeout: -2s must be > 0",
		"limits.bad.yaml:8: limits.max_concurrent_streams: -1 must be between 1 and 4294967295",
		"limits.bad.yaml:9: limits.max_json_depth: 3 must be >= 4",
		"limits.bad.yaml:10: limits.max_tensor_elements: -5 must be >= 1",
		"limits.bad.yaml:11: limits.body_timeout: -1s must be > 0",
		"limits.bad.yaml:12: limits.write_timeout: -3s must be > 0",
		"limits.bad.yaml:13: limits.max_connections: -1 must be >= 1",
		"limits.bad.yaml:14: limits.max_in_flight: -2 must be >= 1",
		"limits.bad.yaml:15: limits.max_body_bytes_in_flight: 1048576 must be >= 8/7 of limits.max_body_bytes 2147483648 (its last eighth is kept for small bodies), or no body of that size is ever served",
		"limits.bad.yaml:16: limits.memory_limit: 1000 must be >= 1048576 (1 MiB)",
	}},
	{"limits-deadline", []string{"limits-deadline.bad.yaml:3: models[1].timeout: 2m0s must be <= limits.max_deadline 1m0s"}},
}

func TestLimitsBad(t *testing.T) { loadBad(t, limitsBad) }

// TestMaxBodyBytesInFlightDefault checks that the default bound on body
// bytes in flight always leaves room for a body of max_body_bytes.
func TestMaxBodyBytesInFlightDefault(t *testing.T) {
	tests := []struct {
		name    string
		maxBody int64
		want    int64
	}{
		{"the default body limit", 0, DefaultMaxBodyBytesInFlight},
		{"a large body limit", 512 << 20, 1 << 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Limits{MaxBodyBytes: tt.maxBody}
			l.applyDefaults()
			if l.MaxBodyBytesInFlight != tt.want {
				t.Errorf("max_body_bytes_in_flight %d, want %d", l.MaxBodyBytesInFlight, tt.want)
			}
		})
	}
}
