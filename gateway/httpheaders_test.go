package gateway

import (
	"net/http"
	"testing"
)

func TestCanonicalHeader(t *testing.T) {
	for _, name := range []string{HeaderAuthorization, HeaderAPIKey, HeaderPriority, HeaderTimeout, HeaderCache, "x-other-thing", "Already-Canonical"} {
		t.Run(name, func(t *testing.T) {
			if got, want := canonicalHeader(name), http.CanonicalHeaderKey(name); got != want {
				t.Errorf("canonicalHeader(%q) = %q, want %q", name, got, want)
			}
		})
	}
}

func TestHTTPHeadersValues(t *testing.T) {
	h := http.Header{}
	h.Add("Authorization", "Bearer k")
	h.Add("X-Sluice-Priority", "low")
	h.Add("X-Sluice-Priority", "high")
	tests := []struct {
		name string
		want []string
	}{
		{name: HeaderAuthorization, want: []string{"Bearer k"}},
		{name: HeaderPriority, want: []string{"low", "high"}},
		{name: HeaderAPIKey},
		{name: "X-SLUICE-PRIORITY", want: []string{"low", "high"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := httpHeaders(h).values(tt.name)
			if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
				t.Errorf("values(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func TestHTTPHeadersDoNotAllocate(t *testing.T) {
	h := httpHeaders(http.Header{"Authorization": {"Bearer k"}})
	allocs := testing.AllocsPerRun(100, func() {
		for _, name := range []string{HeaderAuthorization, HeaderAPIKey, HeaderPriority, HeaderTimeout} {
			_ = h.values(name)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per lookup of the gateway's headers, want 0", allocs)
	}
}
