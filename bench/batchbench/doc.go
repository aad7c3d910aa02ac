// Package batchbench measures how close a batching gateway comes to the
// physical limit of the one worker behind it. For each load level, a
// fraction of the limit, it offers open-loop Poisson load (package load)
// through a Target and reports the offered and served rates, the served rate as a share of
// the limit, latency quantiles, the mean batch size the system under test
// formed during the level, and the errors.
//
// Beside each level's latencies it reports two references: those of an
// ideal batcher on the same arrivals (Ideal: no overhead, sends whatever
// waits the moment the worker is free), the reference the system's
// overheads are measured against, and how late the load generator itself
// sent its requests, which the measured latencies include.
//
// The system under test is seen only through a load.Target and a counter
// of dispatched batches: the package does not build gateways, routers or
// workers (the sluice command wires those) and never imports them.
package batchbench
