package worker

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/sluice-gateway/sluice/costmodel"
)

// device emulates one accelerator: it runs one batch at a time, and
// batches that wait for it get it in arrival order. Safe for concurrent use.
type device struct {
	curve  costmodel.Curve
	clock  Clock
	counts counters

	mu   sync.Mutex
	busy bool
	// queue holds the waiting batches, oldest first; closing a channel
	// hands the device to its owner.
	queue []chan struct{}
}

func newDevice(curve costmodel.Curve, clock Clock) *device {
	return &device{curve: curve, clock: clock}
}

// run waits for the device, then holds it for the latency of a batch of
// rows. Waiting ends early when ctx is done; a batch on the device runs to
// completion whatever ctx says, as hardware would.
func (d *device) run(ctx context.Context, rows int64) error {
	if err := d.acquire(ctx); err != nil {
		return err
	}
	defer d.release()
	d.clock.Sleep(d.curve.Latency(int(rows)))
	d.counts.add(rows)
	return nil
}

// acquire takes the device, queueing behind earlier batches.
func (d *device) acquire(ctx context.Context) error {
	d.mu.Lock()
	if !d.busy {
		d.busy = true
		d.mu.Unlock()
		return nil
	}
	turn := make(chan struct{})
	d.queue = append(d.queue, turn)
	d.mu.Unlock()
	select {
	case <-turn:
		return nil
	case <-ctx.Done():
		d.leave(turn)
		return fmt.Errorf("worker: waiting for the device: %w", context.Cause(ctx))
	}
}

// leave takes turn out of the queue; if the device was handed over to it
// meanwhile, it passes the device on.
func (d *device) leave(turn chan struct{}) {
	d.mu.Lock()
	if i := slices.Index(d.queue, turn); i >= 0 {
		d.queue = slices.Delete(d.queue, i, i+1)
		d.mu.Unlock()
		return
	}
	d.mu.Unlock()
	d.release()
}

// release hands the device to the oldest waiting batch, or frees it.
func (d *device) release() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.queue) == 0 {
		d.busy = false
		return
	}
	close(d.queue[0])
	d.queue = d.queue[1:]
}

// waiting returns how many batches wait for the device.
func (d *device) waiting() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.queue)
}

// counters counts batches and their rows. Safe for concurrent use.
type counters struct {
	batches atomic.Int64
	items   atomic.Int64
}

func (c *counters) add(rows int64) {
	c.batches.Add(1)
	c.items.Add(rows)
}

func (c *counters) stats(model string) Stats {
	return Stats{Model: model, Batches: c.batches.Load(), Items: c.items.Load()}
}

// Stats counts the work served. Each request is one batch on the device;
// Items sums the batches' rows. Counts only grow, and only completed
// batches count.
type Stats struct {
	// Model names the model counted; empty for the whole worker.
	Model   string `json:"model,omitempty"`
	Batches int64  `json:"batches"`
	Items   int64  `json:"items"`
}
