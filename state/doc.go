// Package state keeps what gateway replicas share: the tenants' and
// keys' spend per budget window, the operator's budgets, and the token
// buckets of the rate limits.
//
// A Store holds spend and budgets. File keeps them for one gateway in a
// JSON file, written atomically (a temporary file renamed over it) each
// time spend changes and at Close; a restart finds the month's spend. A
// file that cannot be read as a state file is refused: OpenFile logs why,
// moves it aside and starts afresh, and never fails for it.
//
// Redis keeps them, and the buckets, for every replica: spend as one
// counter per subject and window (INCRBYFLOAT, expiring after the
// window), budgets in a hash, buckets as GCRA in one Lua script per call
// that takes from all of a call's buckets or none, on the server's clock.
// When the server cannot be reached, Redis decides every call on local
// buckets (quota.Local) and keeps the spend it could not send pending in
// the budget book, so each replica goes on enforcing its limits on its
// own — never a free-for-all, never an outage; it logs the change, counts
// the calls decided locally (Health), and probes the server until it
// answers again.
//
// A Keeper moves spend between a budget.Book and a Store: it sends what
// the book spent since the last exchange and takes back the totals every
// replica spent, and the operator's budgets. The gateway's hot path never
// waits for a Store; only rate limits shared through Redis cost a round
// trip per call.
package state
