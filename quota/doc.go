// Package quota is the token bucket Sluice shares between gateway
// replicas, as the generic cell rate algorithm (GCRA): a bucket is one
// time, its theoretical arrival time, which a store can update
// atomically in one step (the state package runs the same arithmetic in
// Redis). Decide is the pure decision; Local keeps buckets in memory, for
// one replica alone or while the shared store cannot be reached.
//
// A bucket of rate r and burst b admits b calls at once and r calls per
// second on average: the same limits as a token bucket of that rate and
// size (golang.org/x/time/rate), written as the time the bucket would be
// full again instead of a count of tokens.
//
// Nothing here reads a clock: every call takes now. The package imports
// nothing else of Sluice's.
package quota
