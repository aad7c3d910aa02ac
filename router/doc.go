// Package router decides where each request goes and keeps the workers
// that serve it.
//
// # Workers
//
// A worker speaks the Open Inference Protocol v2 over gRPC or over HTTP
// (Endpoint.Protocol; on keep-alive connections, Triton's binary tensors
// to a worker whose GET /v2 lists binary_tensor_data, JSON bodies to any
// other), with the same batching, retries, checks,
// ejection, metadata and model configuration either way. Its driver
// reports it through SetEndpoints: the local driver, Kubernetes, or the
// sources here for fleets Sluice does not run, FixedEndpoints and a
// DNSSource (every address a name resolves to, looked up again every
// interval).
//
// # Models
//
// Each time a worker attaches (starts taking batches), its pool asks it
// for the metadata of every model routed to the pool, and again after a
// Reload for the models newly routed there. What it learns is one
// catalog: the metadata of each model on each pool, the last a worker
// gave, kept when the workers leave; and whether each attached worker
// serves the model. A pool whose attached workers all said they do not
// serve a model is not routed to for it (PoolView.Missing, ServesFilter),
// and logs a warning once; when no pool of its tier serves it, Pick,
// readiness and Serve fail with ErrModelUnavailable naming the workers'
// answers, instead of failing every batch. Metadata answers from the
// catalog, so that it answers as soon as readiness does; before any
// worker described the model, it asks a ready worker, or holds until one
// attaches, like an inference. WorkerConfig passes a worker's own model
// configuration through; MaxBatch is the most rows one batch holds.
// A worker that attaches is also asked for its repository index, where
// it serves one: the ready models no config names are logged, for
// information only (Pool.Unconfigured).
//
// A request of a sequence (Triton's sequence_id) is pinned to the worker
// that served the sequence's first request, never batched and never
// retried elsewhere: the worker holds the sequence's state
// (Config.SequenceIdle). ModelStats counts each model's requests,
// queue waits, and executions by batch size, in the shape of Triton's
// statistics extension.
//
// # Latency, learned
//
// Each pool learns, from its good batches, the latency of each model by
// rows and by bytes of input (costmodel.Mix), starting from its
// configured curve: a pool's curve for a request is its model's, and its
// idle latency the model's at the request's own size, so that large
// inputs do not make small calls look slow. A pool configured without a
// curve is calibrated when a worker describing the model attaches, with
// batches of synthetic inputs of the model's shape at 1, half the largest
// and the largest batch; a pool avoided because what it learned misses
// the SLO is measured again now and then (CalibrationConfig).
//
// # Routing
//
// Serve is the one entry point. A request goes to the tier of the first
// Route whose Match it meets (model glob, input elements or bytes,
// priority, headers of trusted callers), else to its model's tier. A tier
// is an ordered list of pools. The router takes a snapshot of the tier —
// one PoolView per pool, built by ViewOf from the pool's batcher
// statistics: ready workers, free slots, rows queued ahead of the request
// (those of more urgent classes, and of its own class unless the class is
// standing and serves its newest first), rows in flight, rows per second
// arriving in more urgent classes, the largest batch a worker takes, the
// batch size the pool runs for the model within its SLO (BatchAt), one
// worker's throughput at that size in rows per second, the capacity curve
// learned so far of the request's model, the request's latency alone on
// an idle worker at its own size (Idle), whether the pool's workers serve
// the model (Missing), and the USD per million inferences when the pool is
// fully used at the request's SLO (costmodel.Pool.CostPerMillion at
// utilization 1: ready workers are paid for whether they work or not, so
// the price of the work, not of idle time, decides; +Inf when no batch
// fits the SLO) — and hands it, with the request's Facts and the time, to
// a Picker, which reads nothing live.
//
// DefaultPicker is an Engine of three profiles, in the shape of the Gateway
// API Inference Extension's endpoint picker: filters drop candidates,
// scorers rate the rest in [0, 1], the highest total wins and the tier's
// order breaks ties. The first decides only thrifty requests
// (Request.Thrifty: their tenant is past its budget's soft ratio): the
// cheapest pool that could meet the SLO idle, however long its queue,
// rather than a dearer one. For the others, the second profile keeps the pools with a ready
// worker, that serve the request's model, take its rows, whose idle
// latency for the request meets the SLO, and whose predicted completion meets the request's due
// time, and prefers the cheapest: it fills the cheapest pool first and
// spills to the next only when the cheaper one would be late. If no pool
// is on time, the third profile drops the last filter and prefers the
// earliest completion (DeadlineFilter, which would refuse at once what
// the predicted work ahead makes late, is not in it: a curve learned on a
// starved machine predicts too long). A pool that
// cannot meet the SLO even idle is never chosen, so heavy requests never
// land on small pools. Predicted completion (PoolView.Completion) is
//
//	wait = (rows queued ahead + rows in flight) / (ready workers × throughput − rows/s overtaking)
//	completion = wait + max(Curve.Latency(b), Idle),  b = max(rows, min(rows ahead + rows, BatchAt))
//
// with no wait when a slot is free and nothing is queued ahead, and no
// end when the overtaking rows take the whole throughput.
//
// # Deadlines
//
// Serve computes a request's deadline once: the earliest of the caller's
// (Request.Deadline: the gateway hands it the client's timeout, cut to its
// cap), the context's (a gRPC deadline) and the arrival plus the model's
// Timeout, each only when set; a model whose Timeout is 0 adds none, and
// a request may have no deadline at all. Every attempt's batcher item
// carries it: the batcher never dispatches an item past its deadline, and
// answers the caller batcher.ErrDeadline when it passes, even if the
// request's batch is still in flight, from the timers its pool keeps
// anyway, so that a call needs no context or timer of its own for it. A
// sequence's call, sent to its worker directly, runs on the context cut
// to it.
//
// The model's SLO does not fail a request; it bounds queueing. The
// request's due time, Due(arrival, SLO, deadline), the earlier of its
// deadline and its arrival plus the SLO, is what the picker's
// OnTimeFilter checks (Facts.Due) and what the batcher's waiting rule
// never holds the item past (batcher.Item.Due). A retry keeps the
// arrival, the deadline and the due time; a fallback model's request
// keeps the deadline and takes the fallback's SLO.
//
// # Shedding
//
// SetShed sets a tier's shed level (batcher.ShedLevel, the vocabulary the
// gateway's admission speaks too): the tier refuses the classes the level
// sheds with ErrShed, after counting them in its TierStats, so that
// whoever sheds keeps seeing the demand. A model that caches always
// (CacheAlways) still answers from the cache.
//
// # Failures
//
// A batch that fails on a worker (connection refused or reset, worker
// gone, an internal error) fails each member with an error wrapping
// ErrBackend; Serve retries each member once, on another pool of the tier
// if one can take it (else on the same pool), keeping its arrival time
// and deadline, if the retry budget allows: retries may be at most
// RetryConfig.Budget of the requests over its window. A pool that loses
// its last ready worker hands the requests it holds back to Serve, which
// routes them elsewhere without charging the budget (but those it holds
// while it starts a worker, below).
//
// Workers are checked actively (HTTP GET /v2/health/ready, or gRPC
// ServerReady for a worker without HTTP, every HealthConfig.Interval) and
// ejected passively: after EjectAfter failed
// batches in a row, or at once when unreachable. With
// HealthConfig.SlowFactor, a batch answered that many times slower than
// the pool's workers typically are (relative to the pool's curve) counts
// as failed too, its answer still delivered: a slow worker is ejected
// like a failing one, while a pool slow as a whole ejects no one. A
// worker's answer that is not a valid response is a failed batch
// (ErrBackend). An ejection lasts
// EjectFor, doubling for each ejection in a row; then a probe decides
// whether the worker returns.
//
// When no pool of the tier can take a request, and none can be woken
// (see below), Serve answers from the response cache if the model opts in (keyed by model, version and a hash
// of the canonical inputs, bounded in bytes, fresh for the model's TTL),
// else from the model's fallback model, else fails with ErrNoCapacity
// naming each pool's reason. Result says which.
//
// # Scale from zero
//
// A pool whose driver starts workers on demand (PoolConfig.Activate) may
// have none. When no pool of a tier can take a request, Serve holds it,
// as Knative's activator does, in the queue of such a pool that has no
// ready worker (and takes the request's rows within its SLO when idle):
// the one with the fastest cold start, then the cheapest per inference,
// then the first in the tier. The fastest start answers the held request
// soonest; the scaler, which sees it among the pool's queued items and
// arrivals, wakes that pool and sizes the tier's cheaper pools for what
// follows. The request waits there until a worker attaches and serves
// it, or its deadline passes (batcher.ErrDeadline); it is never handed
// back when the pool loses its last worker, nor sent to the cache or the
// fallback model. A request handed back by another pool may be held too.
// Pick counts such a pool as able to serve, so that readiness holds
// while the pool is at zero.
//
// # Statistics
//
// Stats gives the scaler, per pool, the arrival rate, queue length by
// class, items in flight, workers and ready workers, and batch and request
// latency (mean, p50, p95, p99, max) over a sliding window
// (Config.StatsWindow), the learned curve, and the
// arrivals since the start. TierStats counts each tier's requests and
// rows by class since the start, each request once whichever pool serves
// it: the scaler's demand per tier, as rates between two snapshots.
//
// The router learns which workers exist through SetEndpoints, called by
// whoever runs them (local processes, Kubernetes). It never starts or
// stops workers, and knows nothing of workers still starting.
//
// PoolStats also gives the SLO of the traffic a pool has (the harmonic
// mean of its requests' models' SLOs), by which the scaler holds a shared
// pool to the models that use it, and the configured and learned curves,
// per model too. It keeps the worker-side latency of cold workers (their
// first ColdBatches good batches after joining the pool) apart from warm
// ones, and Retries counts the requests tried again after a worker failed
// them.
//
// # Reloading
//
// Reload swaps the models, tiers, pools and routes at once (an atomic
// pointer to immutable tables, read once per routing decision). Pools
// whose config is unchanged are kept; changed ones are replaced over the
// same workers; dropped ones retire: they take no new request, serve
// what they hold, and close, which the channel Reload returns reports,
// so that the driver stops their workers only then. No request is
// dropped: one that meets a retired pool is routed again.
//
// # Tracing
//
// With Config.TracerProvider set, each pool's batcher records queue waits
// and batches (batcher.SpanQueueWait, batcher.SpanBatch), each worker call
// is a client span under its batch (SpanWorkerCall) whose W3C trace
// context travels to the worker in the traceparent metadata, and Serve
// tells the caller's span the pool that answered and the estimated cost
// (AttrCostUSD). Without it nothing is recorded or sent.
package router
