// Package worker is an emulated model server: it speaks the Open Inference
// Protocol v2 over HTTP and gRPC and behaves like one replica of a pool's
// hardware, so the quickstart and the benchmarks can run Sluice against
// realistic backends on one machine.
//
// The emulated device runs one batch at a time, in arrival order. A request
// is one batch; its rows are dimension 0 of its inputs, and it holds the
// device for Base + PerItem·rows (see costmodel.Curve). The server reports
// live at once and ready only after its cold start has passed.
//
// Two models are built in: "echo" returns every input as an output of the
// same name, and "sum" turns an FP32 input "x" of shape [batch, n] into an
// FP32 output "sum" of shape [batch], each row's sum.
//
// Two fault modes make a worker misbehave for fault tests: Options.Slowdown
// makes its device slower than the curve it was given, and Options.Garbage
// makes it answer inferences with malformed responses (see Garbage).
//
// Flags are the flags of `sluice worker`, which the local driver passes to
// every worker it starts; InProcess starts such workers as goroutines of
// the calling process instead of child processes (for the benchmarks and
// the end-to-end tests), serving on their own loopback ports all the same.
//
// The package does no real inference and keeps no state beyond counters.
package worker
