package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/scaler"
)

// reloadBase is a valid configuration of pools cpu and gpu in tier t.
const reloadBase = `listen: {http: "127.0.0.1:8080"}
models: [{name: sum, tier: t}, {name: big, tier: t, fallback: sum}]
tiers: [{name: t, pools: [cpu, gpu]}]
pools:
  - {name: cpu, price_per_hour: 0.1, curve: {base: 20ms, per_item: 5ms}, max_batch: 8, replicas: {min: 1, max: 4}}
  - {name: gpu, price_per_hour: 1.2, curve: {base: 32ms, per_item: 4ms}, max_batch: 32, replicas: {max: 2}}
`

func parseConfig(t *testing.T, yaml string) *configs.Config {
	t.Helper()
	cfg, err := configs.Parse("sluice.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestKeepRestartOnly checks which changes a reload reports as taking a
// restart, and that the new config keeps the running values of those.
func TestKeepRestartOnly(t *testing.T) {
	tests := []struct {
		name  string
		extra string
		want  []string
	}{
		{"nothing changed", "", nil},
		{"prices and budget reload", "budget: {per_hour: 5}\nshutdown: {drain_timeout: 3s}\n", nil},
		{"health and the scaler's interval and dry run take a restart", "health: {interval: 5s}\nscaler: {dry_run: true, interval: 1s}\n",
			[]string{"health", "scaler.interval", "scaler.dry_run"}},
		{"limits and cache take a restart", "limits: {max_body_bytes: 1024}\ncache: {max_bytes: 1}\n",
			[]string{"limits", "cache"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, next := parseConfig(t, reloadBase), parseConfig(t, reloadBase+tt.extra)
			if diff := cmp.Diff(tt.want, keepRestartOnly(old, next)); diff != "" {
				t.Errorf("restart-only changes (-want +got):\n%s", diff)
			}
			if again := keepRestartOnly(old, next); again != nil {
				t.Errorf("after keepRestartOnly, next still differs in %v", again)
			}
		})
	}
}

// TestSourceChanges checks what a reload does to each pool's workers:
// prices and bounds change nothing, an emulator's curve its flags, a
// command or endpoints their settings, and a change of kind switches the
// pool's source.
func TestSourceChanges(t *testing.T) {
	command := "\n    worker: {command: [server, \"--grpc-port={grpc_port}\"]}"
	tests := []struct {
		name string
		old  string
		next string
		want []sourceChange
	}{
		{"same pools", reloadBase, reloadBase, nil},
		{"price only", reloadBase, replace(reloadBase, "price_per_hour: 0.1", "price_per_hour: 0.3"), nil},
		{"an emulator's curve: new flags", reloadBase, replace(reloadBase, "base: 32ms", "base: 40ms"),
			[]sourceChange{{"gpu", opUpdate}}},
		{"added and removed", reloadBase, replace(replace(reloadBase, "name: gpu", "name: tpu"), "[cpu, gpu]", "[cpu, tpu]"),
			[]sourceChange{{"tpu", opAdd}, {"gpu", opRemove}}},
		{"emulator to endpoints", reloadBase, replace(reloadBase, "max_batch: 32,", `max_batch: 32, endpoints: ["10.0.0.1:8001"],`),
			[]sourceChange{{"gpu", opSwitch}}},
		{"endpoints listed anew", replace(reloadBase, "max_batch: 32,", `max_batch: 32, endpoints: ["10.0.0.1:8001"],`),
			replace(reloadBase, "max_batch: 32,", `max_batch: 32, endpoints: ["10.0.0.2:8001"],`),
			[]sourceChange{{"gpu", opUpdate}}},
		{"a command's curve: nothing", reloadBlock(command, "base: 32ms"), reloadBlock(command, "base: 40ms"), nil},
		{"emulator to command", reloadBase, reloadBlock(command, "base: 32ms"), []sourceChange{{"gpu", opSwitch}}},
		{"dns to dns elsewhere", reloadBlock("\n    dns: a.test:8001", "base: 32ms"), reloadBlock("\n    dns: b.test:8001", "base: 32ms"),
			[]sourceChange{{"gpu", opUpdate}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sourceChanges(newInForce(parseConfig(t, tt.old)), newInForce(parseConfig(t, tt.next)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}

// reloadBlock is reloadBase with its gpu pool written as a block, extra
// added to it and its base curve written as base.
func reloadBlock(extra, base string) string {
	gpu := "  - name: gpu\n    price_per_hour: 1.2\n    curve: {" + base + ", per_item: 4ms}\n    max_batch: 32" + extra + "\n"
	return reloadBase[:strings.Index(reloadBase, "  - {name: gpu")] + gpu
}

// replace is strings.ReplaceAll, short enough for a table.
func replace(s, old, new string) string { return strings.ReplaceAll(s, old, new) }

// TestCheckReload checks the reloads a running gateway refuses.
func TestCheckReload(t *testing.T) {
	keys := "auth: {mode: keys, keys: [{sha256: ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb, tenant: a, rate: 1, burst: 1, models: ['*']}]}\n"
	exposed := replace(reloadBase, `"127.0.0.1:8080"`, `"0.0.0.0:8080"`)
	kube := "scaler: {driver: kubernetes}\n"
	tests := []struct {
		name      string
		old, next string
		wantErr   bool
	}{
		{"auth off on loopback", reloadBase + keys, reloadBase, false},
		{"auth off on an exposed listener", exposed + keys, exposed, true},
		{"auth stays off on an exposed listener", exposed, exposed, false},
		{"kubernetes: a price changes", reloadBase + kube, replace(reloadBase, "0.1", "0.2") + kube, false},
		{"kubernetes: a pool is added", reloadBase + kube,
			reloadBase + "  - {name: tpu, curve: {base: 1ms}}\n" + kube, true},
		{"kubernetes: a pool's endpoints change", reloadBlock("\n    endpoints: [\"a:1\"]", "base: 32ms") + kube,
			reloadBlock("\n    endpoints: [\"b:1\"]", "base: 32ms") + kube, false},
		{"kubernetes: a Deployment pool turns endpoints", reloadBase + kube,
			reloadBlock("\n    endpoints: [\"b:1\"]", "base: 32ms") + kube, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, next := parseConfig(t, tt.old), parseConfig(t, tt.next)
			err := checkReload(old, next, sourceChanges(newInForce(old), newInForce(next)))
			if tt.wantErr != errors.Is(err, errReload) {
				t.Errorf("checkReload = %v, want refused %v", err, tt.wantErr)
			}
		})
	}
}

// TestPinsRebase replaces the configured bounds under the pins: a pin on
// a pool that stays is kept, one on a removed pool dropped, and a base
// the pins contradict refused without change.
func TestPinsRebase(t *testing.T) {
	base, initial := pinsConfig()
	var got *scaler.Spec
	p, _, err := newPins(base, initial, apptest.Epoch, func(s *scaler.Spec) { got = s })
	if err != nil {
		t.Fatal(err)
	}
	if err := p.expire(apptest.Epoch.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	for pool, pin := range map[string]poolPin{"cpu": {Min: intp(3)}, "gpu": {Max: intp(1)}} {
		if _, err := p.pin(pool, pin); err != nil {
			t.Fatal(err)
		}
	}
	tight := base
	tight.Pools = []scaler.PoolConfig{base.Pools[0], base.Pools[1]}
	tight.Pools[0].Max = 2 // below the pinned min of 3
	if err := p.rebase(tight, initial); !errors.Is(err, scaler.ErrInvalidSpec) {
		t.Errorf("rebase under a contradicting pin = %v, want ErrInvalidSpec", err)
	}
	cpuOnly := base
	cpuOnly.Pools = base.Pools[:1]
	cpuOnly.Pools[0].Max = 6
	cpuOnly.Tiers = []scaler.TierConfig{{Name: "t", SLO: time.Second, Pools: []string{"cpu"}}}
	if err := p.rebase(cpuOnly, initial); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string][2]int{"cpu": {3, 6}}, specBounds(got)); diff != "" {
		t.Errorf("bounds after rebase (-want +got):\n%s", diff)
	}
	if _, ok := p.bounds("gpu"); ok {
		t.Error("the removed pool gpu still has bounds")
	}
}
