package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/internal/app/apptest"
)

// slowReadersConfig serves echo one request at a time, with a write
// timeout of one second. Its SLO is the timeout: an 8 MB echo under the
// race detector on a busy machine takes seconds, and a tighter SLO would
// have the router refuse it as one no idle worker meets, which is not
// what this test is about.
const slowReadersConfig = `models: [{name: echo, tier: t, slo: 60s, timeout: 60s, batching: false}]
tiers: [{name: t, pools: [cpu]}]
pools:
  - {name: cpu, curve: {base: 5ms}, max_batch: 1, cold_start: 100ms, replicas: {min: 2, max: 2}}
limits: {write_timeout: 1s}
shutdown: {drain_delay: 10ms}
`

// slowReaders is how many clients TestSlowReaders sends, each 8 MB.
const slowReaders, slowReaderFloats = 20, 2_000_000

// TestSlowReaders has 20 clients send a real `sluice serve` an 8 MB echo
// call over HTTP, in binary, and not read the 8 MB answer until 2 s after
// the last has started: each
// answer is cut at the write timeout and its connection closed, with no
// warning in serve's log (the client is at fault). It logs the gateway's
// heap in use, sampled meanwhile.
func TestSlowReaders(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped in -short mode")
	}
	s := startLiveServe(t, slowReadersConfig)
	peak := samplePeakHeap(t, s.admin, 50*time.Millisecond)
	body, headerLen := echoBody(slowReaderFloats)
	conns := make([]net.Conn, slowReaders)
	sent := time.Now()
	for i := range conns {
		conns[i] = sendUnread(t, s.http, body, headerLen)
	}
	waitInFlight(t, s.admin, 0) // every answer has started
	time.Sleep(2 * time.Second) // past the write timeout, with the answers unread
	answers := readLate(conns, 60*time.Second)
	most := peak()
	data := float64(slowReaders * 4 * slowReaderFloats)
	t.Logf("%d clients not reading an 8 MB echo answer: %v, %v after the calls were sent; gateway heap in use at most %.0f MB, %.1f× the %.0f MB sent",
		slowReaders, answers, time.Since(sent).Round(100*time.Millisecond), most/1e6, most/data, data/1e6)
	if answers[answerCutShort] != slowReaders {
		t.Errorf("answers %v, want %d cut short", answers, slowReaders)
	}
	if strings.Contains(s.logs.String(), "level=WARN") {
		t.Errorf("serve warned of clients that did not read:\n%s", s.logs)
	}
}

// How readLate finds an answer.
const (
	answerCutShort = "cut short"
	answerWhole    = "whole"
	answerOpen     = "still open"
)

// echoBody is an echo call of FP32 [1, n] as binary data, asking for a
// binary answer, and the length of its JSON header.
func echoBody(n int) ([]byte, string) {
	header := fmt.Sprintf(`{"inputs":[{"name":"x","datatype":"FP32","shape":[1,%d],"parameters":{"binary_data_size":%d}}],"parameters":{"binary_data_output":true}}`, n, 4*n)
	return append([]byte(header), make([]byte, 4*n)...), strconv.Itoa(len(header))
}

// sendUnread sends one echo call on a connection with a small receive
// buffer, and reads nothing.
func sendUnread(t *testing.T, addr string, body []byte, headerLen string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.(*net.TCPConn).SetReadBuffer(64 << 10); err != nil {
		t.Fatal(err)
	}
	head := fmt.Sprintf("POST /v2/models/echo/infer HTTP/1.1\r\nHost: sluice\r\nContent-Length: %d\r\nInference-Header-Content-Length: %s\r\n\r\n", len(body), headerLen)
	if _, err := io.Copy(c, io.MultiReader(bytes.NewReader([]byte(head)), bytes.NewReader(body))); err != nil {
		t.Fatal(err)
	}
	return c
}

// readLate reads the answer on each connection, within limit, and
// counts how each ended: an error status by its status, a 200 whole, cut
// short (the connection closed before its end), or still open then.
func readLate(conns []net.Conn, limit time.Duration) map[string]int {
	answers := map[string]int{}
	deadline := time.Now().Add(limit)
	for _, c := range conns {
		_ = c.SetReadDeadline(deadline)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			answers["no status: "+err.Error()]++
			continue
		}
		n, err := io.Copy(io.Discard, resp.Body)
		var ne net.Error
		switch {
		case resp.StatusCode != http.StatusOK:
			answers[resp.Status]++
		case err == nil && n == resp.ContentLength:
			answers[answerWhole]++
		case errors.As(err, &ne) && ne.Timeout():
			answers[answerOpen]++
		default:
			answers[answerCutShort]++
		}
	}
	return answers
}

// slowBodiesConfig gives a body one second to arrive.
const slowBodiesConfig = `models: [{name: sum, tier: t}]
tiers: [{name: t, pools: [cpu]}]
pools: [{name: cpu, curve: {base: 2ms}, max_batch: 4, cold_start: 100ms}]
limits: {body_timeout: 1s}
shutdown: {drain_delay: 10ms}
`

// TestSlowBodiesCut has 1,000 clients start an infer call on a real
// `sluice serve` and never finish its body: each is answered 408 at the
// body timeout, while a normal client's calls are still answered 200.
func TestSlowBodiesCut(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped in -short mode")
	}
	s := startLiveServe(t, slowBodiesConfig)
	peak := samplePeakHeap(t, s.admin, 50*time.Millisecond)
	const n = 1000
	conns := make([]net.Conn, n)
	for i := range conns {
		conns[i] = startSlowBody(t, s.http)
	}
	normal := callSum(t, s.http)
	statuses, answeredBy := readStatuses(conns)
	most := peak()
	t.Logf("%d bodies never finished: statuses %v, all answered within %v; a normal call meanwhile: %d; gateway heap in use at most %.0f MB",
		n, statuses, answeredBy.Round(time.Millisecond), normal, most/1e6)
	if statuses[http.StatusRequestTimeout] != n {
		t.Errorf("statuses %v, want %d × 408", statuses, n)
	}
	if normal != http.StatusOK {
		t.Errorf("a normal call among them: %d, want 200", normal)
	}
}

// callSum sends one sum call and returns its status, or 0.
func callSum(t *testing.T, addr string) int {
	t.Helper()
	resp, err := http.Post("http://"+addr+"/v2/models/sum/infer", "application/json", strings.NewReader(apptest.QuickstartSum))
	if err != nil {
		t.Log(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
