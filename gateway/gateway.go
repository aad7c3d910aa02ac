package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/budget"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/router"
)

// Version is reported by server metadata.
const Version = "0.1.0"

// Options configures a Gateway. Router is required; every other field has a
// default.
type Options struct {
	// Router maps models to pools.
	Router *router.Router
	// Logger receives one line per failed request; nil means slog.Default().
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// MaxBodyBytes bounds an HTTP request body; 0 means
	// configs.DefaultMaxBodyBytes, the limits section's default.
	MaxBodyBytes int64
	// MaxJSONDepth bounds the nesting of objects and arrays in an HTTP
	// request body, which is refused (400) before it is decoded; 0 means
	// configs.DefaultMaxJSONDepth.
	MaxJSONDepth int
	// MaxTensorElements bounds the elements of all the inputs of one call
	// together (400 / INVALID_ARGUMENT naming the input); 0 means
	// configs.DefaultMaxTensorElements.
	MaxTensorElements int64
	// MaxDeadline caps every call's deadline: a client's timeout, gRPC
	// deadline or model timeout longer than it is cut to it; 0 (or less)
	// means no cap.
	MaxDeadline time.Duration
	// BodyTimeout bounds the time an HTTP client takes to send a
	// request's body, chunked or not (408 after it); WriteTimeout the
	// time an HTTP answer takes to write (the connection is closed after
	// it). 0 means configs.DefaultBodyTimeout and
	// configs.DefaultWriteTimeout.
	BodyTimeout, WriteTimeout time.Duration
	// MaxInFlight caps the infer calls in progress over both front ends,
	// from the moment their headers are read: one more is refused at once
	// with ErrOverloaded (HTTP 503 with Retry-After, gRPC UNAVAILABLE);
	// 0 means configs.DefaultMaxInFlight.
	MaxInFlight int
	// MaxBodyBytesInFlight bounds the bytes the bodies of the calls in
	// progress hold together: an HTTP body the memory it takes as it
	// arrives, a gRPC call its message, until the call is answered. A
	// call that would cross it is refused with ErrOverloaded (HTTP 503
	// with Retry-After, gRPC UNAVAILABLE); 0 means
	// configs.DefaultMaxBodyBytesInFlight.
	MaxBodyBytesInFlight int64
	// Keys authenticates infer calls; nil turns authentication off (see
	// Keyring).
	Keys *Keyring
	// Limits caps the call rates of tenants and models; nil caps nothing.
	Limits *RateLimits
	// Admission sheds and falls back; nil means a new Admission with no
	// fallbacks, which sheds nothing until told to.
	Admission *Admission
	// Tenants receives every call's outcome per tenant; nil means a new
	// TenantCounters, which RegisterAdmin serves.
	Tenants *TenantCounters
	// Metrics records every infer call in Prometheus metrics; nil records
	// none.
	Metrics *Metrics
	// PriorityLevels maps the levels of the priority request parameter
	// (Triton's: 1 the highest) onto classes: level n is
	// PriorityLevels[n-1], levels beyond it the last entry; a call's key
	// still caps its class. Nil ignores the parameter.
	PriorityLevels []batcher.Priority
	// TracerProvider records a span for each infer call (SpanRequest) and
	// its admission (SpanAdmission), continuing the client's W3C trace
	// context; nil records none, at no cost. The router records the
	// call's queue wait, batch and worker call with its own
	// (router.Config.TracerProvider).
	TracerProvider trace.TracerProvider
	// Budgets holds the tenants' and keys' budgets and spend; each
	// answered call's cost is spent in it, and each call is checked
	// against it (see budgetGate). Nil caps nothing.
	Budgets *budget.Book
	// Weights are the tenants' weights in fair queueing (a tenant not
	// listed weighs 1); see SetWeights. The map is not kept.
	Weights map[string]float64
}

// Gateway serves inference calls. It is safe for concurrent use.
type Gateway struct {
	router    *router.Router
	log       *slog.Logger
	now       func() time.Time
	maxBody   int64
	bodyBytes *bodyBytes
	bounds    bounds
	access    atomic.Pointer[access] // never nil after New
	admission *Admission
	tenants   *TenantCounters
	metrics   *Metrics
	gate      *drainGate
	tracing   tracing
	levels    []batcher.Priority
	budgets   *budget.Book
	weights   atomic.Pointer[map[string]float64] // never nil after New
}

