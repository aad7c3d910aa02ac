package batcher

import (
	"strings"
	"testing"
)

func TestRequestKey(t *testing.T) {
	long := strings.Repeat("m", 300)
	tests := []struct{ model, version string }{{"m", ""}, {"m", "2"}, {"", ""}, {long, "1"}}
	for _, tt := range tests {
		req := request("r", 0, 2, 3)
		want := ItemKey(tt.model, tt.version, req.BatchKey())
		if got := RequestKey(tt.model, tt.version, req); got != want {
			t.Errorf("RequestKey(%.10q, %q) = %q, want %q", tt.model, tt.version, got, want)
		}
	}
}
