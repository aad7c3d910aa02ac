// Package status shows what a running Sluice does: each pool's replicas,
// queue, latency against its SLO and price, the spend rate against the
// budget, the spot share, the tiers' admission and the scaler's latest
// decisions, with trends of up to 15 minutes (the page draws them with
// axes over the time its samples cover). A Board serves it as an HTML page
// (no script, no external asset) and as JSON (a View) on the admin
// listener, sampling the trends as it runs; WriteTable prints a View for
// a terminal, and Fetch reads one from a running gateway for `sluice
// status`.
//
// The package is handed plain values — the pools' costmodel.Fleet, live
// counts, the plan and the decisions as views — through the functions of
// Deps; it reads neither the router nor the scaler, and knows nothing of
// the configuration file.
package status