// New returns a gateway over opts.Router.
func New(opts Options) *Gateway {
	g := &Gateway{
		router: opts.Router, log: opts.Logger, now: opts.Now, maxBody: opts.MaxBodyBytes,
		admission: opts.Admission, tenants: opts.Tenants,
		levels: opts.PriorityLevels, budgets: opts.Budgets,
	}
	g.SetWeights(opts.Weights)
	g.access.Store(&access{keys: opts.Keys, limits: opts.Limits})
	g.metrics = opts.Metrics
	if g.admission == nil {
		g.admission = &Admission{}
	}
	if g.tenants == nil {
		g.tenants = &TenantCounters{}
	}
	if g.log == nil {
		g.log = slog.Default()
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.maxBody <= 0 {
		g.maxBody = configs.DefaultMaxBodyBytes
	}
	g.bounds = boundsOf(opts)
	g.bodyBytes = &bodyBytes{limit: opts.MaxBodyBytesInFlight}
	orDefault(&g.bodyBytes.limit, configs.DefaultMaxBodyBytesInFlight)
	if g.metrics != nil {
		g.bodyBytes.gauge = g.metrics.bodyBytes
	}
	g.gate = newDrainGate(g.bounds.inFlight)
	g.tracing = newTracing(opts.TracerProvider, g.now)
	return g
}

// call is one inference call, whichever front end it came through.
type call struct {
	model   string
	version string
	// req is the decoded and validated request.
	req *oip.InferenceRequest
	// timeout is the client's own limit; 0 means none given.
	timeout time.Duration
	// priority is the class the call is queued in.
	priority batcher.Priority
	// header returns a request header by lower-case name for the
	// router's header routes; nil unless the caller is trusted.
	header func(string) string
	// tenant places the call in its pool's queue, with its weight in
	// fair queueing; thrifty asks for the cheapest pool (see
	// budgetGate).
	tenant  string
	thrifty bool
}

// HeaderCache is the response header (HTTP) and header metadata (gRPC)
// that marks an answer from the response cache, with the value "hit".
const HeaderCache = "x-sluice-cache"

// infer serves a call through the router and returns the router's
// result: the answer, and whether the cache or a fallback model gave it.
// The router sets the call's deadline (router.Router.Serve): the earliest
// of the client's, which the gateway hands it (clientDeadline), ctx's —
// the gRPC deadline — and the model's timeout.
func (g *Gateway) infer(ctx context.Context, c call) (*router.Result, error) {
	now := g.now()
	return g.router.Serve(ctx, &router.Request{
		Model: c.model, Version: c.version, Req: c.req, Priority: c.priority,
		Enqueued: now, Deadline: g.bounds.clientDeadline(now, c.timeout), Header: c.header,
		Tenant: c.tenant, Weight: g.weight(c.tenant), Thrifty: c.thrifty,
	})
}

// note records in t how the router answered — from the cache, or from the
// model's fallback when no pool could serve it — and returns the answer;
// nil for a nil result.
func (t *ticket) note(res *router.Result) *oip.InferenceResponse {
	if res == nil {
		return nil
	}
	t.fallback.cacheHit = res.CacheHit
	t.pool = res.Pool
	if res.FallbackFrom != "" && t.fallback.from == "" {
		t.model, t.fallback.from, t.fallback.reason = res.Model, res.FallbackFrom, FallbackNoCapacity
	}
	return res.Response
}

func errUnknownModel(name string) error {
	return fmt.Errorf("%w %q", router.ErrUnknownModel, name)
}

// ready reports whether a model can be served now: not while draining.
func (g *Gateway) ready(model string) bool {
	if g.Draining() {
		return false
	}
	_, err := g.router.Pick(model)
	return err == nil
}

// serverReady reports whether every model can be served now: not while
// draining.
func (g *Gateway) serverReady() bool {
	if g.Draining() {
		return false
	}
	for _, m := range g.router.Models() {
		if !g.ready(m) {
			return false
		}
	}
	return true
}

func (g *Gateway) metadata() oip.ServerMetadata {
	return oip.ServerMetadata{Name: "sluice", Version: Version, Extensions: Extensions()}
}

// Model reports whether the gateway serves the named model.
func (g *Gateway) Model(name string) (router.Model, bool) { return g.router.Model(name) }

// SetWeights replaces the tenants' weights in fair queueing (tenant →
// weight > 0; a tenant not listed weighs 1), which it copies. Calls
// already queued keep theirs. It is safe to call while calls are served.
func (g *Gateway) SetWeights(weights map[string]float64) {
	w := maps.Clone(weights)
	g.weights.Store(&w)
}

// weight returns tenant's weight in fair queueing; 1 when it has none.
func (g *Gateway) weight(tenant string) float64 {
	if w, ok := (*g.weights.Load())[tenant]; ok {
		return w
	}
	return 1
}
