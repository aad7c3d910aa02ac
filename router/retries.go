package router

// Retries returns how many requests were tried again on another pool (or
// the same one) after a worker failed them, since the router started. It
// is safe for concurrent use.
func (r *Router) Retries() uint64 {
	r.budget.mu.Lock()
	defer r.budget.mu.Unlock()
	return r.budget.total
}
