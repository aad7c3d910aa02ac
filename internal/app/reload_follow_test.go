package app

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/internal/scaling"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/xds"
)

// followV1 is one pool, cpu, at 0.10 $/h, with no budget.
const followV1 = `listen: {http: "127.0.0.1:0", xds: "127.0.0.1:0"}
models: [{name: sum, tier: t, slo: 1s}]
tiers: [{name: t, pools: [cpu]}]
pools:
  - {name: cpu, price_per_hour: 0.10, curve: {base: 5ms, per_item: 1ms}, max_batch: 16, replicas: {min: 1, max: 2}}
`

// followV2 raises cpu's price, adds the spot pool gpu to the tier and
// sets a budget of 5 $/h.
const followV2 = `listen: {http: "127.0.0.1:0", xds: "127.0.0.1:0"}
models: [{name: sum, tier: t, slo: 1s}]
tiers: [{name: t, pools: [cpu, gpu]}]
budget: {per_hour: 5}
pools:
  - {name: cpu, price_per_hour: 0.20, curve: {base: 5ms, per_item: 1ms}, max_batch: 16, replicas: {min: 1, max: 2}}
  - {name: gpu, price_per_hour: 1.20, spot: true, curve: {base: 5ms, per_item: 1ms}, max_batch: 16, replicas: {max: 1}}
`

// reloadRig is serve's reloadable parts, wired as serve wires them but
// over a fake driver (no workers start) and a fake clock, reloading a
// file in a temporary directory.
type reloadRig struct {
	file    string
	rt      *router.Router
	rl      *reloader
	status  *statusFeed
	metrics *serveMetrics
}

func newReloadRig(t *testing.T, yaml string) *reloadRig {
	t.Helper()
	rig := &reloadRig{file: filepath.Join(t.TempDir(), "sluice.yaml")}
	rig.write(t, yaml)
	cfg, err := configs.Load(rig.file)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	gwOpts, err := gatewayAuth(cfg, configs.Secrets{})
	if err != nil {
		t.Fatal(err)
	}
	if rig.metrics, err = newServeMetrics(); err != nil {
		t.Fatal(err)
	}
	build := routerBuilder(rig.metrics, nil)
	rc := build(newInForce(cfg))
	rc.Logger = log
	gwOpts.Metrics = rig.metrics.gateway
	if rig.rt, err = router.New(rc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rig.rt.Close)
	gwOpts.Router, gwOpts.Logger = rig.rt, log
	gw := gateway.New(gwOpts)
	driver := &fakeDriver{replicas: map[string][2]int{"cpu": {1, 0}, "gpu": {1, 0}}}
	clk := apptest.NewClock()
	cur := currentOf(cfg)
	sc, err := newScaling(cur, rig.rt, driver, scaling.Directed{Shed: rig.rt, Fallback: gwOpts.Admission}, rig.metrics.reg, clk.Now, log)
	if err != nil {
		t.Fatal(err)
	}
	rig.status = &statusFeed{cur: cur, plane: rig.rt, driver: driver, sc: sc}
	rig.rl, err = newReloader(cur, servingParts{
		router: rig.rt, gateway: gw, admission: gwOpts.Admission, scaling: sc, driver: driver, metrics: rig.metrics,
		routerConfig: build,
	}, rig.metrics.reg, log)
	if err != nil {
		t.Fatal(err)
	}
	return rig
}

