package budget

import "time"

// account is what one tenant or key spent in the current windows.
type account struct {
	// start and end bound each window the figures are of; a zero end
	// means none yet.
	start, end [NumWindows]time.Time
	// settled is the window's total as the shared state last confirmed
	// it, this process's spend included up to then; pending is what this
	// process spent since.
	settled, pending Amounts
}

// roll starts afresh every window that ended by now.
func (a *account) roll(now time.Time) {
	for _, w := range Windows {
		if !now.Before(a.end[w]) {
			a.start[w], a.end[w] = w.Start(now), w.End(now)
			a.settled[w], a.pending[w] = 0, 0
		}
	}
}

// spent returns the spend of the windows holding now.
func (a *account) spent(now time.Time) Amounts {
	a.roll(now)
	var s Amounts
	for _, w := range Windows {
		s[w] = a.settled[w] + a.pending[w]
	}
	return s
}

// add counts usd spent at now in every window.
func (a *account) add(usd float64, now time.Time) {
	a.roll(now)
	for _, w := range Windows {
		a.pending[w] += usd
	}
}

// Delta is spend of one subject in one window that the shared state has
// not counted yet: what Book.Pending hands the store, and the store adds.
type Delta struct {
	// Subject names whose spend it is: SubjectTenant or SubjectKey
	// followed by the name.
	Subject string
	Window  Window
	// Start is the start of the window the spend belongs to.
	Start time.Time
	// USD is the spend not yet counted; 0 asks the store for its total.
	USD float64
}

// Prefixes of a Delta's Subject.
const (
	SubjectTenant = "tenant:"
	SubjectKey    = "key:"
)

// deltas appends the pending spend of a, whose subject is subject, for
// each window.
func (a *account) deltas(out []Delta, subject string, now time.Time) []Delta {
	a.roll(now)
	for _, w := range Windows {
		out = append(out, Delta{Subject: subject, Window: w, Start: a.start[w], USD: a.pending[w]})
	}
	return out
}

// settle records that the store counted d and that the window's total is
// now total; a delta of a window that has since ended is ignored.
func (a *account) settle(d Delta, total float64) {
	if !a.start[d.Window].Equal(d.Start) {
		return
	}
	a.settled[d.Window] = total
	a.pending[d.Window] = max(a.pending[d.Window]-d.USD, 0)
}
