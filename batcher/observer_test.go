package batcher

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// observed is what a recordingObserver was told.
type observed struct {
	Batches [][2]int64 // items, rows
	Waits   map[Priority][]time.Duration
}

// recordingObserver is a fake Observer that keeps what it is told.
type recordingObserver struct {
	mu  sync.Mutex
	got observed
}

func (o *recordingObserver) seen() observed {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.got
}

var _ Observer = (*recordingObserver)(nil)

func (o *recordingObserver) ObserveBatch(items int, rows int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got.Batches = append(o.got.Batches, [2]int64{int64(items), rows})
}

func (o *recordingObserver) ObserveWait(p Priority, wait time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.got.Waits == nil {
		o.got.Waits = map[Priority][]time.Duration{}
	}
	o.got.Waits[p] = append(o.got.Waits[p], wait)
}

// TestPoolObserver queues three items 10 ms apart before any worker, then
// attaches one 50 ms later: one batch of three items and four rows, and
// each item's wait since its own Push.
func TestPoolObserver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		obs := &recordingObserver{}
		p := NewPool(PoolConfig{Name: "p", Form: noWait, Observer: obs})
		defer p.Close()
		var outs []<-chan outcome
		for i, it := range []*Item{
			newItem(t, "a", High, 1, 2, 2), newItem(t, "b", Normal, 2, 1, 2), newItem(t, "c", Normal, 3, 1, 2),
		} {
			if i > 0 {
				time.Sleep(10 * time.Millisecond)
			}
			outs = append(outs, submitAsync(t.Context(), p, it))
			synctest.Wait()
		}
		time.Sleep(50 * time.Millisecond)
		p.AddWorker("w", &sumDispatcher{}, 1)
		for _, ch := range outs {
			sums(t, <-ch)
		}
		ms := time.Millisecond
		want := observed{
			Batches: [][2]int64{{3, 4}},
			Waits:   map[Priority][]time.Duration{High: {70 * ms}, Normal: {60 * ms, 50 * ms}},
		}
		if diff := cmp.Diff(want, obs.seen()); diff != "" {
			t.Errorf("observed (-want +got):\n%s", diff)
		}
	})
}
