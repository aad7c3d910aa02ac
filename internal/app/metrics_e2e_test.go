package app

import (
	"bytes"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/router"
)

// metricsConfig is one pool of one worker, priced 0.36 $/h under a budget
// of 1.44 $/h and 10 $/day.
const metricsConfig = `models: [{name: sum, tier: t, slo: 500ms}]
tiers: [{name: t, pools: [p]}]
pools:
  - {name: p, price_per_hour: 0.36, curve: {base: 2ms, per_item: 1ms}, max_batch: 8, cold_start: 100ms, replicas: {min: 1, initial: 1, max: 1}}
scaler: {interval: 200ms}
budget: {per_hour: 1.44, per_day: 10}
`

// post sends body to model's infer endpoint and returns the status.
func (s scaledServe) post(t *testing.T, model, body string) int {
	t.Helper()
	resp, err := http.Post("http://"+s.http+"/v2/models/"+model+"/infer", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestMetricsAfterKnownTraffic sends 20 calls of two rows one after the
// other, one for a model that does not exist and one that does not
// decode, and reads the counts back from /metrics.
func TestMetricsAfterKnownTraffic(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Sluice and its workers; skipped in -short mode")
	}
	s := startScaledServe(t, metricsConfig)
	s.logs.Next(t, 0, "pool workers changed", "pool", "p", "ready", 1)
	const calls = 20
	for range calls {
		if code := s.post(t, "sum", apptest.QuickstartSum); code != http.StatusOK {
			t.Fatalf("sum: status %d", code)
		}
	}
	if code := s.post(t, "nope", apptest.QuickstartSum); code != http.StatusNotFound {
		t.Fatalf("unknown model: status %d", code)
	}
	if code := s.post(t, "sum", `{"inputs": 1}`); code != http.StatusBadRequest {
		t.Fatalf("bad body: status %d", code)
	}
	// The spending counters move at the scaler's decisions, every 200 ms:
	// wait for one that saw the traffic.
	var got map[string]float64
	apptest.WaitUntil(t, "cost per million inferences", func() bool {
		got = apptest.Samples(t, apptest.Scrape(t, s.admin))
		return got[`sluice_cost_per_million_inferences_usd`] > 0
	})

	rows := 2.0 * calls
	want := map[string]float64{
		`sluice_requests_total{code="200",model="sum",pool="p",priority="normal"}`:        calls,
		`sluice_requests_total{code="404",model="unknown",pool="none",priority="normal"}`: 1,
		`sluice_requests_total{code="400",model="sum",pool="none",priority="normal"}`:     1,
		`sluice_inferences_total{model="sum",pool="p"}`:                                   rows,
		`sluice_request_duration_seconds_count{model="sum",pool="p"}`:                     calls,
		`sluice_rejections_total{reason="unknown_model"}`:                                 1,
		`sluice_rejections_total{reason="invalid"}`:                                       1,
		`sluice_rejections_total{reason="auth"}`:                                          0,
		`sluice_requests_in_flight`:                                                       0,
		`sluice_request_body_bytes_in_flight`:                                             0,
		`sluice_queue_wait_seconds_count{pool="p",priority="normal"}`:                     calls,
		`sluice_queue_wait_seconds_count{pool="p",priority="high"}`:                       0,
		`sluice_batch_size_rows_sum{pool="p"}`:                                            rows,
		`sluice_pool_batches_total{pool="p"}`:                                             calls,
		`sluice_pool_failed_batches_total{pool="p"}`:                                      0,
		`sluice_queue_length{pool="p",priority="normal"}`:                                 0,
		`sluice_pool_in_flight_requests{pool="p"}`:                                        0,
		`sluice_pool_slots{pool="p"}`:                                                     1,
		`sluice_worker_inference_duration_seconds_count{pool="p",state="cold"}`:           2 * router.ColdBatches,
		`sluice_worker_inference_duration_seconds_count{pool="p",state="warm"}`:           rows - 2*router.ColdBatches,
		`sluice_retries_total`:                                                            0,
		`sluice_tenant_requests_total{outcome="answered",tenant="anonymous"}`:             calls,
		`sluice_tenant_requests_total{outcome="unknown_model",tenant="anonymous"}`:        1,
		`sluice_tenant_requests_total{outcome="invalid",tenant="anonymous"}`:              1,
		`sluice_tenant_inferences_total{tenant="anonymous"}`:                              rows,
		`sluice_pool_cost_per_replica_usd_per_hour{pool="p"}`:                             0.36,
		`sluice_pool_cost_usd_per_hour{pool="p"}`:                                         0.36,
		`sluice_fleet_cost_usd_per_hour`:                                                  0.36,
		`sluice_budget_usd_per_hour`:                                                      1.44,
		`sluice_budget_usd_per_day`:                                                       10,
		`sluice_budget_used_ratio{period="hour"}`:                                         0.25,
		`sluice_scaler_decisions_total{result="error"}`:                                   0,
	}
	pick := map[string]float64{}
	for k := range want {
		v, ok := got[k]
		if !ok {
			v = -1 // missing
		}
		pick[k] = v
	}
	if diff := cmp.Diff(want, pick); diff != "" {
		t.Errorf("samples (-want +got, -1 for a missing one):\n%s", diff)
	}
	checkPositive(t, got,
		`sluice_tenant_cost_usd_total{tenant="anonymous"}`,
		`sluice_pool_busy_seconds_total{pool="p"}`,
		`sluice_scaler_decisions_total{result="ok"}`,
		`sluice_spent_usd_total`,
		`sluice_cost_per_million_inferences_usd`,
	)
	if busy, slots := got[`sluice_pool_busy_seconds_total{pool="p"}`], got[`sluice_pool_slot_seconds_total{pool="p"}`]; busy > slots {
		t.Errorf("busy %v slot-seconds out of %v: more than all", busy, slots)
	}
}

// checkPositive fails for each sample of names that is missing or not
// above 0.
func checkPositive(t *testing.T, got map[string]float64, names ...string) {
	t.Helper()
	for _, n := range names {
		if v, ok := got[n]; !ok || !(v > 0) {
			t.Errorf("%s = %v (present %v), want > 0", n, v, ok)
		}
	}
}

// TestPromtoolChecksLiveMetrics scrapes /metrics three times during a
// load that lasts until the third scrape, each once more calls were
// answered than at the one before, and has `promtool check metrics` lint
// each scrape: it must report nothing.
func TestPromtoolChecksLiveMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Sluice and its workers; skipped in -short mode")
	}
	promtool := apptest.RequireTool(t, "promtool", "prometheus")
	s := startScaledServe(t, metricsConfig)
	s.logs.Next(t, 0, "pool workers changed", "pool", "p", "ready", 1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { loadUntil(t, s.http, stop) })
	defer wg.Wait()
	defer close(stop)
	answered := 0.0
	for i := range 3 {
		var text []byte
		apptest.WaitUntil(t, fmt.Sprintf("more than %v calls answered", answered), func() bool {
			text = apptest.Scrape(t, s.admin)
			n := apptest.Samples(t, text)[`sluice_requests_total{code="200",model="sum",pool="p",priority="normal"}`]
			if n <= answered {
				return false
			}
			answered = n
			return true
		})
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = bytes.NewReader(text)
		out, err := cmd.CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("scrape %d: promtool check metrics: %v\n%s", i, err, out)
		}
	}
}

// loadUntil sends one-row sum calls to the gateway at addr, 100 a second
// at most, until stop is closed; a call not answered 200 fails t.
func loadUntil(t *testing.T, addr string, stop <-chan struct{}) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		wg.Go(func() {
			resp, err := http.Post("http://"+addr+"/v2/models/sum/infer", "application/json", strings.NewReader(oneRowSum))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("load call: status %d", resp.StatusCode)
			}
		})
	}
}
