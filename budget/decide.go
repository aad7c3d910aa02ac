package budget

import (
	"fmt"
	"time"
)

// State is where a tenant's spending stands against its budgets, from
// best to worst.
type State int8

// The states.
const (
	// OK: below the soft ratio of every budget; calls are routed as
	// usual.
	OK State = iota
	// Soft: past the soft ratio of a budget; calls go to the cheapest
	// pool that can meet the model's SLO.
	Soft
	// Fallback: past the fallback ratio of a budget; calls go to the
	// model's fallback model.
	Fallback
	// Exhausted: a budget is spent; calls are refused until its window
	// ends.
	Exhausted
)

var stateNames = [...]string{"ok", "soft", "fallback", "exhausted"}

// String returns "ok", "soft", "fallback" or "exhausted".
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("state(%d)", int8(s))
	}
	return stateNames[s]
}

// MarshalText implements encoding.TextMarshaler with String's names.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Limits are the budgets of one tenant or key and where its calls are
// downgraded.
type Limits struct {
	// Budget is the USD each window may spend; 0 leaves a window
	// uncapped.
	Budget Amounts
	// SoftRatio is the share of a budget past which calls are routed
	// cheaply (Soft); pre: 0 < SoftRatio <= FallbackRatio.
	SoftRatio float64
	// FallbackRatio is the share of a budget past which calls go to
	// their model's fallback (Fallback); pre: FallbackRatio <= 1.
	FallbackRatio float64
}

// Capped reports whether some window has a budget.
func (l Limits) Capped() bool { return l.Budget != Amounts{} }

// Verdict is what Decide concludes.
type Verdict struct {
	State State
	// Window is the window that decides State: when Exhausted, the
	// exhausted window that ends last; otherwise the one whose budget is
	// the most used. Spent and Budget are its figures, Reset its end.
	Window Window
	Spent  float64
	Budget float64
	Reset  time.Time
	// Subject names whose budget decided, as a Delta's Subject does;
	// set by Book.Check, empty from Decide.
	Subject string
}

// Decide returns the state of spending spent (the current windows') under
// l at now. Each capped window is graded by spent/budget — Exhausted at 1
// or more, Fallback from l.FallbackRatio, Soft from l.SoftRatio — and the
// worst grade wins. Uncapped limits give OK, with a zero Window.
func Decide(l Limits, spent Amounts, now time.Time) Verdict {
	var v Verdict
	used := -1.0
	for _, w := range Windows {
		b := l.Budget.Of(w)
		if b <= 0 {
			continue
		}
		c := Verdict{State: grade(l, spent.Of(w), b), Window: w, Spent: spent.Of(w), Budget: b, Reset: w.End(now)}
		if u := spent.Of(w) / b; used < 0 || worse(c, u, v, used) {
			v, used = c, u
		}
	}
	return v
}

// grade returns the state of spending spent against budget b > 0.
func grade(l Limits, spent, b float64) State {
	switch {
	case spent >= b:
		return Exhausted
	case spent >= l.FallbackRatio*b:
		return Fallback
	case spent >= l.SoftRatio*b:
		return Soft
	}
	return OK
}

// worse reports whether verdict a, whose budget is used by ratio ua, is
// worse than b, used by ub: a worse state; between exhausted windows, the
// one that resets later, a on a tie (Decide visits the wider windows
// last, so the month wins when it ends with the day); otherwise the one
// used more.
func worse(a Verdict, ua float64, b Verdict, ub float64) bool {
	switch {
	case a.State != b.State:
		return a.State > b.State
	case a.State == Exhausted:
		return !a.Reset.Before(b.Reset)
	}
	return ua > ub
}

// Worse returns the worse of two verdicts, as Decide ranks windows: the
// worse state, then the later reset between exhausted ones, then the
// budget used more.
func Worse(a, b Verdict) Verdict {
	if worse(a, ratio(a), b, ratio(b)) {
		return a
	}
	return b
}

// ratio returns how much of its budget v's window used; 0 without one.
func ratio(v Verdict) float64 {
	if v.Budget <= 0 {
		return 0
	}
	return v.Spent / v.Budget
}

// RetryAfter returns how long after now an exhausted verdict's window
// resets; 0 when v is not Exhausted or its window already ended.
func (v Verdict) RetryAfter(now time.Time) time.Duration {
	if v.State != Exhausted {
		return 0
	}
	return max(v.Reset.Sub(now), 0)
}
