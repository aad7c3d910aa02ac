package sim

import (
	"errors"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/router"
)

// request is one simulated request. Its batcher Item carries Key, Rows,
// Model, Priority, Enqueued, Deadline and Due, never an oip request.
// Requests are pooled: one is reused once finished.
type request struct {
	item     batcher.Item
	kind     int
	arrived  time.Duration
	deadline time.Duration
	skip     uint64 // pools that lost their last replica under it, a bit per index
	failed   int    // the pool whose replica failed its batch; -1 if none
}

// failedMask returns the bit of the pool that failed r; 0 if none.
func (r *request) failedMask() uint64 {
	if r.failed < 0 {
		return 0
	}
	return 1 << r.failed
}

// Why a request failed, as the report names it.
const (
	reasonShed         = "shed"
	reasonNoCapacity   = "no_capacity"
	reasonQueueFull    = "queue_full"
	reasonQueueTimeout = "queue_timeout"
	reasonTimeout      = "timeout"
	reasonBackend      = "backend"
)

// arrive handles the request the arrivals drew for now: admission, then
// the router.
func (s *sim) arrive() {
	k, prio := s.arr.kind, s.arr.prio
	s.kindIn[k][classIndex(prio)]++
	s.secIn++
	if s.shed[k].Sheds(prio) {
		s.st.reject(k, prio, reasonShed)
		return
	}
	r := s.newRequest(k, prio)
	s.open++
	s.budget.request(s.now)
	s.enqueue(r)
}

// newRequest returns a pooled request of kind k and class prio arriving
// now.
func (s *sim) newRequest(k int, prio batcher.Priority) *request {
	var r *request
	if n := len(s.free); n > 0 {
		r = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		r = &request{}
	}
	kind := &s.fleet.Kinds[k]
	*r = request{kind: k, arrived: s.now, deadline: s.now + kind.Timeout, failed: -1}
	r.item = batcher.Item{
		Model: kind.Model, Priority: prio, Rows: kind.Rows, Key: s.keys[k],
		Enqueued: at(s.now), Deadline: at(r.deadline), Ref: r,
	}
	r.item.Due = router.Due(r.item.Enqueued, kind.SLO, r.item.Deadline)
	return r
}

// enqueue routes r and queues it on the chosen pool, or fails it: with
// the failure that made it a retry when there was one, else for want of
// capacity.
func (s *sim) enqueue(r *request) {
	i := s.pick(r)
	if i < 0 {
		reason := reasonNoCapacity
		if r.failed >= 0 {
			reason = reasonBackend
		}
		s.unserved(r)
		s.finish(r, reason)
		return
	}
	p := s.pools[i]
	if err := p.q.Push(&r.item, at(s.now)); err != nil {
		s.finish(r, reasonOf(err))
		return
	}
	p.concurrency(s.now)
	p.queued++
	p.queuedRows += int(r.item.Rows)
	p.arrived++
	p.arrivedRows += int(r.item.Rows)
	s.kick(p)
}

// unserved counts r's rows against every pool of its tier that has no
// ready replica: the demand an activator would hold for them.
func (s *sim) unserved(r *request) {
	for _, i := range s.tiers[r.kind] {
		if p := s.pools[i]; p.ready == 0 {
			p.unservedRows += int(r.item.Rows)
		}
	}
}

// reasonOf names a batcher error in the report.
func reasonOf(err error) string {
	switch {
	case errors.Is(err, batcher.ErrQueueFull):
		return reasonQueueFull
	case errors.Is(err, batcher.ErrQueueTimeout):
		return reasonQueueTimeout
	}
	return reasonTimeout
}

// kick forms batches on p's idle replicas until none is idle or the
// queue holds none to send now; a forming wait schedules a wake-up.
func (s *sim) kick(p *poolSim) {
	for len(p.idle) > 0 {
		now := at(s.now)
		head := p.q.Peek(now)
		if head == nil {
			break
		}
		batch, wait := p.q.Form(now, p.form[head.Ref.(*request).kind])
		if batch == nil {
			if wait > 0 && s.now+wait < p.wakeAt {
				p.wakeAt = s.now + wait
				s.events.push(event{at: p.wakeAt, kind: evWake, pool: int32(p.idx)})
			}
			break
		}
		s.serve(p, p.popIdle(), batch)
	}
	s.expired(p)
}

