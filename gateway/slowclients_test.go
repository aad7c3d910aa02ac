package gateway_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/gateway"
)

// rawClient speaks HTTP/1.1 by hand to a fleet's HTTP listener, to send
// what a well-behaved client never sends.
type rawClient struct {
	conn net.Conn
	br   *bufio.Reader
}

func dialRaw(t *testing.T, f *fleet) *rawClient {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(f.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	return &rawClient{conn: conn, br: bufio.NewReader(conn)}
}

func (c *rawClient) send(t *testing.T, s string) {
	t.Helper()
	if _, err := io.WriteString(c.conn, s); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// status reads the next answer's status line and returns its code; -1
// when the connection ends first.
func (c *rawClient) status() int {
	line, err := c.br.ReadString('\n')
	if err != nil {
		return -1
	}
	code, _ := strconv.Atoi(strings.Fields(line + " x -1")[1])
	return code
}

// answer reads the rest of an answer after its status line: its headers
// and its body.
func (c *rawClient) answer(t *testing.T) (http.Header, string) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(strings.NewReader("HTTP/1.1 200 OK\r\n"), c.br)), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.Header, string(body)
}

// inferHead is the head of a sum call whose body the caller frames.
func inferHead(model, framing string) string {
	return "POST /v2/models/" + model + "/infer HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n" + framing + "\r\n"
}

// TestBodyFramingStatuses sends bodies framed wrongly, too slowly, too
// large or cut short over a real listener, and checks each status: the
// client's faults are 4xx, never 500, and a client that leaves is 499,
// which the log does not warn about.
func TestBodyFramingStatuses(t *testing.T) {
	logs := &syncBuffer{}
	cfg := defaultFleet()
	cfg.gateway = gateway.Options{Logger: newTestLogger(logs), MaxBodyBytes: 1 << 20, BodyTimeout: 300 * time.Millisecond}
	f := startFleet(t, cfg)
	chunk := func(s string) string { return fmt.Sprintf("%x\r\n%s\r\n", len(s), s) }
	tests := []struct {
		name   string
		steps  []string // written one after the other, 50 ms apart
		status int
		want   string // in the error; "" for none
	}{
		{"chunked body", []string{inferHead("sum", "Transfer-Encoding: chunked\r\n"), chunk(sumJSON[:10]), chunk(sumJSON[10:]) + "0\r\n\r\n"},
			http.StatusOK, ""},
		{"malformed chunk size", []string{inferHead("sum", "Transfer-Encoding: chunked\r\n"), "zz\r\n" + sumJSON + "\r\n0\r\n\r\n"},
			http.StatusBadRequest, "malformed request body"},
		{"chunk without its line end", []string{inferHead("sum", "Transfer-Encoding: chunked\r\n"), "4\r\n{\"ab0\r\n\r\n"},
			http.StatusBadRequest, "malformed request body"},
		{"chunked body that never ends", []string{inferHead("sum", "Transfer-Encoding: chunked\r\n"), chunk(sumJSON[:10])},
			http.StatusRequestTimeout, "not received in time"},
		{"body shorter than its length, then silence", []string{inferHead("sum", "Content-Length: 500\r\n"), sumJSON},
			http.StatusRequestTimeout, "not received in time"},
		{"length over the limit", []string{inferHead("sum", "Content-Length: 20000000\r\n")},
			http.StatusRequestEntityTooLarge, "the limit is 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, f)
			for i, s := range tt.steps {
				if i > 0 {
					time.Sleep(50 * time.Millisecond)
				}
				c.send(t, s)
			}
			if got := c.status(); got != tt.status {
				t.Fatalf("status = %d, want %d", got, tt.status)
			}
			_, body := c.answer(t)
			if tt.want != "" {
				checkErrorBody(t, []byte(body), tt.want)
			}
		})
	}
	if strings.Contains(logs.String(), "status=500") {
		t.Errorf("a client's fault was logged as a server error:\n%s", logs)
	}
}

