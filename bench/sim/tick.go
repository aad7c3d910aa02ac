package sim

import (
	"time"

	"github.com/sluice-gateway/sluice/batcher"
)

// tick runs one policy decision: it fails expired requests, observes the
// fleet, asks the policy and applies its decision.
func (s *sim) tick() {
	for _, p := range s.pools {
		s.expired(p)
	}
	s.observe(s.fleet.Interval)
	d := s.policy.Decide(&s.obs)
	s.resize(d.Replicas)
	for k := range s.shed {
		s.shed[k] = batcher.ShedNone
		if k < len(d.Shed) {
			s.shed[k] = d.Shed[k]
		}
	}
	s.events.push(event{at: s.now + s.fleet.Interval, kind: evTick})
}

// observe fills s.obs with the fleet now and the traffic over the window
// that ends now, and starts the next window.
func (s *sim) observe(window time.Duration) {
	secs := window.Seconds()
	s.obs.Now, s.obs.Window = s.now, window
	for k, n := range s.kindIn {
		s.obs.Kinds[k] = KindState{
			ArrivalRate: float64(n[0]+n[1]+n[2]+n[3]) / secs,
			NormalRate:  float64(n[classIndex(batcher.Normal)]) / secs,
			LowRate:     float64(n[classIndex(batcher.Low)]) / secs,
		}
		s.kindIn[k] = [4]int{}
	}
	for i, p := range s.pools {
		p.concurrency(s.now)
		s.obs.Pools[i] = PoolState{
			Ready: p.ready, Starting: p.starting, Down: p.down, PricePerHour: p.price,
			ArrivalRate: float64(p.arrived) / secs, ArrivalRows: float64(p.arrivedRows) / secs,
			UnservedRows: float64(p.unservedRows) / secs,
			Queued:       p.queued, QueuedRows: p.queuedRows, InFlight: p.inflight, InFlightRows: p.inflightRows,
			Concurrency: p.concArea / secs,
			P95:         p.lat.quantile(s.now, 0.95),
			Interrupted: p.interrupted,
		}
		p.arrived, p.arrivedRows, p.unservedRows, p.concArea, p.interrupted = 0, 0, 0, 0, 0
	}
}
