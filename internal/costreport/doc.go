// Package costreport prices each pool of a Sluice configuration, one
// replica at its SLO: the batch it runs, the inferences per second it
// sustains and the USD per million inferences at full and at typical
// utilization (costmodel.Quote), from the curve the pool was configured
// with and, read from a running gateway's GET /admin/pools, from the
// curve Sluice measured of it. `sluice cost` prints the report as a table
// or JSON; the admin API serves each pool's Pool.
//
// The package computes no cost itself (costmodel does) and does no IO
// beyond Fetch's one HTTP request and the writers it is handed.
package costreport
