package gateway

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRateLimitsCarry checks which token buckets a reload keeps: those
// of the tenants and models whose rate and burst are unchanged.
func TestRateLimitsCarry(t *testing.T) {
	old := mustRateLimits(t, map[string]Limit{"a": {1, 1}, "b": {1, 1}}, map[string]Limit{"m": {5, 5}})
	tests := []struct {
		name            string
		tenants, models map[string]Limit
		want            map[string]bool // "tenant a" → its bucket carried over
	}{
		{"nothing changed", map[string]Limit{"a": {1, 1}, "b": {1, 1}}, map[string]Limit{"m": {5, 5}},
			map[string]bool{"tenant a": true, "tenant b": true, "model m": true}},
		{"rate changed", map[string]Limit{"a": {2, 1}, "b": {1, 1}}, map[string]Limit{"m": {5, 5}},
			map[string]bool{"tenant a": false, "tenant b": true, "model m": true}},
		{"burst changed", map[string]Limit{"a": {1, 1}, "b": {1, 1}}, map[string]Limit{"m": {5, 6}},
			map[string]bool{"tenant a": true, "tenant b": true, "model m": false}},
		{"tenant added and removed", map[string]Limit{"a": {1, 1}, "c": {1, 1}}, nil,
			map[string]bool{"tenant a": true, "tenant c": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := mustRateLimits(t, tt.tenants, tt.models)
			got := next.carry(old)
			carried := map[string]bool{}
			for name, lim := range got.tenants {
				carried["tenant "+name] = lim == old.tenants[name]
			}
			for name, lim := range got.models {
				carried["model "+name] = lim == old.models[name]
			}
			if diff := cmp.Diff(tt.want, carried); diff != "" {
				t.Errorf("carried buckets (-want +got):\n%s", diff)
			}
			for name, lim := range next.tenants {
				if got.tenants[name] != lim && !carried["tenant "+name] {
					t.Errorf("tenant %s: neither the new bucket nor the old one", name)
				}
			}
		})
	}
}

func TestRateLimitsCarryNil(t *testing.T) {
	l := mustRateLimits(t, map[string]Limit{"a": {1, 1}}, nil)
	var none *RateLimits
	if got := none.carry(l); got != nil {
		t.Errorf("nil.carry(l) = %v, want nil", got)
	}
	if got := l.carry(nil); got != l {
		t.Errorf("l.carry(nil) = %v, want l", got)
	}
}

func mustRateLimits(t *testing.T, tenants, models map[string]Limit) *RateLimits {
	t.Helper()
	l, err := NewRateLimits(tenants, models)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
