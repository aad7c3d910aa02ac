package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/router"
)

// These tests start Sluice through Start with pools of every kind over
// loopback: a command pool running a model server that is not Sluice's
// (configs/examples/oipserver.py, with Debian's python3), fixed endpoints
// and a DNS name answered by an injected resolver, each over workers
// that this test starts, and reloads that switch a pool's kind.

// oipServer returns the argv prefix that runs the example model server.
func oipServer(t *testing.T) []string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts worker processes; not in -short mode")
	}
	py := apptest.RequireTool(t, "python3", "python3")
	script, err := filepath.Abs("../../configs/examples/oipserver.py")
	if err != nil {
		t.Fatal(err)
	}
	return []string{py, script}
}

// yamlList writes argv as a YAML flow list of quoted strings.
func yamlList(argv ...string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = fmt.Sprintf("%q", a)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// startEmulator starts an emulated worker of this process whose gRPC
// listener is at grpcAddr (port 0 picks one), until the test ends, and
// returns where it listens.
func startEmulator(t *testing.T, grpcAddr string) string {
	t.Helper()
	var addr string
	ip := worker.InProcess{Started: func(_ *worker.Server, a worker.Announcement) { addr = a.GRPC }}
	p, err := ip.Start([]string{"--name", "fixed", "--http", "127.0.0.1:0", "--grpc", grpcAddr, "--base", "1ms", "--per-item", "1ms"},
		io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Terminate(); _ = p.Wait() })
	return addr
}

// swappedResolver answers every lookup with the addresses last set.
type swappedResolver struct {
	mu    sync.Mutex
	addrs []string
}

func (r *swappedResolver) LookupHost(context.Context, string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.addrs), nil
}

func (r *swappedResolver) set(addrs ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addrs = addrs
}

// kindsApp is a Sluice started for these tests, with its log.
type kindsApp struct {
	*App
	logs *apptest.Log
}

// startKinds starts the configuration yaml, written to a file of its own
// so that a test can reload it, with HTTP and admin on loopback, the
// emulator's workers in this process and dns pools looked up by res.
func startKinds(t *testing.T, file, yaml string, res router.Resolver) kindsApp {
	t.Helper()
	if err := os.WriteFile(file, []byte("listen: {http: 127.0.0.1:0, admin: 127.0.0.1:0}\n"+yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return startLoaded(t, cfg, res)
}

// startLoaded starts cfg as startKinds does.
func startLoaded(t *testing.T, cfg *configs.Config, res router.Resolver) kindsApp {
	t.Helper()
	var err error
	k := kindsApp{logs: apptest.NewLog()}
	k.App, err = Start(context.Background(), cfg, Options{
		Logger: slog.New(slog.NewTextHandler(k.logs, nil)), Workers: worker.InProcess{}.Start, Resolver: res,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := k.Close(); err != nil {
			t.Errorf("stopping: %v", err)
		}
		if t.Failed() {
			t.Logf("the log:\n%s", k.logs)
		}
	})
	return k
}

// workerIDs returns the IDs of pool's workers the router has attached.
func (k kindsApp) workerIDs(pool string) []string {
	p := k.router.Pool(pool)
	if p == nil {
		return nil
	}
	var ids []string
	for _, ep := range p.Endpoints() {
		if ep.Ready {
			ids = append(ids, ep.ID)
		}
	}
	return ids
}

// waitWorkers waits until pool's attached workers are want.
func (k kindsApp) waitWorkers(t *testing.T, pool string, want ...string) {
	t.Helper()
	eventually(t, 20*time.Second, fmt.Sprintf("pool %s's workers %v", pool, want), func() bool {
		return slices.Equal(k.workerIDs(pool), want)
	})
}

// eventually polls cond every 20 ms until it holds, failing the test
// after timeout.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(timeout); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("no %s after %v", what, timeout)
		}
	}
}

// adminPools reads GET /admin/pools, by pool.
func (k kindsApp) adminPools(t *testing.T) map[string]poolStatus {
	t.Helper()
	resp, err := http.Get("http://" + k.Addrs().Admin + "/admin/pools")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var pools []poolStatus
	if err := json.NewDecoder(resp.Body).Decode(&pools); err != nil {
		t.Fatal(err)
	}
	out := map[string]poolStatus{}
	for _, p := range pools {
		out[p.Name] = p
	}
	return out
}

