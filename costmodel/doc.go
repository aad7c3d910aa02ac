// Package costmodel knows what capacity costs and what it delivers: a pool's
// hourly price (spot or on-demand), its capacity curve (the latency of a
// batch of b items, a line or measured points), and what follows from
// them — the largest batch that meets an SLO, sustained throughput per
// replica, cost per million inferences at a utilization (a Quote), a
// fleet's cost per hour, and the capacity and cost of one replica more or
// less. A Fleet is the one description of a configuration's pools, their
// replica bounds included, that the rest of Sluice is handed.
//
// Cost per inference is the hourly price divided by 3600 × the sustained
// inferences per second at the SLO; costs are reported per million
// inferences. A replica of 0.10 $/h serving 5/s costs 0.10 / (3600 × 5) ×
// 1e6 ≈ 5.56 $ per million.
//
// An Estimator learns a pool's curve from observed batch latencies, with
// the configured curve as its prior.
//
// Everything here is a pure function of its arguments except Estimator,
// which holds state behind a mutex. The package imports nothing
// else of Sluice's and does no IO.
package costmodel
