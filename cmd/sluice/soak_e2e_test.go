package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/internal/app/apptest"
)

// soakEnv turns TestSlowClientsSoak on: SLUICE_SOAK=1 for 60 s, or a
// duration such as SLUICE_SOAK=20s.
const soakEnv = "SLUICE_SOAK"

// soakConfig gives a body and an answer five seconds each, and bounds
// the bytes of bodies in flight (32 MiB) and the runtime's memory
// (250 MiB) for a gateway that must stay under 300 MB. The slow readers'
// echo calls have workers of their own: a 5 MB echo holds its worker
// for as long whether its client reads fast or slowly, so normal calls
// sharing those workers would measure the workers' capacity, not how the
// gateway keeps slow clients from the others.
const soakConfig = `models: [{name: sum, tier: t}, {name: echo, tier: big, slo: 5s, timeout: 60s, batching: false}]
tiers: [{name: t, pools: [cpu]}, {name: big, pools: [big]}]
pools:
  - {name: cpu, curve: {base: 2ms}, max_batch: 4, cold_start: 100ms, replicas: {min: 2, max: 2}}
  - {name: big, curve: {base: 2ms}, max_batch: 1, cold_start: 100ms, replicas: {min: 2, max: 2}}
limits: {body_timeout: 5s, write_timeout: 5s, max_body_bytes_in_flight: 33554432, memory_limit: 262144000}
shutdown: {drain_delay: 10ms}
`

// The attack TestSlowClientsSoak keeps up, and the deadlines of
// soakConfig.
const (
	soakSlowBodies   = 1000
	soakSlowReaders  = 100
	soakReaderFloats = 1_250_000 // a 5 MB echo answer, more than the kernel buffers
	soakBodyTimeout  = 5 * time.Second
	soakWriteTimeout = 5 * time.Second
	// soakSlack is how late after its deadline a slow client may be cut
	// on a shared two-core machine.
	soakSlack = 2 * time.Second
)

// TestSlowClientsSoak runs a real `sluice serve` under 1,000 clients that
// trickle a body they never finish and 100 that never read their 5 MB
// answer, each reconnecting once cut, for 60 s: serve's resident memory
// stays under 300 MB, a normal client's p99 stays under twice its value
// when idle (measured as long before the attack, so that both p99s are
// of as many calls), and every slow client is cut at its deadline (408 at the
// body timeout; the answer cut short at the write timeout) — or, for a
// slow reader whose body would cross the bound on bytes in flight,
// refused at once with 503. It runs only when SLUICE_SOAK is set.
func TestSlowClientsSoak(t *testing.T) {
	duration := soakDuration(t)
	s := startLiveServe(t, soakConfig)
	rss, heap := sampleRSS(t, s.cmd.Process.Pid), samplePeakHeap(t, s.admin, time.Second)
	timeSums(t, s.http, 5*time.Second) // a warm-up, not counted: the first calls open connections
	idle := timeSums(t, s.http, duration)
	attack := startAttack(t, s.http, duration)
	loaded := timeSums(t, s.http, duration)
	bodies, readers := attack.wait(t)
	peakRSS, hwm := rss()
	t.Logf("%v of %d slow bodies and %d slow readers: serve's RSS at most %.0f MB (VmHWM %.0f MB), heap in use at most %.0f MB; a normal sum call p50 %v → %v, p99 %v → %v (%.2f×, %d then %d calls; the slowest %v); slow bodies %v; slow readers %v",
		duration, soakSlowBodies, soakSlowReaders, peakRSS/1e6, hwm/1e6, heap()/1e6, idle.p(50), loaded.p(50), idle.p(99), loaded.p(99),
		float64(loaded.p(99))/float64(idle.p(99)), len(idle.took), len(loaded.took), loaded.slowest(5), bodies, readers)
	if hwm > 300e6 {
		t.Errorf("serve's VmHWM %.0f MB, want < 300 MB", hwm/1e6)
	}
	if loaded.p(99) >= 2*idle.p(99) || loaded.failed > 0 {
		t.Errorf("normal calls under attack: p99 %v (idle %v), %d failed; want < 2× and none", loaded.p(99), idle.p(99), loaded.failed)
	}
	t.Logf("serve's metrics: %s", soakMetrics(t, s.admin))
	bodies.check(t, "slow body", soakBodyTimeout)
	readers.check(t, "slow reader", soakWriteTimeout)
}

