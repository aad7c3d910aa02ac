package scaler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeSource returns its snapshot, or its error.
type fakeSource struct {
	snap Snapshot
	err  error
}

func (f *fakeSource) Snapshot(context.Context) (Snapshot, error) { return f.snap, f.err }

// fakeActuator records calls and fails those for pools in fail.
type fakeActuator struct {
	calls []string
	fail  map[string]bool
}

func (f *fakeActuator) SetReplicas(_ context.Context, pool string, n int) error {
	f.calls = append(f.calls, fmt.Sprintf("%s=%d", pool, n))
	if f.fail[pool] {
		return errors.New("driver down")
	}
	return nil
}

// fakeAdmission records calls.
type fakeAdmission struct{ calls []string }

func (f *fakeAdmission) SetShed(tier string, s Shed) {
	f.calls = append(f.calls, tier+" shed "+s.String())
}
func (f *fakeAdmission) SetFallback(tier string, on bool) {
	f.calls = append(f.calls, fmt.Sprint(tier, " fallback ", on))
}

var (
	_ Source    = (*fakeSource)(nil)
	_ Actuator  = (*fakeActuator)(nil)
	_ Admission = (*fakeAdmission)(nil)
)

func loopSpec(t *testing.T) *Spec {
	return mustSpec(t, Config{
		Pools: []PoolConfig{cpuPool("a", 0, 100), cpuPool("b", 0, 100)},
		Tiers: []TierConfig{tier("ta", "a"), tier("tb", "b")},
	})
}

// inFlight returns a snapshot whose pools need a and b replicas for their
// items in flight (at batch 1), which no smoothing delays.
func inFlight(a, b int) Snapshot {
	return Snapshot{Pools: map[string]PoolSnapshot{"a": {Ready: 2, InFlight: a}, "b": {Ready: 2, InFlight: b}}}
}

