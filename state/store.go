package state

import (
	"context"
	"time"

	"github.com/sluice-gateway/sluice/budget"
)

// Store keeps the tenants' and keys' spend and the operator's budgets.
// Implementations are safe for concurrent use.
type Store interface {
	budget.OverrideStore
	// AddSpend adds each delta's USD to its subject's total of the window
	// starting at its Start, and returns the totals after, one per delta.
	// A delta of a window that has ended may be dropped; its total then
	// means nothing (the book ignores it).
	AddSpend(ctx context.Context, deltas []budget.Delta) ([]float64, error)
	// Overrides returns the operator's budgets, by tenant.
	Overrides(ctx context.Context) (map[string]budget.Amounts, error)
	// Health says where the store is and whether it answers.
	Health() Health
	// Close writes what is not written yet and releases the store.
	Close() error
}

// Health is how a store is doing, for logs, metrics and the status page.
type Health struct {
	// Backend is "file" or "redis"; Where the file's path or the
	// server's address.
	Backend string `json:"backend"`
	Where   string `json:"where"`
	// Up is false while the store cannot be reached: the gateway then
	// decides on local state. Since is when Up last changed (zero for a
	// store that never changed).
	Up    bool      `json:"up"`
	Since time.Time `json:"since,omitzero"`
	// LocalDecisions counts the rate-limit decisions taken on local
	// buckets because the store could not be reached; Outages the times
	// it became unreachable.
	LocalDecisions uint64 `json:"local_decisions"`
	Outages        uint64 `json:"outages"`
}

var (
	_ Store = (*File)(nil)
	_ Store = (*Redis)(nil)
)