// TestClientLeavesMidBody closes the sending side of a connection
// halfway through a body: the call is the client's (499), counted as
// canceled, and the log has no warning of it.
func TestClientLeavesMidBody(t *testing.T) {
	logs := &syncBuffer{}
	cfg := defaultFleet()
	cfg.gateway = gateway.Options{Logger: newTestLogger(logs)}
	f := startFleet(t, cfg)
	c := dialRaw(t, f)
	c.send(t, inferHead("sum", "Content-Length: 500\r\n")+sumJSON[:20])
	if err := c.conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if got := c.status(); got != 499 {
		t.Errorf("status = %d, want 499", got)
	}
	if strings.Contains(logs.String(), "WARN") {
		t.Errorf("a client that left is logged as a warning:\n%s", logs)
	}
}

// TestExpectContinue checks "Expect: 100-continue": a body over the limit
// is refused at once with 413 and no 100 Continue, so the client never
// sends it; one within the limit is asked for and served.
func TestExpectContinue(t *testing.T) {
	cfg := defaultFleet()
	cfg.gateway = gateway.Options{MaxBodyBytes: 1 << 20}
	f := startFleet(t, cfg)

	c := dialRaw(t, f)
	c.send(t, inferHead("sum", "Content-Length: 20000000\r\nExpect: 100-continue\r\n"))
	if got := c.status(); got != http.StatusRequestEntityTooLarge {
		t.Errorf("over the limit: status = %d, want 413 at once", got)
	}

	c = dialRaw(t, f)
	c.send(t, inferHead("sum", fmt.Sprintf("Content-Length: %d\r\nExpect: 100-continue\r\n", len(sumJSON))))
	if got := c.status(); got != http.StatusContinue {
		t.Fatalf("within the limit: status = %d, want 100 Continue", got)
	}
	if _, err := c.br.ReadString('\n'); err != nil { // the blank line after 100 Continue
		t.Fatal(err)
	}
	c.send(t, sumJSON)
	if got := c.status(); got != http.StatusOK {
		t.Errorf("within the limit, after 100 Continue: status = %d, want 200", got)
	}
}

// TestSlowReaderCut sends an echo call whose answer is far larger than
// the socket buffers and, once it starts, does not read it for a second:
// the gateway
// stops writing at the write timeout and closes the connection, so the
// client, reading at last, gets only what the sockets held, less than the
// answer's length.
func TestSlowReaderCut(t *testing.T) {
	cfg := defaultFleet()
	cfg.gateway = gateway.Options{WriteTimeout: 300 * time.Millisecond, MaxBodyBytes: 32 << 20}
	f := startFleet(t, cfg)
	c := dialRaw(t, f)
	if err := c.conn.(*net.TCPConn).SetReadBuffer(64 << 10); err != nil {
		t.Fatal(err)
	}
	// 16 MiB in and out, as binary data: four times what the sending
	// socket's buffer may grow to (tcp_wmem's usual maximum).
	const width = 4 << 20
	body, hl := binaryBody(t, [][]float32{make([]float32, width)}, `,"parameters":{"binary_data_output":true}`)
	c.send(t, inferHead("echo", fmt.Sprintf("Content-Length: %d\r\nInference-Header-Content-Length: %s\r\n", len(body), hl))+string(body))
	if got := c.status(); got != http.StatusOK {
		t.Fatalf("status = %d, want 200", got)
	}
	time.Sleep(time.Second) // the write timeout passes while the answer waits to be read
	resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(strings.NewReader("HTTP/1.1 200 OK\r\n"), c.br)), nil)
	if err != nil {
		t.Fatal(err)
	}
	// A server still writing would send the rest as fast as it is read;
	// one that gave up sends only what its socket already held.
	_ = c.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil || n >= resp.ContentLength {
		t.Errorf("read %d of %d bytes (%v): want the answer cut short by the write timeout", n, resp.ContentLength, err)
	}
}