// stagger is when the i-th of n attackers whose round lasts round starts,
// so that they arrive evenly, not all at once.
func stagger(i, n int, round time.Duration) time.Duration {
	return round * time.Duration(i) / time.Duration(n)
}

// soakAttackEnv, set to serve's HTTP address, makes TestSoakAttacker
// run the attack: TestSlowClientsSoak runs it in a process of its own,
// as attackers are elsewhere than the clients they harm, so that their
// goroutines and garbage do not slow the normal client's process.
const soakAttackEnv = "SLUICE_SOAK_ATTACK"

// attackReportPrefix starts the line on which the attack process reports
// its cuts.
const attackReportPrefix = "soak attack cuts: "

// attackProcess is a running attack on serve.
type attackProcess struct {
	cmd *exec.Cmd
	out bytes.Buffer
}

// startAttack starts this test binary as TestSoakAttacker against addr
// for d.
func startAttack(t *testing.T, addr string, d time.Duration) *attackProcess {
	t.Helper()
	a := &attackProcess{cmd: exec.Command(os.Args[0], "-test.run=^TestSoakAttacker$", "-test.count=1", "-test.v")}
	a.cmd.Env = append(os.Environ(), soakAttackEnv+"="+addr, soakEnv+"="+d.String())
	a.cmd.Stdout, a.cmd.Stderr = &a.out, &a.out
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("attack process: %v", err)
	}
	t.Cleanup(func() { _ = a.cmd.Process.Kill() })
	return a
}

// wait waits for the attack to end and returns its cuts.
func (a *attackProcess) wait(t *testing.T) (bodies, readers *cuts) {
	t.Helper()
	if err := a.cmd.Wait(); err != nil {
		t.Fatalf("attack process: %v\n%s", err, &a.out)
	}
	for line := range strings.Lines(a.out.String()) {
		if _, report, ok := strings.Cut(line, attackReportPrefix); ok {
			var r [2]*cuts
			if err := json.Unmarshal([]byte(report), &r); err != nil {
				t.Fatalf("attack report %q: %v", report, err)
			}
			return r[0], r[1]
		}
	}
	t.Fatalf("attack process reported no cuts:\n%s", &a.out)
	return nil, nil
}

// TestSoakAttacker is TestSlowClientsSoak's attack, run in a process of
// its own when soakAttackEnv names serve's address: soakSlowBodies slow
// bodies and soakSlowReaders slow readers for the soak's duration; it
// prints their cuts as JSON after attackReportPrefix.
func TestSoakAttacker(t *testing.T) {
	addr := os.Getenv(soakAttackEnv)
	if addr == "" {
		t.Skipf("the attack of TestSlowClientsSoak, run by it")
	}
	ctx, cancel := context.WithTimeout(context.Background(), soakDuration(t))
	defer cancel()
	bodies, readers := &cuts{}, &cuts{}
	var attack sync.WaitGroup
	for i := range soakSlowBodies {
		attack.Go(func() { slowBodyLoop(ctx, addr, bodies, stagger(i, soakSlowBodies, soakBodyTimeout)) })
	}
	for i := range soakSlowReaders {
		attack.Go(func() { slowReaderLoop(ctx, addr, readers, stagger(i, soakSlowReaders, soakWriteTimeout+soakSlack)) })
	}
	attack.Wait()
	report, err := json.Marshal([2]*cuts{bodies, readers})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%s%s\n", attackReportPrefix, report)
}

// soakDuration reads SLUICE_SOAK, skipping the test when it is unset.
func soakDuration(t *testing.T) time.Duration {
	v := os.Getenv(soakEnv)
	if v == "" || testing.Short() {
		t.Skipf("a %s soak; set %s=1 (60 s) or a duration to run it", "slow-client", soakEnv)
	}
	if d, err := time.ParseDuration(v); err == nil {
		return d
	}
	return 60 * time.Second
}

// latencies are the durations of a client's calls, when each started
// after the first, and how many failed.
type latencies struct {
	took   []time.Duration
	at     []time.Duration
	conn   []string // how each got its connection
	failed int
}

// slowest describes the n slowest calls: how long each took, and when it
// started.
func (l latencies) slowest(n int) string {
	order := make([]int, len(l.took))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return int(l.took[b] - l.took[a]) })
	var s []string
	for _, i := range order[:min(n, len(order))] {
		s = append(s, fmt.Sprintf("%v at %v (%s)", l.took[i].Round(time.Millisecond), l.at[i].Round(100*time.Millisecond), l.conn[i]))
	}
	return strings.Join(s, ", ")
}

