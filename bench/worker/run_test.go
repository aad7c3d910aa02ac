package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// lineWriter passes each Write on as one string.
type lineWriter chan string

func (w lineWriter) Write(p []byte) (int, error) {
	w <- string(p)
	return len(p), nil
}

const oneRow = `{"inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,2]}]}`

// runWorker starts Run on loopback ports and returns its announcement; the
// worker stops, and must stop cleanly, when the test ends.
func runWorker(t *testing.T, opts Options) Announcement {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	lines, ran := make(lineWriter, 2), make(chan error, 1)
	go func() { ran <- Run(ctx, opts, "127.0.0.1:0", "127.0.0.1:0", lines) }()
	t.Cleanup(func() {
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	var line string
	select {
	case line = <-lines:
	case err := <-ran:
		t.Fatalf("Run returned before announcing: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no announcement within 5s")
	}
	if !strings.HasSuffix(line, "\n") || strings.Count(line, "\n") != 1 {
		t.Errorf("announcement %q is not one line", line)
	}
	var a Announcement
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("announcement %q: %v", line, err)
	}
	for _, addr := range []string{a.HTTP, a.GRPC} {
		if host, port, err := net.SplitHostPort(addr); err != nil || host != "127.0.0.1" || port == "0" {
			t.Errorf("announced address %q, want 127.0.0.1 and a bound port", addr)
		}
	}
	return a
}

func TestRunServesOnAnnouncedPorts(t *testing.T) {
	a := runWorker(t, Options{})
	if code, _ := do[map[string]any](t, http.MethodGet, "http://"+a.HTTP+"/v2/health/live", ""); code != http.StatusOK {
		t.Errorf("HTTP live: status %d, want 200", code)
	}
	live, err := dialGRPC(t, a.GRPC).ServerLive(context.Background(), &inferencepb.ServerLiveRequest{})
	if err != nil || !live.GetLive() {
		t.Errorf("gRPC ServerLive = %v, %v; want live", live, err)
	}
}

// The device is real here: two concurrent one-row requests on a 20ms+1ms
// device take at least 42ms if they run one after the other, about 21ms if
// they overlapped.
func TestRunServesOneBatchAtATime(t *testing.T) {
	const batch = 21 * time.Millisecond
	a := runWorker(t, Options{Base: 20 * time.Millisecond, PerItem: time.Millisecond})
	url := "http://" + a.HTTP + "/v2/models/sum/infer"
	do[jsonResponse](t, http.MethodPost, url, oneRow) // warm the connection pool

	start := time.Now()
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if code, got, err := fetch[jsonResponse](http.MethodPost, url, oneRow); err != nil || code != http.StatusOK {
				t.Errorf("infer: status %d (%s), %v", code, got.Error, err)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if elapsed < 2*batch || elapsed > 2*batch+2*time.Second {
		t.Errorf("two concurrent batches took %v, want about %v (one at a time)", elapsed, 2*batch)
	}
	_, stats := do[Stats](t, http.MethodGet, "http://"+a.HTTP+"/v2/models/sum/stats", "")
	if diff := cmp.Diff(Stats{Model: "sum", Batches: 3, Items: 3}, stats); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestRunRejects(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		listenHTTP string
		wantErr    error
	}{
		{"negative base", Options{Base: -time.Millisecond}, "127.0.0.1:0", ErrOptions},
		{"negative max batch", Options{MaxBatch: -1}, "127.0.0.1:0", ErrOptions},
		{"negative cold start", Options{ColdStart: -time.Second}, "127.0.0.1:0", ErrOptions},
		{"bad address", Options{}, "127.0.0.1:notaport", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := make(lineWriter, 1)
			err := Run(context.Background(), tt.opts, tt.listenHTTP, "127.0.0.1:0", lines)
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("Run error = %v, want an error wrapping %v", err, tt.wantErr)
			}
			if len(lines) != 0 {
				t.Errorf("Run announced %q despite failing", <-lines)
			}
		})
	}
}

func TestServeFinishesInFlightRequestsOnShutdown(t *testing.T) {
	clock := newGatedClock()
	s, err := New(Options{Clock: clock})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	httpLn, grpcLn := listen(t), listen(t)
	httpAddr, grpcAddr := httpLn.Addr().String(), grpcLn.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, httpLn, grpcLn) }()
	client := dialGRPC(t, grpcAddr)

	httpErr, grpcErr := make(chan error, 1), make(chan error, 1)
	go func() {
		code, got, err := fetch[jsonResponse](http.MethodPost, "http://"+httpAddr+"/v2/models/sum/infer", oneRow)
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("status %d (%s), want 200", code, got.Error)
		}
		httpErr <- err
	}()
	clock.nextSleep(t) // the HTTP request is on the device
	go func() {
		_, err := client.ModelInfer(context.Background(), &inferencepb.ModelInferRequest{
			ModelName: "sum",
			Inputs:    []*inferencepb.ModelInferRequest_InferInputTensor{input("x", "FP32", 1, 1)}, RawInputContents: [][]byte{le32s(1)},
		})
		grpcErr <- err
	}()
	waitFor(t, "the gRPC request to wait for the device", func() bool { return s.Waiting() == 1 })

	cancel()
	waitFor(t, "the listeners to close", func() bool { return refused(httpAddr) && refused(grpcAddr) })
	clock.gate <- struct{}{}
	clock.nextSleep(t) // the gRPC request is on the device
	clock.gate <- struct{}{}
	if err := <-httpErr; err != nil {
		t.Errorf("in-flight HTTP request: %v", err)
	}
	if err := <-grpcErr; err != nil {
		t.Errorf("in-flight gRPC request: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// refused reports whether nothing accepts connections at addr.
func refused(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return true
	}
	conn.Close()
	return false
}
