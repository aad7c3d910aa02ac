//go:build unix

package local

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testDrainDelay is the DrainDelay of the supervisors under test.
const testDrainDelay = 300 * time.Millisecond

// routing is an OnChange that plays the router: it keeps each pool's ready
// endpoints and, for each endpoint that left, whether its process was
// still alive when it left.
type routing struct {
	t        *testing.T
	s        *Supervisor
	inFlight atomic.Int32

	mu    sync.Mutex
	pools map[string][]Endpoint
	pidOf map[string]int // by HTTP address, learned when the endpoint joins
	gone  []departure
}

// departure is an endpoint leaving routing.
type departure struct {
	ep    Endpoint
	pid   int
	alive bool // whether the process was alive when the endpoint left
	at    time.Time
}

func (r *routing) onChange(pool string, eps []Endpoint) {
	if r.inFlight.Add(1) != 1 {
		r.t.Errorf("OnChange(%s) called while another call runs", pool)
	}
	defer r.inFlight.Add(-1)
	pids := r.s.pids(pool)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ep := range eps {
		if _, ok := r.pidOf[ep.HTTP]; !ok {
			r.pidOf[ep.HTTP] = pids[ep.ID]
		}
	}
	for _, old := range r.pools[pool] {
		if !slices.ContainsFunc(eps, func(ep Endpoint) bool { return ep.HTTP == old.HTTP }) {
			pid := r.pidOf[old.HTTP]
			r.gone = append(r.gone, departure{ep: old, pid: pid, alive: alive(pid), at: time.Now()})
		}
	}
	r.pools[pool] = eps
}

func (r *routing) ready(pool string) []Endpoint {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.pools[pool])
}

func (r *routing) departures() []departure {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.gone)
}

func (r *routing) readyIDs(pool string) []string {
	var out []string
	for _, ep := range r.ready(pool) {
		out = append(out, ep.ID)
	}
	return out
}

// startSupervisor returns a Supervisor of real workers that reports to the
// returned routing; the test's cleanup closes it.
func startSupervisor(t *testing.T) (*Supervisor, *routing) {
	t.Helper()
	r := &routing{t: t, pools: map[string][]Endpoint{}, pidOf: map[string]int{}}
	s := New(Options{
		Command:        workerCommand(t),
		ProbeInterval:  50 * time.Millisecond,
		DrainDelay:     testDrainDelay,
		StopGrace:      5 * time.Second,
		RestartBackoff: Backoff{Initial: 50 * time.Millisecond},
		Logger:         slog.New(slog.NewTextHandler(t.Output(), nil)),
		OnChange:       r.onChange,
	})
	r.s = s
	t.Cleanup(func() { s.Close() })
	return s, r
}

func readyIDsAre(r *routing, pool string, want ...string) func() bool {
	return func() bool { return slices.Equal(r.readyIDs(pool), want) }
}

func TestSupervisorScales(t *testing.T) {
	s, r := startSupervisor(t)
	if err := s.AddPool(PoolSpec{Name: "cpu", Args: testPoolArgs, Replicas: 2}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "cpu-1 and cpu-2 ready", readyIDsAre(r, "cpu", "cpu-1", "cpu-2"))
	eps := r.ready("cpu")
	if eps[0].HTTP == eps[1].HTTP || eps[0].GRPC == eps[1].GRPC {
		t.Errorf("workers share addresses: %+v", eps)
	}
	for _, ep := range eps {
		assertServing(t, ep)
	}
	if ready, starting := s.Replicas("cpu"); ready != 2 || starting != 0 {
		t.Errorf("Replicas(cpu) = %d, %d, want 2, 0", ready, starting)
	}
	if diff := cmp.Diff(eps, s.Endpoints("cpu")); diff != "" {
		t.Errorf("Endpoints(cpu) mismatch (-want +got):\n%s", diff)
	}

	if err := s.SetReplicas("cpu", 3); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "cpu-1..3 ready", readyIDsAre(r, "cpu", "cpu-1", "cpu-2", "cpu-3"))

	if err := s.SetReplicas("cpu", 1); err != nil {
		t.Fatal(err)
	}
	if ready, starting := s.Replicas("cpu"); ready != 1 || starting != 0 {
		t.Errorf("Replicas(cpu) right after SetReplicas(1) = %d, %d, want 1, 0", ready, starting)
	}
	waitFor(t, 5*time.Second, "only cpu-1 ready", readyIDsAre(r, "cpu", "cpu-1"))
	gone := r.departures()
	var goneIDs []string
	for _, d := range gone {
		goneIDs = append(goneIDs, d.ep.ID)
	}
	slices.Sort(goneIDs)
	if diff := cmp.Diff([]string{"cpu-2", "cpu-3"}, goneIDs); diff != "" {
		t.Fatalf("workers that left routing mismatch (-want +got):\n%s", diff)
	}
	for _, d := range gone {
		if !d.alive {
			t.Errorf("%s (pid %d) had exited before it left routing", d.ep.ID, d.pid)
		}
		waitFor(t, 10*time.Second, d.ep.ID+" exited", func() bool { return !alive(d.pid) })
		if lived := time.Since(d.at); lived < testDrainDelay {
			t.Errorf("%s exited %v after leaving routing, want >= DrainDelay %v", d.ep.ID, lived, testDrainDelay)
		}
	}
	assertServing(t, r.ready("cpu")[0])
}

