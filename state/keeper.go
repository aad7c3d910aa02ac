package state

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/sluice-gateway/sluice/budget"
)

// Keeper moves spend between a budget book and a store: the spend the
// book holds pending goes to the store, and the totals of every replica,
// and the operator's budgets, come back. Its zero value is not usable;
// fill every field. It is safe for concurrent use.
type Keeper struct {
	Book  *budget.Book
	Store Store
	// Now is the clock of the windows.
	Now func() time.Time
	Log *slog.Logger

	failures atomic.Uint64
	failing  atomic.Bool
}

// Sync exchanges spend and budgets with the store once. On failure the
// book keeps its pending spend for the next Sync, and decides on what it
// knows meanwhile; the first failure of a run is logged, and the first
// success after it.
func (k *Keeper) Sync(ctx context.Context) error {
	ds := k.Book.Pending(k.Now())
	totals, err := k.Store.AddSpend(ctx, ds)
	if err == nil {
		k.Book.Settle(ds, totals)
		var o map[string]budget.Amounts
		if o, err = k.Store.Overrides(ctx); err == nil {
			k.Book.SetOverrides(o)
		}
	}
	k.note(err)
	return err
}

// note logs and counts a change between failing and succeeding.
func (k *Keeper) note(err error) {
	if err == nil {
		if k.failing.CompareAndSwap(true, false) {
			k.Log.Info("state: spend synced again", slog.String("store", k.Store.Health().Where))
		}
		return
	}
	k.failures.Add(1)
	if k.failing.CompareAndSwap(false, true) {
		k.Log.Warn("state: cannot sync spend; deciding budgets on this replica's view until it can",
			slog.String("store", k.Store.Health().Where), slog.Any("error", err))
	}
}

// Failures counts the Syncs that failed.
func (k *Keeper) Failures() uint64 { return k.failures.Load() }

// Run syncs at every tick until ctx is done or ticks is closed, then once
// more, so that what was spent last is not lost, and closes the store.
func (k *Keeper) Run(ctx context.Context, ticks <-chan time.Time) error {
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case _, ok := <-ticks:
			if !ok {
				done = true
				continue
			}
			_ = k.Sync(ctx) // logged and counted
		}
	}
	final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = k.Sync(final)
	return k.Store.Close()
}
