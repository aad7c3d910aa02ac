package gateway_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/router"
)

// TestCallersGetTheirOwnRows sends 100 concurrent sum requests of 1 to 3
// rows and two widths (mixed shapes) and checks that each caller gets its
// own rows' sums under its own id, and that the worker saw batches.
func TestCallersGetTheirOwnRows(t *testing.T) {
	cfg := defaultFleet()
	cfg.curve = costmodel.Curve{Base: 10 * time.Millisecond, PerItem: 100 * time.Microsecond}
	f := startFleet(t, cfg)
	const callers = 100
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			rows, want := callerRows(i)
			id := "caller-" + strconv.Itoa(i)
			gotID, got := sums(t, f.post(context.Background(), "sum", sumBody(t, id, rows)))
			if gotID != id {
				t.Errorf("caller %d got id %q", i, gotID)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("caller %d sums (-want +got):\n%s", i, diff)
			}
		})
	}
	wg.Wait()
	st := f.workers[0].Stats()
	if st.Batches >= callers {
		t.Errorf("worker ran %d batches for %d callers: nothing was batched", st.Batches, callers)
	}
	t.Logf("%d callers served in %d batches", callers, st.Batches)
}

// callerRows returns caller i's distinct rows (1 to 3 rows, width 3 or 4)
// and their sums.
func callerRows(i int) (rows [][]float32, sums []float32) {
	width := 3 + i%2
	for r := range 1 + i%3 {
		row := make([]float32, width)
		var s float32
		for c := range row {
			row[c] = float32(i*100 + r*10 + c)
			s += row[c]
		}
		rows, sums = append(rows, row), append(sums, s)
	}
	return rows, sums
}

// TestBytesBatchedEcho checks that BYTES tensors of concurrent callers are
// merged and split back to their owners.
func TestBytesBatchedEcho(t *testing.T) {
	cfg := defaultFleet()
	cfg.curve = costmodel.Curve{Base: 10 * time.Millisecond}
	f := startFleet(t, cfg)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			want := []string{fmt.Sprintf("caller %d: é", i), strconv.Itoa(i)}
			body := fmt.Sprintf(`{"inputs":[{"name":"s","shape":[2],"datatype":"BYTES","data":[%q,%q]}]}`, want[0], want[1])
			r := f.post(context.Background(), "echo", []byte(body))
			if r.status != http.StatusOK {
				t.Errorf("caller %d: status %d: %s", i, r.status, r.body)
				return
			}
			resp, err := oip.DecodeResponse(r.body)
			if err != nil {
				t.Error(err)
				return
			}
			var got []string
			for _, e := range resp.Outputs[0].Elems {
				got = append(got, string(e))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("caller %d (-want +got):\n%s", i, diff)
			}
		})
	}
	wg.Wait()
	if st := f.workers[0].Stats(); st.Batches >= 20 {
		t.Errorf("worker ran %d batches for 20 callers: nothing was batched", st.Batches)
	}
}

// slowFleet is a fleet of one worker whose batches take 200 ms, so that
// requests queue behind a blocker.
func slowFleet(limits map[batcher.Priority]batcher.ClassLimits) fleetConfig {
	cfg := defaultFleet()
	cfg.curve = costmodel.Curve{Base: 200 * time.Millisecond}
	cfg.limits = limits
	cfg.unbatched = []string{"echo"}
	return cfg
}

// block sends one request that occupies the only worker and waits until
// it is in flight; the returned channel reports its status.
func (f *fleet) block(t *testing.T) <-chan int {
	t.Helper()
	done := make(chan int, 1)
	go func() { done <- f.post(context.Background(), "echo", echoBody).status }()
	f.waitFor(t, "the blocker in flight", func(s batcher.Stats) bool { return s.InFlightBatches == 1 })
	return done
}

var echoBody = []byte(`{"inputs":[{"name":"x","shape":[1],"datatype":"INT32","data":[1]}]}`)

// waitFor polls the pool's stats until cond holds, for at most 5 s.
func (f *fleet) waitFor(t *testing.T, what string, cond func(batcher.Stats) bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if cond(f.pool().Stats()) {
			return
		}
	}
	t.Fatalf("timed out waiting for %s: %+v", what, f.pool().Stats())
}

func (f *fleet) pool() *router.Pool { return f.router.Pool("pool") }

