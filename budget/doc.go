// Package budget decides what a tenant's spending allows: dollar budgets
// per hour, day and calendar month, the state a tenant's calls are in
// (ok, soft, fallback, exhausted) and when an exhausted window resets.
//
// Windows are aligned to UTC: an hour starts on the hour, a day at
// midnight UTC, a month at 00:00 UTC on its first day. A window's spend
// starts again from zero when it ends; there are no rolling windows, so a
// refusal's retry time is exact (the window's end) and every gateway
// replica agrees on it.
//
// Decide is a pure function of the limits, the spend and the time. A Book
// holds the limits of every tenant and key that has some, the operator's
// overrides of the tenants' budgets, and what each spent in the current
// windows: what the shared state last confirmed (settled) plus what this
// process spent since (pending). The state package moves the pending
// spend to the store and the store's totals back (Book.Pending,
// Book.Settle); the Book does no IO of its own besides saving an
// override through the OverrideStore it is given.
//
// Every method takes the time as an argument; nothing here reads a
// clock. The package imports nothing else of Sluice's.
package budget
