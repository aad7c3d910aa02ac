package batcher

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestUsageMeter(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	type step struct {
		at             float64 // seconds after t0
		slots, batches int     // changes at that time
	}
	tests := []struct {
		name  string
		steps []step
		read  float64 // seconds after t0
		want  Usage
	}{
		{name: "nothing attached", read: 10, want: Usage{}},
		{
			name:  "idle slots count as capacity only",
			steps: []step{{at: 1, slots: 2}},
			read:  4, want: Usage{SlotSeconds: 6},
		},
		{
			name:  "batches in flight count as busy",
			steps: []step{{at: 0, slots: 2}, {at: 1, batches: 1}, {at: 2, batches: 1}, {at: 3, batches: -2}},
			read:  5, want: Usage{BusySeconds: 3, SlotSeconds: 10},
		},
		{
			name:  "a read includes the time since the last change",
			steps: []step{{at: 0, slots: 1, batches: 1}},
			read:  2.5, want: Usage{BusySeconds: 2.5, SlotSeconds: 2.5},
		},
		{
			name:  "time going backwards adds nothing",
			steps: []step{{at: 5, slots: 1}, {at: 3, batches: 1}},
			read:  4, want: Usage{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m usageMeter
			for _, s := range tt.steps {
				m.addSlots(at(s.at), s.slots)
				m.addBatches(at(s.at), s.batches)
			}
			if diff := cmp.Diff(tt.want, m.usage(at(tt.read))); diff != "" {
				t.Errorf("usage (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUsageShare(t *testing.T) {
	tests := []struct {
		name string
		u    Usage
		want float64
	}{
		{"no capacity", Usage{}, 0},
		{"half busy", Usage{BusySeconds: 1, SlotSeconds: 2}, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.u.Share(); got != tt.want {
				t.Errorf("Share() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestPoolUsage runs one 100 ms batch on a worker of two slots attached
// for a second, then removes the worker: its capacity stops counting.
func TestPoolUsage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPool(PoolConfig{Name: "p", Form: noWait})
		defer p.Close()
		p.AddWorker("w", &sumDispatcher{delay: 100 * time.Millisecond}, 2)
		sums(t, <-submitAsync(t.Context(), p, newItem(t, "a", Normal, 1, 1, 2)))
		time.Sleep(900 * time.Millisecond)
		p.RemoveWorker("w")
		time.Sleep(time.Second)
		want := Usage{BusySeconds: 0.1, SlotSeconds: 2}
		approx := cmp.Comparer(func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 })
		if diff := cmp.Diff(want, p.Stats().Usage, approx); diff != "" {
			t.Errorf("usage (-want +got):\n%s", diff)
		}
	})
}
