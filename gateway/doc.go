// Package gateway is Sluice's front door: the Open Inference Protocol v2
// over HTTP (chi) and gRPC. Both front ends turn a call into the same
// transport-neutral request — model, tensors, the client's timeout,
// priority — and hand it to one core that serves it through the router
// (router.Router.Serve) and waits for the answer. Errors map to HTTP
// statuses and gRPC codes through one table.
//
// Every infer call, over either front end, passes the same gates in one
// place before its body is decoded: authentication by API key (Keyring:
// "Authorization: Bearer KEY" or "x-api-key: KEY", known only by their
// SHA-256; 401 / UNAUTHENTICATED), the key's models (403 /
// PERMISSION_DENIED), its priority class (a header may lower it), the
// admission's shed level for all traffic (Admission, a batcher.ShedLevel;
// 503 / UNAVAILABLE), the budgets of the tenant and the key
// (Options.Budgets: past a soft ratio the call is routed to the cheapest
// pool that can meet its SLO, past a fallback ratio to its model's
// fallback, and once a budget is spent it is refused, 429 /
// RESOURCE_EXHAUSTED with HeaderBudget and a retry at the window's end;
// HeaderBudgetState says which step served it), the tenant's and the
// model's token buckets (RateLimits, in this process or shared by every
// replica through Buckets; 429 / RESOURCE_EXHAUSTED), and the model's
// fallback. Refusals that a retry may cure say when, in
// Retry-After (HTTP) or a RetryInfo detail (gRPC). A call answered by a
// fallback model says so in HeaderFallbackFrom. Each call's outcome is
// counted per tenant (TenantCounters), for chargeback, priced at the
// serving pool's cost per inference (costmodel.Pool.RequestCost), which
// every answer carries (HeaderCost; a trailer over gRPC) and which counts
// against the budgets when the answer is sent; with
// Options.Metrics, also in
// Prometheus metrics (Metrics) on a registry the caller owns. Health,
// readiness and metadata endpoints are not authenticated.
//
// No error, log line or counter holds an API key.
//
// Limits (Options, each defaulted when 0 to the configuration's default,
// configs.DefaultMaxBodyBytes and the constants beside it): an HTTP body
// over MaxBodyBytes is refused with 413 (ErrBodyTooLarge) — at once when
// its Content-Length says so, before "100 Continue" — and one whose
// objects and arrays nest deeper than MaxJSONDepth, or whose JSON is not
// valid UTF-8, with 400, before it is decoded; a call whose inputs hold
// more than MaxTensorElements elements in all, over either front end,
// with 400 / INVALID_ARGUMENT naming the input; a call beyond
// MaxInFlight calls in progress, or one whose body would cross
// MaxBodyBytesInFlight bytes of bodies in progress, with 503 /
// UNAVAILABLE and Retry-After (ErrOverloaded). A gRPC message's size is
// bounded by the gRPC server, which the caller builds.
//
// Slow and broken HTTP clients (slowClients, readBody): a body that has
// not arrived within BodyTimeout gets 408 (ErrBodyTimeout), malformed
// framing (chunked encoding) 400, a client that leaves mid-body 499
// (ErrClientClosed, not logged as a fault), and an answer not written
// within WriteTimeout loses its connection; each such connection is
// closed. A body's buffer grows as the body arrives and is released
// before the answer is written.
//
// A panic on a request's path is recovered: 500 with a JSON error over
// HTTP (RecoverHTTP), INTERNAL over gRPC (RecoverGRPC, interceptors the
// caller installs), its stack logged once.
//
// Deadlines: the gateway reads the client's timeout (HeaderTimeout in
// milliseconds, or the request's "timeout" parameter in microseconds, the
// smaller of the two) and hands it to the router cut to MaxDeadline (no
// cap when 0), or MaxDeadline alone when the client gives none. The
// router computes the call's deadline from it, the gRPC deadline and the
// model's timeout, whichever come first (router.Router.Serve), so
// MaxDeadline caps all three. A call whose deadline passes gets 504 /
// DEADLINE_EXCEEDED.
//
// Fair queueing: each call carries its tenant and the tenant's weight
// (Options.Weights) into its pool's queue, where the tenants of a class
// share the workers by weight (see package batcher).
//
// Stopping: Drain turns readiness false and refuses new infer calls (503 /
// UNAVAILABLE, ErrDraining); Shutdown also waits for the calls in
// progress, and fails those it gives up on the same way, so that no call
// is left without an answer. Reloading: SetAccess swaps the keyring and
// rate limits, Admission.SetFallbacks the fallbacks; the router reloads
// its own tables.
//
// Tracing (Options.TracerProvider; off when nil, at no cost): each infer
// call is a server span (SpanRequest) that continues the client's W3C
// trace context (traceparent), with its admission (SpanAdmission) below
// it; the router's queue wait follows, and the batch the call rides in
// links to it. The span says the model, tenant, priority, pool and
// estimated cost, and why a failed call failed.
//
// The gateway neither starts workers nor decides capacity, deadlines or
// costs; it hands calls to the router, and prices them with costmodel.
// The scaler's directives reach it through the wiring: they switch
// Admission's fallbacks per tier (and shed per tier in the router, not
// here).
package gateway
