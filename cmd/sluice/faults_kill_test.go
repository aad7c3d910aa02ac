//go:build !race

// The race detector slows every process of this test (the gateway, the
// workers and the load generator are all this binary) several times
// over, and a loaded 2-core machine then cannot offer 300 requests per
// second: make test runs this file in a second pass without -race.

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/oip"
)

// Fault (a): the load and the killing.
const (
	killRate     = 300              // requests per second
	killDuration = 20 * time.Second // of load, one kill a second
	killTimeout  = 15 * time.Second // per request, from its due time: past the model's timeout
	killMinShare = 0.995            // of requests that must succeed
)

// killConfig is the served system: three workers that the supervisor
// restarts when they die, and that the scaler keeps at three. The model's
// timeout (the gateway answers 504 then) is well within the client's.
const killConfig = `listen: {http: %q, admin: %q}
models: [{name: sum, tier: t, slo: 1s, timeout: 5s}]
tiers: [{name: t, pools: [cpu]}]
pools:
  - {name: cpu, curve: {base: 2ms, per_item: 1ms}, max_batch: 16, cold_start: 100ms, replicas: {min: 3, initial: 3, max: 3}}
health: {interval: 1s, timeout: 500ms, eject_after: 3, eject_for: 1s}
shutdown: {drain_delay: 10ms}
`

// TestFaultKillWorkersUnderLoad is fault (a): a real `sluice serve` with three
// real `sluice worker` processes takes 300 requests per second for 20 s
// while a worker is killed with SIGKILL every second. Every request must
// be answered exactly once, under its own id, and at least 99.5 % of
// them succeed.
func TestFaultKillWorkersUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes and runs for 20 s; skipped in -short mode")
	}
	gw := startKillServe(t)
	sched, err := load.Constant(killRate, killDuration)
	if err != nil {
		t.Fatal(err)
	}
	client := load.NewHTTPClient(0)
	defer client.CloseIdleConnections()
	tally := newKillTally(len(sched.Offsets))
	ctx, cancel := context.WithCancel(context.Background())
	killed := make(chan []int, 1)
	go func() { killed <- killEverySecond(ctx, gw.cmd.Process.Pid) }()
	send := load.SenderFunc(func(ctx context.Context, i int) error {
		tally.add(i, postKillRequest(ctx, client, gw.http, i))
		return nil
	})
	span := load.RunEach(context.Background(), sched, send, load.Options{Timeout: killTimeout}, nil)
	cancel()
	kills := <-killed
	t.Logf("sent %d requests in %v while killing %d workers: %s", span.Sent, span.Window, len(kills), tally.summary())
	if len(kills) < int(killDuration/time.Second)-2 {
		t.Errorf("killed %d workers, want one a second for %v", len(kills), killDuration)
	}
	tally.check(t, span.Sent)
	if t.Failed() {
		t.Logf("serve's log:\n%s", gw.logs.String())
	}
}

// killServed is a running `sluice serve` process.
type killServed struct {
	cmd         *exec.Cmd
	exited      chan struct{} // closed when cmd has exited
	http, admin string
	logs        *apptest.Log
}

// startKillServe starts `sluice serve` on killConfig and waits until its
// three workers are ready.
func startKillServe(t *testing.T) killServed {
	t.Helper()
	s := killServed{http: freeAddr(t), admin: freeAddr(t), logs: apptest.NewLog(), exited: make(chan struct{})}
	path := filepath.Join(t.TempDir(), "sluice.yaml")
	if err := os.WriteFile(path, fmt.Appendf(nil, killConfig, s.http, s.admin), 0o600); err != nil {
		t.Fatal(err)
	}
	s.cmd = exec.Command(os.Args[0], "serve", "--config", path)
	s.cmd.Env = append(os.Environ(), cliEnv+"=1")
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	})
	s.waitPoolReady(t, "cpu", 3)
	return s
}

// waitPoolReady waits until the admin API shows pool with n ready
// workers, failing t with serve's log if serve exits first.
func (s killServed) waitPoolReady(t *testing.T, pool string, n int) {
	t.Helper()
	apptest.WaitUntil(t, fmt.Sprintf("pool %s with %d ready workers", pool, n), func() bool {
		select {
		case <-s.exited:
			t.Fatalf("serve exited; its log:\n%s", s.logs.String())
		default:
		}
		resp, err := http.Get("http://" + s.admin + "/admin/pools")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var pools adminPools
		if json.NewDecoder(resp.Body).Decode(&pools) != nil {
			return false
		}
		return slices.ContainsFunc(pools, func(p adminPool) bool { return p.Name == pool && p.Ready >= n })
	})
}

