package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/internal/app/apptest"
)

// reloadV1 is one pool, cpu, at 0.10 $/h.
const reloadV1 = `models: [{name: sum, tier: t, slo: 1s}]
shutdown: {drain_delay: 10ms}
tiers: [{name: t, pools: [cpu]}]
pools:
  - {name: cpu, price_per_hour: 0.10, curve: {base: 5ms, per_item: 1ms}, max_batch: 16, cold_start: 100ms, replicas: {min: 2, max: 2}}
`

// reloadBad adds a pool with a negative price, on the file's line 7.
const reloadBad = reloadV1 + `  - {name: gpu, price_per_hour: -1, curve: {base: 5ms}, replicas: {min: 1, max: 1}}
`

// reloadV2 raises cpu's price and adds the pool gpu to the tier.
const reloadV2 = `models: [{name: sum, tier: t, slo: 1s}]
shutdown: {drain_delay: 10ms}
tiers: [{name: t, pools: [cpu, gpu]}]
pools:
  - {name: cpu, price_per_hour: 0.20, curve: {base: 5ms, per_item: 1ms}, max_batch: 16, cold_start: 100ms, replicas: {min: 2, max: 2}}
  - {name: gpu, price_per_hour: 1.20, curve: {base: 5ms, per_item: 1ms}, max_batch: 16, cold_start: 100ms, replicas: {min: 1, max: 1}}
`

// TestReloadUnderLoad reloads a real `sluice serve` under an open-loop
// load of 50 calls per second: a file with a problem, through the admin
// API and SIGHUP, is refused with the file's line and the old config runs
// on; a good file adds a pool and changes a price; the first file again
// removes the pool. Every call is answered 200.
func TestReloadUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped in -short mode")
	}
	s := startLiveServe(t, reloadV1)
	stop := openLoop(s.http, 50)
	defer func() { _ = stop() }()

	s.writeConfig(t, reloadBad)
	status, body := s.postReload(t)
	if msg := errorOf(body); status != http.StatusBadRequest || !strings.Contains(msg, "sluice.yaml:7: pools[1].price_per_hour: -1 must be >= 0") {
		t.Errorf("POST /admin/reload of a bad file = %d %s, want 400 naming line 7", status, body)
	}
	s.signal(t, syscall.SIGHUP)
	s.waitReloads(t, "error", 2)
	s.checkPools(t, map[string]float64{"cpu": 0.10})

	s.writeConfig(t, reloadV2)
	status, body = s.postReload(t)
	if status != http.StatusOK || !strings.Contains(string(body), `"pools_added":["gpu"]`) {
		t.Errorf("POST /admin/reload of a good file = %d %s, want 200 adding gpu", status, body)
	}
	s.checkPools(t, map[string]float64{"cpu": 0.20, "gpu": 1.20})
	s.waitReady(t, "gpu", 1)

	s.writeConfig(t, reloadV1)
	s.signal(t, syscall.SIGHUP)
	s.waitReloads(t, "success", 2)
	s.checkPools(t, map[string]float64{"cpu": 0.10})

	ty := stop()
	t.Logf("reloads under load: %s", ty)
	if n := ty.count(outcomeOK); n == 0 || n != ty.total() {
		t.Errorf("calls during the reloads: %s, want every one answered 200", ty)
	}
	s.signal(t, syscall.SIGTERM)
	if err := s.wait(t); err != nil {
		t.Errorf("serve exited with %v, want 0", err)
	}
}

func (ty *tally) total() int {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	n := 0
	for _, c := range ty.counts {
		n += c
	}
	return n
}

// postReload asks for a reload through the admin API.
func (s *liveServe) postReload(t *testing.T) (int, []byte) {
	t.Helper()
	resp, err := http.Post("http://"+s.admin+"/admin/reload", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// waitReloads waits until /metrics counts n reloads with result.
func (s *liveServe) waitReloads(t *testing.T, result string, n float64) {
	t.Helper()
	sample := fmt.Sprintf("sluice_config_reloads_total{result=%q}", result)
	apptest.WaitUntil(t, fmt.Sprintf("%s = %v", sample, n), func() bool {
		return apptest.Samples(t, apptest.Scrape(t, s.admin))[sample] == n
	})
}

// checkPools checks the pools and prices GET /admin/pools shows.
func (s *liveServe) checkPools(t *testing.T, want map[string]float64) {
	t.Helper()
	got := map[string]float64{}
	for _, p := range s.pools(t) {
		got[p.Name] = p.PricePerHour
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pools and prices (-want +got):\n%s", diff)
	}
}

// waitReady waits until GET /admin/pools shows pool with n ready
// workers.
func (s *liveServe) waitReady(t *testing.T, pool string, n int) {
	t.Helper()
	apptest.WaitUntil(t, fmt.Sprintf("pool %s with %d ready workers", pool, n), func() bool {
		return slices.ContainsFunc(s.pools(t), func(p adminPool) bool { return p.Name == pool && p.Ready == n })
	})
}

func (s *liveServe) pools(t *testing.T) adminPools {
	t.Helper()
	resp, err := http.Get("http://" + s.admin + "/admin/pools")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out adminPools
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}
