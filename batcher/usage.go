package batcher

import "time"

// Usage is how busy a pool's workers were since NewPool, as two integrals
// over time in slot-seconds. Over any span, the increase of BusySeconds
// divided by that of SlotSeconds is the busy share of the workers' time
// (their utilization). Both only grow.
type Usage struct {
	// BusySeconds integrates the batches in flight over time: each batch
	// counts from leaving the queue to being answered.
	BusySeconds float64 `json:"busy_seconds"`
	// SlotSeconds integrates the attached workers' slots over time: the
	// capacity BusySeconds is a share of.
	SlotSeconds float64 `json:"slot_seconds"`
}

// Share returns BusySeconds / SlotSeconds, 0 when SlotSeconds is 0. A
// batch still in flight on a worker that was removed can push it above 1.
func (u Usage) Share() float64 {
	if u.SlotSeconds <= 0 {
		return 0
	}
	return u.BusySeconds / u.SlotSeconds
}

// usageMeter keeps a Usage up to date as batches and slots come and go.
// Time is passed in; a time before the latest one seen adds nothing. The
// zero value starts counting at its first change. It is not safe for
// concurrent use: the Pool guards it with its lock.
type usageMeter struct {
	at      time.Time // the latest time seen
	batches int       // batches in flight since at
	slots   int       // slots attached since at
	total   Usage     // up to at
}

// advance adds the time from the latest change to now.
func (m *usageMeter) advance(now time.Time) {
	if !now.After(m.at) {
		return
	}
	if !m.at.IsZero() {
		dt := now.Sub(m.at).Seconds()
		m.total.BusySeconds += dt * float64(m.batches)
		m.total.SlotSeconds += dt * float64(m.slots)
	}
	m.at = now
}

// addBatches records n more batches in flight from now on (n < 0: fewer).
func (m *usageMeter) addBatches(now time.Time, n int) {
	m.advance(now)
	m.batches += n
}

// addSlots records n more slots attached from now on (n < 0: fewer).
func (m *usageMeter) addSlots(now time.Time, n int) {
	m.advance(now)
	m.slots += n
}

// usage returns the Usage up to now, leaving m as it is.
func (m usageMeter) usage(now time.Time) Usage {
	m.advance(now)
	return m.total
}
