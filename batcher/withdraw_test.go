package batcher

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestPoolWithdraw withdraws an item before its Submit, while it is
// queued, and while its batch is in flight: each time Submit returns the
// cause at once, the item leaves the queue (counted as cancelled when it
// was queued), and the worker's later answer is dropped.
func TestPoolWithdraw(t *testing.T) {
	errBack := errors.New("sent back")
	tests := []struct {
		name string
		// worker is set when the pool has a worker, whose calls take
		// delay: the item is in flight when withdrawn.
		worker  bool
		before  bool // withdrawn before Submit
		wantRej Rejections
		batches int
	}{
		{name: "before submit", before: true},
		{name: "queued", wantRej: Rejections{Canceled: 1}},
		{name: "in flight", worker: true, batches: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := NewPool(PoolConfig{Name: "p"})
				defer p.Close()
				d := &sumDispatcher{delay: time.Second}
				if tt.worker {
					p.AddWorker("w", d, 1)
				}
				it := newItem(t, "x", High, 0, 1, 2)
				if tt.before {
					p.Withdraw(it, errBack)
				}
				out := queueAll(t.Context(), p, it)[0]
				if !tt.before {
					p.Withdraw(it, errBack)
				}
				synctest.Wait()
				select {
				case o := <-out:
					if o.err != errBack {
						t.Errorf("Submit = %v, %v; want the cause %v as it is", o.resp, o.err, errBack)
					}
				default:
					t.Fatal("Submit still waits after Withdraw")
				}
				time.Sleep(2 * time.Second) // the batch in flight, if any, ends
				synctest.Wait()
				st := p.Stats()
				if st.Queued.Total() != 0 {
					t.Errorf("Queued = %d, want 0", st.Queued.Total())
				}
				if diff := cmp.Diff(tt.wantRej, st.Rejected); diff != "" {
					t.Errorf("Rejected (-want +got):\n%s", diff)
				}
				if got := len(d.seen()); got != tt.batches {
					t.Errorf("worker saw %d batches, want %d", got, tt.batches)
				}
			})
		})
	}
}