// assertServing fails the test unless ep's worker answers its readiness
// endpoint with 200.
func assertServing(t *testing.T, ep Endpoint) {
	t.Helper()
	resp, err := http.Get("http://" + ep.HTTP + DefaultReadyPath)
	if err != nil {
		t.Errorf("%s: %v", ep.ID, err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%s: GET %s = %d, want 200", ep.ID, DefaultReadyPath, resp.StatusCode)
	}
}

func TestSupervisorReplacesKilledWorker(t *testing.T) {
	s, r := startSupervisor(t)
	if err := s.AddPool(PoolSpec{Name: "cpu", Args: testPoolArgs, Replicas: 2}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "2 ready", readyIDsAre(r, "cpu", "cpu-1", "cpu-2"))
	victim := r.ready("cpu")[0]
	pid := s.pids("cpu")["cpu-1"]
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the killed worker to leave routing", func() bool {
		return slices.ContainsFunc(r.departures(), func(d departure) bool { return d.ep == victim })
	})
	waitFor(t, 20*time.Second, "a replacement", func() bool {
		eps := r.ready("cpu")
		return len(eps) == 2 && eps[0].ID == "cpu-1" && eps[0].HTTP != victim.HTTP
	})
	if got := s.pids("cpu")["cpu-1"]; got == pid || !alive(got) {
		t.Errorf("cpu-1 runs as pid %d (alive %v), want a live process other than the killed %d", got, alive(got), pid)
	}
	if alive(pid) {
		t.Errorf("killed pid %d still alive", pid)
	}
	assertServing(t, r.ready("cpu")[0])
}

func TestSupervisorCloseStopsEverything(t *testing.T) {
	tests := []struct {
		name      string
		waitReady bool
	}{
		{"ready workers", true},
		{"workers still starting", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			goroutines := runtime.NumGoroutine()
			s, r := startSupervisor(t)
			if err := s.AddPool(PoolSpec{Name: "cpu", Args: testPoolArgs, Replicas: 3}); err != nil {
				t.Fatal(err)
			}
			if tt.waitReady {
				waitFor(t, 20*time.Second, "3 ready", readyIDsAre(r, "cpu", "cpu-1", "cpu-2", "cpu-3"))
			}
			pids := s.pids("cpu")
			if err := s.Close(); err != nil {
				t.Fatalf("Close() = %v", err)
			}
			for id, pid := range pids {
				if alive(pid) {
					t.Errorf("%s (pid %d) alive after Close", id, pid)
				}
			}
			if kids, ok := children(); ok && len(kids) > 0 {
				t.Errorf("child processes after Close: %v", kids)
			}
			if eps := r.ready("cpu"); len(eps) != 0 {
				t.Errorf("OnChange left %v in routing after Close", eps)
			}
			waitFor(t, 2*time.Second, "goroutines to end", func() bool { return runtime.NumGoroutine() <= goroutines })
		})
	}
}

// TestWorkersDieWithGateway kills a gateway stand-in with SIGKILL, leaving
// it no chance to stop its workers, and expects them to exit by themselves.
func TestWorkersDieWithGateway(t *testing.T) {
	bin := workerCommand(t)[0]
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), helperEnv+"=1", binaryEnv+"="+bin)
	var stderr bytes.Buffer
	helper.Stderr = &stderr
	stdin, err := helper.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		_ = helper.Process.Kill()
		_ = helper.Wait()
	})
	lines := make(chan []byte, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadBytes('\n')
		lines <- line
	}()
	var pids []int
	select {
	case line := <-lines:
		if err := json.Unmarshal(line, &pids); err != nil || len(pids) != 2 {
			t.Fatalf("helper printed %q (%v), want two pids; stderr:\n%s", line, err, &stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("helper printed no pids within 30s")
	}
	for _, pid := range pids {
		if !alive(pid) {
			t.Fatalf("worker pid %d not alive before the kill", pid)
		}
	}
	if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()
	for _, pid := range pids {
		waitFor(t, 5*time.Second, "orphaned worker to exit", func() bool { return !alive(pid) })
	}
}
