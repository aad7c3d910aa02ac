package router

import (
	"slices"
	"strings"
)

// EndpointState is one worker of a pool as the router sees it now.
type EndpointState struct {
	Endpoint
	// Ready is true when the worker takes batches: its driver reported it
	// and it is neither ejected nor failing its checks.
	Ready bool
}

// Endpoints returns every worker the driver reported for the pool, ready or
// not, sorted by ID: a read-only view of the topology for the xDS control
// plane. The slice is the caller's.
func (p *Pool) Endpoints() []EndpointState {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]EndpointState, 0, len(p.workers))
	for _, w := range p.workers {
		out = append(out, EndpointState{Endpoint: w.endpoint, Ready: w.attached})
	}
	slices.SortFunc(out, func(a, b EndpointState) int { return strings.Compare(a.ID, b.ID) })
	return out
}