// serve starts batch on replica slot of p.
func (s *sim) serve(p *poolSim, slot int32, batch []*batcher.Item) {
	rows := 0
	for _, it := range batch {
		rows += int(it.Rows)
	}
	p.concurrency(s.now)
	p.queued -= len(batch)
	p.queuedRows -= rows
	p.inflight += len(batch)
	p.inflightRows += rows
	rep := &p.reps[slot]
	rep.state, rep.batch, rep.rows = repBusy, batch, rows
	lat := p.spec.Curve.Latency(rows)
	s.events.push(event{at: s.now + lat, kind: evDone, pool: int32(p.idx), slot: slot, gen: rep.gen})
}

// done answers the batch of replica slot of p, unless that replica was
// lost since (gen differs), and frees or stops the replica.
func (s *sim) done(p *poolSim, slot int32, gen uint32) {
	rep := &p.reps[slot]
	if rep.gen != gen || (rep.state != repBusy && rep.state != repDraining) {
		return
	}
	for _, it := range s.unload(p, rep) {
		r := it.Ref.(*request)
		if s.now > r.deadline {
			s.finish(r, reasonTimeout)
			continue
		}
		s.st.answer(r.kind, r.item.Priority, s.now, s.now-r.arrived, s.fleet.Kinds[r.kind].SLO, p)
		s.release(r)
	}
	if rep.state == repDraining {
		p.draining--
		s.stop(p, slot)
	} else {
		rep.state = repIdle
		p.idle = append(p.idle, slot)
	}
	s.kick(p)
}

// unload takes the batch off a replica and out of p's in-flight counts.
func (s *sim) unload(p *poolSim, rep *replica) []*batcher.Item {
	batch := rep.batch
	p.concurrency(s.now)
	p.inflight -= len(batch)
	p.inflightRows -= rep.rows
	rep.batch, rep.rows = nil, 0
	return batch
}

// expired fails the requests p's queue dropped.
func (s *sim) expired(p *poolSim) {
	dead := p.q.Expired(at(s.now))
	if len(dead) == 0 {
		return
	}
	p.concurrency(s.now)
	for _, it := range dead {
		p.queued--
		p.queuedRows -= int(it.Rows)
		s.finish(it.Ref.(*request), reasonOf(it.Expiry()))
	}
}

// failed handles a request whose batch failed on a replica of p: one
// retry, elsewhere if possible, when its deadline has not passed and the
// retry budget allows; otherwise it fails.
func (s *sim) failed(p *poolSim, r *request) {
	switch {
	case s.now >= r.deadline:
		s.finish(r, reasonTimeout)
	case r.failed >= 0 || !s.budget.allow(s.now):
		s.finish(r, reasonBackend)
	default:
		s.st.retried++
		r.failed = p.idx
		s.enqueue(r)
	}
}

// evacuate routes elsewhere every request of p, queued or in flight on a
// replica finishing its batch, once p has lost its last ready replica,
// as the router does; those in flight are answered by whichever pool
// takes them now, and their batch's answer is dropped.
func (s *sim) evacuate(p *poolSim) {
	var moved []*batcher.Item
	p.concurrency(s.now)
	for _, it := range p.q.Drain() {
		p.queued--
		p.queuedRows -= int(it.Rows)
		moved = append(moved, it)
	}
	for i := range p.reps {
		if rep := &p.reps[i]; rep.state == repDraining && rep.batch != nil {
			moved = append(moved, s.unload(p, rep)...)
		}
	}
	for _, it := range moved {
		r := it.Ref.(*request)
		if it.Expiry() != nil {
			s.finish(r, reasonOf(it.Expiry()))
			continue
		}
		r.skip |= 1 << p.idx
		s.enqueue(r)
	}
}

// finish fails an accepted request for reason and frees it.
func (s *sim) finish(r *request, reason string) {
	s.st.reject(r.kind, r.item.Priority, reason)
	s.release(r)
}

// release returns a finished request to the pool.
func (s *sim) release(r *request) {
	s.open--
	r.item = batcher.Item{}
	s.free = append(s.free, r)
}
