// Package gateway is Sluice's front door: the Open Inference Protocol v2
// over HTTP (chi) and gRPC. Both front ends turn a call into the same
// transport-neutral request — model, tensors, deadline, priority — and hand
// it to one core that routes it to a pool's batcher and waits for the
// answer. Errors map to HTTP statuses and gRPC codes through one table.
//
// Every infer call, over either front end, passes the same gates in one
// place before its body is decoded: authentication by API key (Keyring:
// "Authorization: Bearer KEY" or "x-api-key: KEY", known only by their
// SHA-256; 401 / UNAUTHENTICATED), the key's models (403 /
// PERMISSION_DENIED), its priority class (a header may lower it), the
// admission's shed level (Admission; 503 / UNAVAILABLE), the tenant's and
// the model's token buckets (RateLimits; 429 / RESOURCE_EXHAUSTED), and
// the model's fallback. Refusals that a retry may cure say when, in
// Retry-After (HTTP) or a RetryInfo detail (gRPC). A call answered by a
// fallback model says so in HeaderFallbackFrom. Each call's outcome is
// counted per tenant (TenantCounters), for chargeback. Health, readiness
// and metadata endpoints are not authenticated.
//
// No error, log line or counter holds an API key.
//
// The gateway neither starts workers nor decides capacity; it reads the
// router and submits to batchers. The scaler drives Admission through an
// interface of its own, wired in cmd.
package gateway
