package apptest

import (
	"testing"
	"time"
)

// pollEvery is how often WaitUntil checks its condition.
const pollEvery = 20 * time.Millisecond

// WaitUntil checks cond at once and then every 20 ms until it holds,
// failing t, naming what it waited for, if it does not within Patience.
// It is for a state Sluice exposes only to be read, such as a metric or
// an admin endpoint; an event Sluice logs is waited for with Log.Next.
func WaitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(Patience)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("no %s within %v", what, Patience)
		}
	}
}
