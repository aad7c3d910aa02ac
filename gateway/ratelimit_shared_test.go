package gateway_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/quota"
)

// sharedBuckets is a gateway.Buckets over quota.Local that records what
// it was asked.
type sharedBuckets struct {
	quota.Local
	mu    sync.Mutex
	asked [][]string
}

func (b *sharedBuckets) Take(_ context.Context, bs []quota.Bucket, now time.Time) (int, time.Duration) {
	keys := make([]string, len(bs))
	for i, x := range bs {
		keys[i] = x.Key
	}
	b.mu.Lock()
	b.asked = append(b.asked, keys)
	b.mu.Unlock()
	return b.Local.Take(bs, now)
}

// TestRateLimitShared checks that shared limits take their tokens from
// the store, the tenant's and the model's buckets together, and refuse as
// the local ones do.
func TestRateLimitShared(t *testing.T) {
	local, err := gateway.NewRateLimits(map[string]gateway.Limit{"lo": {Rate: 1, Burst: 1}}, map[string]gateway.Limit{"sum": {Rate: 100, Burst: 100}})
	if err != nil {
		t.Fatal(err)
	}
	store := &sharedBuckets{}
	f := startAuthFleet(t, local.Shared(store))
	if r := f.post(context.Background(), "sum", []byte(sumJSON), "x-api-key", keyLow); r.status != http.StatusOK {
		t.Fatalf("first call: status %d: %s", r.status, r.body)
	}
	r := f.post(context.Background(), "sum", []byte(sumJSON), "x-api-key", keyLow)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" {
		t.Errorf("second call: status %d, Retry-After %q; want 429 and 1", r.status, r.header.Get("Retry-After"))
	}
	checkErrorBody(t, r.body, `tenant "lo" is over 1 calls/s (burst 1)`)
	if r := f.post(context.Background(), "echo", []byte(sumJSON), "x-api-key", keyHigh); r.status != http.StatusOK {
		t.Errorf("a tenant and a model without limits: status %d", r.status)
	}
	want := [][]string{{"tenant:lo", "model:sum"}, {"tenant:lo", "model:sum"}}
	if diff := cmp.Diff(want, store.asked); diff != "" {
		t.Errorf("buckets asked (-want +got):\n%s", diff)
	}
}
