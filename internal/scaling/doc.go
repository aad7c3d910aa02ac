// Package scaling adapts the data plane to the scaler and the scaler's
// directives back to the data plane: Snapshot turns two observations of
// the router's statistics and the pools' replica counts into the
// snapshot scaler.Decide reads, Source takes those observations on a
// clock, and Admission passes each tier's shed level and fallback switch
// on to the router's shedding and the gateway's fallbacks (ShedLevel is
// the one mapping from the scaler's shed directive to the data plane's
// shed level).
//
// The functions work on plain values, so that serve (internal/app) and
// the simulator (bench/sim) call the same adapters. The package starts no
// goroutine, does no IO of its own and reads no configuration: it is
// handed what it adapts.
package scaling
