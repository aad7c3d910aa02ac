package local

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestHealthObserve(t *testing.T) {
	const threshold = 3
	tests := []struct {
		name   string
		probes []bool
		want   health
	}{
		{"new worker is not ready", nil, health{}},
		{"first pass makes ready", []bool{true}, health{ready: true}},
		{"failures before the first pass keep it out", []bool{false, false, false, false}, health{fails: 4}},
		{"ready survives failures below threshold", []bool{true, false, false}, health{ready: true, fails: 2}},
		{"threshold failures take it out", []bool{true, false, false, false}, health{fails: 3}},
		{"one pass brings it back", []bool{true, false, false, false, true}, health{ready: true}},
		{"a pass resets the count", []bool{true, false, false, true, false, false}, health{ready: true, fails: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h health
			for _, ok := range tt.probes {
				h = h.observe(ok, threshold)
			}
			if h != tt.want {
				t.Errorf("after %v: health = %+v, want %+v", tt.probes, h, tt.want)
			}
		})
	}
}

func TestProberProbe(t *testing.T) {
	status := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/ready" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(code)
		}
	}
	tests := []struct {
		name    string
		handler http.Handler
		want    bool
	}{
		{"200 is ready", status(http.StatusOK), true},
		{"503 is not ready", status(http.StatusServiceUnavailable), false},
		{"204 is not ready", status(http.StatusNoContent), false},
		{"a hung server times out", http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }), false},
	}
	p := prober{client: &http.Client{}, timeout: 100 * time.Millisecond}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			if got := p.probe(context.Background(), addrs{HTTP: srv.Listener.Addr().String()}, "/ready"); got != tt.want {
				t.Errorf("probe() = %v, want %v", got, tt.want)
			}
		})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listening := ln.Addr().String()
	defer ln.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := closed.Addr().String()
	closed.Close()
	t.Run("nothing listening is not ready", func(t *testing.T) {
		if p.probe(context.Background(), addrs{HTTP: gone}, "/ready") {
			t.Error("probe() = true, want false")
		}
	})
	t.Run("without a path, a port that accepts is ready", func(t *testing.T) {
		if !p.probe(context.Background(), addrs{GRPC: listening}, "") {
			t.Error("probe() = false, want true")
		}
		if p.probe(context.Background(), addrs{GRPC: gone}, "") {
			t.Error("probe() of a closed port = true, want false")
		}
	})
}
