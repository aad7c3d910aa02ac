package budget

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// OverrideStore keeps the operator's overrides of the tenants' budgets
// where every gateway replica reads them and a restart finds them: the
// state store.
type OverrideStore interface {
	// SaveOverride stores the budget of tenant; nil removes the override.
	SaveOverride(ctx context.Context, tenant string, budget *Amounts) error
}

// Book holds the budgets of the tenants and keys that have some, the
// operator's overrides, and what each spent. It is safe for concurrent
// use. Create it with NewBook; a nil *Book caps nothing.
type Book struct {
	store OverrideStore
	// subjects counts the tenants and keys held, so that a book holding
	// none costs a call no lock.
	subjects atomic.Int64

	mu        sync.Mutex
	tenants   map[string]*entry
	keys      map[string]*entry
	overrides map[string]Amounts // tenant → the operator's budget
}

// entry is one tenant's or key's limits and spend.
type entry struct {
	subject string // as a Delta names it
	limits  Limits
	acct    account
}

// NewBook returns a book without subjects, which saves overrides in
// store.
func NewBook(store OverrideStore) *Book {
	return &Book{store: store, tenants: map[string]*entry{}, keys: map[string]*entry{}, overrides: map[string]Amounts{}}
}

// SetLimits replaces the limits of the tenants and keys, by name. Those
// that stay keep what they spent; the others are dropped (the store still
// holds their spend, and a later Settle brings it back). The maps are not
// kept.
func (b *Book) SetLimits(tenants, keys map[string]Limits) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tenants = reset(b.tenants, tenants, SubjectTenant)
	b.keys = reset(b.keys, keys, SubjectKey)
	b.subjects.Store(int64(len(b.tenants) + len(b.keys)))
}

// reset returns the entries of limits, those of old kept, whose subjects
// start with prefix.
func reset(old map[string]*entry, limits map[string]Limits, prefix string) map[string]*entry {
	out := make(map[string]*entry, len(limits))
	for name, l := range limits {
		e := old[name]
		if e == nil {
			e = &entry{subject: prefix + name}
		}
		e.limits = l
		out[name] = e
	}
	return out
}

// Check returns the verdict on a call of tenant with key (empty for none)
// at now: the worse of the tenant's and the key's, the key's on a tie,
// its Subject saying whose. capped is false when neither has a budget,
// and the verdict is then OK.
func (b *Book) Check(tenant, key string, now time.Time) (v Verdict, capped bool) {
	if b == nil || b.subjects.Load() == 0 {
		return Verdict{}, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if e := b.tenants[tenant]; e != nil {
		l := b.effective(tenant, e)
		v, capped = Decide(l, e.acct.spent(now), now), l.Capped()
		v.Subject = e.subject
	}
	if e := b.keys[key]; key != "" && e != nil && e.limits.Capped() {
		k := Decide(e.limits, e.acct.spent(now), now)
		k.Subject = e.subject
		v, capped = Worse(k, v), true
	}
	return v, capped
}

// effective returns the limits of tenant with the operator's override.
// pre: b.mu held.
func (b *Book) effective(tenant string, e *entry) Limits {
	l := e.limits
	if o, ok := b.overrides[tenant]; ok {
		l.Budget = o
	}
	return l
}

// Spend counts usd spent at now by a call of tenant with key (empty for
// none), in each that the book holds.
func (b *Book) Spend(tenant, key string, usd float64, now time.Time) {
	if b == nil || !(usd > 0) || b.subjects.Load() == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if e := b.tenants[tenant]; e != nil {
		e.acct.add(usd, now)
	}
	if e := b.keys[key]; key != "" && e != nil {
		e.acct.add(usd, now)
	}
}

// Pending returns, for every subject and window, the spend the shared
// state has not counted yet, zeros included (a zero asks for the total).
// The slice is the caller's.
func (b *Book) Pending(now time.Time) []Delta {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Delta, 0, (len(b.tenants)+len(b.keys))*NumWindows)
	for _, e := range b.tenants {
		out = e.acct.deltas(out, e.subject, now)
	}
	for _, e := range b.keys {
		out = e.acct.deltas(out, e.subject, now)
	}
	return out
}

// Settle records that the store counted deltas, which Pending returned,
// and that their windows' totals are now totals (one per delta). A delta
// of a subject dropped since, or of a window that ended since, is
// ignored.
func (b *Book) Settle(deltas []Delta, totals []float64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, d := range deltas {
		if e := b.subject(d.Subject); e != nil && i < len(totals) {
			e.acct.settle(d, totals[i])
		}
	}
}

