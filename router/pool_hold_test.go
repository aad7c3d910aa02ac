package router

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
)

// holdPool is a pool of the hold's table: its price, cold start, curve
// and limits, whether it starts on demand, and whether it has a worker.
type holdPool struct {
	name      string
	price     float64
	coldStart time.Duration
	base      time.Duration
	maxBatch  int
	activate  bool
	ready     bool
}

func TestHoldChoosesAPool(t *testing.T) {
	cheap := holdPool{name: "cheap", price: 0.1, coldStart: 10 * time.Second, base: ms, maxBatch: 8, activate: true}
	dear := holdPool{name: "dear", price: 1, coldStart: 10 * time.Second, base: ms, maxBatch: 8, activate: true}
	quick := holdPool{name: "quick", price: 3, coldStart: time.Second, base: ms, maxBatch: 8, activate: true}
	fixed := holdPool{name: "fixed", price: 0.01, base: ms, maxBatch: 8}
	tests := []struct {
		name  string
		pools []holdPool
		rows  int64
		want  string // "" for none
	}{
		{"no pool starts on demand", []holdPool{fixed}, 1, ""},
		{"the fastest cold start", []holdPool{cheap, quick, fixed}, 1, "quick"},
		{"equal starts: the cheapest", []holdPool{dear, cheap}, 1, "cheap"},
		{"all equal: the first in the tier", []holdPool{dear, named(dear, "twin")}, 1, "dear"},
		{"a pool with a worker is not empty", []holdPool{withReady(quick), cheap}, 1, "cheap"},
		{"too many rows for its batches", []holdPool{quick, cheap}, 16, ""},
		{"too slow for the SLO even idle", []holdPool{withBase(quick, 2*time.Second), dear}, 1, "dear"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := holdRouter(t, tt.pools)
			m := Model{Name: "m", Tier: "t", SLO: time.Second, Batching: true}
			p, ok := r.hold(r.tables().tiers["t"], Facts{Model: "m", Rows: tt.rows, SLO: m.SLO}, m)
			got := ""
			if ok {
				got = p.Name()
			}
			if got != tt.want {
				t.Errorf("hold chose %q, want %q", got, tt.want)
			}
		})
	}
}

func named(p holdPool, name string) holdPool { p.name = name; return p }

func withReady(p holdPool) holdPool { p.ready = true; return p }

func withBase(p holdPool, base time.Duration) holdPool { p.base = base; return p }

// holdRouter is a router of one tier "t" over pools, in order; a ready
// pool has a worker that is never dialled.
func holdRouter(t *testing.T, pools []holdPool) *Router {
	t.Helper()
	cfg := Config{Tiers: map[string][]string{}, Clock: newFakeClock(t0)}
	for _, hp := range pools {
		curve := costmodel.Curve{Base: hp.base}
		cfg.Pools = append(cfg.Pools, PoolConfig{
			Name:     hp.name,
			Queue:    batcher.PoolConfig{Form: batcher.FormConfig{MaxBatch: hp.maxBatch, Batching: true, Curve: curve}},
			Cost:     costmodel.Pool{PricePerHour: hp.price, ColdStart: hp.coldStart, Curve: curve, MaxBatch: hp.maxBatch},
			Activate: hp.activate,
		})
		cfg.Tiers["t"] = append(cfg.Tiers["t"], hp.name)
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	for _, hp := range pools {
		if !hp.ready {
			continue
		}
		if err := r.SetEndpoints(hp.name, []Endpoint{{ID: hp.name + "-1", GRPC: "127.0.0.1:1"}}); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// TestEvacuateSparesHeld takes the last worker out of a pool with a held
// and an ordinary submission in progress: only the ordinary one is sent
// back to be routed elsewhere.
func TestEvacuateSparesHeld(t *testing.T) {
	p, _, _ := testPool(t, HealthConfig{})
	ordinary, cancelOrdinary := context.WithCancelCause(context.Background())
	held, cancelHeld := context.WithCancelCause(context.Background())
	defer cancelOrdinary(nil)
	defer cancelHeld(nil)
	for _, wt := range []*waiter{{cancel: cancelOrdinary}, {cancel: cancelHeld, held: true}} {
		if !p.enter(wt) {
			t.Fatal("a pool with a ready worker refused a submission")
		}
	}
	if err := p.SetEndpoints(nil); err != nil {
		t.Fatal(err)
	}
	if cause := context.Cause(ordinary); !errors.Is(cause, errEvacuated) {
		t.Errorf("ordinary submission: cause %v, want errEvacuated", cause)
	}
	if cause := context.Cause(held); cause != nil {
		t.Errorf("held submission: cause %v, want none (still waiting)", cause)
	}
	if p.enter(&waiter{cancel: cancelOrdinary}) {
		t.Error("a pool without workers took an ordinary submission")
	}
	if !p.enter(&waiter{cancel: cancelHeld, held: true}) {
		t.Error("a pool without workers refused a held submission")
	}
}
