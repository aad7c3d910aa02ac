package gateway_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/gateway"
)

// TestSetAccess swaps the keyring and limits of a serving gateway: a
// removed key is refused, a new one admitted, and turning authentication
// off admits calls without a key.
func TestSetAccess(t *testing.T) {
	f := startAuthFleet(t, nil)
	const newKey = "test-key-new"
	kr, err := gateway.NewKeyring([]gateway.Key{{SHA256: sha256.Sum256([]byte(newKey)), Tenant: "new", Priority: batcher.Normal, Models: []string{"*"}}})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name   string
		keys   *gateway.Keyring
		creds  []string
		status int
	}{
		{"old key before", nil, []string{"x-api-key", keySum}, http.StatusOK},
		{"old key after", kr, []string{"x-api-key", keySum}, http.StatusUnauthorized},
		{"new key after", kr, []string{"x-api-key", newKey}, http.StatusOK},
		{"no key, auth off", nil, nil, http.StatusOK},
	}
	for i, s := range steps {
		if i > 0 {
			f.gw.SetAccess(s.keys, nil)
		}
		if r := f.post(context.Background(), "sum", []byte(sumJSON), s.creds...); r.status != s.status {
			t.Errorf("%s: status %d, want %d: %s", s.name, r.status, s.status, r.body)
		}
	}
}

// TestAdmissionSetFallbacks replaces the fallbacks of an admission: the
// models that keep theirs keep their state, the others lose it.
func TestAdmissionSetFallbacks(t *testing.T) {
	a, err := gateway.NewAdmission(map[string]string{"big": "small", "mid": "small"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"big", "mid"} {
		if err := a.SetFallback(m, true); err != nil {
			t.Fatal(err)
		}
	}
	a.SetShed(batcher.ShedLow)
	if err := a.SetFallbacks(map[string]string{"big": "tiny", "mid": "mid"}); !errors.Is(err, gateway.ErrBadOptions) {
		t.Errorf("SetFallbacks(mid → mid) = %v, want ErrBadOptions", err)
	}
	if err := a.SetFallbacks(map[string]string{"big": "tiny", "new": "small"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]bool{"big": true, "new": false}, a.Fallbacks()); diff != "" {
		t.Errorf("Fallbacks (-want +got):\n%s", diff)
	}
	if fb, ok := a.Fallback("big"); fb != "tiny" || !ok {
		t.Errorf("Fallback(big) = %q, %v; want tiny, true", fb, ok)
	}
	if _, ok := a.Fallback("mid"); ok {
		t.Error("mid still has a fallback")
	}
	if a.Shed() != batcher.ShedLow {
		t.Errorf("Shed = %v after SetFallbacks, want low", a.Shed())
	}
}
