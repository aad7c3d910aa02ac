package local

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSupervisorErrors(t *testing.T) {
	s := New(Options{})
	if err := s.AddPool(PoolSpec{Name: "cpu"}); err != nil {
		t.Fatalf("AddPool(cpu) = %v", err)
	}
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"duplicate pool", func() error { return s.AddPool(PoolSpec{Name: "cpu"}) }, ErrPoolExists},
		{"invalid spec", func() error { return s.AddPool(PoolSpec{Name: "gpu", Replicas: -2}) }, ErrInvalidSpec},
		{"resize unknown pool", func() error { return s.SetReplicas("gpu", 1) }, ErrUnknownPool},
		{"negative replicas", func() error { return s.SetReplicas("cpu", -1) }, ErrInvalidReplicas},
		{"resize to zero", func() error { return s.SetReplicas("cpu", 0) }, nil},
		{"close", s.Close, nil},
		{"close again", s.Close, nil},
		{"add after close", func() error { return s.AddPool(PoolSpec{Name: "spot"}) }, ErrClosed},
		{"resize after close", func() error { return s.SetReplicas("cpu", 1) }, ErrClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if eps := s.Endpoints("cpu"); eps != nil {
		t.Errorf("Endpoints(cpu) after Close = %v, want nil", eps)
	}
}

// changeRecorder is an OnChange that keeps every call and fails the test if
// two calls overlap.
type changeRecorder struct {
	t        *testing.T
	inFlight atomic.Int32
	mu       sync.Mutex
	calls    [][]Endpoint
}

func (r *changeRecorder) onChange(pool string, eps []Endpoint) {
	if r.inFlight.Add(1) != 1 {
		r.t.Errorf("OnChange(%s) called while another call runs", pool)
	}
	defer r.inFlight.Add(-1)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, eps)
}

func (r *changeRecorder) history() [][]Endpoint {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]Endpoint(nil), r.calls...)
}

// setState sets a worker's state as its runner would.
func (s *Supervisor) setState(pool string, seq int, http string, ready bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.pools[pool].workers[seq-1]
	w.addrs, w.ready = addrs{HTTP: http, GRPC: "127.0.0.1:9"}, ready
}

func TestNotify(t *testing.T) {
	rec := &changeRecorder{t: t}
	s := New(Options{OnChange: rec.onChange})
	if err := s.AddPool(PoolSpec{Name: "cpu"}); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.pools["cpu"].newWorker(context.Background()) // no runner: the test plays it
	s.pools["cpu"].newWorker(context.Background())
	s.mu.Unlock()

	steps := []func(){
		func() { s.setState("cpu", 1, "127.0.0.1:1", false) }, // announced, not ready: no call
		func() { s.setState("cpu", 1, "127.0.0.1:1", true) },  // ready: call
		func() { s.setState("cpu", 1, "127.0.0.1:1", true) },  // unchanged: no call
		func() { s.setState("cpu", 2, "127.0.0.1:2", true) },  // second ready: call
		func() { s.setState("cpu", 1, "127.0.0.1:3", true) },  // restarted on a new port: call
		func() { s.setState("cpu", 2, "", false) },            // exited: call
	}
	for _, step := range steps {
		step()
		s.notify("cpu")
	}
	ep := func(id, http string) Endpoint {
		return Endpoint{ID: id, Pool: "cpu", HTTP: http, GRPC: "127.0.0.1:9", Ready: true}
	}
	want := [][]Endpoint{
		{ep("cpu-1", "127.0.0.1:1")},
		{ep("cpu-1", "127.0.0.1:1"), ep("cpu-2", "127.0.0.1:2")},
		{ep("cpu-1", "127.0.0.1:3"), ep("cpu-2", "127.0.0.1:2")},
		{ep("cpu-1", "127.0.0.1:3")},
	}
	if diff := cmp.Diff(want, rec.history()); diff != "" {
		t.Errorf("OnChange calls mismatch (-want +got):\n%s", diff)
	}
}

func TestNotifyConcurrent(t *testing.T) {
	rec := &changeRecorder{t: t}
	s := New(Options{OnChange: rec.onChange})
	if err := s.AddPool(PoolSpec{Name: "cpu"}); err != nil {
		t.Fatal(err)
	}
	const workers = 8
	s.mu.Lock()
	for range workers {
		s.pools["cpu"].newWorker(context.Background())
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for seq := 1; seq <= workers; seq++ {
		wg.Go(func() {
			for i := range 50 {
				s.setState("cpu", seq, "127.0.0.1:1", i%2 == 0)
				s.notify("cpu")
			}
		})
	}
	wg.Wait()
	calls := rec.history()
	if len(calls) == 0 {
		t.Fatal("OnChange never called")
	}
	if last := calls[len(calls)-1]; len(last) != 0 {
		t.Errorf("last OnChange got %d endpoints, want 0 (every worker ended not ready)", len(last))
	}
}
