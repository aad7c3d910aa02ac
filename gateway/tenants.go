package gateway

import (
	"maps"
	"sync"
)

// TenantEvent is the outcome of one call of a known tenant: one the
// gateway authenticated, or any call when authentication is off.
type TenantEvent struct {
	// Tenant is the call's tenant.
	Tenant string
	// Rows is the number of inferences the call was answered with: the
	// rows (dimension 0) of its inputs; 0 for a failed call.
	Rows int64
	// Fallback reports that the call was answered by its model's
	// fallback.
	Fallback bool
	// Reason names why the call failed (ReasonRateLimited, ReasonShed,
	// ...); empty for an answered call.
	Reason string
	// CostUSD is what answering the call cost, in US dollars: its rows
	// times the cost per inference of the pool that answered, at the
	// model's SLO and full utilization; 0 for a failed call and for an
	// answer from the cache.
	CostUSD float64
	// Budget is the step of its budgets that served the call ("ok",
	// "soft", "fallback") or refused it ("exhausted"); empty when neither
	// its tenant nor its key has a budget, or the call was refused before
	// the budgets were checked.
	Budget string
}

// TenantCount is what one tenant's calls amounted to, for chargeback.
type TenantCount struct {
	// Requests counts the tenant's calls, answered or not.
	Requests int64 `json:"requests"`
	// Answered counts the calls answered with a result.
	Answered int64 `json:"answered"`
	// Inferences sums the rows of the answered calls.
	Inferences int64 `json:"inferences"`
	// Fallbacks counts the answered calls that a fallback model served.
	Fallbacks int64 `json:"fallbacks"`
	// Failed counts the calls not answered, by reason (ReasonForbidden,
	// ReasonRateLimited, ReasonShed, ...); nil when there were none.
	Failed map[string]int64 `json:"failed,omitempty"`
	// CostUSD sums the events' CostUSD.
	CostUSD float64 `json:"cost_usd"`
	// Budget counts the calls by the step of their budgets that served or
	// refused them (TenantEvent.Budget); nil when there were none.
	Budget map[string]int64 `json:"budget_calls,omitempty"`
}

// TenantCounters counts calls per tenant. Calls that fail authentication
// belong to no tenant and are not counted. It is safe for concurrent use;
// its zero value is empty and ready.
type TenantCounters struct {
	mu     sync.Mutex
	counts map[string]*TenantCount
}

// Record adds one call's outcome to its tenant's count.
func (c *TenantCounters) Record(e TenantEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]*TenantCount{}
	}
	n := c.counts[e.Tenant]
	if n == nil {
		n = &TenantCount{}
		c.counts[e.Tenant] = n
	}
	n.add(e)
}

func (n *TenantCount) add(e TenantEvent) {
	n.Requests++
	n.CostUSD += e.CostUSD
	if e.Budget != "" {
		if n.Budget == nil {
			n.Budget = map[string]int64{}
		}
		n.Budget[e.Budget]++
	}
	if e.Reason != "" {
		if n.Failed == nil {
			n.Failed = map[string]int64{}
		}
		n.Failed[e.Reason]++
		return
	}
	n.Answered++
	n.Inferences += e.Rows
	if e.Fallback {
		n.Fallbacks++
	}
}

// Snapshot returns every tenant's count so far. The map and its values are
// the caller's.
func (c *TenantCounters) Snapshot() map[string]TenantCount {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]TenantCount, len(c.counts))
	for t, n := range c.counts {
		cp := *n
		cp.Failed, cp.Budget = maps.Clone(n.Failed), maps.Clone(n.Budget)
		out[t] = cp
	}
	return out
}