// killEverySecond sends SIGKILL to one live child of pid, chosen at
// random, every second until ctx ends, and returns the pids it killed.
func killEverySecond(ctx context.Context, pid int) []int {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	rng := rand.New(rand.NewPCG(1, 2))
	var killed []int
	for {
		select {
		case <-ctx.Done():
			return killed
		case <-tick.C:
		}
		kids := alive(children(pid))
		if len(kids) == 0 {
			continue
		}
		victim := kids[rng.IntN(len(kids))]
		if syscall.Kill(victim, syscall.SIGKILL) == nil {
			killed = append(killed, victim)
		}
	}
}

// children lists the processes whose parent is pid, as childPIDs does,
// for goroutines other than the test's.
func children(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var kids []int
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var state byte
		var ppid int
		if _, err := fmt.Sscanf(string(b[bytes.LastIndexByte(b, ')')+1:]), " %c %d", &state, &ppid); err == nil && ppid == pid {
			var kid int
			if _, err := fmt.Sscanf(filepath.Base(filepath.Dir(path)), "%d", &kid); err == nil {
				kids = append(kids, kid)
			}
		}
	}
	return kids
}

// killOutcome is how one request ended: an HTTP status (0 when no answer
// came) and, for a 200, whether the answer carried the request's id and
// sums.
type killOutcome struct {
	status int
	good   bool
	err    string
}

// postKillRequest sends request i, a sum of 1 to 3 rows with id "r<i>",
// and checks its answer.
func postKillRequest(ctx context.Context, client *http.Client, addr string, i int) killOutcome {
	id := fmt.Sprint("r", i)
	rows := 1 + i%3
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/v2/models/sum/infer", bytes.NewReader(apptest.SumRequest(id, rows)))
	if err != nil {
		return killOutcome{err: err.Error()}
	}
	resp, err := client.Do(req)
	if err != nil {
		return killOutcome{err: err.Error()}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return killOutcome{status: resp.StatusCode, err: err.Error()}
	}
	if resp.StatusCode != http.StatusOK {
		return killOutcome{status: resp.StatusCode, err: string(body)}
	}
	return killOutcome{status: http.StatusOK, good: sumAnswerOK(body, id, rows)}
}

// sumAnswerOK reports whether body answers apptest.SumRequest(id, rows).
func sumAnswerOK(body []byte, id string, rows int) bool {
	out, err := oip.DecodeResponse(body)
	if err != nil || out.ID != id || len(out.Outputs) != 1 {
		return false
	}
	sums, err := out.Outputs[0].Float32s()
	if err != nil || len(sums) != rows {
		return false
	}
	for i, s := range sums {
		if s != float32(4*(i+1)) {
			return false
		}
	}
	return true
}

// killTally counts the outcomes by request index. Safe for concurrent
// use.
type killTally struct {
	mu       sync.Mutex
	outcomes [][]killOutcome // by request index
}

func newKillTally(n int) *killTally { return &killTally{outcomes: make([][]killOutcome, n)} }

func (k *killTally) add(i int, o killOutcome) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.outcomes[i] = append(k.outcomes[i], o)
}

// counts returns the requests by status (0: no answer) and the first
// failure's text.
func (k *killTally) counts() (byStatus map[int]int, firstErr string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	byStatus = map[int]int{}
	for _, outs := range k.outcomes {
		for _, o := range outs {
			byStatus[o.status]++
			if o.err != "" && firstErr == "" {
				firstErr = o.err
			}
		}
	}
	return byStatus, firstErr
}

func (k *killTally) summary() string {
	byStatus, firstErr := k.counts()
	s := fmt.Sprintf("answers by status %v (0: none)", byStatus)
	if firstErr != "" {
		s += fmt.Sprintf("; first failure: %.300s", firstErr)
	}
	return s
}

// check fails t unless each of the sent requests has exactly one
// outcome, every one an answer, a 200 with the right id and sums or an
// error status, and at least killMinShare succeeded.
func (k *killTally) check(t *testing.T, sent int) {
	t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	ok, unanswered, twice, wrong := 0, 0, 0, 0
	for _, outs := range k.outcomes[:sent] {
		if len(outs) != 1 {
			twice++
			continue
		}
		switch o := outs[0]; {
		case o.status == 0:
			unanswered++
		case o.status == http.StatusOK && !o.good:
			wrong++
		case o.status == http.StatusOK:
			ok++
		}
	}
	if twice+unanswered+wrong > 0 {
		t.Errorf("of %d requests, %d have other than one outcome, %d no answer, %d a 200 with another's id or wrong sums", sent, twice, unanswered, wrong)
	}
	if share := float64(ok) / float64(sent); share < killMinShare {
		t.Errorf("%d of %d requests succeeded (%.2f%%), want >= %.1f%%", ok, sent, 100*share, 100*killMinShare)
	}
	t.Logf("%d of %d requests succeeded (%.2f%%)", ok, sent, 100*float64(ok)/float64(sent))
}
