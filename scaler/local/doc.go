// Package local is the scaler's local pool driver: it runs each pool's
// replicas as child processes of the gateway, keeps every pool at the
// replica count the scaler sets, and tells the data plane which endpoints
// are ready.
//
// A pool runs the emulator, `sluice worker`, unless its PoolSpec has a
// Command: any program that serves the Open Inference Protocol v2 (Triton,
// a KServe model server, the user's own), one process per replica. Both
// go through one path (a recipe per start): start, readiness probes,
// restarts with back-off, graceful stop. The emulator is started with
// flags that make it listen on free loopback ports and announce them in
// one JSON line on stdout, {"http":"127.0.0.1:PORT","grpc":"127.0.0.1:PORT"}.
// A Command's replica gets its ports from the Supervisor instead, which
// fills the placeholders {http_port}, {grpc_port}, {replica} and {pool} of
// its arguments and environment at each start.
//
// The Supervisor probes a worker's readiness — GET /v2/health/ready, or a
// Command's ReadyPath, on its HTTP port; a connection to its gRPC port
// for a Command without an HTTP port — and a worker joins routing only
// after a probe passes, leaves it after Options.FailureThreshold failed
// probes in a row, and comes back after one that passes. A worker whose
// process exits is taken out of routing at once and restarted with
// back-off (Backoff), and counted (Restarts); its ID, "<pool>-<n>", stays
// the same. Scaling down stops workers that are not ready first, then the
// newest: each leaves routing, waits Options.DrainDelay, gets its stop
// signal (SIGTERM, or the Command's StopSignal) to finish its in-flight
// requests, and SIGKILL after Options.StopGrace (or the Command's
// StopTimeout). RemovePool stops a pool's workers the same way and forgets
// it; SetArgs and SetCommand change what a pool starts from then on (a
// configuration reload does both). Each worker's stdout and stderr go to
// Options.Logger line by line, tagged with its pool and ID, at most
// Options.OutputRate lines a second.
//
// Options.Start replaces the emulator's child process with any other way of running
// a worker that honours the same flags and address line (a Starter): the
// benchmark runs workers as goroutines of the gateway's process, so that
// a burst of starts costs no process creation; Terminate and Kill then
// stand for SIGTERM and SIGKILL.
//
// Worker processes do not outlive the gateway. Each holds the read end of a pipe on
// its stdin and exits when it reaches end of file, which happens whenever
// the gateway exits, even by SIGKILL. On Linux the kernel also kills each
// worker when the gateway dies (PR_SET_PDEATHSIG), and each worker runs in
// its own process group, so a terminal's Ctrl-C reaches only the gateway,
// which stops its workers in order. A Command's program need not watch its
// stdin: on Linux the kernel kills it with the gateway, and its stop
// signals go to its whole process group, a wrapper script's children
// included (a child that leaves the group, or the gateway's death outside
// Linux, escapes both).
//
// The package does process management and health probing only: it decides
// neither how many replicas a pool needs (package scaler does) nor how
// requests are routed (the router, which learns of endpoints through
// Options.OnChange). Its few decisions are pure functions of their
// arguments — which workers a scale-down stops, readiness after a probe,
// the back-off delay — while the timers that drive them run on real time,
// as the processes they manage do.
package local
