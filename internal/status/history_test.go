package status

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/internal/app/apptest"
)

func TestSampler(t *testing.T) {
	// A window of 10 s at one sample per 5 s holds 2 samples.
	tests := []struct {
		name string
		// steps are the times between samples; after is the time from the
		// last sample to the read.
		steps []time.Duration
		after time.Duration
		// want are the read samples' offsets from apptest.Epoch, in seconds.
		want []int
	}{
		{name: "empty", want: []int{}},
		{name: "one", steps: []time.Duration{0}, want: []int{0}},
		{name: "fills the ring", steps: []time.Duration{0, 5 * time.Second}, want: []int{0, 5}},
		{name: "drops the oldest when full", steps: []time.Duration{0, 5 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second},
			want: []int{15, 20}},
		{name: "faster samples keep the latest ring-full", steps: []time.Duration{0, time.Second, time.Second, time.Second, time.Second},
			want: []int{3, 4}},
		{name: "a sample at the window's start is out", steps: []time.Duration{0, 5 * time.Second, 5 * time.Second}, after: 5 * time.Second,
			want: []int{10}},
		{name: "all stale", steps: []time.Duration{0, 5 * time.Second}, after: time.Minute, want: []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := apptest.NewClock()
			s := newSampler(clk.Now, 10*time.Second, 5*time.Second)
			for i, step := range tt.steps {
				clk.Advance(step)
				s.record(func(now time.Time) sample {
					return sample{At: now, Pools: map[string]poolSample{"p": {Replicas: i}}}
				})
			}
			clk.Advance(tt.after)
			got := []int{}
			for _, smp := range s.recent() {
				got = append(got, int(smp.At.Sub(apptest.Epoch)/time.Second))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("samples at (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSamplerSizesItsRing(t *testing.T) {
	s := newSampler(time.Now, Window, Step)
	if got, want := len(s.ring), 180; got != want {
		t.Errorf("ring of %d samples, want %d (15 minutes at 5 s)", got, want)
	}
}

func TestSampleOf(t *testing.T) {
	layout := statusFixture().Layout
	live := map[string]Live{
		"cpu":      {Ready: 2, Starting: 1, Rate: 12.5, Queued: 9},
		"gpu-spot": {Ready: 1, Rate: 40},
		"gpu":      {Ready: 5, Err: errors.New("unknown")},
		"removed":  {Ready: 7},
	}
	want := sample{At: statusNow, Pools: map[string]poolSample{
		"cpu":      {Rate: 12.5, Replicas: 3, USDPerHour: 0.30000000000000004},
		"gpu-spot": {Rate: 40, Replicas: 1, USDPerHour: 1.2},
	}}
	if diff := cmp.Diff(want, sampleOf(statusNow, layout, live)); diff != "" {
		t.Errorf("sampleOf (-want +got):\n%s", diff)
	}
}

func TestDecisionLog(t *testing.T) {
	at := func(s int) time.Time { return apptest.Epoch.Add(time.Duration(s) * time.Second) }
	changed := func(s int) DecisionView {
		return DecisionView{At: at(s), Changes: []ChangeView{{Pool: "p", From: 1, To: 2}}}
	}
	event := func(s int) DecisionView { return DecisionView{At: at(s), Events: []string{"budget_cut"}} }
	failed := func(s int) DecisionView { return DecisionView{At: at(s), Error: "boom"} }
	idle := func(s int) DecisionView { return DecisionView{At: at(s), Changes: []ChangeView{}, Events: []string{}} }
	tests := []struct {
		name    string
		size    int
		batches [][]DecisionView
		want    []int // seconds of the kept decisions
	}{
		{name: "keeps those worth reading", size: 5,
			batches: [][]DecisionView{{idle(1), changed(2), idle(3), event(4), failed(5), idle(6)}}, want: []int{2, 4, 5}},
		{name: "the same history twice is kept once", size: 5,
			batches: [][]DecisionView{{changed(1), changed(2)}, {changed(1), changed(2), changed(3)}}, want: []int{1, 2, 3}},
		{name: "older than seen is ignored", size: 5,
			batches: [][]DecisionView{{changed(5)}, {changed(4)}}, want: []int{5}},
		{name: "drops the oldest beyond its size", size: 2,
			batches: [][]DecisionView{{changed(1), changed(2)}, {changed(3)}}, want: []int{2, 3}},
		{name: "size 0 keeps nothing", size: 0, batches: [][]DecisionView{{changed(1)}}, want: []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newDecisionLog(tt.size)
			for _, b := range tt.batches {
				l.add(b)
			}
			got := []int{}
			for _, d := range l.recent() {
				got = append(got, int(d.At.Sub(apptest.Epoch)/time.Second))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
		})
	}
}
