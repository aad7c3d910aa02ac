package gateway

import (
	"context"
	"fmt"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/budget"
	"github.com/sluice-gateway/sluice/oip"
)

// decoder builds a front end's part of an admitted call: its version,
// decoded tensors and timeout. It runs only for admitted calls, so a
// refused call's body is never decoded; ctx is the call's, cancelled
// when the client leaves or the drain gives up on the call.
type decoder func(ctx context.Context) (call, error)

// fallback says how a call was answered, for the front end to tell the
// client: by its model's fallback, from the cache, at what cost, in which
// budget state. The zero value means none of it.
type fallback struct {
	// from is the model the client asked for; empty when no fallback
	// answered.
	from string
	// reason is FallbackShed, FallbackNoCapacity or FallbackBudget.
	reason string
	// cacheHit is set when the response cache answered: the other mark
	// the front ends send beside the fallback (HeaderCache).
	cacheHit bool
	// answered is set once the call has an answer; costUSD is then its
	// cost (HeaderCost), and budget its HeaderBudgetState, empty when no
	// budget applies.
	answered bool
	costUSD  float64
	budget   string
}

// ticket is an admitted call's grant.
type ticket struct {
	// tenant is empty when the call was not authenticated.
	tenant   string
	priority batcher.Priority
	// model is the model to serve: the one asked for, or its fallback.
	model    string
	fallback fallback
	// route reads the call's headers for the router's header routes; nil
	// unless the call's key is trusted.
	route func(string) string
	// pool is the pool that answered; empty before, and for the cache.
	pool string
	// ceiling is the highest class the caller's key allows;
	// headerPriority is set when the priority header chose the class.
	ceiling        batcher.Priority
	headerPriority bool
	// key names the call's key in the budgets (Key.Name); empty without
	// authentication.
	key string
	// capped is set when the tenant or the key has a budget, budget is
	// then the step that serves the call, and thrifty asks the router for
	// the cheapest pool.
	capped  bool
	budget  budget.State
	thrifty bool
}

// handle is the life of one inference call, whichever front end it came
// through: admit it (see admit), decode it, infer it — once more on the
// model's fallback when the model has no capacity — and account it to its
// tenant. h holds the call's headers or metadata. A draining gateway
// refuses the call first of all, and fails it if Shutdown gives up on it
// (ErrDraining).
func (g *Gateway) handle(ctx context.Context, model string, h headers, decode decoder) (_ *oip.InferenceResponse, fb fallback, err error) {
	ctx, span := g.tracing.request(ctx, model, h)
	defer func() { span.end(fb, err) }()
	ctx, err = g.gate.enter(ctx)
	if err != nil {
		return nil, fallback{}, err
	}
	defer g.gate.exit(ctx)
	start := g.beginCall()
	t, err := g.admitTraced(ctx, span, model, h)
	if err != nil {
		g.account(&t, nil, err)
		g.recordRefused(model, t, err)
		return nil, fallback{}, err
	}
	c, err := decode(ctx)
	if err == nil {
		err = g.schedule(&t, c.req)
	}
	var resp *oip.InferenceResponse
	if err == nil {
		resp, err = g.serve(ctx, &t, c)
	}
	err = explain(ctx, err)
	g.account(&t, c.req, err)
	g.recordServed(model, t, c.req, start, err)
	return resp, t.fallback, err
}

// admit runs a call to model through the gates every front end shares, in
// this order: authentication (ErrUnauthenticated), the key's models
// (ErrForbidden), the priority header (oip.ErrInvalid), the shed level
// (ErrShed), the budgets of the tenant and the key (ErrBudgetExhausted,
// or a downgrade: see budgetGate), the tenant's and the model's rate
// limits (ErrRateLimited), and the model's fallback. A call refused by
// one gate is not seen by the next, so a shed call takes no rate-limit
// token.
func (g *Gateway) admit(ctx context.Context, model string, h headers) (ticket, error) {
	acc := g.access.Load()
	p, err := acc.keys.authenticate(h)
	if err != nil {
		return ticket{}, err
	}
	t := ticket{tenant: p.tenant, model: model}
	if p.key != nil {
		t.key = p.key.Name
	}
	if p.key != nil && p.key.Trusted {
		t.route = h.first
	}
	if !p.allows(model) {
		return t, fmt.Errorf("%w: tenant %q may not call model %q", ErrForbidden, p.tenant, model)
	}
	t.ceiling, t.headerPriority = p.ceiling, h.first(HeaderPriority) != ""
	if t.priority, err = parsePriority(h.first(HeaderPriority), p.ceiling, p.def); err != nil {
		return t, err
	}
	serve, reason, err := g.admission.admit(model, t.priority)
	if err != nil {
		return t, err
	}
	now := g.now()
	if err := g.budgetGate(&t, model, now); err != nil {
		return t, err
	}
	if err := acc.limits.take(ctx, t.tenant, model, now); err != nil {
		return t, err
	}
	if reason != "" {
		t.model, t.fallback = serve, fallback{from: model, reason: reason}
	}
	return t, nil
}

// serve infers an admitted call on t's model. A version the client named
// belongs to the model it asked for, so a fallback the admission chose is
// called without one. When the model has no capacity, the router answers
// from the cache or the model's fallback itself, and t records which.
func (g *Gateway) serve(ctx context.Context, t *ticket, c call) (*oip.InferenceResponse, error) {
	c.model, c.priority, c.header = t.model, t.priority, t.route
	c.tenant, c.thrifty = t.tenant, t.thrifty
	if t.fallback.from != "" {
		c.version = ""
	}
	res, err := g.infer(ctx, c)
	return t.note(res), err
}

// account records a call's outcome for its tenant, and an answered
// call's cost against its budgets; req is nil when the call was refused
// before it was decoded.
func (g *Gateway) account(t *ticket, req *oip.InferenceRequest, err error) {
	if t.tenant == "" {
		return
	}
	e := TenantEvent{Tenant: t.tenant}
	if t.capped {
		e.Budget = t.budget.String()
	}
	if err != nil {
		e.Reason = classify(err).reason
	} else {
		e.Rows, e.Fallback = rowsOf(req), t.fallback.from != ""
		e.CostUSD = g.price(t.pool, t.model, e.Rows)
		g.spend(t, e.CostUSD, g.now())
	}
	g.tenants.Record(e)
}

// rowsOf returns the number of inferences in a request: its rows, or 1 when
// its inputs have none in common.
func rowsOf(req *oip.InferenceRequest) int64 {
	if n, err := req.Rows(); err == nil && n > 0 {
		return n
	}
	return 1
}
