package router

import (
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluice-gateway/sluice/costmodel"
)

// slowPool is a pool of three workers, w0 to w2, whose curve is 10 ms +
// 2 ms per row, on a fake clock; the tests report batches themselves.
func slowPool(t *testing.T, factor float64) *Pool {
	t.Helper()
	h := HealthConfig{EjectAfter: 3, EjectFor: time.Minute, Timeout: time.Second, SlowFactor: factor}
	p := newPool(PoolConfig{Name: "p", Cost: costmodel.Pool{Curve: costmodel.Curve{Base: 10 * ms, PerItem: 2 * ms}}}, poolDeps{
		clock: newFakeClock(t0), health: h, log: slog.New(slog.DiscardHandler), window: 10 * time.Second,
	})
	t.Cleanup(p.close)
	var eps []Endpoint
	for i := range 3 {
		eps = append(eps, Endpoint{ID: fmt.Sprint("w", i), GRPC: "127.0.0.1:1"})
	}
	if err := p.SetEndpoints(eps); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSlowWorkerEjection(t *testing.T) {
	// times scales the curve's 14 ms for a batch of 2 rows.
	type batch struct {
		worker string
		times  float64
	}
	round := func(times ...float64) []batch {
		var bs []batch
		for i, x := range times {
			bs = append(bs, batch{fmt.Sprint("w", i), x})
		}
		return bs
	}
	repeat := func(n int, bs []batch) []batch {
		var out []batch
		for range n {
			out = append(out, bs...)
		}
		return out
	}
	tests := []struct {
		name    string
		factor  float64
		batches []batch
		ejected []string
	}{
		{"ten times slower than its peers", 3, repeat(4, round(1.2, 10, 1.1)), []string{"w1"}},
		{"the whole pool slow", 3, repeat(4, round(5, 6, 5.5)), nil},
		{"slow now and then", 3, repeat(4, append(round(1, 10, 1), batch{"w1", 1})), nil},
		{"within the factor", 3, repeat(5, round(1, 2.9, 1)), nil},
		{"off", 0, repeat(4, round(1, 10, 1)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := slowPool(t, tt.factor)
			for _, b := range tt.batches {
				p.done(p.workers[b.worker], "m", costmodel.Size{Rows: 2}, time.Duration(b.times*float64(14*ms)), nil)
			}
			var ejected []string
			for _, id := range []string{"w0", "w1", "w2"} {
				if p.workers[id].health.ejected() {
					ejected = append(ejected, id)
				}
			}
			if diff := cmp.Diff(tt.ejected, ejected); diff != "" {
				t.Errorf("ejected workers (-want +got):\n%s", diff)
			}
			if got, want := p.Ready(), 3-len(tt.ejected); got != want {
				t.Errorf("%d workers ready, want %d", got, want)
			}
		})
	}
}

func TestSlownessError(t *testing.T) {
	p := slowPool(t, 3)
	w := p.workers["w0"]
	if err := p.slowness(w, 1, 100*ms, nil); !errors.Is(err, ErrBackend) || !errors.Is(err, errSlow) {
		t.Errorf("a batch of 1 row in 100ms on a 12ms curve: %v, want ErrBackend and errSlow", err)
	}
	if err := p.slowness(w, 1, 30*ms, nil); err != nil {
		t.Errorf("a batch near the worker's own pace: %v, want nil", err)
	}
	cause := errors.New("refused")
	if err := p.slowness(w, 1, 100*ms, cause); err != cause {
		t.Errorf("a failed batch: %v, want its own error", err)
	}
}

func TestPace(t *testing.T) {
	var p pace
	for _, s := range []float64{2, 4, 4} {
		p = p.add(s)
	}
	want := pace{avg: 2.72, batches: 3} // 2, then 2 + 0.2·(4-2), then 2.4 + 0.2·(4-2.4)
	if diff := cmp.Diff(want, p, cmp.AllowUnexported(pace{}), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("pace (-want +got):\n%s", diff)
	}
}

// TestSlowBatchTeachesNothing checks that a batch counted slow against
// its worker leaves the pool's learned latency alone: it tells of the
// worker, and the pool's other workers serve at the curve.
func TestSlowBatchTeachesNothing(t *testing.T) {
	p := slowPool(t, 3)
	two := costmodel.Size{Rows: 2}
	for range 3 {
		p.done(p.workers["w0"], "m", two, 14*ms, nil)
		p.done(p.workers["w1"], "m", two, 140*ms, nil)
		p.done(p.workers["w2"], "m", two, 14*ms, nil)
	}
	if got := p.learned.ModelObservations("m"); got != 6 {
		t.Errorf("the pool learned from %d batches, want the 6 at the curve's pace", got)
	}
	if got := p.learned.Latency("m", two); got < 13*ms || got > 15*ms {
		t.Errorf("learned latency of 2 rows %v, want the curve's 14ms", got)
	}
}
