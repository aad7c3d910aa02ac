// Package costmodel knows what capacity costs and what it delivers: a pool's
// hourly price (spot or on-demand), its capacity curve (the latency of a
// batch of b items, a line or measured points), and what follows from
// them — the largest batch that meets an SLO, sustained throughput per
// replica, cost per million inferences at a utilization (a Quote), the
// cost of one batch, one inference and one request at full use (for
// chargeback and traces), a fleet's cost per hour, and the capacity and
// cost of one replica more or less. A Fleet is the one description of a
// configuration's pools, their replica bounds included, that the rest of
// Sluice is handed.
//
// Cost per inference is the hourly price divided by 3600 × the sustained
// inferences per second at the SLO; costs are reported per million
// inferences. Example: $1.20/h at 60 inferences/s costs 1.2 / (3600·60) ×
// 1e6 ≈ 5.56 $ per million.
//
// An Estimator learns a pool's curve from observed batch latencies, with
// the configured curve as its prior (a zero curve is no prior), by rows
// and by bytes of input (Size), so that a few large inputs do not make
// every call look slow. A Mix keeps one Estimator per model of a pool and
// each model's share of its rows, whose weighted mean is the pool's curve.
//
// Everything here is a pure function of its arguments except Estimator
// and Mix, which hold state behind a mutex. The package imports nothing
// else of Sluice's and does no IO.
package costmodel
