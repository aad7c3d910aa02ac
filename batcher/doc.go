// Package batcher queues the requests bound for one pool of workers and
// forms them into batches whose size follows the queue: long queues make
// big batches, a short queue sends at once.
//
// It has two layers so that a discrete-event simulator drives the same
// forming code as production:
//
//   - The pure layer, Queue with Form: per-class FIFO queues under strict
//     priority (Critical, High, Normal, Low), per-class limits on length
//     and on time queued (Triton's queue policy), deadline expiry, and the
//     batch-forming decision. It starts no goroutine, reads no clock and
//     never blocks; every call takes now.
//   - The concurrent layer, Pool: Submit queues a request and blocks until
//     it is answered; each worker attached with AddWorker pulls batches
//     through its slots, merges them into one request (oip.MergeRequests),
//     sends it through a Dispatcher and splits the answer back
//     (oip.SplitResponse). Time comes from an injected Clock.
//
// # Forming a batch
//
// A batch is built around the head, the oldest item of the most urgent
// non-empty class, and filled with the items of the same Key (model,
// version, and the shapes and datatypes of the inputs beyond dimension 0)
// in priority order then FIFO, while their rows fit in MaxBatch. Items of
// other keys keep their place and form their own batches when they reach
// the head, so mixed shapes alternate instead of starving one another.
//
// A class whose oldest item is past its due time is standing: it holds
// work that already missed its target, and serving it first would make
// all the work behind it late as well. A standing class serves newest
// first — its head is its newest item, and companions are gathered from
// the newest back — until its oldest item left is on time again (adaptive
// LIFO; see lifo.go). Late items are still served, as capacity frees up,
// until their deadline.
//
// # The waiting rule
//
// Form runs when a worker slot is free. When the compatible rows already
// fill MaxBatch it sends them. Otherwise it may hold the head back, hoping
// for companions, for at most
//
//	w = MaxDelay × (1 − rows/MaxBatch) − (now − head queued)
//
// capped by the members' slack,
//
//	slack = min over members of Due − now − Curve.Latency(MaxBatch),
//
// and it waits only if at least one arrival is expected within w, from an
// exponentially decayed estimate of the queue's arrival rate (time
// constant 500 ms).
//
// The reasons, term by term:
//
//   - The window shrinks linearly to zero as rows approach MaxBatch: the
//     fuller the batch, the less another row is worth (Triton's
//     preferred-batch-size idea, without configuration).
//   - The window is counted from when the head was queued, not from when
//     the slot became free: an item that already waited behind a busy
//     worker never waits again. Under load, slots are busy, items queue
//     while the worker works, and batches grow with the queue without any
//     deliberate delay — the regime Clipper's AIMD reaches by adaptation,
//     reached here by construction.
//   - The slack uses the latency of a full batch, the largest the wait can
//     produce, so waiting never pushes a member past its due time,
//     whatever arrives meanwhile. Item.Due is the caller's: the router
//     sets the earlier of the request's deadline and the end of its SLO;
//     without one, Deadline stands in.
//   - The arrival test keeps a lone request at low load from waiting for
//     nobody: waiting needs a rate of at least 1/w, a thousand requests per
//     second for a 1 ms window, so at 10% of a worker's capacity requests
//     go at once and p50 stays at t(1) — and within t(1)+MaxDelay in any
//     case. The estimate lags a sudden burst by about its time constant,
//     erring toward not waiting; it counts all keys, so with mixed shapes
//     it errs toward waiting, by at most MaxDelay.
//
// DefaultMaxDelay (1 ms) bounds the cost of a wrong guess. A Pool whose
// workers cannot batch (FormConfig.Batching false, or MaxBatch below 2)
// sends items one by one and never waits.
//
// # Deadlines and errors
//
// An item whose deadline passes while queued is removed and answered with
// ErrDeadline; it is never sent to a worker. A batch's call carries the
// latest member deadline, so one member's deadline never cuts the others
// short; a member whose deadline passes in flight gets ErrDeadline while
// the others get their rows. Sentinel errors are in errors.go; the gateway
// maps them to statuses (ErrQueueFull 429, ErrQueueTimeout 503,
// ErrDeadline 504).
//
// # Tracing
//
// A Pool given a TracerProvider records each item's wait in the queue
// (SpanQueueWait, under the span in Submit's context) and each batch
// (SpanBatch): a span of its own trace, linked to every member's span,
// whose context the Dispatcher receives. Without one it records nothing,
// at no cost. Span times come from the Pool's Clock.
//
// # Metrics
//
// Stats counts what a Pool queued, dispatched and rejected, and its Usage
// how busy its workers were (slot-seconds busy against slot-seconds
// attached). A Pool given an Observer tells it of every batch as it
// leaves the queue: its size and each member's wait. The package keeps no
// metrics registry of its own.
//
// # Priorities and shedding
//
// Priority names the classes and ShedLevel how many of them admission
// refuses: the vocabulary the router (per tier) and the gateway (for all
// traffic) share. The batcher itself sheds nothing.
//
// The package does not choose pools or workers (the router does), compute
// deadlines (the router does: Item.Deadline and Item.Due are taken as
// given), scale anything, or talk to workers itself (a Dispatcher does).
package batcher
