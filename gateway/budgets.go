package gateway

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/sluice-gateway/sluice/budget"
)

// Names of the response headers (HTTP) and metadata keys (gRPC) that speak
// of cost and budgets.
const (
	// HeaderCost carries an answered call's estimated cost in USD: its
	// rows times the cost per inference of the pool that answered (0 from
	// the cache), what the call counts against its budgets. HTTP header;
	// gRPC trailer.
	HeaderCost = "x-sluice-cost-usd"
	// HeaderBudgetState says which step of its budgets served a call of a
	// tenant or key that has one: "ok", "soft" (the cheapest pool that
	// can meet the SLO) or "fallback" (the model's fallback); the names
	// of budget.State.
	HeaderBudgetState = "x-sluice-budget-state"
	// HeaderBudget marks a call refused because a budget is spent, with
	// the value "exhausted".
	HeaderBudget = "x-sluice-budget"
	// FallbackBudget is the HeaderFallbackReason of a call its budget
	// sent to its model's fallback.
	FallbackBudget = "budget"
)

// budgetGate applies the budgets of t's tenant and key at now to a call
// of model: past the soft ratio the call is thrifty (router.Request), past
// the fallback ratio it goes to the model's fallback when the model has
// one (thrifty otherwise), and once a budget is spent it is refused with
// an error matching ErrBudgetExhausted that names the budget and its
// window, and says when the window resets. Without budgets it does
// nothing.
func (g *Gateway) budgetGate(t *ticket, model string, now time.Time) error {
	v, capped := g.budgets.Check(t.tenant, t.key, now)
	if !capped {
		return nil
	}
	t.capped, t.budget = true, v.State
	switch v.State {
	case budget.Exhausted:
		return &retryError{err: exhausted(t.tenant, v), after: v.RetryAfter(now)}
	case budget.Fallback:
		if fb, ok := g.admission.Fallback(model); ok {
			t.model, t.fallback = fb, fallback{from: model, reason: FallbackBudget}
			return nil
		}
		t.budget = budget.Soft // no fallback: the cheapest pool instead
	}
	t.thrifty = t.budget == budget.Soft
	return nil
}

// exhausted describes the spent budget of verdict v on a call of tenant.
func exhausted(tenant string, v budget.Verdict) error {
	who := fmt.Sprintf("tenant %q", tenant)
	if key, ok := strings.CutPrefix(v.Subject, budget.SubjectKey); ok {
		who = fmt.Sprintf("key %q of tenant %q", key, tenant)
	}
	return fmt.Errorf("%w: %s spent %s USD of its %s budget of %s USD; the window resets at %s",
		ErrBudgetExhausted, who, usd(v.Spent), v.Window, usd(v.Budget), v.Reset.UTC().Format(time.RFC3339))
}

// usd formats an amount of USD for messages and headers, with up to six
// significant digits.
func usd(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// spend counts an answered call's cost against the budgets of its tenant
// and key, at now, and marks the answer with its cost and budget state.
func (g *Gateway) spend(t *ticket, costUSD float64, now time.Time) {
	t.fallback.costUSD, t.fallback.answered = costUSD, true
	g.budgets.Spend(t.tenant, t.key, costUSD, now)
	if t.capped {
		t.fallback.budget = t.budget.String()
	}
}

// costKey is HeaderCost in its canonical form, computed once rather than
// per answer.
var costKey = http.CanonicalHeaderKey(HeaderCost)

// markHTTP sets the answer's HeaderCost and, under a budget,
// HeaderBudgetState on h. HeaderCost's value is appended to vals, whose
// array the answer's header values share, and vals returned.
func (fb fallback) markHTTP(h http.Header, vals []string) []string {
	if !fb.answered {
		return vals
	}
	n := len(vals)
	vals = append(vals, usd(fb.costUSD))
	h[costKey] = vals[n : n+1 : n+1]
	if fb.budget != "" {
		h.Set(HeaderBudgetState, fb.budget)
	}
	return vals
}

// markGRPC sends the answer's HeaderCost as a trailer and, under a
// budget, HeaderBudgetState as a header of the call of ctx. Either fails
// only once the call has ended, which a unary handler's has not.
func (fb fallback) markGRPC(ctx context.Context) {
	if !fb.answered {
		return
	}
	_ = grpc.SetTrailer(ctx, metadata.Pairs(HeaderCost, usd(fb.costUSD)))
	if fb.budget != "" {
		_ = grpc.SetHeader(ctx, metadata.Pairs(HeaderBudgetState, fb.budget))
	}
}
