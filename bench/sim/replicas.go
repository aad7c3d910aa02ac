package sim

import "github.com/sluice-gateway/sluice/batcher"

// scale brings p to want replicas, starting and ready: it keeps draining
// replicas first, then starts new ones; to shrink it cancels the newest
// cold starts first, then stops idle replicas, then lets busy ones finish
// their batch and stop.
func (s *sim) scale(p *poolSim, want int) {
	for want > p.live() && p.draining > 0 {
		s.undrain(p)
	}
	for want > p.live() {
		s.launch(p)
	}
	for want < p.live() {
		s.shrink(p)
	}
}

// launch starts one replica's cold start.
func (s *sim) launch(p *poolSim) {
	slot := p.slot()
	rep := &p.reps[slot]
	*rep = replica{state: repStarting, gen: rep.gen + 1, requested: s.now}
	p.starting++
	p.bill(s.now)
	p.billed++
	s.events.push(event{at: s.now + p.spec.ColdStart, kind: evReady, pool: int32(p.idx), slot: slot, gen: rep.gen})
}

// ready ends the cold start of replica slot of p, unless it was lost or
// cancelled since.
func (s *sim) ready(p *poolSim, slot int32, gen uint32) {
	rep := &p.reps[slot]
	if rep.gen != gen || rep.state != repStarting {
		return
	}
	rep.state = repIdle
	p.starting--
	p.ready++
	p.idle = append(p.idle, slot)
	s.kick(p)
}

// undrain keeps one draining replica.
func (s *sim) undrain(p *poolSim) {
	for i := range p.reps {
		if p.reps[i].state == repDraining {
			p.reps[i].state = repBusy
			p.draining--
			p.ready++
			return
		}
	}
}

// shrink removes one replica from p's size: the newest cold start, else
// the least recently idle replica, else a busy one after its batch.
func (s *sim) shrink(p *poolSim) {
	newest := int32(-1)
	for i := range p.reps {
		if r := &p.reps[i]; r.state == repStarting && (newest < 0 || r.requested > p.reps[newest].requested) {
			newest = int32(i)
		}
	}
	switch {
	case newest >= 0:
		p.starting--
		s.stop(p, newest)
	case len(p.idle) > 0:
		slot := p.idle[0]
		p.dropIdle(slot)
		p.ready--
		s.stop(p, slot)
		s.lostReady(p)
	default:
		s.drainOne(p)
		s.lostReady(p)
	}
}

// drainOne marks a busy replica to stop after its batch.
func (s *sim) drainOne(p *poolSim) {
	for i := range p.reps {
		if p.reps[i].state == repBusy {
			p.reps[i].state = repDraining
			p.ready--
			p.draining++
			return
		}
	}
}

// stop ends replica slot of p and its bill, charging the rest of the
// minimum billing time. The caller has taken it out of p's counts.
func (s *sim) stop(p *poolSim, slot int32) {
	rep := &p.reps[slot]
	p.bill(s.now)
	p.billed--
	if life := s.now - rep.requested; life < s.fleet.MinBilling {
		extra := (s.fleet.MinBilling - life).Seconds()
		p.cost += extra * p.price / 3600
		p.repSeconds += extra
	}
	rep.state, rep.batch, rep.rows = repFree, nil, 0
	rep.gen++
}

// interrupt loses replica slot of p at once: its batch in flight fails
// and each of its requests is routed again.
func (s *sim) interrupt(p *poolSim, slot int32) {
	rep := &p.reps[slot]
	var batch []*batcher.Item
	switch rep.state {
	case repFree:
		return
	case repStarting:
		p.starting--
	case repIdle:
		p.ready--
		p.dropIdle(slot)
	case repBusy:
		p.ready--
		batch = s.unload(p, rep)
	case repDraining:
		p.draining--
		batch = s.unload(p, rep)
	}
	s.stop(p, slot)
	p.interrupted++
	s.st.interruptions++
	for _, it := range batch {
		s.failed(p, it.Ref.(*request))
	}
	s.lostReady(p)
}

// lostReady evacuates p when it has no ready replica left.
func (s *sim) lostReady(p *poolSim) {
	if p.ready == 0 {
		s.evacuate(p)
	}
}
