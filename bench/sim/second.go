package sim

import "math"

// second runs at the start of every second (trace row): it closes the
// previous second's timeline sample, applies the second's scripted
// events, draws the random spot interruptions and schedules the next
// second.
func (s *sim) second() {
	sec := int(s.now / s.row)
	if s.tl != nil && sec > 0 {
		s.tl.record(sec-1, s)
	}
	s.secIn = 0
	for ; s.next < len(s.script) && s.script[s.next].Second <= sec; s.next++ {
		s.apply(s.script[s.next])
	}
	s.spotLosses()
	s.maxRate = max(s.maxRate, s.fleetRate())
	s.events.push(event{at: s.now + s.row, kind: evSecond})
}

// apply runs one scripted event.
func (s *sim) apply(ev Event) {
	p := s.pools[s.fleet.PoolIndex(ev.Pool)]
	switch ev.Kind {
	case PoolDown:
		p.down = true
		s.lose(p, p.billed)
	case PoolUp:
		p.down = false
	case SpotInterrupt:
		s.lose(p, int(math.Ceil(ev.Value*float64(p.billed)-1e-9)))
	case Price:
		p.setPrice(s.now, ev.Value)
		s.pricePool(p)
	}
}

// lose interrupts n of p's replicas, chosen at random.
func (s *sim) lose(p *poolSim, n int) {
	for ; n > 0 && p.billed > 0; n-- {
		k := s.rng.IntN(p.billed)
		for i := range p.reps {
			if p.reps[i].state == repFree {
				continue
			}
			if k == 0 {
				s.interrupt(p, int32(i))
				break
			}
			k--
		}
	}
}

// spotLosses interrupts each replica of a spot pool with the probability
// that Fleet.SpotRate gives over one second.
func (s *sim) spotLosses() {
	prob := -math.Expm1(-s.fleet.SpotRate / 3600)
	for _, p := range s.pools {
		if !p.spec.Spot {
			continue
		}
		for i := range p.reps {
			if p.reps[i].state != repFree && s.rng.Float64() < prob {
				s.interrupt(p, int32(i))
			}
		}
	}
}
