package gateway

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"testing"

	"github.com/sluice-gateway/sluice/batcher"
)

// BenchmarkAdmit measures the gates every infer call passes before its
// body is read: the API key's authentication and models, the priority
// header, the shed level and the tenant's rate limit.
func BenchmarkAdmit(b *testing.B) {
	keys, err := NewKeyring([]Key{{SHA256: sha256.Sum256([]byte("bench-key")), Tenant: "bench", Priority: batcher.Normal, Models: []string{"sum"}}})
	if err != nil {
		b.Fatal(err)
	}
	limits, err := NewRateLimits(map[string]Limit{"bench": {Rate: 1e9, Burst: 1e9}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	g := New(Options{Keys: keys, Limits: limits, Logger: slog.New(slog.DiscardHandler)})
	h := http.Header{}
	h.Set("Authorization", "Bearer bench-key")
	values := httpHeaders(h).values
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if t, err := g.admit(ctx, "sum", values); err != nil || t.tenant != "bench" {
			b.Fatal(t, err)
		}
	}
}
