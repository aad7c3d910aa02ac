package batcher

import (
	"fmt"
	"time"

	"github.com/sluice-gateway/sluice/oip"
)

// Item is one request waiting for a batch. The exported fields are the
// caller's to set before Push (or Submit) and must not change while the
// item is queued; the queue's own bookkeeping is unexported. An Item
// belongs to at most one Queue at a time.
type Item struct {
	// Model and Version name the model the request is for.
	Model, Version string
	// Req is the request. The pure Queue never reads it (a simulator may
	// leave it nil); Pool.Submit requires it.
	Req *oip.InferenceRequest
	// Priority is the item's class; the zero value is Normal.
	Priority Priority
	// Rows is the size of the request's dimension 0: its weight against
	// FormConfig.MaxBatch. Values below 1 count as 1.
	Rows int64
	// Bytes is the size of the request's data
	// (oip.InferenceRequest.DataBytes): its weight against
	// FormConfig.MaxBytes. Values below 0 count as 0.
	Bytes int64
	// Key groups mergeable items: two items may share a batch only if
	// their keys are equal. ItemKey builds it; Submit fills it from Req
	// when empty.
	Key string
	// Enqueued is when the request arrived. Push sets it to now when
	// zero.
	Enqueued time.Time
	// Deadline is the absolute time after which the answer is useless; the
	// zero value means none. An item whose deadline passes while queued is
	// never dispatched, and one whose deadline passes in flight is
	// answered ErrDeadline.
	Deadline time.Time
	// Due is when the answer stops being on time, no later than Deadline
	// (the router sets the earlier of the deadline and the end of the
	// SLO): the waiting rule never holds the item back past it. The zero
	// value means Deadline. The batcher takes Due and Deadline as given
	// and derives neither from the other.
	Due time.Time
	// Tenant is whose request it is. Within a class, tenants share the
	// queue by Weight (see the package documentation, "Fair queueing");
	// the empty tenant is one tenant like any other.
	Tenant string
	// Weight is the tenant's share of its class against the other
	// tenants' in the queue; values <= 0 count as 1. Items of one tenant
	// should agree on it: each push uses its own.
	Weight float64
	// Ref is opaque to the Queue: whoever drives it uses Ref to find the
	// item's waiting caller. Pool.Submit overwrites it.
	Ref any

	q      *Queue    // the queue holding the item; nil when not queued
	kl     *keyLists // the lists of its Key in q
	cf, kf *flow     // its tenant's flows in its class and in kl
	links  [3]link   // neighbours in the class flow, the key flow and the class's age list
	pushed time.Time // when Push queued the item
	seq    uint64    // the queue's push number, to spot stale heap entries
	start  float64   // the virtual start tag of fair queueing
	expiry error     // why Expired removed the item; nil otherwise
	// withdrawn is the cause Pool.Withdraw gave; set under the Pool's
	// lock.
	withdrawn error

	// trace holds its spans; nil when its Pool does not trace.
	trace *itemTrace
}

// NewItem returns an Item of class p for req, with Rows, Bytes and Key read from
// the request. Enqueued, Deadline and Due are left for the caller to set.
// It fails, wrapping ErrInvalidItem, when the request's rows or batch key
// cannot be read.
func NewItem(model, version string, req *oip.InferenceRequest, p Priority) (*Item, error) {
	it := &Item{Model: model, Version: version, Req: req, Priority: p}
	if err := it.fill(); err != nil {
		return nil, err
	}
	return it, nil
}

// ItemKey returns the Key of an item of model and version whose request
// has the batch key batchKey (oip.InferenceRequest.BatchKey).
func ItemKey(model, version, batchKey string) string {
	return model + "\x00" + version + "\x00" + batchKey
}

// RequestKey returns ItemKey(model, version, req.BatchKey()) in one
// allocation (two when it exceeds 192 bytes).
func RequestKey(model, version string, req *oip.InferenceRequest) string {
	var arr [192]byte
	b := append(append(append(append(arr[:0], model...), 0), version...), 0)
	return string(req.AppendBatchKey(b))
}

// Expiry reports why Queue.Expired removed the item: ErrDeadline when its
// deadline passed (this wins when both did), ErrQueueTimeout when its
// class's MaxQueueTime did, ErrQueueFull when another tenant's Push took
// its place. It is nil for an item Expired did not remove,
// and is reset by Push.
func (it *Item) Expiry() error { return it.expiry }

// Queued reports whether the item is in a queue.
func (it *Item) Queued() bool { return it.q != nil }

// fill sets Rows, Bytes and Key from Req when Key is empty.
func (it *Item) fill() error {
	if it.Key != "" {
		return nil
	}
	if it.Req == nil {
		return fmt.Errorf("%w: model %q: no request", ErrInvalidItem, it.Model)
	}
	rows, err := it.Req.Rows()
	if err != nil {
		return fmt.Errorf("%w: model %q: %w", ErrInvalidItem, it.Model, err)
	}
	it.Rows, it.Bytes = rows, it.Req.DataBytes()
	it.Key = RequestKey(it.Model, it.Version, it.Req)
	return nil
}

// weight returns the rows the item counts against MaxBatch, at least 1.
func (it *Item) weight() int64 { return max(it.Rows, 1) }

// size returns the bytes the item counts against MaxBytes, at least 0.
func (it *Item) size() int64 { return max(it.Bytes, 0) }

// share returns the tenant's weight in fair queueing: Weight, or 1 when
// it is not > 0.
func (it *Item) share() float64 {
	if it.Weight > 0 {
		return it.Weight
	}
	return 1
}

// due returns when the item's answer stops being on time, Due or else
// Deadline, and false when it has neither.
func (it *Item) due() (time.Time, bool) {
	if !it.Due.IsZero() {
		return it.Due, true
	}
	return it.Deadline, !it.Deadline.IsZero()
}
