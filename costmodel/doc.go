// Package costmodel knows what capacity costs and what it delivers: a pool's
// hourly price, its capacity curve (the latency of a batch of b items), and
// what follows from them — the largest batch that meets an SLO, sustained
// throughput per replica, and cost per million inferences.
//
// It imports nothing else of Sluice's and does no IO.
package costmodel
