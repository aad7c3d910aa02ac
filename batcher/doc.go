// Package batcher queues the requests bound for one pool of workers and
// forms them into batches whose size follows the queue: long queues make
// big batches, a short queue sends at once.
//
// It has two layers so that a discrete-event simulator drives the same
// forming code as production:
//
//   - The pure layer, Queue with Form: per-class queues under strict
//     priority (Critical, High, Normal, Low), shared fairly by tenants
//     within a class (see Fair queueing), per-class limits on length
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
// A batch is built around the head, the next item in fair order of the
// most urgent non-empty class, and filled with the items of the same Key
// (model, version, and the shapes and datatypes of the inputs beyond
// dimension 0) in priority order then fair order, while their rows fit
// in MaxBatch. Items of
// other keys keep their place and form their own batches when they reach
// the head, so mixed shapes alternate instead of starving one another.
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
// # Fair queueing
//
// Within a class, tenants (Item.Tenant) share the queue by weight
// (Item.Weight) with start-time fair queueing over rows: each item gets
// a virtual start tag, the later of the class's virtual time (the tag of
// the item served last) and its tenant's previous finish tag; its finish
// tag adds rows/weight. Items leave in order of start tags, each tenant's
// in the order they came (newest first while the class is standing, see
// Adaptive LIFO). A tenant that floods the queue gets tags far ahead and
// waits its turn, while one that sends a trickle gets the current
// virtual time and goes next; tenants that both keep the queue busy are
// served rows in proportion to their weights. With one tenant this is
// FIFO while the class is on time. Strict priority between classes
// stays. When a class is full (ClassLimits.MaxLen), a tenant holding less
// of it than another pushes that tenant's newest item out, which fails
// with ErrQueueFull.
//
// # Adaptive LIFO
//
// A class is standing when the item it has held longest (the first
// pushed of those queued) is past its due time (Item.Due, else
// Item.Deadline; an item with neither is never late). Its queue then
// holds work that already missed its target, and serving it first would
// make everything behind it late as well; so a standing class serves
// newest first until its oldest item left is on time again — the
// adaptive LIFO of "Fail at Scale", with CoDel's standing-queue test and
// each item's due time as the target. Late items go as capacity frees up,
// or expire at their deadline. Queue.Standing and Stats.Standing report
// the standing classes, so that the router can count a new item of one
// as going before its class's queue.
//
// Fairness stays: the tenant whose turn it is (the least start tag of its
// oldest item) is served as before, with its newest item, and its
// companions are gathered newest first too; the turn it used moves on by
// the item's rows over its weight, as if its oldest had gone. Tenants
// keep their shares of a standing class, and one tenant's backlog makes
// only its own items late. Checking a class costs O(1): the class keeps
// its items in the order pushed beside its fair lists.
//
// # Deadlines and errors
//
// An item whose deadline passes while queued is removed and answered with
// ErrDeadline; it is never sent to a worker. A batch's call carries the
// latest member deadline, so one member's deadline never cuts the others
// short; a member whose deadline passes in flight gets ErrDeadline as it
// passes, from its puller's timer, while the others get their rows. Sentinel errors are in errors.go; the gateway
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