func TestLoopApplies(t *testing.T) {
	src, act, adm := &fakeSource{snap: inFlight(2, 2)}, &fakeActuator{fail: map[string]bool{}}, &fakeAdmission{}
	var logs bytes.Buffer
	var seen []Decision
	l, err := NewLoop(loopSpec(t), src, LoopOptions{
		Actuator: act, Admission: adm, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		OnDecision: func(d Decision) { seen = append(seen, d) },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	steps := []struct {
		name      string
		snap      Snapshot
		fail      string
		wantCalls []string
		wantAdmit []string
		wantErr   bool
	}{
		{name: "first tick applies every pool and tier", snap: inFlight(2, 2),
			wantCalls: []string{"a=2", "b=2"},
			wantAdmit: []string{"ta shed none", "ta fallback false", "tb shed none", "tb fallback false"}},
		{name: "unchanged sizes are not sent again", snap: inFlight(2, 2)},
		{name: "only the changed pool is sent", snap: inFlight(2, 8), wantCalls: []string{"b=8"}},
		{name: "a failed pool is reported", snap: inFlight(4, 8), fail: "a", wantCalls: []string{"a=4"}, wantErr: true},
		{name: "and retried at the next tick", snap: inFlight(4, 8), wantCalls: []string{"a=4"}},
	}
	for i, s := range steps {
		act.calls, adm.calls, src.snap = nil, nil, s.snap
		act.fail = map[string]bool{s.fail: true}
		d := l.Tick(ctx, t0.Add(time.Duration(i)*2*time.Second))
		if diff := cmp.Diff(s.wantCalls, act.calls); diff != "" {
			t.Errorf("%s: SetReplicas calls (-want +got):\n%s", s.name, diff)
		}
		if diff := cmp.Diff(s.wantAdmit, adm.calls); diff != "" {
			t.Errorf("%s: admission calls (-want +got):\n%s", s.name, diff)
		}
		if (d.Err != nil) != s.wantErr {
			t.Errorf("%s: Err = %v, want error %v", s.name, d.Err, s.wantErr)
		}
	}
	if len(seen) != len(steps) {
		t.Errorf("OnDecision saw %d decisions, want %d", len(seen), len(steps))
	}
	for _, want := range []string{`msg="scaler: resize" pool=b from=2 to=8`, `reason="8 in flight at batch 1"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, logs.String())
		}
	}
	if n, err := l.Desired("b"); n != 8 || err != nil {
		t.Errorf("Desired(b) = %d, %v; want 8, nil", n, err)
	}
}

func TestLoopDryRun(t *testing.T) {
	act, adm := &fakeActuator{}, &fakeAdmission{}
	l, err := NewLoop(loopSpec(t), &fakeSource{snap: inFlight(2, 8)}, LoopOptions{Actuator: act, Admission: adm, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	d := l.Tick(context.Background(), t0)
	if len(act.calls)+len(adm.calls) != 0 {
		t.Errorf("dry run acted: %v %v", act.calls, adm.calls)
	}
	if !d.DryRun || d.Plan.Replicas["b"] != 8 {
		t.Errorf("decision = %+v, want a dry run planning 8 replicas of b", d)
	}
	if p, ok := l.Plan(); !ok || p.Replicas["b"] != 8 {
		t.Errorf("Plan() = %v, %v; want the dry run's plan", p.Replicas, ok)
	}
}

func TestLoopSnapshotError(t *testing.T) {
	src := &fakeSource{snap: inFlight(2, 2)}
	l, err := NewLoop(loopSpec(t), src, LoopOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Desired("a"); !errors.Is(err, ErrNoPlan) {
		t.Errorf("Desired before a plan: %v, want ErrNoPlan", err)
	}
	l.Tick(context.Background(), t0)
	updated := l.Updated()
	src.err = errors.New("stats unavailable")
	d := l.Tick(context.Background(), t0.Add(2*time.Second))
	if d.Err == nil || !strings.Contains(d.Err.Error(), "scaler: snapshot: stats unavailable") {
		t.Errorf("Err = %v, want the snapshot error", d.Err)
	}
	select {
	case <-updated:
		t.Error("Updated closed without a new plan")
	default:
	}
	if p, _ := l.Plan(); !p.At.Equal(t0) {
		t.Errorf("plan at %v, want the one at t0 kept", p.At)
	}
	if h := l.History(); len(h) != 2 || h[1].Err == nil {
		t.Errorf("history = %+v, want 2 decisions, the second failed", h)
	}
	if _, err := l.Desired("nope"); !errors.Is(err, ErrUnknownPool) {
		t.Errorf("Desired(nope): %v, want ErrUnknownPool", err)
	}
}

func TestLoopHistory(t *testing.T) {
	l, err := NewLoop(loopSpec(t), &fakeSource{snap: inFlight(2, 2)}, LoopOptions{History: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		l.Tick(context.Background(), t0.Add(time.Duration(i)*time.Second))
	}
	var got []int
	for _, d := range l.History() {
		got = append(got, d.At.Second())
	}
	if diff := cmp.Diff([]int{2, 3, 4}, got); diff != "" {
		t.Errorf("history seconds (-want +got):\n%s", diff)
	}
}

func TestLoopRun(t *testing.T) {
	l, err := NewLoop(loopSpec(t), &fakeSource{snap: inFlight(2, 2)}, LoopOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ticks := make(chan time.Time)
	done := make(chan error)
	go func() { done <- l.Run(context.Background(), ticks) }()
	updated := l.Updated()
	ticks <- t0
	<-updated
	if p, ok := l.Plan(); !ok || !p.At.Equal(t0) {
		t.Errorf("Plan() at %v, %v; want t0", p.At, ok)
	}
	close(ticks)
	if err := <-done; err != nil {
		t.Errorf("Run after ticks closed = %v, want nil", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Run(ctx, make(chan time.Time)); !errors.Is(err, context.Canceled) {
		t.Errorf("Run after cancel = %v, want context.Canceled", err)
	}
}

func TestNewLoopNoSource(t *testing.T) {
	if _, err := NewLoop(loopSpec(t), nil, LoopOptions{}); !errors.Is(err, ErrNoSource) {
		t.Errorf("NewLoop(nil source) = %v, want ErrNoSource", err)
	}
}

func TestLoopSetSpec(t *testing.T) {
	l, err := NewLoop(loopSpec(t), &fakeSource{snap: inFlight(2, 2)}, LoopOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l.Tick(context.Background(), t0)
	l.SetSpec(mustSpec(t, Config{Pools: []PoolConfig{cpuPool("a", 0, 100)}, Tiers: []TierConfig{tier("ta", "a")}}))
	d := l.Tick(context.Background(), t0.Add(2*time.Second))
	if diff := cmp.Diff(map[string]int{"a": 2}, d.Plan.Replicas); diff != "" {
		t.Errorf("replicas after SetSpec (-want +got):\n%s", diff)
	}
}

func TestLoopAdmission(t *testing.T) {
	// A pool that starts at once is sized for a surge from its first tick.
	instant := cpuPool("a", 0, 100)
	instant.ColdStart = 0
	spec := mustSpec(t, Config{Pools: []PoolConfig{instant}, Tiers: []TierConfig{tier("ta", "a")}, Budget: Budget{PerHour: 0.3}})
	src, adm := &fakeSource{}, &fakeAdmission{}
	short := Snapshot{Tiers: map[string]TierSnapshot{"ta": {ArrivalRate: 40, LowRate: 5, NormalRate: 5}}}
	l, err := NewLoop(spec, src, LoopOptions{Admission: adm})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		snap Snapshot
		want []string
	}{
		{"first tick sets every tier", Snapshot{}, []string{"ta shed none", "ta fallback false"}},
		// 20 rps forecast, 15 within the budget: short by the low class's 5.
		{"a cut below demand sheds low", short, []string{"ta shed low"}},
		// 35 rps forecast: short by more than low and normal together.
		{"a deeper cut sheds normal and falls back", short, []string{"ta shed normal", "ta fallback true"}},
		{"unchanged directives are not sent again", short, nil},
	}
	for i, s := range steps {
		adm.calls, src.snap = nil, s.snap
		l.Tick(context.Background(), t0.Add(time.Duration(i)*2*time.Second))
		if diff := cmp.Diff(s.want, adm.calls); diff != "" {
			t.Errorf("%s: admission calls (-want +got):\n%s", s.name, diff)
		}
	}
}
