package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// drainLoadConfig is one pool of two workers whose batches take about a
// third of a second, enough for 300 calls per second with calls always
// in flight; the listeners stay open one second after the signal.
const drainLoadConfig = `models: [{name: sum, tier: t, slo: 2s, timeout: 10s}]
tiers: [{name: t, pools: [cpu]}]
pools:
  - {name: cpu, curve: {base: 200ms, per_item: 1ms}, max_batch: 128, cold_start: 100ms, replicas: {min: 2, max: 2}}
shutdown: {drain_timeout: 5s, drain_delay: 1s}
`

// TestSIGTERMDrainDelay sends SIGTERM to a real `sluice serve` in the
// middle of an open-loop load of 300 calls per second that goes on for
// 800 ms of its 1 s drain delay, as a load balancer's would until it sees
// serve not ready: every call gets an answer of serve's — 200, or 503
// once the drain began, though no call is in progress any more — none
// finds the port closed, none is reset or cut short, and serve exits 0
// once the drain delay is over.
func TestSIGTERMDrainDelay(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped in -short mode")
	}
	s := startLiveServe(t, drainLoadConfig)
	stop := openLoop(s.http, 300)
	time.Sleep(time.Second) // steady state: batches in flight on both workers
	s.signal(t, syscall.SIGTERM)
	signaled := time.Now()
	time.Sleep(800 * time.Millisecond)
	ty := stop()
	err := s.wait(t)
	took := time.Since(signaled)
	t.Logf("SIGTERM under 300 calls/s: %s; serve exited %v after the signal", ty, took.Round(time.Millisecond))
	if err != nil {
		t.Errorf("serve exited with %v, want 0", err)
	}
	if n, samples := ty.lost(); n > 0 {
		t.Errorf("%d calls got no answer of serve's: %v", n, samples)
	}
	if ty.count(outcomeOK) == 0 || ty.count(outcomeDraining) == 0 {
		t.Errorf("want calls answered 200 before the drain and 503 during it, got %s", ty)
	}
	if n := ty.count(outcomeRefused); n > 0 {
		t.Errorf("%d calls found the port closed within the drain delay", n)
	}
	if took < time.Second {
		t.Errorf("serve exited %v after the signal, before its drain delay of 1s", took)
	}
}

// slowBodyConfig is a quick pool whose drain gives up after half a
// second.
const slowBodyConfig = `models: [{name: sum, tier: t}]
tiers: [{name: t, pools: [cpu]}]
pools: [{name: cpu, curve: {base: 2ms}, max_batch: 4, cold_start: 100ms}]
shutdown: {drain_timeout: 500ms, drain_delay: 100ms}
`

// slowBodies is how many clients TestSIGTERMSlowBodies sends.
const slowBodies = 500

// TestSIGTERMSlowBodies sends SIGTERM to a real `sluice serve` while 500
// clients are each in the middle of sending a body they never finish:
// each is answered 503 once the drain timeout is reached, well before
// the body timeout, and serve exits 0 soon after.
func TestSIGTERMSlowBodies(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped in -short mode")
	}
	s := startLiveServe(t, slowBodyConfig)
	conns := make([]net.Conn, slowBodies)
	for i := range conns {
		conns[i] = startSlowBody(t, s.http)
	}
	waitInFlight(t, s.admin, slowBodies)
	s.signal(t, syscall.SIGTERM)
	signaled := time.Now()
	statuses, answeredBy := readStatuses(conns)
	err := s.wait(t)
	took := time.Since(signaled)
	t.Logf("%d slow bodies at SIGTERM: statuses %v, all answered %v after the signal; serve exited %v after it",
		slowBodies, statuses, answeredBy.Round(time.Millisecond), took.Round(time.Millisecond))
	if statuses[http.StatusServiceUnavailable] != slowBodies {
		t.Errorf("statuses %v, want %d × 503", statuses, slowBodies)
	}
	if err != nil {
		t.Errorf("serve exited with %v, want 0", err)
	}
	if took > 5*time.Second {
		t.Errorf("serve exited %v after the signal, want within 5s (drain timeout 500ms)", took)
	}
}

// startSlowBody opens a connection to addr and sends an infer request's
// headers and the first bytes of its 1,000-byte body.
func startSlowBody(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_, err = io.WriteString(c, "POST /v2/models/sum/infer HTTP/1.1\r\nHost: sluice\r\nContent-Type: application/json\r\n"+
		"Content-Length: 1000\r\n\r\n{\"inputs\": [")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// readStatuses reads one answer on each connection, within 10 s, and
// counts their statuses (0 for a connection closed or silent without
// one); answeredBy is when the last one came.
func readStatuses(conns []net.Conn) (statuses map[int]int, answeredBy time.Duration) {
	start := time.Now()
	statuses = map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() {
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			code := 0
			if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
				code = resp.StatusCode
				resp.Body.Close()
			}
			mu.Lock()
			defer mu.Unlock()
			statuses[code]++
			answeredBy = max(answeredBy, time.Since(start))
		})
	}
	wg.Wait()
	return statuses, answeredBy
}

// waitInFlight waits up to 30 s for serve's metrics to count n calls in
// progress.
func waitInFlight(t *testing.T, admin string, n int) {
	t.Helper()
	want := fmt.Sprintf("sluice_requests_in_flight %d", n)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + admin + "/metrics")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), want) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve's metrics never said %q", want)
		}
	}
}

// TestSIGTERMLoadThroughClose is TestSIGTERMDrainDelay with the default
// drain delay (5 s) and a load that goes on until serve has exited, as
// that of a client that never notices: the calls sent once the listeners
// closed find the port closed, which their client knows; every other
// call gets an answer of serve's, none reset or cut short — but for the
// new connections the kernel may have queued, not yet accepted, at the
// instant the listener closed: those are reset by the kernel, and counted
// apart. Within the delay the client has used up the keep-alive
// connections it held from before the signal (each answered 503 and
// closed), so none is left idle for the close to cut as a call is sent
// on it.
func TestSIGTERMLoadThroughClose(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped in -short mode")
	}
	s := startLiveServe(t, strings.Replace(drainLoadConfig, "drain_delay: 1s", "drain_delay: 5s", 1))
	stop := openLoop(s.http, 300)
	time.Sleep(time.Second)
	s.signal(t, syscall.SIGTERM)
	signaled := time.Now()
	err := s.wait(t)
	took := time.Since(signaled)
	time.Sleep(100 * time.Millisecond) // calls sent after the listeners closed
	ty := stop()
	t.Logf("SIGTERM under 300 calls/s until serve exited: %s; serve exited %v after the signal", ty, took.Round(time.Millisecond))
	if err != nil {
		t.Errorf("serve exited with %v, want 0", err)
	}
	if n, samples := ty.lost(); n > ty.count(outcomeBacklogReset) {
		t.Errorf("%d calls got no answer of serve's: %v", n-ty.count(outcomeBacklogReset), samples)
	}
	if ty.count(outcomeRefused) == 0 {
		t.Errorf("no call found the port closed: the load did not last until serve exited")
	}
}
