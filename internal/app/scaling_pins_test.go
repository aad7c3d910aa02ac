package app

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/scaler"
)

// pinsConfig has pools cpu (min 1, max 4, started with 2) and gpu (min 0,
// max 2, started with 1) in one tier.
func pinsConfig() (scaler.Config, map[string]int) {
	curve := costmodel.Curve{Base: 20 * time.Millisecond, PerItem: 5 * time.Millisecond}
	return scaler.Config{
		Pools: []scaler.PoolConfig{
			{Pool: costmodel.Pool{Name: "cpu", PricePerHour: 0.1, Curve: curve, MaxBatch: 8}, Min: 1, Max: 4},
			{Pool: costmodel.Pool{Name: "gpu", PricePerHour: 1.2, Curve: curve, MaxBatch: 8}, Max: 2},
		},
		Tiers:         []scaler.TierConfig{{Name: "t", SLO: time.Second, Pools: []string{"cpu", "gpu"}}},
		Stabilization: time.Minute,
		Interval:      configs.DefaultScalerInterval, HoldColdStarts: configs.DefaultHoldColdStarts,
		PanicWindow: configs.DefaultPanicWindow, PanicThreshold: configs.DefaultPanicThreshold,
		SpotShareMax: configs.DefaultSpotShareMax, SpotBackoff: configs.DefaultSpotBackoff,
		QueueDrainTarget: configs.DefaultQueueDrainTarget,
	}, map[string]int{"cpu": 2, "gpu": 1}
}

func intp(n int) *int { return &n }

func TestPins(t *testing.T) {
	type pinStep struct {
		pool string
		pin  poolPin
	}
	tests := []struct {
		name    string
		expired bool // the startup window has ended
		pins    []pinStep
		want    map[string][2]int // pool → min, max
		wantErr error
	}{
		{name: "startup: minimums raised to the initial sizes",
			want: map[string][2]int{"cpu": {2, 4}, "gpu": {1, 2}}},
		{name: "after startup: the configured bounds", expired: true,
			want: map[string][2]int{"cpu": {1, 4}, "gpu": {0, 2}}},
		{name: "scale to min now: max pinned to the min", expired: true,
			pins: []pinStep{{"cpu", poolPin{Max: intp(1)}}},
			want: map[string][2]int{"cpu": {1, 1}, "gpu": {0, 2}}},
		{name: "a pinned max caps the startup minimum",
			pins: []pinStep{{"cpu", poolPin{Max: intp(1)}}},
			want: map[string][2]int{"cpu": {1, 1}, "gpu": {1, 2}}},
		{name: "both bounds", expired: true,
			pins: []pinStep{{"gpu", poolPin{Min: intp(2), Max: intp(2)}}},
			want: map[string][2]int{"cpu": {1, 4}, "gpu": {2, 2}}},
		{name: "a pin replaces the previous one", expired: true,
			pins: []pinStep{{"gpu", poolPin{Min: intp(2)}}, {"gpu", poolPin{Max: intp(1)}}},
			want: map[string][2]int{"cpu": {1, 4}, "gpu": {0, 1}}},
		{name: "an empty pin unpins", expired: true,
			pins: []pinStep{{"cpu", poolPin{Min: intp(3)}}, {"cpu", poolPin{}}},
			want: map[string][2]int{"cpu": {1, 4}, "gpu": {0, 2}}},
		{name: "min above max is refused", expired: true,
			pins:    []pinStep{{"cpu", poolPin{Min: intp(5)}}},
			want:    map[string][2]int{"cpu": {1, 4}, "gpu": {0, 2}},
			wantErr: scaler.ErrInvalidSpec},
		{name: "max of zero is refused", expired: true,
			pins:    []pinStep{{"gpu", poolPin{Max: intp(0)}}},
			want:    map[string][2]int{"cpu": {1, 4}, "gpu": {0, 2}},
			wantErr: scaler.ErrInvalidSpec},
		{name: "unknown pool", expired: true,
			pins:    []pinStep{{"tpu", poolPin{Max: intp(1)}}},
			want:    map[string][2]int{"cpu": {1, 4}, "gpu": {0, 2}},
			wantErr: errUnknownPool},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, initial := pinsConfig()
			var got *scaler.Spec
			p, spec, err := newPins(base, initial, apptest.Epoch, func(s *scaler.Spec) { got = s })
			if err != nil {
				t.Fatal(err)
			}
			got = spec
			if tt.expired {
				if err := p.expire(apptest.Epoch.Add(time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			for _, s := range tt.pins {
				if _, err = p.pin(s.pool, s.pin); err != nil {
					break
				}
			}
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("pin error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, specBounds(got)); diff != "" {
				t.Errorf("bounds of the loop's spec (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, poolBounds(p.current())); diff != "" {
				t.Errorf("current bounds (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPinsExpire ends the startup minimums only once, at their time.
func TestPinsExpire(t *testing.T) {
	base, initial := pinsConfig()
	sets := 0
	p, _, err := newPins(base, initial, apptest.Epoch, func(*scaler.Spec) { sets++ })
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Duration{0, 59 * time.Second, time.Minute, 2 * time.Minute} {
		if err := p.expire(apptest.Epoch.Add(at)); err != nil {
			t.Fatal(err)
		}
	}
	if sets != 1 {
		t.Errorf("the loop got %d specs, want 1 at the end of startup", sets)
	}
	if b, ok := p.bounds("cpu"); !ok || b.Min != 1 {
		t.Errorf("cpu bounds after startup %+v (%v), want min 1", b, ok)
	}
	if _, ok := p.bounds("tpu"); ok {
		t.Error("bounds of an unknown pool reported")
	}
}

func specBounds(s *scaler.Spec) map[string][2]int { return poolBounds(s.Config().Pools) }

func poolBounds(pools []scaler.PoolConfig) map[string][2]int {
	out := map[string][2]int{}
	for _, pc := range pools {
		out[pc.Name] = [2]int{pc.Min, pc.Max}
	}
	return out
}
