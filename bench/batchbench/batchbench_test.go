package batchbench

import (
	"context"
	"errors"
	"math"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/costmodel"
)

func TestLimit(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name     string
		curve    costmodel.Curve
		maxBatch int
		want     float64
	}{
		{name: "reference GPU", curve: costmodel.Curve{Base: 32 * ms, PerItem: 4 * ms}, maxBatch: 32, want: 200},
		{name: "no batching", curve: costmodel.Curve{Base: 32 * ms, PerItem: 4 * ms}, maxBatch: 1, want: 1 / 0.036},
		{name: "max batch 0 counts as 1", curve: costmodel.Curve{Base: 200 * ms}, maxBatch: 0, want: 5},
		{name: "instant curve", curve: costmodel.Curve{}, maxBatch: 8, want: math.Inf(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Limit(tt.curve, tt.maxBatch); math.Abs(got-tt.want) > 1e-9 && got != tt.want {
				t.Errorf("Limit() = %v, want %v", got, tt.want)
			}
		})
	}
}

var (
	// gpu is the reference GPU curve: with batches of 32, a limit of 200/s.
	gpu = costmodel.Curve{Base: 32 * time.Millisecond, PerItem: 4 * time.Millisecond}
	// single serves one request per 10 ms: a limit of 100/s.
	single = costmodel.Curve{Base: 10 * time.Millisecond}
)

// pairs is a fake system that answers at once and counts every two
// requests as one batch. Calls listed in fail are answered 503.
type pairs struct {
	calls atomic.Int64
	fail  func(call int64) bool
}

func (p *pairs) Do(context.Context) error {
	n := p.calls.Add(1)
	if p.fail != nil && p.fail(n) {
		return &load.StatusError{Code: http.StatusServiceUnavailable}
	}
	return nil
}

func (p *pairs) counts() Counts {
	n := p.calls.Load()
	return Counts{Batches: n / 2, Items: n / 2 * 2}
}

func TestRunMeasuresEachLevel(t *testing.T) {
	sys := &pairs{}
	var streamed []Level
	cfg := Config{
		Target: sys, Counts: sys.counts, Curve: gpu, MaxBatch: 32, Levels: []float64{0.2, 0.5},
		Duration: time.Second, Seed: 1, OnLevel: func(lv Level) { streamed = append(streamed, lv) },
	}
	got, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, streamed); diff != "" {
		t.Errorf("levels streamed differ from those returned (-returned +streamed):\n%s", diff)
	}
	if len(got) != 2 {
		t.Fatalf("%d levels, want 2", len(got))
	}
	for i, lv := range got {
		wantRate := cfg.Levels[i] * 200
		if math.Abs(lv.OfferedRPS-wantRate) > 4*math.Sqrt(wantRate) {
			t.Errorf("level %d: offered %.1f/s, want %.0f/s within Poisson noise", i, lv.OfferedRPS, wantRate)
		}
		if lv.ServedRPS < 0.9*lv.OfferedRPS {
			t.Errorf("level %d: served %.1f/s of %.1f/s offered by an instant system", i, lv.ServedRPS, lv.OfferedRPS)
		}
		want := Level{Fraction: cfg.Levels[i], LimitRPS: 200, MeanBatch: 2, Requests: lv.Requests, Succeeded: lv.Requests}
		opts := cmpopts.IgnoreFields(Level{}, "OfferedRPS", "ServedRPS", "ServedPct", "P50ms", "P95ms", "P99ms", "IdealP50ms", "IdealP99ms", "SendLagP50ms", "SendLagP99ms")
		if diff := cmp.Diff(want, lv, opts, cmpopts.EquateApprox(0, 0.1)); diff != "" {
			t.Errorf("level %d (-want +got):\n%s", i, diff)
		}
		if math.Abs(lv.ServedPct-100*lv.ServedRPS/200) > 1e-9 {
			t.Errorf("level %d: served %.2f%% of the limit, want %.2f%%", i, lv.ServedPct, 100*lv.ServedRPS/200)
		}
	}
}

func TestRunCountsErrors(t *testing.T) {
	// The first call is the probe; after it, every other request fails.
	sys := &pairs{fail: func(n int64) bool { return n > 1 && n%2 == 0 }}
	got, err := Run(context.Background(), Config{Target: sys, Curve: single, MaxBatch: 1, Levels: []float64{0.5}, Duration: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	lv := got[0]
	if lv.Errors == 0 || lv.Errors+lv.Succeeded != lv.Requests {
		t.Fatalf("errors %d + succeeded %d, want a non-zero split of %d requests", lv.Errors, lv.Succeeded, lv.Requests)
	}
	if diff := cmp.Diff(map[string]int{"503": lv.Errors}, lv.ErrorsBy); diff != "" {
		t.Errorf("errors by reason (-want +got):\n%s", diff)
	}
	if lv.MeanBatch != 0 {
		t.Errorf("mean batch %v without counts, want 0", lv.MeanBatch)
	}
}

func TestRunFailsFast(t *testing.T) {
	ok := &pairs{}
	down := load.TargetFunc(func(context.Context) error { return errors.New("connection refused") })
	good := Config{Target: ok, Curve: single, MaxBatch: 1, Levels: []float64{0.5}, Duration: time.Second}
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr error // nil: any error
	}{
		{name: "no target", edit: func(c *Config) { c.Target = nil }, wantErr: ErrConfig},
		{name: "max batch 0", edit: func(c *Config) { c.MaxBatch = 0 }, wantErr: ErrConfig},
		{name: "instant curve", edit: func(c *Config) { c.Curve = costmodel.Curve{} }, wantErr: ErrConfig},
		{name: "no levels", edit: func(c *Config) { c.Levels = nil }, wantErr: ErrConfig},
		{name: "negative level", edit: func(c *Config) { c.Levels = []float64{0.5, -1} }, wantErr: ErrConfig},
		{name: "zero duration", edit: func(c *Config) { c.Duration = 0 }, wantErr: ErrConfig},
		{name: "probe fails", edit: func(c *Config) { c.Target = down }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.edit(&cfg)
			levels, err := Run(context.Background(), cfg)
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("Run() error = %v, want %v", err, tt.wantErr)
			}
			if levels != nil {
				t.Errorf("Run() measured %d levels before failing", len(levels))
			}
		})
	}
	if n := ok.calls.Load(); n != 0 {
		t.Errorf("a bad config sent %d requests", n)
	}
}

func TestRunStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	sys := &pairs{}
	cfg := Config{
		Target: sys, Curve: single, MaxBatch: 1, Levels: []float64{0.5, 0.5, 0.5}, Duration: 200 * time.Millisecond,
		OnLevel: func(Level) { cancel() },
	}
	got, err := Run(ctx, cfg)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run() error = %v, want context.Canceled", err)
	}
	if len(got) != 1 {
		t.Errorf("%d levels measured, want the one before the cancel", len(got))
	}
}