// p returns the q-th percentile of l's durations.
func (l latencies) p(q int) time.Duration {
	if len(l.took) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(l.took))
	return s[(len(s)-1)*q/100]
}

// timeSums sends sum calls to addr one after another, 50 a second, for
// d, and times them: over a minute a p99 is the 30th slowest of 3,000
// calls, not the 12th of 1,200, which one second's stall can make.
func timeSums(t *testing.T, addr string, d time.Duration) latencies {
	t.Helper()
	var l latencies
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	first := time.Now()
	for end := first.Add(d); time.Now().Before(end); <-tick.C {
		start := time.Now()
		var conn string
		trace := &httptrace.ClientTrace{GotConn: func(c httptrace.GotConnInfo) {
			conn = fmt.Sprintf("conn after %v, reused %v", time.Since(start).Round(time.Millisecond), c.Reused)
		}}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodPost,
			"http://"+addr+"/v2/models/sum/infer", strings.NewReader(apptest.QuickstartSum))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			l.failed++
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			l.failed++
			continue
		}
		l.took = append(l.took, time.Since(start))
		l.at = append(l.at, start.Sub(first))
		l.conn = append(l.conn, conn)
	}
	return l
}

// cuts counts how slow clients were cut: when in time after their
// deadline started counting, and those cut otherwise (or not at all).
type cuts struct {
	mu      sync.Mutex
	N       int            `json:"n"`
	Refused int            `json:"refused"` // answered 503 at once: the bound on bytes in flight
	Latest  time.Duration  `json:"latest"`
	Wrong   map[string]int `json:"wrong"`
}

func (c *cuts) add(after time.Duration, wrong string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if wrong == refusedAtTheBound {
		c.Refused++
		return
	}
	if wrong != "" {
		wrong, _, _ = strings.Cut(wrong, ":") // its kind, not its ports
		if c.Wrong == nil {
			c.Wrong = map[string]int{}
		}
		c.Wrong[wrong]++
		return
	}
	c.N++
	c.Latest = max(c.Latest, after)
}

func (c *cuts) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprintf("%d cut, the latest %v after its deadline started, %d refused at once, otherwise %v", c.N, c.Latest.Round(10*time.Millisecond), c.Refused, c.Wrong)
}

// check fails t unless some were cut, all within deadline+soakSlack.
func (c *cuts) check(t *testing.T, what string, deadline time.Duration) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.N == 0 || len(c.Wrong) > 0 || c.Latest > deadline+soakSlack {
		t.Errorf("%s: %d cut, the latest after %v, otherwise %v; want all cut within %v", what, c.N, c.Latest, c.Wrong, deadline+soakSlack)
	}
}

// slowBodyLoop, from after until ctx ends, opens a connection, sends an infer call's
// headers and then one byte of its body a second, and counts when it is
// answered (408 wanted).
func slowBodyLoop(ctx context.Context, addr string, c *cuts, after time.Duration) {
	time.Sleep(after)
	for ctx.Err() == nil {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			c.add(0, "dial: "+err.Error())
			time.Sleep(time.Second)
			continue
		}
		start := time.Now()
		_, err = io.WriteString(conn, "POST /v2/models/sum/infer HTTP/1.1\r\nHost: sluice\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
		done := make(chan struct{})
		go trickle(conn, done)
		code := readStatus(conn, soakBodyTimeout+10*time.Second)
		close(done)
		conn.Close()
		switch {
		case err != nil:
			c.add(0, "write: "+err.Error())
		case code != http.StatusRequestTimeout:
			c.add(0, fmt.Sprintf("status %d", code))
		default:
			c.add(time.Since(start)-soakBodyTimeout, "")
		}
	}
}

// trickle writes one byte to conn a second until done is closed or a
// write fails.
func trickle(conn net.Conn, done <-chan struct{}) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			if _, err := conn.Write([]byte{' '}); err != nil {
				return
			}
		}
	}
}

