package gateway_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/gateway"
)

// TestTenantRateUnderLoad drives a tenant limited to 50 calls/s (burst 10)
// at a constant 200 calls/s for 5 s, open loop, over HTTP. The bucket lets
// through its burst plus 50 a second, 10 + 50 × 5 = 260, which must be
// within 10 % of 250; the rest must be 429 with a Retry-After of 1 s (a
// token comes every 20 ms, and Retry-After counts whole seconds).
func TestTenantRateUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("drives 5 s of load; skipped in -short mode")
	}
	if raceDetector {
		t.Skip("a timing test, distorted by the race detector's slowdown; make test runs it without -race")
	}
	limits, err := gateway.NewRateLimits(map[string]gateway.Limit{"hi": {Rate: 50, Burst: 10}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := startAuthFleet(t, limits)
	sched, err := load.Constant(200, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	target := &retryAfterTarget{client: load.NewHTTPClient(0), url: f.url + "/v2/models/sum/infer", key: keyHigh, seen: map[string]int{}}
	res := load.Run(context.Background(), sched, target, load.Options{Timeout: 5 * time.Second})

	limited := res.Statuses[http.StatusTooManyRequests]
	t.Logf("offered %d calls at %.0f/s: %d through (%.1f/s over the window), %d limited, Retry-After values %v; "+
		"p99 latency %v, p99 send lag %v (a lag near a second means the machine could not offer the load)",
		res.Sent, res.OfferedRate(), res.Succeeded, float64(res.Succeeded)/res.Window.Seconds(), limited, target.seen,
		res.Latency.Quantile(0.99), res.SendLag.Quantile(0.99))
	if res.Succeeded < 225 || res.Succeeded > 275 {
		t.Errorf("%d calls went through, want 250 ± 10 %% (about 260: the burst of 10 + 50/s × 5 s)", res.Succeeded)
	}
	if limited != res.Sent-res.Succeeded || res.Errors() != limited {
		t.Errorf("of %d calls, %d went through and %d were limited; other failures: %v, %d timeouts, %d others",
			res.Sent, res.Succeeded, limited, res.Statuses, res.Timeouts, res.Other)
	}
	if len(target.seen) != 1 || target.seen["1"] != limited {
		t.Errorf("Retry-After values %v, want \"1\" on every one of the %d limited calls", target.seen, limited)
	}
	if got := f.tenants.Snapshot()["hi"]; got.Requests != int64(res.Sent) || got.Failed[gateway.ReasonRateLimited] != int64(limited) {
		t.Errorf("tenant hi's count %+v, want %d calls of which %d limited", got, res.Sent, limited)
	}
}

// retryAfterTarget posts a sum call with an API key and counts the
// Retry-After values of the 429 answers.
type retryAfterTarget struct {
	client   *http.Client
	url, key string
	mu       sync.Mutex
	seen     map[string]int
}

func (rt *retryAfterTarget) Do(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rt.url, strings.NewReader(sumJSON))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+rt.key)
	resp, err := rt.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode == http.StatusTooManyRequests {
		rt.mu.Lock()
		rt.seen[resp.Header.Get("Retry-After")]++
		rt.mu.Unlock()
	}
	if resp.StatusCode != http.StatusOK {
		return &load.StatusError{Code: resp.StatusCode}
	}
	return nil
}

// TestRateLimitStatus checks the answers to a call over its tenant's limit
// (1 call/s, burst 1) and over its model's (sum: 1 call/s, burst 1), on
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
