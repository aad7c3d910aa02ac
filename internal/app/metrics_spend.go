package app

import (
	"math"
	"sync"
	"time"
)

// spendWindow is the span the rolling cost per million inferences covers.
const spendWindow = 5 * time.Minute

// spendSample is the fleet's cumulative spending and served inferences at
// one decision.
type spendSample struct {
	at     time.Time
	spent  float64 // USD since the first decision
	served uint64  // inferences since the router started
}

// spendMeter integrates the fleet's price over the scaler's decisions, as
// the scaler's own budget does: at each decision, the price of the
// replicas observed then (ready and starting) times the time since the
// previous decision. From that it keeps the spending since the start and
// since midnight (in the location of the decisions' times), and the
// rolling cost per million inferences served over spendWindow. Time is
// passed in. It is safe for concurrent use; the zero value is ready.
type spendMeter struct {
	mu      sync.Mutex
	samples []spendSample // oldest first, spanning about spendWindow
	day     time.Time     // midnight starting the day being summed
	today   float64       // USD spent since day
}

// observe records a decision at now, when the fleet cost perHour USD per
// hour and served inferences had been served since the start. A time
// before the latest one is ignored.
func (m *spendMeter) observe(now time.Time, perHour float64, served uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	last, ok := m.last()
	if ok && now.Before(last.at) {
		return
	}
	s := spendSample{at: now, served: served}
	if ok {
		dt := now.Sub(last.at)
		if day := midnightOf(now); !day.Equal(m.day) {
			m.day, m.today = day, 0
			dt = min(dt, now.Sub(day))
		}
		m.today += perHour * dt.Hours()
		s.spent = last.spent + perHour*now.Sub(last.at).Hours()
	} else {
		m.day = midnightOf(now)
	}
	m.samples = append(m.samples, s)
	m.trim()
}

// last returns the latest sample; false before the first.
func (m *spendMeter) last() (spendSample, bool) {
	if len(m.samples) == 0 {
		return spendSample{}, false
	}
	return m.samples[len(m.samples)-1], true
}

// trim drops the samples older than spendWindow before the latest, but the
// newest of them, where the window starts.
func (m *spendMeter) trim() {
	last := m.samples[len(m.samples)-1]
	i := 0
	for i+1 < len(m.samples) && !m.samples[i+1].at.After(last.at.Add(-spendWindow)) {
		i++
	}
	m.samples = m.samples[i:]
}

// spendReading is what a spendMeter shows.
type spendReading struct {
	// Spent is the USD spent since the first decision; Today since
	// midnight.
	Spent, Today float64
	// PerMillion is the USD per million inferences served over the
	// window; PerMillionOK is false when none were served in it.
	PerMillion   float64
	PerMillionOK bool
}

// read returns the meter's figures as of its latest decision.
func (m *spendMeter) read() spendReading {
	m.mu.Lock()
	defer m.mu.Unlock()
	last, ok := m.last()
	if !ok {
		return spendReading{}
	}
	r := spendReading{Spent: last.spent, Today: m.today}
	first := m.samples[0]
	if served := last.served - min(first.served, last.served); served > 0 {
		r.PerMillion, r.PerMillionOK = (last.spent-first.spent)/float64(served)*1e6, true
	}
	if math.IsNaN(r.PerMillion) || math.IsInf(r.PerMillion, 0) {
		r.PerMillion, r.PerMillionOK = 0, false
	}
	return r
}

// midnightOf returns the start of t's day in t's location.
func midnightOf(t time.Time) time.Time {
	y, mo, d := t.Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, t.Location())
}