// subject returns the entry a Delta's subject names; nil if none.
// pre: b.mu held.
func (b *Book) subject(s string) *entry {
	if name, ok := cutPrefix(s, SubjectTenant); ok {
		return b.tenants[name]
	}
	if name, ok := cutPrefix(s, SubjectKey); ok {
		return b.keys[name]
	}
	return nil
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}

// Override sets the budget of a configured tenant, saving it in the
// store first: nil returns the tenant to its configured budget. It fails,
// changing nothing, with ErrUnknownTenant, with ErrBadAmount for an
// amount below 0 or not finite, or with the store's error.
func (b *Book) Override(ctx context.Context, tenant string, budget *Amounts) error {
	if b == nil {
		return fmt.Errorf("%w %q (no tenant has a budget)", ErrUnknownTenant, tenant)
	}
	b.mu.Lock()
	_, known := b.tenants[tenant]
	b.mu.Unlock()
	switch {
	case !known:
		return fmt.Errorf("%w %q (not under tenants in the configuration)", ErrUnknownTenant, tenant)
	case budget != nil && !budget.Valid():
		return fmt.Errorf("%w: %v (want USD >= 0, finite)", ErrBadAmount, *budget)
	}
	if err := b.store.SaveOverride(ctx, tenant, budget); err != nil {
		return fmt.Errorf("budget: saving the budget of tenant %q: %w", tenant, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if budget == nil {
		delete(b.overrides, tenant)
	} else {
		b.overrides[tenant] = *budget
	}
	return nil
}

// SetOverrides replaces the overrides with those the store holds (tenant
// → budget), which it copies.
func (b *Book) SetOverrides(o map[string]Amounts) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.overrides = maps.Clone(o)
	if b.overrides == nil {
		b.overrides = map[string]Amounts{}
	}
}

// Report is one tenant's or key's budgets and spend, as operators see
// them.
type Report struct {
	Name string `json:"name"`
	// Budget is the budget in force; Configured the configuration's, which
	// an operator's override replaces when Overridden.
	Budget     Amounts `json:"budget"`
	Configured Amounts `json:"configured"`
	Overridden bool    `json:"overridden"`
	// Spent is the spend of the windows holding the report's time;
	// Remaining what their budgets leave (0 for an uncapped window, and
	// never below 0); Resets when each window ends.
	Spent     Amounts `json:"spent"`
	Remaining Amounts `json:"remaining"`
	Resets    Times   `json:"resets"`
	// Verdict is what Decide says of the spend; State its state.
	Verdict Verdict `json:"-"`
	State   State   `json:"state"`
}

// Budget returns the budget in force of tenant, the operator's override
// or the configuration's; false for a tenant the book does not hold.
func (b *Book) Budget(tenant string) (Amounts, bool) {
	if b == nil {
		return Amounts{}, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.tenants[tenant]
	if !ok {
		return Amounts{}, false
	}
	return b.effective(tenant, e).Budget, true
}

// Tenants returns a report of each tenant at now, by name.
func (b *Book) Tenants(now time.Time) []Report {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Report, 0, len(b.tenants))
	for _, name := range slices.Sorted(maps.Keys(b.tenants)) {
		e := b.tenants[name]
		r := report(name, b.effective(name, e), &e.acct, now)
		r.Configured = e.limits.Budget
		_, r.Overridden = b.overrides[name]
		out = append(out, r)
	}
	return out
}

// Keys returns a report of each key with a budget at now, by name.
func (b *Book) Keys(now time.Time) []Report {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Report, 0, len(b.keys))
	for _, name := range slices.Sorted(maps.Keys(b.keys)) {
		e := b.keys[name]
		r := report(name, e.limits, &e.acct, now)
		r.Configured = e.limits.Budget
		out = append(out, r)
	}
	return out
}

// report describes the spend a under limits l at now.
func report(name string, l Limits, a *account, now time.Time) Report {
	r := Report{Name: name, Budget: l.Budget, Spent: a.spent(now)}
	for _, w := range Windows {
		r.Resets[w] = w.End(now)
		if b := l.Budget.Of(w); b > 0 {
			r.Remaining[w] = max(b-r.Spent.Of(w), 0)
		}
	}
	r.Verdict = Decide(l, r.Spent, now)
	r.State = r.Verdict.State
	return r
}