// TestMaxInFlight holds one call in progress, its body unfinished, in a
// gateway that takes one at a time: the next call is refused at once
// with 503 and Retry-After, and served once the first is done.
func TestMaxInFlight(t *testing.T) {
	cfg := defaultFleet()
	cfg.gateway = gateway.Options{MaxInFlight: 1}
	f := startFleet(t, cfg)
	slow := dialRaw(t, f)
	slow.send(t, inferHead("sum", fmt.Sprintf("Content-Length: %d\r\n", len(sumJSON)))+sumJSON[:10])
	waitInFlight(t, f.gw, 1)

	r := f.post(context.Background(), "sum", []byte(sumJSON))
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Errorf("second call: %d, Retry-After %q; want 503 with Retry-After", r.status, r.header.Get("Retry-After"))
	}
	checkErrorBody(t, r.body, "too many calls in progress")
	slow.send(t, sumJSON[10:])
	if got := slow.status(); got != http.StatusOK {
		t.Errorf("first call: status %d, want 200", got)
	}
	waitInFlight(t, f.gw, 0)
	if r := f.post(context.Background(), "sum", []byte(sumJSON)); r.status != http.StatusOK {
		t.Errorf("third call: %d %s, want 200", r.status, r.body)
	}
}

// waitInFlight waits until the gateway has n calls in progress.
func waitInFlight(t *testing.T, gw *gateway.Gateway, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); gw.InFlight() != n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls in progress, want %d", gw.InFlight(), n)
		}
	}
}

// TestBodyBytesInFlight holds one call whose body, announced at 2,000
// bytes, is still arriving (its buffer grown to the whole body), in a gateway that holds 2,048 bytes of bodies
// at once: the next call over HTTP is refused with 503, Retry-After and a
// JSON error, on a connection that stays open, as is one over gRPC
// (UNAVAILABLE); once the first is answered, calls are served again.
func TestBodyBytesInFlight(t *testing.T) {
	cfg := defaultFleet()
	cfg.gateway = gateway.Options{MaxBodyBytes: 2048, MaxBodyBytesInFlight: 2048}
	f := startFleet(t, cfg)
	padded := strings.Replace(sumJSON, "{", "{"+strings.Repeat(" ", 2000-len(sumJSON)), 1)
	slow := dialRaw(t, f)
	slow.send(t, inferHead("sum", "Content-Length: 2000\r\n")+padded[:1500])
	for deadline := time.Now().Add(5 * time.Second); f.gw.BodyBytesInFlight() < 2000; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d bytes of bodies in flight, want the 2000 announced", f.gw.BodyBytesInFlight())
		}
	}

	again := dialRaw(t, f)
	for range 2 { // the connection is kept: the refused body was read to its end
		again.send(t, inferHead("sum", fmt.Sprintf("Content-Length: %d\r\n", len(sumJSON)))+sumJSON)
		if got := again.status(); got != http.StatusServiceUnavailable {
			t.Fatalf("call over the bound: status %d, want 503", got)
		}
		h, body := again.answer(t)
		if h.Get("Retry-After") == "" || h.Get("Connection") == "close" {
			t.Errorf("call over the bound: Retry-After %q, Connection %q; want one, and the connection kept", h.Get("Retry-After"), h.Get("Connection"))
		}
		checkErrorBody(t, []byte(body), "bytes of request bodies held")
	}
	big := sumProto("sum")
	big.Id = strings.Repeat("g", 100) // more than the 48 bytes left
	_, err := f.grpc.ModelInfer(context.Background(), big)
	if status.Code(err) != codes.Unavailable {
		t.Errorf("gRPC call over the bound: %v, want UNAVAILABLE", err)
	}
	slow.send(t, padded[1500:])
	if got := slow.status(); got != http.StatusOK {
		t.Errorf("first call: status %d, want 200", got)
	}
	waitInFlight(t, f.gw, 0)
	if r := f.post(context.Background(), "sum", []byte(sumJSON)); r.status != http.StatusOK {
		t.Errorf("call after: %d %s, want 200", r.status, r.body)
	}
	if _, err := f.grpc.ModelInfer(context.Background(), sumProto("sum")); err != nil {
		t.Errorf("gRPC call after: %v", err)
	}
}
