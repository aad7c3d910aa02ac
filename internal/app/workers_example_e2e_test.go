package app

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
)

// startedPid matches the log line of a start of the command pool py's
// first replica, capturing its process ID.
var startedPid = regexp.MustCompile(`msg="worker started" pool=py worker=py-1 pid=(\d+)`)

// pidsOf returns the process IDs py-1 was started with, in order.
func (k kindsApp) pidsOf(t *testing.T) []int {
	t.Helper()
	var pids []int
	for _, m := range startedPid.FindAllStringSubmatch(k.logs.String(), -1) {
		pid, err := strconv.Atoi(m[1])
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	return pids
}

// metric returns the value of the sample named name (with its labels) in
// GET /metrics on the admin listener, and whether there is one.
func (k kindsApp) metric(t *testing.T, name string) (float64, bool) {
	t.Helper()
	resp, err := http.Get("http://" + k.Addrs().Admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	v, ok := apptest.Samples(t, b)[name]
	return v, ok
}

// TestCommandPoolExample serves configs/examples/command-pool.yaml as it
// ships, on free loopback ports and with its fixed endpoint an emulator
// this test starts: the README's requests are answered, sum by the
// Python server the command pool runs and echo, which that server does
// not serve, by the endpoint; each line the replica prints is logged
// under its pool and replica; and the replica, killed with SIGKILL, is
// started again, counted in sluice_pool_worker_restarts_total, and
// serves.
func TestCommandPoolExample(t *testing.T) {
	oipServer(t)
	cfg, err := configs.Load("../../configs/examples/command-pool.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen.HTTP, cfg.Listen.GRPC, cfg.Listen.Admin = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	fleet := slices.IndexFunc(cfg.Pools, func(p configs.Pool) bool { return p.Kind(cfg.Scaler.Driver) == configs.PoolEndpoints })
	if fleet < 0 {
		t.Fatal("the example has no endpoints pool")
	}
	endpoint := startEmulator(t, "127.0.0.1:0")
	cfg.Pools[fleet].Endpoints = []string{endpoint}
	k := startLoaded(t, cfg, nil)
	k.waitWorkers(t, "py", "py-1")
	k.waitWorkers(t, cfg.Pools[fleet].Name, endpoint)

	apptest.CheckSumHTTP(t, k.Addrs().HTTP)
	if code, body := k.infer(t, "echo", apptest.QuickstartSum); code != http.StatusOK || !strings.Contains(body, `"data":[1,2,3,4,5,6]`) {
		t.Errorf("echo: %d %s; want the input back", code, body)
	}
	if !strings.Contains(k.logs.String(), `msg="worker output" pool=py worker=py-1 stream=stdout line="serving py-1 on 127.0.0.1:`) {
		t.Error("the replica's first line is not logged under its pool and replica")
	}

	restarts := `sluice_pool_worker_restarts_total{pool="py"}`
	if n, ok := k.metric(t, restarts); !ok || n != 0 {
		t.Errorf("%s = %v (present %v), want 0 before any kill", restarts, n, ok)
	}
	pids := k.pidsOf(t)
	if len(pids) != 1 {
		t.Fatalf("py-1 started as %v, want one process", pids)
	}
	if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "py-1 started again and counted", func() bool {
		n, _ := k.metric(t, restarts)
		return n == 1 && len(k.pidsOf(t)) == 2
	})
	eventually(t, 20*time.Second, fmt.Sprintf("py-1's new process (%v) ready", k.pidsOf(t)), func() bool {
		return strings.Count(k.logs.String(), `msg="worker readiness changed" pool=py worker=py-1 ready=true`) == 2
	})
	k.waitWorkers(t, "py", "py-1")
	apptest.CheckSumHTTP(t, k.Addrs().HTTP)
}