// readStatus reads an answer's status on conn within limit, or 0.
func readStatus(conn net.Conn, limit time.Duration) int {
	_ = conn.SetReadDeadline(time.Now().Add(limit))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// slowReaderLoop, from after until ctx ends, sends a 5 MB echo call on a
// connection with a small receive buffer, reads its answer's status line
// and headers as soon as they come, then nothing more until the write
// timeout and soakSlack have passed, and counts the call cut if the
// answer then ends short — or refused, when it was a 503.
func slowReaderLoop(ctx context.Context, addr string, c *cuts, after time.Duration) {
	time.Sleep(after)
	body, headerLen := echoBody(soakReaderFloats)
	call := append([]byte(fmt.Sprintf("POST /v2/models/echo/infer HTTP/1.1\r\nHost: sluice\r\nContent-Length: %d\r\nInference-Header-Content-Length: %s\r\n\r\n", len(body), headerLen)), body...)
	for ctx.Err() == nil {
		conn, err := smallWindow.Dial("tcp", addr)
		if err != nil {
			c.add(0, "dial: "+err.Error())
			time.Sleep(time.Second)
			continue
		}
		_, err = conn.Write(call)
		answer := readUnhurried(conn)
		if err != nil && answer != refusedAtTheBound { // refused, the rest of the body is not read
			answer = "write: " + err.Error()
		}
		conn.Close()
		if answer == answerCutShort {
			c.add(soakSlack, "")
		} else {
			c.add(0, answer) // refusedAtTheBound counts apart
		}
		if answer == refusedAtTheBound {
			time.Sleep(soakWriteTimeout + soakSlack) // the pace of a call that was served
		}
	}
}

// readUnhurried reads an answer's head on conn as soon as it comes, then
// waits the write timeout and soakSlack before it reads the rest, and
// says how the answer ended: its status when not 200, whole, or cut
// short.
func readUnhurried(conn net.Conn) string {
	_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return "no status: " + err.Error()
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.Status
	}
	time.Sleep(soakWriteTimeout + soakSlack)
	if n, err := io.Copy(io.Discard, resp.Body); err == nil && n == resp.ContentLength {
		return answerWhole
	}
	return answerCutShort
}

// refusedAtTheBound is how readAnswer reports a slow reader's call
// refused because its body would cross the bound on bytes in flight.
const refusedAtTheBound = "503 Service Unavailable"

// smallWindow dials with a 4 KB receive buffer set before the connection
// opens, so that the window it advertises stays small.
var smallWindow = net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
	var err error
	ctlErr := c.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10) })
	return errors.Join(ctlErr, err)
}}

// sampleRSS samples the resident memory of process pid every 100 ms until
// the test ends or peak is called, which returns the largest sample and
// the kernel's own high-water mark (VmHWM), in bytes.
func sampleRSS(t *testing.T, pid int) (peak func() (rss, hwm float64)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var most float64
	var wg sync.WaitGroup
	wg.Go(func() {
		for tick := time.NewTicker(100 * time.Millisecond); ctx.Err() == nil; <-tick.C {
			most = max(most, procStatus(pid, "VmRSS"))
		}
	})
	return func() (float64, float64) {
		cancel()
		wg.Wait()
		return most, procStatus(pid, "VmHWM")
	}
}

// procStatus returns a field of /proc/PID/status given in kB, in bytes,
// or 0 if it cannot be read.
func procStatus(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		var kb float64
		if _, err := fmt.Sscanf(line, field+": %f kB", &kb); err == nil {
			return kb * 1024
		}
	}
	return 0
}

// soakMetrics picks from serve's metrics what explains a soak's
// latencies: the time calls waited in each pool's queue and spent on a
// worker, and the collector's runs.
func soakMetrics(t *testing.T, admin string) string {
	t.Helper()
	m := apptest.Samples(t, apptest.Scrape(t, admin))
	mean := func(name, labels string) string {
		sum, n := m[name+"_sum"+labels], m[name+"_count"+labels]
		return fmt.Sprintf("%s%s mean %.1f ms of %.0f", name, labels, 1000*sum/max(n, 1), n)
	}
	return strings.Join([]string{
		mean("sluice_queue_wait_seconds", `{pool="cpu",priority="normal"}`), mean("sluice_queue_wait_seconds", `{pool="big",priority="normal"}`),
		fmt.Sprintf("sum calls over 25 ms by serve's own clock %.0f of %.0f",
			m[`sluice_request_duration_seconds_count{model="sum",pool="cpu"}`]-m[`sluice_request_duration_seconds_bucket{model="sum",pool="cpu",le="0.025"}`],
			m[`sluice_request_duration_seconds_count{model="sum",pool="cpu"}`]),
		fmt.Sprintf("go_gc_duration_seconds count %.0f", m["go_gc_duration_seconds_count"]),
		fmt.Sprintf("rejections overloaded %.0f", m[`sluice_rejections_total{reason="overloaded"}`]),
	}, "; ")
}