// infer posts body to model and returns the status code and body.
func (k kindsApp) infer(t *testing.T, model, body string) (int, string) {
	t.Helper()
	resp, err := http.Post("http://"+k.Addrs().HTTP+"/v2/models/"+model+"/infer", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// bigEcho has 8 elements: the route sends it to the dns pool.
const bigEcho = `{"inputs":[{"name":"x","shape":[1,8],"datatype":"FP32","data":[1,2,3,4,5,6,7,8]}]}`

// TestWorkerKinds serves three models from pools of three kinds: sum from
// a command pool of the example Python server (no curve: calibrated),
// echo from two fixed endpoints, large echoes from the addresses a DNS
// name resolves to. The command pool is reached over HTTP on the port
// Sluice filled in, its curve measured and shown beside the configured
// one; a model it does not serve is not ready, with the reason; the DNS
// answer changes (a worker added, one removed) under load with nothing
// lost; and the scaler does not resize the pools whose size is given.
func TestWorkerKinds(t *testing.T) {
	py := oipServer(t)
	fleet := []string{startEmulator(t, "127.0.0.1:0"), startEmulator(t, "127.0.0.1:0")}
	_, port, _ := net.SplitHostPort(startEmulator(t, "127.0.0.1:0"))
	startEmulator(t, "127.0.0.2:"+port) // the same port on another loopback address
	res := &swappedResolver{}
	res.set("127.0.0.1")
	cfg := `models:
  - {name: sum, tier: py, slo: 2s}
  - {name: relu, tier: py, slo: 2s}
  - {name: echo, tier: fleet, slo: 2s, batching: false}
tiers: [{name: py, pools: [py]}, {name: fleet, pools: [fleet]}, {name: names, pools: [names]}]
routes: [{match: {model: echo, min_elements: 8}, tier: names}]
pools:
  - name: py
    price_per_hour: 0.05
    max_batch: 8
    replicas: {min: 1, max: 1}
    worker:
      command: ` + yamlList(append(py, "--http-port={http_port}", "--replica={replica}", "--base", "5", "--per-item", "1")...) + `
      env: {POOL: "{pool}"}
      protocol: http
  - name: fleet
    price_per_hour: 0.5
    curve: {base: 1ms, per_item: 1ms}
    max_batch: 8
    endpoints: ` + yamlList(fleet...) + `
  - name: names
    price_per_hour: 0.5
    curve: {base: 1ms, per_item: 1ms}
    max_batch: 8
    dns: workers.test:` + port + `
    dns_interval: 50ms
scaler: {interval: 100ms}
`
	k := startKinds(t, filepath.Join(t.TempDir(), "sluice.yaml"), cfg, res)
	k.waitWorkers(t, "py", "py-1")
	k.waitWorkers(t, "fleet", slices.Sorted(slices.Values(fleet))...)
	k.waitWorkers(t, "names", "127.0.0.1:"+port)

	apptest.CheckSumHTTP(t, k.Addrs().HTTP)
	if code, body := k.infer(t, "echo", apptest.QuickstartSum); code != http.StatusOK {
		t.Errorf("echo: %d %s", code, body)
	}
	eventually(t, 10*time.Second, "relu not ready, with the reason", func() bool {
		return readyReason(t, k.Addrs().HTTP, "relu", `its workers do not serve model \"relu\"`)
	})

	lost := echoUnderLoad(t, k, func() {
		res.set("127.0.0.1", "127.0.0.2") // a worker added
		k.waitWorkers(t, "names", "127.0.0.1:"+port, "127.0.0.2:"+port)
		res.set("127.0.0.2") // and one removed
		k.waitWorkers(t, "names", "127.0.0.2:"+port)
	})
	if lost > 0 {
		t.Errorf("%d large echoes lost while the DNS answer changed", lost)
	}

	eventually(t, 20*time.Second, "py calibrated and planned", func() bool {
		p := k.adminPools(t)["py"]
		return strings.Contains(k.logs.String(), "router: calibrated a pool without a configured curve") &&
			p.Planned && !p.Curve.Learned.IsZero()
	})
	pools := k.adminPools(t)
	if py := pools["py"]; py.Workers != configs.PoolCommand || !py.Curve.Configured.IsZero() || py.Ready != 1 {
		t.Errorf("py in /admin/pools: %+v; want a command pool without a configured curve, 1 ready", py)
	}
	t.Logf("py's curve, measured: %v + %v per item", pools["py"].Curve.Learned.Base, pools["py"].Curve.Learned.PerItem)
	if f := pools["fleet"]; f.Workers != configs.PoolEndpoints || f.Ready != 2 || f.Curve.Configured.IsZero() {
		t.Errorf("fleet in /admin/pools: %+v; want an endpoints pool of 2 ready, with its curve", f)
	}
	if n := pools["names"]; n.Workers != configs.PoolDNS || n.Ready != 1 {
		t.Errorf("names in /admin/pools: %+v; want a dns pool of 1 ready", n)
	}
	if got := k.workerIDs("fleet"); len(got) != 2 {
		t.Errorf("fleet's workers %v: the scaler resized a pool whose size is given", got)
	}
}

// readyReason reports whether model is not ready, with a reason that
// holds want.
func readyReason(t *testing.T, addr, model, want string) bool {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/v2/models/" + model + "/ready")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(b), want)
}

// echoUnderLoad sends large echoes from four clients while during runs,
// and returns how many failed.
func echoUnderLoad(t *testing.T, k kindsApp, during func()) int {
	t.Helper()
	var lost, sent atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := http.Post("http://"+k.Addrs().HTTP+"/v2/models/echo/infer", "application/json", strings.NewReader(bigEcho))
				sent.Add(1)
				if err != nil {
					lost.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					lost.Add(1)
				}
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	during()
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	t.Logf("%d large echoes sent, %d lost", sent.Load(), lost.Load())
	return int(lost.Load())
}

// reload writes yaml as the configuration file of k and reloads it
// through the admin API.
func (k kindsApp) reload(t *testing.T, file, yaml string) {
	t.Helper()
	if err := os.WriteFile(file, []byte("listen: {http: 127.0.0.1:0, admin: 127.0.0.1:0}\n"+yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+k.Addrs().Admin+"/admin/reload", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reload: %d %s", resp.StatusCode, b)
	}
}

// TestReloadSwitchesKind reloads one pool through every kind, emulator,
// fixed endpoints, a command (the example Python server over HTTP), a
// DNS name and back, and checks after each that the router reaches the
// new kind's workers, and only those, and that sum is answered.
func TestReloadSwitchesKind(t *testing.T) {
	py := oipServer(t)
	fixed := startEmulator(t, "127.0.0.1:0")
	_, port, _ := net.SplitHostPort(startEmulator(t, "127.0.0.1:0"))
	res := &swappedResolver{}
	res.set("127.0.0.1")
	head := `models: [{name: sum, tier: t, slo: 2s}]
tiers: [{name: t, pools: [p]}]
pools:
  - name: p
    price_per_hour: 0.1
    max_batch: 8
`
	emulator := head + "    curve: {base: 1ms, per_item: 1ms}\n"
	steps := []struct {
		name string
		yaml string
		kind configs.PoolKind
		want []string
	}{
		{"endpoints", head + "    endpoints: [\"" + fixed + "\"]\n", configs.PoolEndpoints, []string{fixed}},
		{"command", head + "    worker:\n      command: " + yamlList(append(py, "--http-port={http_port}")...) + "\n      protocol: http\n",
			configs.PoolCommand, []string{"p-1"}},
		{"dns", head + "    dns: workers.test:" + port + "\n    dns_interval: 50ms\n", configs.PoolDNS, []string{"127.0.0.1:" + port}},
		{"emulator again", emulator, configs.PoolEmulator, []string{"p-1"}},
	}
	file := filepath.Join(t.TempDir(), "sluice.yaml")
	k := startKinds(t, file, emulator, res)
	k.waitWorkers(t, "p", "p-1")
	apptest.CheckSumHTTP(t, k.Addrs().HTTP)
	for _, s := range steps {
		start := time.Now()
		k.reload(t, file, s.yaml)
		k.waitWorkers(t, "p", s.want...)
		t.Logf("%s: the new workers attached %v after the reload", s.name, time.Since(start).Round(time.Millisecond))
		apptest.CheckSumHTTP(t, k.Addrs().HTTP)
		if got := k.adminPools(t)["p"].Workers; got != s.kind {
			t.Errorf("%s: /admin/pools says the workers are %s, want %s", s.name, got, s.kind)
		}
	}
}
