package app

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/state/statetest"
)

// startRedisPair starts a real redis-server and two gateways sharing it.
func startRedisPair(t *testing.T) (*statetest.Redis, []tenantServe) {
	t.Helper()
	srv := statetest.StartRedis(t)
	yaml := tenantsYAML(fmt.Sprintf("  flush_interval: 100ms\n  redis: {address: %q}", srv.Addr()))
	return srv, []tenantServe{startTenantServe(t, t.TempDir(), yaml), startTenantServe(t, t.TempDir(), yaml)}
}

// TestServeSharesStateThroughRedis runs two gateways sharing one real
// redis-server: each sees the spend of both; with Redis stopped each
// keeps refusing acme's calls over its rate on its own buckets and says
// so in its metrics; once Redis is back they share again. (The rate
// itself is measured by TestServeSharesRateThroughRedisUnderLoad.)
func TestServeSharesStateThroughRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Redis and two Sluices; skipped in -short mode")
	}
	awayFromHourEnd(30 * time.Second)
	srv, gws := startRedisPair(t)
	_, costs := offerAcme(t, gws, 10, time.Second)
	time.Sleep(500 * time.Millisecond) // several flush intervals
	for i, gw := range gws {
		if spent := gw.acme(t).Budget.Spent["per_hour"]; !(costs > 0) || spent < costs*0.999 {
			t.Errorf("gateway %d sees acme spent %v, its answers through both cost %v", i, spent, costs)
		}
	}
	srv.Stop()
	before := rateLimited(t, gws)
	offerAcme(t, gws, 200, time.Second) // four times acme's rate through each
	after := rateLimited(t, gws)
	for i, gw := range gws {
		m := scrape(t, gw)
		if !strings.Contains(m, `sluice_state_up{backend="redis"} 0`) || strings.Contains(m, "sluice_state_local_decisions_total 0") || after[i] == before[i] {
			t.Errorf("gateway %d without Redis refused %d calls over acme's rate: %s", i, after[i]-before[i], grepLines(m, "sluice_state_"))
		}
	}
	srv.Start()
	waitMetric(t, gws, `sluice_state_up{backend="redis"} 1`, 10*time.Second)
}

// rateLimited returns how many of acme's calls each of gws refused for
// its rate, from their metrics.
func rateLimited(t *testing.T, gws []tenantServe) []int {
	t.Helper()
	const series = `sluice_tenant_requests_total{outcome="rate_limited",tenant="acme"} `
	out := make([]int, len(gws))
	for i, gw := range gws {
		for l := range strings.SplitSeq(scrape(t, gw), "\n") {
			if v, ok := strings.CutPrefix(l, series); ok {
				out[i], _ = strconv.Atoi(v)
			}
		}
	}
	return out
}

// offerAcme offers acme's calls to each of gws at perGateway calls a
// second for d, open loop (each call on its own goroutine, sent at its
// time whatever the answers), and returns how many were admitted and
// what they cost. A call neither admitted nor refused by a rate limit
// fails the test.
func offerAcme(t *testing.T, gws []tenantServe, perGateway float64, d time.Duration) (int64, float64) {
	t.Helper()
	var admitted atomic.Int64
	var mu sync.Mutex
	var costs float64
	var wg sync.WaitGroup
	call := func(gw tenantServe) {
		r := gw.infer(t, "sum", acmeKey)
		switch {
		case r.status == http.StatusOK:
			admitted.Add(1)
			mu.Lock()
			costs += headerCost(t, r.header)
			mu.Unlock()
		case r.status != http.StatusTooManyRequests || !strings.Contains(string(r.body), "calls/s"):
			t.Errorf("acme's call: %d %s", r.status, r.body)
		}
	}
	for _, gw := range gws {
		wg.Go(func() {
			tick := time.NewTicker(time.Duration(float64(time.Second) / perGateway))
			defer tick.Stop()
			for end := time.After(d); ; {
				select {
				case <-end:
					return
				case <-tick.C:
					wg.Go(func() { call(gw) })
				}
			}
		})
	}
	wg.Wait()
	return admitted.Load(), costs
}

// scrape returns the text of gw's /metrics.
func scrape(t *testing.T, gw tenantServe) string {
	t.Helper()
	resp, err := http.Get("http://" + gw.app.Addrs().Admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return b.String()
}

// waitMetric waits until every gateway's metrics hold line.
func waitMetric(t *testing.T, gws []tenantServe, line string, limit time.Duration) {
	t.Helper()
	for i, gw := range gws {
		for deadline := time.Now().Add(limit); !strings.Contains(scrape(t, gw), line); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("gateway %d: no %s within %v: %s", i, line, limit, grepLines(scrape(t, gw), "sluice_state_"))
			}
		}
	}
}

// grepLines returns the lines of text that start with prefix.
func grepLines(text, prefix string) string {
	var out []string
	for l := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
