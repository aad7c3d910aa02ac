package gateway_test

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/gateway"
)

func TestNewKeyring(t *testing.T) {
	ok := gateway.Key{SHA256: sha256.Sum256([]byte("a")), Tenant: "acme", Models: []string{"*"}}
	with := func(change func(*gateway.Key)) gateway.Key {
		k := ok
		change(&k)
		return k
	}
	tests := []struct {
		name    string
		keys    []gateway.Key
		wantErr bool
	}{
		{"none", nil, false},
		{"one", []gateway.Key{ok}, false},
		{"two of a tenant", []gateway.Key{ok, with(func(k *gateway.Key) { k.SHA256[0]++ })}, false},
		{"same hash twice", []gateway.Key{ok, with(func(k *gateway.Key) { k.Tenant = "other" })}, true},
		{"no tenant", []gateway.Key{with(func(k *gateway.Key) { k.Tenant = "" })}, true},
		{"no models", []gateway.Key{with(func(k *gateway.Key) { k.Models = nil })}, true},
		{"bad glob", []gateway.Key{with(func(k *gateway.Key) { k.Models = []string{"[a-"} })}, true},
		{"bad priority", []gateway.Key{with(func(k *gateway.Key) { k.Priority = batcher.Critical + 1 })}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kr, err := gateway.NewKeyring(tt.keys)
			if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, gateway.ErrBadOptions)) || (err == nil) != (kr != nil) {
				t.Errorf("NewKeyring = %v, %v; want an error matching ErrBadOptions: %v", kr, err, tt.wantErr)
			}
		})
	}
}

func TestKeyAllows(t *testing.T) {
	k := gateway.Key{Models: []string{"sum", "llm-*"}}
	tests := []struct {
		model string
		want  bool
	}{{"sum", true}, {"llm-small", true}, {"llm-", true}, {"echo", false}, {"sum2", false}, {"", false}}
	for _, tt := range tests {
		if got := k.Allows(tt.model); got != tt.want {
			t.Errorf("Allows(%q) = %v, want %v", tt.model, got, tt.want)
		}
	}
}

func TestHashKey(t *testing.T) {
	got, err := gateway.HashKey("sluice-demo-high")
	if err != nil || got != sha256.Sum256([]byte("sluice-demo-high")) {
		t.Errorf("HashKey = %x, %v", got, err)
	}
	for _, bad := range []string{"", "a b", "tab\there", "clé"} {
		if _, err := gateway.HashKey(bad); !errors.Is(err, gateway.ErrMalformedKey) || (bad != "" && strings.Contains(err.Error(), bad)) {
			t.Errorf("HashKey(%q) error = %v, want one matching ErrMalformedKey that does not quote the key", bad, err)
		}
	}
}

func TestAdmissionFallbacks(t *testing.T) {
	if _, err := gateway.NewAdmission(map[string]string{"a": "a"}); !errors.Is(err, gateway.ErrBadOptions) {
		t.Errorf("NewAdmission(a → a) error = %v, want ErrBadOptions", err)
	}
	a, err := gateway.NewAdmission(map[string]string{"big": "small", "mid": "small"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetFallback("small", true); !errors.Is(err, gateway.ErrNoFallback) {
		t.Errorf("SetFallback(small) error = %v, want ErrNoFallback", err)
	}
	if err := a.SetFallback("big", true); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]bool{"big": true, "mid": false}, a.Fallbacks()); diff != "" {
		t.Errorf("Fallbacks (-want +got):\n%s", diff)
	}
	var zero gateway.Admission
	if zero.Shed() != batcher.ShedNone || len(zero.Fallbacks()) != 0 {
		t.Errorf("zero Admission: shed %v, fallbacks %v", zero.Shed(), zero.Fallbacks())
	}
}

func TestTenantCounters(t *testing.T) {
	var c gateway.TenantCounters
	for _, e := range []gateway.TenantEvent{
		{Tenant: "a", Rows: 3},
		{Tenant: "a", Rows: 1, Fallback: true, CostUSD: 0.5},
		{Tenant: "a", Reason: gateway.ReasonRateLimited},
		{Tenant: "a", Reason: gateway.ReasonRateLimited},
		{Tenant: "b", Reason: gateway.ReasonShed},
	} {
		c.Record(e)
	}
	want := map[string]gateway.TenantCount{
		"a": {Requests: 4, Answered: 2, Inferences: 4, Fallbacks: 1, Failed: map[string]int64{"rate_limited": 2}, CostUSD: 0.5},
		"b": {Requests: 1, Failed: map[string]int64{"shed": 1}},
	}
	got := c.Snapshot()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Snapshot (-want +got):\n%s", diff)
	}
	got["a"].Failed["shed"] = 9
	if diff := cmp.Diff(want, c.Snapshot()); diff != "" {
		t.Errorf("changing a snapshot changed the counters (-want +got):\n%s", diff)
	}
}
