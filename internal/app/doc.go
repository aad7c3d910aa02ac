// Package app is Sluice's composition root: Start wires one configuration
// into a running system — the gateway's HTTP, gRPC and admin listeners
// (with their limits, TLS and admin token), the router and its pools'
// workers (local processes, in-process workers, or Kubernetes
// Deployments), the embedded scaler with its source, admission, pins,
// metrics and KEDA endpoint, the status board, the xDS control plane,
// OpenTelemetry tracing, the hot reload of the configuration file and the
// graceful drain. It is the only place where the data plane (gateway,
// router, batcher) and the control plane (scaler, xds) meet; the
// adapters between them are internal/scaling's.
//
// `sluice serve`, the whole-system benchmarks (bench/system) and the
// end-to-end tests all start Sluice through Start (or Run); Options carry
// what they vary: the logger, how workers start, where secrets come from,
// and amendments to the router's configuration.
//
// A few translations of the configuration are exported for the
// benchmarks and the CLI, which must read a configuration as serve does:
// RouterConfig, ClassLimits, ScalerSpec, ConfigView, ConfigDump and
// Load, which `sluice serve` and `sluice validate` both call to refuse
// the same configurations.
//
// The package does not parse flags or catch signals other than SIGHUP
// (the reload); the caller owns the process.
package app