// TestStrictPriority queues one request of each class behind a blocker,
// lowest first, and checks they are served highest first.
func TestStrictPriority(t *testing.T) {
	f := startFleet(t, slowFleet(nil))
	blocker := f.block(t)
	order := make(chan string, 4)
	var wg sync.WaitGroup
	for i, class := range []string{"low", "normal", "high", "critical"} {
		wg.Go(func() {
			if r := f.post(context.Background(), "echo", echoBody, "x-sluice-priority", class); r.status != http.StatusOK {
				t.Errorf("%s: status %d: %s", class, r.status, r.body)
			}
			order <- class
		})
		f.waitFor(t, class+" queued", func(s batcher.Stats) bool { return s.Queued.Total() == i+1 })
	}
	wg.Wait()
	close(order)
	<-blocker
	var got []string
	for c := range order {
		got = append(got, c)
	}
	if diff := cmp.Diff([]string{"critical", "high", "normal", "low"}, got); diff != "" {
		t.Errorf("service order (-want +got):\n%s", diff)
	}
}

// TestQueueRejections covers the class bounds and the request deadline:
// each request waits behind a blocker and must be answered without ever
// reaching the worker.
func TestQueueRejections(t *testing.T) {
	limits := map[batcher.Priority]batcher.ClassLimits{
		batcher.Low:    {MaxLen: 1},
		batcher.Normal: {MaxQueueTime: 50 * time.Millisecond},
	}
	tests := []struct {
		name    string
		queued  []string // priority headers of requests queued first
		headers []string
		status  int
		want    string
	}{
		{"class full", []string{"low"}, []string{"x-sluice-priority", "low"}, http.StatusTooManyRequests, "full"},
		{"queueing time over the class bound", nil, nil, http.StatusServiceUnavailable, "queue"},
		{"deadline passes while queued", nil, []string{"x-sluice-priority", "high", "x-sluice-timeout-ms", "50"}, http.StatusGatewayTimeout, "deadline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFleet(t, slowFleet(limits))
			blocker := f.block(t)
			for i, p := range tt.queued {
				go f.post(context.Background(), "echo", echoBody, "x-sluice-priority", p)
				f.waitFor(t, "queued", func(s batcher.Stats) bool { return s.Queued.Total() == i+1 })
			}
			r := f.post(context.Background(), "echo", echoBody, tt.headers...)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tt.status, r.body)
			}
			checkErrorBody(t, r.body, tt.want)
			if r.status != http.StatusGatewayTimeout && r.header.Get("Retry-After") == "" {
				t.Error("no Retry-After header")
			}
			<-blocker
			f.waitFor(t, "idle", func(s batcher.Stats) bool { return s.Queued.Total() == 0 && s.InFlightBatches == 0 })
			if got, want := f.workers[0].Stats().Batches, int64(1+len(tt.queued)); got != want {
				t.Errorf("worker ran %d batches, want %d: the rejected request reached it", got, want)
			}
		})
	}
}

// TestClientDisconnectLeavesQueue checks that a client that goes away is
// removed from the queue at once and never reaches the worker.
func TestClientDisconnectLeavesQueue(t *testing.T) {
	f := startFleet(t, slowFleet(nil))
	blocker := f.block(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.post(ctx, "echo", echoBody) }()
	f.waitFor(t, "queued", func(s batcher.Stats) bool { return s.Queued.Total() == 1 })
	cancel()
	<-done
	f.waitFor(t, "removed", func(s batcher.Stats) bool { return s.Queued.Total() == 0 && s.Rejected.Canceled == 1 })
	<-blocker
	f.waitFor(t, "idle", func(s batcher.Stats) bool { return s.Queued.Total() == 0 && s.InFlightBatches == 0 })
	if got := f.workers[0].Stats(); got.Batches != 1 || got.Items != 1 {
		t.Errorf("worker ran %d batches of %d rows, want 1 of 1 (the blocker): the request of the client that left reached it", got.Batches, got.Items)
	}
}

// TestFailedBatchFailsEveryMember points the pool at a worker that refuses
// connections: every member of the batch gets the cause.
func TestFailedBatchFailsEveryMember(t *testing.T) {
	f := startFleet(t, defaultFleet())
	dead := listen(t)
	addr := dead.Addr().String()
	dead.Close()
	if err := f.router.SetEndpoints("pool", []router.Endpoint{{ID: "dead", GRPC: addr}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			r := f.post(context.Background(), "sum", sumBody(t, "", [][]float32{{float32(i)}}))
			if r.status != http.StatusBadGateway {
				t.Errorf("status = %d, want 502: %s", r.status, r.body)
			}
			checkErrorBody(t, r.body, "dead")
		})
	}
	wg.Wait()
}
