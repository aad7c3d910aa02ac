// Package system runs the benchmarks of the whole system: Sluice started
// in this process through internal/app, as `sluice serve` runs it, under
// load. Batch measures the batcher against one emulated worker's limit;
// Overhead what the gateway adds to a request, against the workers
// directly and a bare reverse proxy; Real replays a scenario on the real
// gateway and local workers next to the simulator's prediction of the
// same run; Soak checks that memory and goroutines stay flat under a
// long steady load; Load replays a scenario against any running gateway.
// Simulate and Matrix run the simulator (bench/sim) on a configuration as
// serve reads it, the scaler's spec included.
//
// Each benchmark takes an Options struct and writes its report, for
// people or as JSON; `sluice bench` parses the flags into them. Workers
// run in this process (worker.InProcess) unless a benchmark says
// otherwise. The package prints nothing but its reports and keeps no
// state between runs.
package system