// write makes yaml the config file.
func (rig *reloadRig) write(t *testing.T, yaml string) {
	t.Helper()
	if err := os.WriteFile(rig.file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
}

// reloadTo makes yaml the config file and reloads it.
func (rig *reloadRig) reloadTo(t *testing.T, yaml string) {
	t.Helper()
	rig.write(t, yaml)
	if _, err := rig.rl.reload("test"); err != nil {
		t.Fatalf("reload: %v", err)
	}
}

// TestReloadRepublishesXDS starts the control plane as serve does, over
// the reloader's current configuration: a reload that adds a pool
// publishes its cluster, and one that removes it withdraws it.
func TestReloadRepublishesXDS(t *testing.T) {
	rig := newReloadRig(t, followV1)
	cp, err := startControlPlane(rig.rl.current, rig.rt, gatewayAddrs{http: "127.0.0.1:8080"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer cp.stop()
	admin := httptest.NewServer(cp.withAdmin(http.NotFoundHandler()))
	defer admin.Close()
	addr := strings.TrimPrefix(admin.URL, "http://")

	steps := []struct {
		name string
		yaml string // the file to reload; none when ""
		want []string
	}{
		{"at start", "", []string{"gateway/grpc", "pool/cpu"}},
		{"gpu added", followV2, []string{"gateway/grpc", "pool/cpu", "pool/gpu"}},
		{"gpu removed", followV1, []string{"gateway/grpc", "pool/cpu"}},
	}
	for _, s := range steps {
		if s.yaml != "" {
			rig.reloadTo(t, s.yaml)
		}
		apptest.WaitUntil(t, fmt.Sprintf("%s: clusters %v", s.name, s.want), func() bool {
			return slices.Equal(clusterNames(t, dump(t, addr)), s.want)
		})
	}
}

// clusterNames returns the names of the clusters of the gRPC snapshot in
// out, a `sluice xds dump`, sorted; none for an empty out.
func clusterNames(t *testing.T, out string) []string {
	t.Helper()
	if out == "" {
		return nil
	}
	var dumps map[string]xds.Dump
	if err := json.Unmarshal([]byte(out), &dumps); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, raw := range dumps["grpc"].Clusters {
		var c struct{ Name string }
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		names = append(names, c.Name)
	}
	slices.Sort(names)
	return names
}

// TestReloadUpdatesStatus checks that the status board is given the
// pools and budget of the reloaded file.
func TestReloadUpdatesStatus(t *testing.T) {
	rig := newReloadRig(t, followV1)
	type shown struct {
		Pools  []string
		Budget float64
	}
	read := func() shown {
		l := rig.status.layout()
		var s shown
		for _, p := range l.Fleet.Pools {
			s.Pools = append(s.Pools, p.Name)
		}
		s.Budget = l.Budget.PerHour
		return s
	}
	if diff := cmp.Diff(shown{Pools: []string{"cpu"}}, read()); diff != "" {
		t.Errorf("before the reload (-want +got):\n%s", diff)
	}
	rig.reloadTo(t, followV2)
	if diff := cmp.Diff(shown{Pools: []string{"cpu", "gpu"}, Budget: 5}, read()); diff != "" {
		t.Errorf("after the reload (-want +got):\n%s", diff)
	}
}

// TestReloadUpdatesCostMetrics checks that /metrics shows the prices and
// the budget of the reloaded file, and the spot pool it adds.
func TestReloadUpdatesCostMetrics(t *testing.T) {
	rig := newReloadRig(t, followV1)
	names := []string{"sluice_pool_cost_per_replica_usd_per_hour", "sluice_budget_usd_per_hour", "sluice_spot_interruptions_total"}
	want := map[string]float64{`sluice_pool_cost_per_replica_usd_per_hour{pool="cpu"}`: 0.1}
	if diff := cmp.Diff(want, gatherSamples(t, rig.metrics.reg, names...)); diff != "" {
		t.Errorf("before the reload (-want +got):\n%s", diff)
	}
	rig.reloadTo(t, followV2)
	want = map[string]float64{
		`sluice_pool_cost_per_replica_usd_per_hour{pool="cpu"}`: 0.2,
		`sluice_pool_cost_per_replica_usd_per_hour{pool="gpu"}`: 1.2,
		`sluice_budget_usd_per_hour`:                            5,
		`sluice_spot_interruptions_total{pool="gpu"}`:           0,
	}
	if diff := cmp.Diff(want, gatherSamples(t, rig.metrics.reg, names...)); diff != "" {
		t.Errorf("after the reload (-want +got):\n%s", diff)
	}
}
