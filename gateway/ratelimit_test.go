package gateway_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/gateway"
)

// both front ends.
func TestRateLimitStatus(t *testing.T) {
	limits, err := gateway.NewRateLimits(map[string]gateway.Limit{"lo": {Rate: 1, Burst: 1}}, map[string]gateway.Limit{"sum": {Rate: 1, Burst: 1}})
	if err != nil {
		t.Fatal(err)
	}
	f := startAuthFleet(t, limits)
	if r := f.post(context.Background(), "echo", []byte(sumJSON), "x-api-key", keyLow); r.status != http.StatusOK {
		t.Fatalf("first call: status %d: %s", r.status, r.body)
	}
	if r := f.post(context.Background(), "sum", []byte(sumJSON), "x-api-key", keyHigh); r.status != http.StatusOK {
		t.Fatalf("first call of sum: status %d: %s", r.status, r.body)
	}
	tests := []struct {
		name, key, model, want string
	}{
		{"tenant over", keyLow, "echo", `tenant "lo" is over 1 calls/s (burst 1)`},
		{"model over", keyHigh, "sum", `model "sum" is over 1 calls/s (burst 1)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.post(context.Background(), tt.model, []byte(sumJSON), "x-api-key", tt.key)
			if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" {
				t.Errorf("HTTP %d, Retry-After %q; want 429 and 1", r.status, r.header.Get("Retry-After"))
			}
			checkErrorBody(t, r.body, tt.want)
			_, _, err := f.inferGRPC(context.Background(), tt.model, "x-api-key", tt.key)
			if d := retryDelay(err); status.Code(err) != codes.ResourceExhausted || d <= 0 || d > time.Second {
				t.Errorf("gRPC %v, retry delay %v; want ResourceExhausted and a delay in (0, 1s]", err, d)
			}
		})
	}
}

// TestKeysNeverLogged sends calls with good and bad keys, some of which
// fail in ways the gateway logs, and checks that neither the log nor the
// tenant counts hold a key.
func TestKeysNeverLogged(t *testing.T) {
	var log syncBuffer
	logger := newTestLogger(&log)
	f := startAuthFleet(t, nil, func(c *fleetConfig) { c.gateway.Logger = logger })
	for _, key := range testKeys {
		for _, model := range []string{"sum", "dead", "echo"} {
			f.post(context.Background(), model, []byte(sumJSON), "authorization", "Bearer "+key)
			_, _, _ = f.inferGRPC(context.Background(), model, "x-api-key", key)
		}
		f.post(context.Background(), "sum", []byte(sumJSON), "authorization", "Bearer "+key+"-wrong")
	}
	if !strings.Contains(log.String(), "dead") {
		t.Fatalf("the calls of the model without capacity were not logged; log:\n%s", log.String())
	}
	checkNoKey(t, "the log", log.String())
	checkNoKey(t, "the tenant counts", strings.Join(tenantNames(f.tenants.Snapshot()), " "))
}

func tenantNames(m map[string]gateway.TenantCount) []string {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	return names
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
