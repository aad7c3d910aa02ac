package load

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// burst returns a schedule of n requests 1 ms apart.
func burst(n int) Schedule {
	s := Schedule{Duration: time.Duration(n) * time.Millisecond}
	for i := range n {
		s.Offsets = append(s.Offsets, time.Duration(i)*time.Millisecond)
	}
	return s
}

// statusCycle answers the i-th request with codes[i % len(codes)].
func statusCycle(codes ...int) http.Handler {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(codes[(n.Add(1)-1)%int64(len(codes))])
	})
}

// closedURL returns the URL of a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/"
	ln.Close()
	return url
}

func TestRunCountsOutcomes(t *testing.T) {
	hang := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	tests := []struct {
		name    string
		handler http.Handler // nil: nothing listens
		timeout time.Duration
		n       int
		want    Result
	}{
		{
			name: "all succeed", handler: statusCycle(http.StatusOK), n: 20,
			want: Result{Scheduled: 20, Sent: 20, Succeeded: 20, Statuses: map[int]int{}},
		},
		{
			name: "failures by status", n: 20,
			handler: statusCycle(http.StatusOK, http.StatusNoContent, http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusOK),
			want:    Result{Scheduled: 20, Sent: 20, Succeeded: 12, Statuses: map[int]int{503: 4, 429: 4}},
		},
		{
			name: "client timeouts", handler: hang, timeout: 50 * time.Millisecond, n: 5,
			want: Result{Scheduled: 5, Sent: 5, Statuses: map[int]int{}, Timeouts: 5},
		},
		{
			name: "connection refused", n: 5,
			want: Result{Scheduled: 5, Sent: 5, Statuses: map[int]int{}, Other: 5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := closedURL(t)
			if tt.handler != nil {
				srv := httptest.NewServer(tt.handler)
				defer srv.Close()
				url = srv.URL
			}
			target := &HTTPTarget{Client: NewHTTPClient(0), URL: url}
			s := burst(tt.n)
			got := Run(context.Background(), s, target, Options{Timeout: tt.timeout})
			tt.want.Window = s.Duration
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Result{}, "Elapsed", "Latency", "SendLag")); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if n := got.Latency.Count(); n != int64(tt.want.Succeeded) {
				t.Errorf("%d latencies recorded, want one per success, %d", n, tt.want.Succeeded)
			}
			if n := got.SendLag.Count(); n != int64(tt.want.Sent) {
				t.Errorf("%d send lags recorded, want one per request sent, %d", n, tt.want.Sent)
			}
		})
	}
}

// TestRunIsOpenLoop holds every answer until the last scheduled request
// has arrived: a generator that waited for answers would never send it.
// Each latency then counts from its due time, so the first request's
// includes the whole span of the schedule.
func TestRunIsOpenLoop(t *testing.T) {
	const n = 5
	const gap = 40 * time.Millisecond
	var arrived atomic.Int64
	allIn := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		if arrived.Add(1) == n {
			close(allIn)
		}
		select {
		case <-allIn:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	s := Schedule{Duration: n * gap}
	for i := range n {
		s.Offsets = append(s.Offsets, time.Duration(i)*gap)
	}
	res := Run(context.Background(), s, &HTTPTarget{Client: NewHTTPClient(0), URL: srv.URL}, Options{Timeout: 5 * time.Second})
	if res.Succeeded != n {
		t.Fatalf("%d of %d requests succeeded (%+v): the generator waited for answers", res.Succeeded, n, res)
	}
	span := s.Offsets[n-1] - s.Offsets[0]
	if got := res.Latency.Max(); got < span {
		t.Errorf("largest latency = %v, want at least the schedule's span %v", got, span)
	}
	if got := res.Latency.Quantile(0); got > 20*time.Millisecond {
		t.Errorf("smallest latency = %v, want the last request's, near 0", got)
	}
}

func TestSendTimesFromDueTime(t *testing.T) {
	late := 100 * time.Millisecond
	due := time.Now().Add(-late)
	work := 20 * time.Millisecond
	snd := SenderFunc(func(context.Context, int) error { time.Sleep(work); return nil })
	o := send(context.Background(), snd, 0, due, due.Add(time.Second))
	if o.Err != nil || o.Lag < late || o.Latency < late+work {
		t.Errorf("send() = %+v, want no error, a lag of at least %v and a latency of at least %v", o, late, late+work)
	}
}

func TestRunStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := Constant(100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	target := TargetFunc(func(ctx context.Context) error {
		if calls.Add(1) == 3 {
			cancel()
		}
		<-ctx.Done()
		return ctx.Err()
	})
	start := time.Now()
	res := Run(ctx, s, target, Options{})
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Run took %v after its context ended", took)
	}
	if res.Sent < 3 || res.Sent >= res.Scheduled {
		t.Errorf("sent %d of %d, want at least 3 and fewer than all", res.Sent, res.Scheduled)
	}
	if res.Other != res.Sent || res.Timeouts != 0 {
		t.Errorf("other = %d, timeouts = %d, want every sent request (%d) in other", res.Other, res.Timeouts, res.Sent)
	}
	if res.Window >= s.Duration {
		t.Errorf("window = %v, want less than the schedule's %v", res.Window, s.Duration)
	}
}

func TestResultRates(t *testing.T) {
	tests := []struct {
		name            string
		r               Result
		offered, served float64
		errors          int
	}{
		{name: "zero", r: Result{}},
		{
			name:    "served within the window",
			r:       Result{Sent: 100, Succeeded: 90, Statuses: map[int]int{503: 6}, Timeouts: 3, Other: 1, Window: 10 * time.Second, Elapsed: 9 * time.Second},
			offered: 10, served: 9, errors: 10,
		},
		{
			name:    "backlog drained after the window",
			r:       Result{Sent: 240, Succeeded: 240, Window: time.Second, Elapsed: 1200 * time.Millisecond},
			offered: 240, served: 200,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []float64{tt.r.OfferedRate(), tt.r.ServedRate(), float64(tt.r.Errors())}
			want := []float64{tt.offered, tt.served, float64(tt.errors)}
			if diff := cmp.Diff(want, got, cmpopts.EquateApprox(1e-9, 0)); diff != "" {
				t.Errorf("[offered served errors] (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStatusError(t *testing.T) {
	var err error = &StatusError{Code: http.StatusServiceUnavailable}
	if got, want := err.Error(), "load: HTTP 503 Service Unavailable"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 503 {
		t.Errorf("errors.As gave %+v", se)
	}
}
