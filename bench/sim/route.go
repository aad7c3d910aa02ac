package sim

import (
	"github.com/sluice-gateway/sluice/router"
)

// pricePool recomputes what depends on p's price after a change: its
// cost model, and its cost per million of each kind at full load.
func (s *sim) pricePool(p *poolSim) {
	p.model = p.spec.Pool
	p.model.PricePerHour = p.price
	for k, kind := range s.fleet.Kinds {
		p.cpm[k] = p.model.CostPerMillion(kind.SLO, 1)
	}
}

// pick asks the production picker for a pool for r among its tier's
// pools, leaving out those r was evacuated from and, for a retry, the
// one that failed it (unless no other can take it). It returns -1 when
// no pool can take r.
func (s *sim) pick(r *request) int {
	if i := s.pickAmong(r, r.skip|r.failedMask()); i >= 0 || r.failed < 0 {
		return i
	}
	return s.pickAmong(r, r.skip)
}

// pickAmong takes a snapshot of the pools of r's tier not in skip (a bit
// per pool index) and asks the picker; -1 when it finds none.
func (s *sim) pickAmong(r *request, skip uint64) int {
	facts := s.facts(r)
	s.views, s.viewPools = s.views[:0], s.viewPools[:0]
	for _, i := range s.tiers[r.kind] {
		if skip&(1<<i) == 0 {
			s.views = append(s.views, s.view(s.pools[i], r))
			s.viewPools = append(s.viewPools, i)
		}
	}
	d, err := s.picker.Pick(s.views, facts, at(s.now))
	if err != nil || d.Index < 0 || d.Index >= len(s.viewPools) {
		return -1
	}
	return s.viewPools[d.Index]
}

// view is pool p as the router's snapshot shows it for r: built by the
// router's own view builder from p's batcher statistics, its cost model
// at its current price and the model of r's kind.
func (s *sim) view(p *poolSim, r *request) router.PoolView {
	return router.ViewOf(p.spec.Name, p.batcherStats(s.now), p.model, s.models[r.kind], s.facts(r))
}

// facts are what the router knows of r.
func (s *sim) facts(r *request) router.Facts {
	kind := &s.fleet.Kinds[r.kind]
	return router.Facts{Model: kind.Model, Rows: kind.Rows, Priority: r.item.Priority, SLO: kind.SLO,
		Due: r.item.Due, Deadline: r.item.Deadline}
}

// routerModel is kind's model as the router knows it.
func routerModel(kind Kind) router.Model {
	return router.Model{Name: kind.Model, Tier: kind.Tier, Timeout: kind.Timeout, SLO: kind.SLO,
		Batching: !kind.NoBatching, MaxBatch: kind.MaxBatch}
}
